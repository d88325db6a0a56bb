// Jobs and results in the embedded database. Every state change is one statement or one
// transaction, so a crash leaves each job in a state the scheduler can resume from.
// The jobs and results tables are created by src/server/store/migrations.ts.
import type { Db } from '../store/db.ts';
import { splitPage, type Page } from '../store/page.ts';
import type { CreateJobRequest, JobState, Recipe } from '../../lib/api/job-request.ts';

export interface JobRow {
  id: string;
  session_id: string;
  recipe: Recipe;
  params: string;
  state: JobState;
  backend: string | null;
  attempts: number;
  not_before: number;
  progress: number;
  step: number | null;
  steps: number | null;
  eta_seconds: number | null;
  error_code: string | null;
  error_message: string | null;
  cancel_requested: number;
  /** Place in the generation server's own queue while another client's work runs there; null otherwise. */
  server_queue: number | null;
  /** The batch the job was queued for, null for a job from the studio. */
  batch_id: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ResultRow {
  id: string;
  job_id: string;
  session_id: string;
  idx: number;
  seed: number | null;
  width: number;
  height: number;
  fidelity_before: number | null;
  fidelity_after: number | null;
  fidelity_pixels: number | null;
  /** JSON of the result's measured figures (see runner.ts `finish`), null for results made before they existed. */
  checks: string | null;
  params: string;
  created_at: string;
}

const now = () => new Date().toISOString();

export function insertJob(db: Db, id: string, req: CreateJobRequest, batchId: string | null = null): JobRow {
  db.prepare(`INSERT INTO jobs (id, session_id, recipe, params, state, created_at, batch_id) VALUES (?, ?, ?, ?, 'queued', ?, ?)`).run(
    id,
    req.sessionId,
    req.recipe,
    JSON.stringify(req),
    now(),
    batchId,
  );
  return getJob(db, id)!;
}

export function getJob(db: Db, id: string): JobRow | undefined {
  return db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
}

/**
 * Atomically takes the next runnable queued job for `backend`, fairly: the queue is split into lanes (each batch,
 * and all single jobs together) and the lane whose last turn is oldest goes next, its oldest job first. So a
 * job from the studio starts within one job's time however many thousand jobs a batch has queued.
 */
export function claimNextJob(db: Db, backend: string, nowMs = Date.now()): JobRow | undefined {
  return db
    .transaction((): JobRow | undefined => {
      const lane = db
        .prepare(
          `SELECT COALESCE(j.batch_id, '') AS lane FROM jobs j
             LEFT JOIN queue_turns t ON t.lane = COALESCE(j.batch_id, '')
            WHERE j.state = 'queued' AND j.not_before <= ?
            GROUP BY COALESCE(j.batch_id, '')
            ORDER BY COALESCE(MAX(t.served), 0), MIN(j.created_at), MIN(j.rowid)
            LIMIT 1`,
        )
        .get(nowMs) as { lane: string } | undefined;
      if (!lane) return undefined;
      const row = db
        .prepare(
          `UPDATE jobs SET state = 'running', backend = ?, attempts = attempts + 1, started_at = ?, progress = 0,
                  step = NULL, steps = NULL, eta_seconds = NULL, server_queue = NULL
           WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND not_before <= ? AND COALESCE(batch_id, '') = ?
                       ORDER BY created_at, rowid LIMIT 1)
           RETURNING *`,
        )
        .get(backend, now(), nowMs, lane.lane) as JobRow | undefined;
      db.prepare(
        `INSERT INTO queue_turns (lane, served) VALUES (?, (SELECT COALESCE(MAX(served), 0) + 1 FROM queue_turns))
         ON CONFLICT (lane) DO UPDATE SET served = excluded.served`,
      ).run(lane.lane);
      return row;
    })
    .immediate();
}

export function queuedCount(db: Db): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE state = 'queued'`).get() as { n: number }).n;
}

/** Earliest time a queued job becomes runnable (ms epoch), or null when none is queued. */
export function nextRunnableAt(db: Db): number | null {
  const row = db.prepare(`SELECT MIN(not_before) AS t FROM jobs WHERE state = 'queued'`).get() as { t: number | null };
  return row.t;
}

export interface JobProgress {
  progress: number;
  step: number | null;
  steps: number | null;
  etaSeconds: number | null;
  /** Place in the server's queue while it runs someone else's work (null: ours runs or nothing is known). */
  serverQueue: number | null;
}

export function saveProgress(db: Db, id: string, p: JobProgress) {
  db.prepare(`UPDATE jobs SET progress = ?, step = ?, steps = ?, eta_seconds = ?, server_queue = ? WHERE id = ? AND state = 'running'`).run(
    p.progress,
    p.step,
    p.steps,
    p.etaSeconds,
    p.serverQueue,
    id,
  );
}

export function requeueJob(
  db: Db,
  id: string,
  notBeforeMs: number,
  error: { code: string; message: string },
  opts: { refundAttempt?: boolean } = {},
) {
  db.prepare(
    `UPDATE jobs SET state = 'queued', backend = NULL, not_before = ?, progress = 0, server_queue = NULL, error_code = ?, error_message = ?,
            attempts = attempts - ?
     WHERE id = ? AND state = 'running'`,
  ).run(notBeforeMs, error.code, error.message, opts.refundAttempt ? 1 : 0, id);
}

export function failJob(db: Db, id: string, error: { code: string; message: string }) {
  db.prepare(
    `UPDATE jobs SET state = 'failed', error_code = ?, error_message = ?, finished_at = ? WHERE id = ? AND state IN ('queued','running')`,
  ).run(error.code, error.message, now(), id);
}

export function cancelJobRow(db: Db, id: string) {
  db.prepare(`UPDATE jobs SET state = 'canceled', finished_at = ? WHERE id = ? AND state IN ('queued','running')`).run(now(), id);
}

/** Marks a running job for cancellation; returns its row. Queued jobs are canceled at once. */
export function requestCancel(db: Db, id: string): JobRow | undefined {
  return db.transaction(() => {
    const job = getJob(db, id);
    if (!job) return undefined;
    if (job.state === 'queued') cancelJobRow(db, id);
    else if (job.state === 'running') db.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(id);
    return getJob(db, id);
  })();
}

/** Stores the results and marks the job succeeded in one transaction (files are written before). */
export function completeJob(db: Db, id: string, results: ResultRow[]) {
  db.transaction(() => {
    const insert = db.prepare(
      `INSERT INTO results (id, job_id, session_id, idx, seed, width, height, ` +
        `fidelity_before, fidelity_after, fidelity_pixels, checks, params, created_at)
       VALUES (@id, @job_id, @session_id, @idx, @seed, @width, @height, ` +
        `@fidelity_before, @fidelity_after, @fidelity_pixels, @checks, @params, @created_at)`,
    );
    for (const r of results) insert.run(r);
    const done = db
      .prepare(
        `UPDATE jobs SET state = 'succeeded', progress = 1, error_code = NULL, error_message = NULL, finished_at = ? ` +
          `WHERE id = ? AND state = 'running'`,
      )
      .run(now(), id);
    if (done.changes !== 1) throw new Error(`job ${id} is no longer running`);
  })();
}

/** On start: jobs that were running when the server stopped are queued again (or canceled if asked). */
export function recoverInterruptedJobs(db: Db): number {
  return db.transaction(() => {
    db.prepare(`UPDATE jobs SET state = 'canceled', finished_at = ? WHERE state = 'running' AND cancel_requested = 1`).run(now());
    return db.prepare(`UPDATE jobs SET state = 'queued', backend = NULL, progress = 0, not_before = 0 WHERE state = 'running'`).run()
      .changes;
  })();
}

export function resultsForJob(db: Db, jobId: string): ResultRow[] {
  return db.prepare('SELECT * FROM results WHERE job_id = ? ORDER BY idx').all(jobId) as ResultRow[];
}

export function resultsForSession(db: Db, sessionId: string): ResultRow[] {
  return db.prepare('SELECT * FROM results WHERE session_id = ? ORDER BY created_at DESC, idx').all(sessionId) as ResultRow[];
}

export function getResult(db: Db, id: string): ResultRow | undefined {
  return db.prepare('SELECT * FROM results WHERE id = ?').get(id) as ResultRow | undefined;
}

/** A page of a session's results, newest job first, in their order within a job (keyset on created_at, rowid). */
export function resultsPage(db: Db, sessionId: string, page: Page): { rows: ResultRow[]; nextCursor: string | null } {
  const after = page.after ? 'AND (created_at < ? OR (created_at = ? AND rowid > ?))' : '';
  const args = page.after ? [page.after.at, page.after.at, page.after.rowid] : [];
  const found = db
    .prepare(`SELECT *, rowid AS rowid FROM results WHERE session_id = ? ${after} ORDER BY created_at DESC, rowid ASC LIMIT ?`)
    .all(sessionId, ...args, page.limit + 1) as (ResultRow & { rowid: number })[];
  // The cursor compares rowid the other way round for results (ascending within a time): keep the last rowid.
  const { rows, nextCursor } = splitPage(found, page.limit);
  return { rows, nextCursor };
}

/** A page of a session's jobs, newest first. */
export function jobsPage(db: Db, sessionId: string, page: Page): { rows: JobRow[]; nextCursor: string | null } {
  const after = page.after ? 'AND (created_at < ? OR (created_at = ? AND rowid < ?))' : '';
  const args = page.after ? [page.after.at, page.after.at, page.after.rowid] : [];
  const found = db
    .prepare(`SELECT *, rowid AS rowid FROM jobs WHERE session_id = ? ${after} ORDER BY created_at DESC, rowid DESC LIMIT ?`)
    .all(sessionId, ...args, page.limit + 1) as (JobRow & { rowid: number })[];
  return splitPage(found, page.limit);
}

export function jobsForSession(db: Db, sessionId: string, limit = 50): JobRow[] {
  return db.prepare('SELECT * FROM jobs WHERE session_id = ? ORDER BY created_at DESC LIMIT ?').all(sessionId, limit) as JobRow[];
}

export function allResultIds(db: Db): Set<string> {
  return new Set((db.prepare('SELECT id FROM results').all() as { id: string }[]).map((r) => r.id));
}
