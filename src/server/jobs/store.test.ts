// The SQLite job queue on a real database file: claim order and atomicity, progress, requeue with and
// without refund, the complete / fail / cancel transitions, and recovery after a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Db } from '../store/db.ts';
import { CreateJobSchema } from '../../lib/api/job-request.ts';
import {
  allResultIds,
  cancelJobRow,
  claimNextJob,
  completeJob,
  failJob,
  getJob,
  getResult,
  insertJob,
  jobsForSession,
  nextRunnableAt,
  queuedCount,
  recoverInterruptedJobs,
  requestCancel,
  requeueJob,
  resultsForJob,
  resultsForSession,
  saveProgress,
  type ResultRow,
} from './store.ts';

const SESSION = 'session-1';
const OTHER_SESSION = 'session-2';
const request = (sessionId = SESSION, seed = 1) => CreateJobSchema.parse({ sessionId, recipe: 'model-shot', count: 1, seed });
const ERROR = { code: 'backend_unreachable', message: 'The generation server did not answer.' };

let dir: string;
let file: string;
let db: Db;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-jobs-'));
  file = path.join(dir, 'atelier.sqlite');
  db = openDatabase(file);
  const t = new Date().toISOString();
  db.prepare(`INSERT INTO images VALUES ('img1', 'sha-1', 64, 48, 'jpeg', 1000, 'float16', '[1,256,64,64]', ?)`).run(t);
  const session = db.prepare(`INSERT INTO sessions (id, image_id, created_at, updated_at) VALUES (?, 'img1', ?, ?)`);
  session.run(SESSION, t, t);
  session.run(OTHER_SESSION, t, t);
});
afterEach(() => {
  vi.useRealTimers();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Inserts jobs whose creation times are `start`, `start + 1 s`, … in the order given. */
function insertAt(ids: string[], start = Date.parse('2026-03-01T10:00:00.000Z')) {
  vi.useFakeTimers({ toFake: ['Date'] });
  ids.forEach((id, i) => {
    vi.setSystemTime(start + i * 1000);
    insertJob(db, id, request());
  });
  vi.useRealTimers();
}

function result(jobId: string, id: string, idx: number, sessionId = SESSION): ResultRow {
  return {
    id,
    job_id: jobId,
    session_id: sessionId,
    idx,
    seed: 100 + idx,
    width: 64,
    height: 48,
    fidelity_before: 0.9,
    fidelity_after: 1,
    checks: null,
    fidelity_pixels: 500,
    params: JSON.stringify({ seed: 100 + idx }),
    created_at: new Date().toISOString(),
  };
}

describe('insertJob', () => {
  it('queues the request as given, with nothing run yet', () => {
    const row = insertJob(db, 'job1', request());
    expect(row).toMatchObject({ id: 'job1', session_id: SESSION, recipe: 'model-shot', state: 'queued', backend: null, attempts: 0 });
    expect(row.not_before).toBe(0);
    expect(row).toMatchObject({ progress: 0, step: null, cancel_requested: 0, server_queue: null, started_at: null, finished_at: null });
    expect(JSON.parse(row.params)).toEqual(request());
    expect(getJob(db, 'job1')).toEqual(row);
    expect(queuedCount(db)).toBe(1);
  });
});

describe('claimNextJob', () => {
  it('takes the oldest queued job first, then the next; none when the queue is empty', () => {
    // Inserted out of creation order: creation time decides.
    insertAt(['b', 'c']);
    insertAt(['a'], Date.parse('2026-03-01T09:00:00.000Z'));
    expect(claimNextJob(db, 'http://sd-1')?.id).toBe('a');
    expect(claimNextJob(db, 'http://sd-2')?.id).toBe('b');
    expect(claimNextJob(db, 'http://sd-1')?.id).toBe('c');
    expect(claimNextJob(db, 'http://sd-1')).toBeUndefined();
    expect(queuedCount(db)).toBe(0);
  });

  it('takes jobs created in the same millisecond in the order they were queued', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-03-01T10:00:00.000Z'));
    for (const id of ['z', 'm', 'a']) insertJob(db, id, request());
    vi.useRealTimers();
    expect([1, 2, 3].map(() => claimNextJob(db, 'http://sd-1')?.id)).toEqual(['z', 'm', 'a']);
  });

  it('marks the job running on that backend, counts the attempt and clears the last attempt’s progress', () => {
    insertJob(db, 'job1', request());
    claimNextJob(db, 'http://sd-1');
    saveProgress(db, 'job1', { progress: 0.5, step: 10, steps: 20, etaSeconds: 3, serverQueue: 2 });
    requeueJob(db, 'job1', 0, ERROR);
    const claimed = claimNextJob(db, 'http://sd-2')!;
    expect(claimed).toMatchObject({ id: 'job1', state: 'running', backend: 'http://sd-2', attempts: 2, progress: 0 });
    expect(claimed).toMatchObject({ step: null, steps: null, eta_seconds: null, server_queue: null });
    expect(claimed.started_at).not.toBeNull();
    expect(getJob(db, 'job1')).toEqual(claimed);
  });

  it('skips a job waiting for its retry time until that time', () => {
    insertJob(db, 'job1', request());
    claimNextJob(db, 'http://sd-1');
    const retryAt = Date.now() + 60_000;
    requeueJob(db, 'job1', retryAt, ERROR);
    insertJob(db, 'job2', request());
    expect(nextRunnableAt(db)).toBe(0);
    expect(claimNextJob(db, 'http://sd-1')?.id).toBe('job2'); // job1 is older but not due
    expect(claimNextJob(db, 'http://sd-1')).toBeUndefined();
    expect(nextRunnableAt(db)).toBe(retryAt);
    expect(claimNextJob(db, 'http://sd-1', retryAt - 1)).toBeUndefined();
    expect(claimNextJob(db, 'http://sd-1', retryAt)?.id).toBe('job1');
    expect(nextRunnableAt(db)).toBeNull();
  });

  it('gives each job to one claimer only, with several connections claiming at once', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => `job-${String(i).padStart(3, '0')}`);
    for (const id of ids) insertJob(db, id, request());
    const gate = new SharedArrayBuffer(8);
    const claims = await Promise.all([0, 1, 2, 3].map((w) => claimInWorker(file, `http://sd-${w}`, gate, 4)));
    const claimed = claims.flat();
    expect(claimed.map((c) => c.id).sort()).toEqual(ids);
    for (const c of claimed) expect(getJob(db, c.id)).toMatchObject({ state: 'running', backend: c.backend, attempts: 1 });
    expect(claims.filter((c) => c.length > 0).length).toBeGreaterThan(1); // they really did compete
  });
});

