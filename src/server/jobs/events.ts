// In-process fan-out of job updates: the scheduler publishes once, any number of SSE streams listen.
import { EventEmitter } from 'node:events';

export interface JobUpdate {
  jobId: string;
  /** The job as the API shows it (GET /api/jobs/:id). */
  job: unknown;
  terminal: boolean;
}

const hub = new EventEmitter();
hub.setMaxListeners(0); // many browsers may watch one job

export function publishJob(update: JobUpdate): void {
  hub.emit(update.jobId, update);
}

export function subscribeJob(jobId: string, listener: (u: JobUpdate) => void): () => void {
  hub.on(jobId, listener);
  return () => hub.off(jobId, listener);
}
