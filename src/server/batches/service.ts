// Batches: a season's photos grouped, generated in one go, downloaded as one catalogue. A batch's jobs are
// ordinary jobs in the batch's lane of the queue (fair turns with the studio's single jobs: jobs/store.ts), so
// they survive a restart like any job; cancelling a batch cancels what is queued or running and keeps results.
import { GenerateAllRequest } from '../../lib/api/batch-requests.ts';
import type { JobState } from '../../lib/api/job-states.ts';
import { app } from '../app/context.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { newId } from '../ids.ts';
import { cancelJob, createJob, sessionResults } from '../jobs/service.ts';

interface BatchRow {
  id: string;
  workspace_id: string;
  name: string;
  created_at: string;
  canceled_at: string | null;
}

const now = () => new Date().toISOString();

function getBatchRow(id: string): BatchRow {
  const row = app().db.prepare('SELECT * FROM batches WHERE id = ?').get(id) as BatchRow | undefined;
  if (!row) throw notFound('The batch');
  return row;
}

/** Sessions must all be the workspace's (another workspace's id is not found, like an unknown one). */
function assertSessions(workspaceId: string, sessionIds: string[]): void {
  const { db } = app();
  const owned = db.prepare('SELECT 1 FROM sessions WHERE id = ? AND workspace_id = ?');
  for (const id of sessionIds) if (!owned.get(id, workspaceId)) throw new ApiError(404, 'not_found', `The session ${id} was not found.`);
}

export function createBatch(workspaceId: string, o: { name: string; sessionIds: string[] }) {
  assertSessions(workspaceId, o.sessionIds);
  const id = newId();
  const { db } = app();
  db.transaction(() => {
    db.prepare('INSERT INTO batches (id, workspace_id, name, created_at) VALUES (?, ?, ?, ?)').run(id, workspaceId, o.name, now());
    addRows(id, o.sessionIds);
  })();
  return batchJson(id);
}

function addRows(batchId: string, sessionIds: string[]) {
  const { db } = app();
  const next = (
    db.prepare('SELECT COALESCE(MAX(position), -1) + 1 AS n FROM batch_sessions WHERE batch_id = ?').get(batchId) as { n: number }
  ).n;
  const insert = db.prepare('INSERT OR IGNORE INTO batch_sessions (batch_id, session_id, position) VALUES (?, ?, ?)');
  sessionIds.forEach((sid, i) => {
    insert.run(batchId, sid, next + i);
  });
}

export function addSessions(batchId: string, workspaceId: string, sessionIds: string[]) {
  const batch = getBatchRow(batchId);
  if (batch.canceled_at) throw new ApiError(409, 'batch_canceled', 'This batch was cancelled; start a new one.');
  assertSessions(workspaceId, sessionIds);
  const count = (app().db.prepare('SELECT COUNT(*) AS n FROM batch_sessions WHERE batch_id = ?').get(batchId) as { n: number }).n;
  if (count + sessionIds.length > 500)
    throw new ApiError(413, 'batch_too_large', 'A batch holds up to 500 photos. Start another batch for the rest.');
  app().db.transaction(() => addRows(batchId, sessionIds))();
  return batchJson(batchId);
}

export function setExcluded(batchId: string, sessionId: string, excluded: boolean) {
  const changed = app()
    .db.prepare('UPDATE batch_sessions SET excluded = ? WHERE batch_id = ? AND session_id = ?')
    .run(excluded ? 1 : 0, batchId, sessionId);
  if (changed.changes === 0) throw notFound('That photo of the batch');
  return batchJson(batchId);
}

const EMPTY_COUNTS = (): Record<JobState, number> => ({ queued: 0, running: 0, succeeded: 0, failed: 0, canceled: 0 });

export function batchJson(id: string) {
  const { db } = app();
  const batch = getBatchRow(id);
  const photos = db
    .prepare(
      `SELECT bs.session_id, bs.excluded, s.title, s.image_id, s.mask_rev, s.mask_area,
              (SELECT COUNT(*) FROM session_poses p WHERE p.session_id = s.id) AS posed
         FROM batch_sessions bs JOIN sessions s ON s.id = bs.session_id
        WHERE bs.batch_id = ? ORDER BY bs.position`,
    )
    .all(id) as {
    session_id: string;
    excluded: number;
    title: string;
    image_id: string;
    mask_rev: number;
    mask_area: number | null;
    posed: number;
  }[];
  const jobs = db.prepare('SELECT session_id, state, COUNT(*) AS n FROM jobs WHERE batch_id = ? GROUP BY session_id, state').all(id) as {
    session_id: string;
    state: JobState;
    n: number;
  }[];
  const results = db
    .prepare('SELECT r.session_id, COUNT(*) AS n FROM results r JOIN jobs j ON j.id = r.job_id WHERE j.batch_id = ? GROUP BY r.session_id')
    .all(id) as { session_id: string; n: number }[];
  const counts = EMPTY_COUNTS();
  const perPhoto = new Map<string, Record<JobState, number>>();
  for (const j of jobs) {
    counts[j.state] += j.n;
    const c = perPhoto.get(j.session_id) ?? EMPTY_COUNTS();
    c[j.state] += j.n;
    perPhoto.set(j.session_id, c);
  }
  const resultCount = new Map(results.map((r) => [r.session_id, r.n]));
  return {
    id: batch.id,
    name: batch.name,
    createdAt: batch.created_at,
    canceledAt: batch.canceled_at,
    counts,
    results: results.reduce((a, r) => a + r.n, 0),
    photos: photos.map((p) => ({
      sessionId: p.session_id,
      title: p.title,
      thumbUrl: `/api/images/${p.image_id}/thumb.jpg`,
      masked: p.mask_rev > 0 && (p.mask_area ?? 0) > 0,
      posed: p.posed > 0,
      excluded: p.excluded === 1,
      jobs: perPhoto.get(p.session_id) ?? EMPTY_COUNTS(),
      results: resultCount.get(p.session_id) ?? 0,
    })),
  };
}
export type BatchJson = ReturnType<typeof batchJson>;