describe('saveProgress', () => {
  it('stores the progress of a running job', () => {
    insertJob(db, 'job1', request());
    claimNextJob(db, 'http://sd-1');
    saveProgress(db, 'job1', { progress: 0.25, step: 5, steps: 20, etaSeconds: 7.5, serverQueue: 3 });
    expect(getJob(db, 'job1')).toMatchObject({ progress: 0.25, step: 5, steps: 20, eta_seconds: 7.5, server_queue: 3 });
    saveProgress(db, 'job1', { progress: 0.5, step: 10, steps: 20, etaSeconds: null, serverQueue: null });
    expect(getJob(db, 'job1')).toMatchObject({ progress: 0.5, step: 10, eta_seconds: null, server_queue: null });
  });

  it('ignores a job that is not running (a late report after cancel or before a claim)', () => {
    insertJob(db, 'queued', request());
    saveProgress(db, 'queued', { progress: 0.5, step: 1, steps: 2, etaSeconds: 1, serverQueue: 1 });
    expect(getJob(db, 'queued')).toMatchObject({ progress: 0, step: null, server_queue: null });
    claimNextJob(db, 'http://sd-1');
    cancelJobRow(db, 'queued');
    saveProgress(db, 'queued', { progress: 0.9, step: 9, steps: 10, etaSeconds: 1, serverQueue: null });
    expect(getJob(db, 'queued')).toMatchObject({ state: 'canceled', progress: 0, step: null });
  });
});

