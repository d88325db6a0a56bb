// How the studio's list of jobs (newest first) and its gallery follow the API's answers about a job:
// the creation reply, each stream event, a cancel's reply. Answers can cross on the way.
import { isTerminal } from './job-states.ts';
import type { JobJson, ResultJson } from './types.ts';

export type JobPlace = { kind: 'update'; index: number } | { kind: 'add' } | { kind: 'stale' };

/** Where an answer about `job` goes: the job's entry, a new first entry, or nowhere (it is older news). */
export function placeJob(jobs: readonly JobJson[], job: JobJson): JobPlace {
  const index = jobs.findIndex((j) => j.id === job.id);
  if (index < 0) return { kind: 'add' };
  // A cancel's reply may come after the stream's final event: an ended job stays ended.
  if (isTerminal(jobs[index]!.state) && !isTerminal(job.state)) return { kind: 'stale' };
  return { kind: 'update', index };
}

/** The gallery once `job` succeeded (its results first, replacing any it had), or null when unchanged. */
export function galleryWith(results: readonly ResultJson[], job: JobJson): ResultJson[] | null {
  if (job.state !== 'succeeded' || job.results.length === 0) return null;
  return [...job.results, ...results.filter((r) => r.jobId !== job.id)];
}
