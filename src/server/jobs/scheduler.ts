// One worker loop per generation backend, one job at a time each (as the real server works), the
// oldest queued job first. Connection failures put the job back (another backend may take it) and
// rest the failing backend; after MAX_ATTEMPTS the job fails with the reason.
import { BackendError, isBackendError } from '../../lib/sd/errors.ts';
import { DISK_FULL_MESSAGE } from '../http/errors.ts';
import { isDiskFullError } from '../store/disk.ts';
import type { SdClient } from '../backend/client.ts';
import type { Db } from '../store/db.ts';
import { runJob, type RunDeps } from './runner.ts';
import {
  cancelJobRow,
  claimNextJob,
  completeJob,
  failJob,
  getJob,
  nextRunnableAt,
  recoverInterruptedJobs,
  requeueJob,
  requestCancel,
  saveProgress,
  type JobRow,
  type ResultRow,
} from './store.ts';

export const MAX_ATTEMPTS = 3;
const RETRY_DELAYS_MS = [1000, 3000, 8000];
const BACKEND_REST_MS = [1000, 3000, 5000, 10_000];
const IDLE_WAKE_MS = 5000;

interface Running {
  job: JobRow;
  client: SdClient;
  abort: AbortController;
  /** The merchant canceled: the runner interrupts our task when the server runs it (see runner.ts followTask). */
  canceled: boolean;
}

export interface SchedulerDeps extends Omit<RunDeps, 'onProgress' | 'canceled'> {
  db: Db;
  /** Publishes the API view of a job after every change. */
  publish(jobId: string): void;
  /** Keeps the latest live preview of a running job. */
  setPreview(jobId: string, png: Buffer | null): void;
}

export class JobScheduler {
  private readonly deps: SchedulerDeps;
  readonly clients: readonly SdClient[];
  private running = new Map<string, Running>();
  private wakers = new Set<() => void>();
  private stopped = false;
  private loops: Promise<void>[] = [];
  private restUntil = new Map<SdClient, number>();
  private failures = new Map<SdClient, number>();

  constructor(deps: SchedulerDeps, clients: SdClient[]) {
    this.deps = deps;
    this.clients = clients;
  }

  start(): void {
    const recovered = recoverInterruptedJobs(this.deps.db);
    if (recovered) console.log(`[jobs] ${recovered} job(s) interrupted by a restart are queued again`);
    this.loops = this.clients.map((c) => this.loop(c));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    for (const r of this.running.values()) r.abort.abort(new Error('server stopping'));
    await Promise.allSettled(this.loops);
  }

  /** A job was queued (or a backend came back): let idle loops look. */
  wake(): void {
    for (const w of this.wakers) w();
    this.wakers.clear();
  }

  runningOn(client: SdClient): JobRow | null {
    for (const r of this.running.values()) if (r.client === client) return r.job;
    return null;
  }

  isResting(client: SdClient): boolean {
    return (this.restUntil.get(client) ?? 0) > Date.now();
  }