describe('requeueJob', () => {
  function running(id: string) {
    insertJob(db, id, request());
    claimNextJob(db, 'http://sd-1');
    saveProgress(db, id, { progress: 0.4, step: 8, steps: 20, etaSeconds: 2, serverQueue: 1 });
  }

  it('puts a running job back in the queue, counting the failed attempt', () => {
    running('job1');
    requeueJob(db, 'job1', 12345, ERROR);
    expect(getJob(db, 'job1')).toMatchObject({ state: 'queued', backend: null, not_before: 12345, progress: 0, server_queue: null });
    expect(getJob(db, 'job1')!.attempts).toBe(1);
    expect(getJob(db, 'job1')).toMatchObject({ error_code: ERROR.code, error_message: ERROR.message });
  });

  it('with refundAttempt, the attempt is not counted (the job never reached the backend)', () => {
    running('job1');
    requeueJob(db, 'job1', 0, ERROR, { refundAttempt: true });
    expect(getJob(db, 'job1')).toMatchObject({ state: 'queued', attempts: 0 });
    claimNextJob(db, 'http://sd-1');
    expect(getJob(db, 'job1')!.attempts).toBe(1);
  });

  it('leaves a job that is not running as it is', () => {
    insertJob(db, 'queued', request());
    requeueJob(db, 'queued', 999, ERROR, { refundAttempt: true });
    expect(getJob(db, 'queued')).toMatchObject({ state: 'queued', not_before: 0, attempts: 0, error_code: null });
    running('failed');
    failJob(db, 'failed', ERROR);
    requeueJob(db, 'failed', 999, { code: 'other', message: 'other' });
    expect(getJob(db, 'failed')).toMatchObject({ state: 'failed', error_code: ERROR.code, not_before: 0 });
  });
});

describe('completeJob', () => {
  it('stores the results and marks the job succeeded in one step', () => {
    insertJob(db, 'job1', request());
    claimNextJob(db, 'http://sd-1');
    requeueJob(db, 'job1', 0, ERROR); // an earlier failed attempt's error is cleared on success
    claimNextJob(db, 'http://sd-1');
    completeJob(db, 'job1', [result('job1', 'r1', 1), result('job1', 'r0', 0)]);
    const job = getJob(db, 'job1')!;
    expect(job).toMatchObject({ state: 'succeeded', progress: 1, error_code: null, error_message: null });
    expect(job.finished_at).not.toBeNull();
    expect(resultsForJob(db, 'job1').map((r) => r.id)).toEqual(['r0', 'r1']);
    expect(getResult(db, 'r1')).toMatchObject({ job_id: 'job1', session_id: SESSION, idx: 1, seed: 101, fidelity_pixels: 500 });
    expect([...allResultIds(db)].sort()).toEqual(['r0', 'r1']);
  });

  it('refuses a job that is no longer running and stores none of its results', () => {
    insertJob(db, 'job1', request());
    claimNextJob(db, 'http://sd-1');
    cancelJobRow(db, 'job1');
    expect(() => completeJob(db, 'job1', [result('job1', 'r0', 0)])).toThrow(/no longer running/);
    expect(getJob(db, 'job1')!.state).toBe('canceled');
    expect(resultsForJob(db, 'job1')).toEqual([]);
    expect(allResultIds(db).size).toBe(0);
  });

  it('lists a session’s results newest first, and only that session’s', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.parse('2026-03-01T10:00:00.000Z'));
    insertJob(db, 'old', request());
    claimNextJob(db, 'http://sd-1');
    completeJob(db, 'old', [result('old', 'old-0', 0)]);
    vi.setSystemTime(Date.parse('2026-03-01T11:00:00.000Z'));
    insertJob(db, 'new', request());
    claimNextJob(db, 'http://sd-1');
    completeJob(db, 'new', [result('new', 'new-0', 0), result('new', 'new-1', 1)]);
    insertJob(db, 'elsewhere', request(OTHER_SESSION));
    claimNextJob(db, 'http://sd-1');
    completeJob(db, 'elsewhere', [result('elsewhere', 'else-0', 0, OTHER_SESSION)]);
    vi.useRealTimers();
    expect(resultsForSession(db, SESSION).map((r) => r.id)).toEqual(['new-0', 'new-1', 'old-0']);
    expect(jobsForSession(db, SESSION).map((j) => j.id)).toEqual(['new', 'old']);
    expect(jobsForSession(db, SESSION, 1).map((j) => j.id)).toEqual(['new']);
  });
});

