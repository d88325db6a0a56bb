import { describe, expect, it } from 'vitest';
import { galleryWith, placeJob } from './job-list.ts';
import type { JobJson, ResultJson } from './types.ts';

const result = (id: string, jobId: string): ResultJson => ({
  id,
  jobId,
  url: `/api/results/${id}.png`,
  width: 768,
  height: 1024,
  seed: 1,
  fidelity: null,
  checks: null,
  params: {},
  createdAt: '2026-01-01T00:00:00.000Z',
});

const job = (id: string, state: JobJson['state'], results: ResultJson[] = []): JobJson => ({
  id,
  sessionId: 'session1',
  recipe: 'model-shot',
  state,
  progress: { fraction: 0, step: null, steps: null, etaSeconds: null },
  serverQueue: null,
  cancelRequested: false,
  attempts: 0,
  error: null,
  previewUrl: null,
  results,
  params: { sessionId: 'session1', recipe: 'model-shot', count: 1 },
  createdAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
});

describe('placeJob', () => {
  it('adds a job it has not seen and updates one it has', () => {
    const jobs = [job('b', 'running'), job('a', 'succeeded')];
    expect(placeJob(jobs, job('c', 'queued'))).toEqual({ kind: 'add' });
    expect(placeJob(jobs, job('b', 'succeeded'))).toEqual({ kind: 'update', index: 0 });
  });

  it('keeps an ended job ended when a late reply says it still runs', () => {
    const jobs = [job('a', 'canceled')];
    expect(placeJob(jobs, job('a', 'running'))).toEqual({ kind: 'stale' });
    // Ended → ended is still an update.
    expect(placeJob(jobs, job('a', 'failed'))).toEqual({ kind: 'update', index: 0 });
  });
});

describe('galleryWith', () => {
  it('puts a succeeded job’s results first, once', () => {
    const older = [result('r0', 'a')];
    const done = job('b', 'succeeded', [result('r1', 'b'), result('r2', 'b')]);
    const gallery = galleryWith(older, done)!;
    expect(gallery.map((r) => r.id)).toEqual(['r1', 'r2', 'r0']);
    expect(galleryWith(gallery, done)!.map((r) => r.id)).toEqual(['r1', 'r2', 'r0']);
  });

  it('leaves the gallery alone for other states', () => {
    expect(galleryWith([], job('a', 'running'))).toBeNull();
    expect(galleryWith([], job('a', 'succeeded'))).toBeNull();
  });
});