  /**
   * Cancels a queued job at once. A running one is interrupted on its backend when — and only when — the
   * server says our task is the one running (it may still wait there behind another client's job); its
   * partial result is discarded.
   */
  async cancel(jobId: string): Promise<JobRow | undefined> {
    const row = requestCancel(this.deps.db, jobId);
    const r = this.running.get(jobId);
    if (r) r.canceled = true;
    this.deps.publish(jobId);
    return row;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.wakers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /**
   * Records a job's change in the database, trying again until it is written: a full disk (SQLITE_FULL) or a
   * busy database must not end the loop or leave the job unrecorded. While it waits, this backend takes no
   * other job; a restart meanwhile finds the job "running" and queues it again.
   */
  private async record(what: string, write: () => void): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        write();
        return;
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        // Only the database's own trouble is waited out; a logic error (the job is no longer running) is not.
        if (this.stopped || !(isDiskFullError(err) || code.startsWith('SQLITE_'))) throw err;
        if (attempt === 0 || attempt % 30 === 0) console.error(`[jobs] could not record ${what}; trying again`, (err as Error).message);
        await this.sleep(Math.min(10_000, 500 * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  private async loop(client: SdClient): Promise<void> {
    while (!this.stopped) {
      try {
        await this.turn(client);
      } catch (err) {
        // Whatever went wrong (a database error while claiming, a bug), the loop goes on after a pause.
        console.error('[jobs] backend loop error', err);
        await this.sleep(1000);
      }
    }
  }

  private async turn(client: SdClient): Promise<void> {
    const rest = (this.restUntil.get(client) ?? 0) - Date.now();
    if (rest > 0) {
      await this.sleep(rest);
      return;
    }
    // A backend that failed lately is probed before it may take a job, so its outage costs the
    // queue nothing while other backends work. When none works, waiting jobs are charged an
    // attempt per failed probe, so they fail in seconds with the reason instead of hanging.
    if ((this.failures.get(client) ?? 0) > 0 && !(await this.probe(client))) {
      if (this.anotherBackendAvailable(client)) return;
      const waiting = claimNextJob(this.deps.db, client.url);
      if (waiting) this.onFailure(client, waiting, new BackendError({ kind: 'unreachable', backend: client.url }), { rested: true });
      if (waiting) this.deps.publish(waiting.id);
      return;
    }
    const job = claimNextJob(this.deps.db, client.url);
    if (!job) {
      const next = nextRunnableAt(this.deps.db);
      await this.sleep(next === null ? IDLE_WAKE_MS : Math.max(10, Math.min(IDLE_WAKE_MS, next - Date.now())));
      return;
    }
    await this.run(client, job);
  }

  private async probe(client: SdClient): Promise<boolean> {
    try {
      await client.progress({ signal: AbortSignal.timeout(5000) });
      this.failures.delete(client);
      this.wake();
      return true;
    } catch {
      this.rest(client);
      return false;
    }
  }

  private rest(client: SdClient) {
    const n = (this.failures.get(client) ?? 0) + 1;
    this.failures.set(client, n);
    this.restUntil.set(client, Date.now() + BACKEND_REST_MS[Math.min(n - 1, BACKEND_REST_MS.length - 1)]);
  }

  private anotherBackendAvailable(client: SdClient): boolean {
    return this.clients.some((c) => c !== client && !this.isResting(c) && !(this.failures.get(c) ?? 0));
  }

  private async run(client: SdClient, job: JobRow): Promise<void> {
    const { db } = this.deps;
    const abort = new AbortController();
    const entry: Running = { job, client, abort, canceled: false };
    this.running.set(job.id, entry);
    this.deps.publish(job.id);
    const dropResults = (results: { id: string }[]) =>
      Promise.all(results.map((r) => this.deps.blobs.delete(`results/${job.id}/${r.id}.png`).catch(() => {})));
    try {
      let results: ResultRow[];
      try {
        results = await runJob(
          job,
          client,
          {
            ...this.deps,
            canceled: () => entry.canceled,
            onProgress: (p) => {
              try {
                saveProgress(db, job.id, p);
              } catch {
                // A progress row that could not be written (full disk) only delays the bar.
              }
              if (p.preview) this.deps.setPreview(job.id, p.preview);
              this.deps.publish(job.id);
            },
          },
          abort.signal,
        );
      } catch (err) {
        await this.onFailure(client, job, err);
        return;
      }
      if (getJob(db, job.id)?.cancel_requested) {
        await dropResults(results);
        await this.record(`the cancel of job ${job.id}`, () => cancelJobRow(db, job.id));
      } else {
        try {
          await this.record(`the results of job ${job.id}`, () => completeJob(db, job.id, results));
        } catch (err) {
          // No longer running (canceled or deleted meanwhile): its files must not stay without rows.
          await dropResults(results);
          throw err;
        }
      }
      this.failures.delete(client);
    } finally {
      this.running.delete(job.id);
      this.deps.setPreview(job.id, null);
      this.deps.publish(job.id);
    }
  }

  private async onFailure(client: SdClient, job: JobRow, err: unknown, opts: { rested?: boolean } = {}): Promise<void> {
    const { db } = this.deps;
    const current = getJob(db, job.id);
    const end = (what: string, write: () => void) => this.record(`${what} of job ${job.id}`, write);
    if (current?.cancel_requested) return end('the cancel', () => cancelJobRow(db, job.id));
    if (isDiskFullError(err)) return end('the failure', () => failJob(db, job.id, { code: 'disk_full', message: DISK_FULL_MESSAGE }));
    if (!isBackendError(err)) {
      console.error(`[jobs] job ${job.id} failed`, err);
      const message = err instanceof RangeError ? err.message : 'Generation failed because of an error in the studio. Please try again.';
      return end('the failure', () => failJob(db, job.id, { code: 'internal', message }));
    }
    const e = err as BackendError;
    const connection = e.kind === 'unreachable' || e.kind === 'timeout' || e.kind === 'dropped' || e.kind === 'busy';
    if (connection && !opts.rested) {
      // Rest this backend with a growing pause; while another backend answers, the job just moves
      // there and the failed attempt is not held against it.
      this.rest(client);
      if (this.anotherBackendAvailable(client)) {
        await end('the retry', () => requeueJob(db, job.id, Date.now(), { code: e.code, message: e.message }, { refundAttempt: true }));
        this.wake();
        return;
      }
    }
    const attempts = current?.attempts ?? job.attempts;
    if (e.retryable && attempts < MAX_ATTEMPTS) {
      const at = Date.now() + RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)];
      await end('the retry', () => requeueJob(db, job.id, at, { code: e.code, message: e.message }));
      this.wake();
      return;
    }
    const message =
      e.code === 'stalled'
        ? `The image generation server stopped making progress (${e.detail ?? ''}) on ${attempts} attempts, ` +
          'so the job was stopped. Check the server.'
        : e.kind === 'unreachable'
          ? `Generation server unreachable after ${attempts} attempts. ${e.message}`
          : e.code === 'busy'
            ? `The image generation server stayed busy through ${attempts} attempts, so these photos were not made. Please try again later.`
            : e.message;
    await end('the failure', () => failJob(db, job.id, { code: e.code, message }));
  }
}