describe('failJob and cancelJobRow', () => {
  it('fail a queued or running job with its error; a finished job stays as it ended', () => {
    insertJob(db, 'running', request());
    claimNextJob(db, 'http://sd-1');
    insertJob(db, 'queued', request());
    failJob(db, 'running', ERROR);
    failJob(db, 'queued', ERROR);
    for (const id of ['running', 'queued']) {
      expect(getJob(db, id)).toMatchObject({ state: 'failed', error_code: ERROR.code, error_message: ERROR.message });
      expect(getJob(db, id)!.finished_at).not.toBeNull();
    }
    const finishedAt = getJob(db, 'running')!.finished_at;
    cancelJobRow(db, 'running');
    failJob(db, 'running', { code: 'later', message: 'later' });
    expect(getJob(db, 'running')).toMatchObject({ state: 'failed', error_code: ERROR.code, finished_at: finishedAt });
  });

  it('cancel a queued or running job; a succeeded job stays succeeded', () => {
    insertJob(db, 'running', request());
    claimNextJob(db, 'http://sd-1');
    insertJob(db, 'queued', request());
    cancelJobRow(db, 'running');
    cancelJobRow(db, 'queued');
    expect(getJob(db, 'running')!.state).toBe('canceled');
    expect(getJob(db, 'queued')!.state).toBe('canceled');
    expect(getJob(db, 'queued')!.finished_at).not.toBeNull();
    insertJob(db, 'done', request());
    claimNextJob(db, 'http://sd-1');
    completeJob(db, 'done', []);
    cancelJobRow(db, 'done');
    expect(getJob(db, 'done')!.state).toBe('succeeded');
  });
});

describe('requestCancel', () => {
  it('cancels a queued job at once', () => {
    insertJob(db, 'job1', request());
    expect(requestCancel(db, 'job1')).toMatchObject({ state: 'canceled', cancel_requested: 0 });
  });

  it('only marks a running job: the runner stops it and then cancels the row', () => {
    insertJob(db, 'job1', request());
    claimNextJob(db, 'http://sd-1');
    expect(requestCancel(db, 'job1')).toMatchObject({ state: 'running', cancel_requested: 1 });
  });

  it('leaves a finished job as it is and answers undefined for an unknown one', () => {
    insertJob(db, 'job1', request());
    claimNextJob(db, 'http://sd-1');
    failJob(db, 'job1', ERROR);
    expect(requestCancel(db, 'job1')).toMatchObject({ state: 'failed', cancel_requested: 0 });
    expect(requestCancel(db, 'nope')).toBeUndefined();
  });
});