export function listBatches(workspaceId: string) {
  const ids = app()
    .db.prepare('SELECT id FROM batches WHERE workspace_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 100')
    .pluck()
    .all(workspaceId) as string[];
  return ids.map((id) => {
    const b = batchJson(id);
    return {
      id: b.id,
      name: b.name,
      createdAt: b.createdAt,
      canceledAt: b.canceledAt,
      photos: b.photos.length,
      counts: b.counts,
      results: b.results,
    };
  });
}

/**
 * Generate all: one job per included photo × model look × scene. A photo that cannot be generated (no mask, no
 * pose) is skipped with the reason; none at all is refused. Returns what was queued and what was skipped.
 */
export function generateAll(batchId: string, body: unknown) {
  const batch = getBatchRow(batchId);
  if (batch.canceled_at) throw new ApiError(409, 'batch_canceled', 'This batch was cancelled; start a new one.');
  const req = GenerateAllRequest.parse(body);
  const { modelPresets, scenePresets, ...rest } = req;
  const looks = modelPresets?.length ? modelPresets : [undefined];
  const scenes = scenePresets?.length ? scenePresets : [undefined];
  const photos = batchJson(batchId).photos.filter((p) => !p.excluded);
  const queued: string[] = [];
  const skipped: { sessionId: string; title: string; reason: string }[] = [];
  for (const photo of photos) {
    for (const modelPreset of looks) {
      for (const scenePreset of scenes) {
        try {
          queued.push(createJob({ ...rest, sessionId: photo.sessionId, modelPreset, scenePreset }, batchId).id);
        } catch (err) {
          if (!(err instanceof ApiError) || err.status >= 500) throw err;
          if (!skipped.some((s) => s.sessionId === photo.sessionId))
            skipped.push({ sessionId: photo.sessionId, title: photo.title, reason: err.message });
        }
      }
    }
  }
  if (queued.length === 0) {
    throw new ApiError(
      400,
      'nothing_to_generate',
      skipped.length
        ? `None of the photos can be generated yet: ${skipped[0]!.reason}`
        : 'This batch has no photos to generate (all are excluded).',
    );
  }
  return { queued: queued.length, jobIds: queued, skipped, batch: batchJson(batchId) };
}

/** Cancels the batch's queued and running jobs; finished results stay. */
export async function cancelBatch(batchId: string) {
  getBatchRow(batchId);
  const { db } = app();
  db.prepare('UPDATE batches SET canceled_at = COALESCE(canceled_at, ?) WHERE id = ?').run(now(), batchId);
  const open = db.prepare(`SELECT id FROM jobs WHERE batch_id = ? AND state IN ('queued', 'running')`).pluck().all(batchId) as string[];
  for (const id of open) await cancelJob(id);
  return batchJson(batchId);
}

/** Each included photo's results made by this batch, with the folder they go in (the photo's name, made unique). */
export function batchCatalogue(batchId: string) {
  const { db } = app();
  const batch = batchJson(batchId);
  const jobIds = new Set(db.prepare('SELECT id FROM jobs WHERE batch_id = ?').pluck().all(batchId) as string[]);
  const used = new Set<string>();
  const folders: { folder: string; sessionId: string; results: ReturnType<typeof sessionResults> }[] = [];
  for (const photo of batch.photos) {
    if (photo.excluded) continue;
    const results = sessionResults(photo.sessionId).filter((r) => jobIds.has(r.jobId));
    if (results.length === 0) continue;
    const base = (photo.title || photo.sessionId).replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').slice(0, 80) || 'photo';
    let folder = base;
    for (let n = 2; used.has(folder); n++) folder = `${base} (${n})`;
    used.add(folder);
    folders.push({ folder, sessionId: photo.sessionId, results });
  }
  return { batch, folders };
}