describe('recoverInterruptedJobs (after a restart)', () => {
  it('queues the jobs that were running again, cancels those asked to stop, and leaves the rest', () => {
    insertAt(['running', 'stopping', 'done']);
    for (let i = 0; i < 3; i++) claimNextJob(db, 'http://sd-1');
    saveProgress(db, 'running', { progress: 0.7, step: 14, steps: 20, etaSeconds: 1, serverQueue: null });
    requestCancel(db, 'stopping');
    completeJob(db, 'done', []);
    insertJob(db, 'queued', request());
    const untouched = { queued: getJob(db, 'queued'), done: getJob(db, 'done') };
    db.close();

    // The process stopped here; a new one opens the same file.
    db = openDatabase(file);
    expect(recoverInterruptedJobs(db)).toBe(1);
    expect(getJob(db, 'running')).toMatchObject({ state: 'queued', backend: null, progress: 0, not_before: 0, attempts: 1 });
    expect(getJob(db, 'stopping')).toMatchObject({ state: 'canceled' });
    expect(getJob(db, 'stopping')!.finished_at).not.toBeNull();
    expect({ queued: getJob(db, 'queued'), done: getJob(db, 'done') }).toEqual(untouched);
    expect(recoverInterruptedJobs(db)).toBe(0);
    // The recovered job keeps its place: it is older than the one queued meanwhile.
    expect(claimNextJob(db, 'http://sd-2')).toMatchObject({ id: 'running', attempts: 2 });
  });
});

type Claim = { id: string; backend: string };

/**
 * Claims jobs in a worker thread, with its own connection to `file`, until none is left. The workers
 * wait at `gate` until all `workers` are connected, so that they claim at the same time.
 */
function claimInWorker(file: string, backend: string, gate: SharedArrayBuffer, workers: number): Promise<Claim[]> {
  const code = `
    import { parentPort, workerData } from 'node:worker_threads';
    import { openDatabase } from ${JSON.stringify(new URL('../store/db.ts', import.meta.url).href)};
    import { claimNextJob } from ${JSON.stringify(new URL('./store.ts', import.meta.url).href)};
    const db = openDatabase(workerData.file);
    const ready = new Int32Array(workerData.gate);
    Atomics.add(ready, 0, 1);
    for (let n; (n = Atomics.load(ready, 0)) < workerData.workers; ) Atomics.wait(ready, 0, n, 5);
    const claimed = [];
    for (let job; (job = claimNextJob(db, workerData.backend)); ) {
      claimed.push({ id: job.id, backend: job.backend });
      Atomics.wait(ready, 1, 0, 1); // a moment's work on the job, as the scheduler would do
    }
    db.close();
    parentPort.postMessage(claimed);`;
  return new Promise((resolve, reject) => {
    const source = new URL(`data:text/javascript,${encodeURIComponent(code)}`);
    const worker = new Worker(source, { workerData: { file, backend, gate, workers } });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

describe('fair turns between batches and single jobs', () => {
  function batch(id: string) {
    db.prepare(`INSERT INTO workspaces (id, name, created_at) VALUES (?, 'w', 't') ON CONFLICT DO NOTHING`).run('ws');
    db.prepare(`INSERT INTO batches (id, workspace_id, name, created_at) VALUES (?, 'ws', ?, 't')`).run(id, id);
  }

  it('a single job queued behind 500 batch jobs is the next but one to start', () => {
    batch('b1');
    for (let i = 0; i < 500; i++) insertJob(db, `b1-${i}`, request(SESSION, i), 'b1');
    expect(claimNextJob(db, 'gpu')!.id).toBe('b1-0');
    insertJob(db, 'single', request(OTHER_SESSION));
    expect(claimNextJob(db, 'gpu')!.id).toBe('single');
    expect(claimNextJob(db, 'gpu')!.id).toBe('b1-1');
  });

  it('two batches and single jobs take turns; within a lane the oldest goes first', () => {
    batch('b1');
    batch('b2');
    for (let i = 0; i < 3; i++) insertJob(db, `b1-${i}`, request(SESSION, i), 'b1');
    for (let i = 0; i < 3; i++) insertJob(db, `b2-${i}`, request(SESSION, i), 'b2');
    insertJob(db, 's-0', request(OTHER_SESSION, 0));
    insertJob(db, 's-1', request(OTHER_SESSION, 1));
    const order = Array.from({ length: 8 }, () => claimNextJob(db, 'gpu')!.id);
    expect(order).toEqual(['b1-0', 'b2-0', 's-0', 'b1-1', 'b2-1', 's-1', 'b1-2', 'b2-2']);
    expect(claimNextJob(db, 'gpu')).toBeUndefined();
  });
});
