// Offline sync conflicts. A device that edited a mask or a pose offline sends, with the edit, the
// revision it was made on (`x-base-rev`) and when it was made (`x-edited-at`). When the server's
// revision moved on meanwhile, neither version is dropped: the newer one (by edit time) becomes
// current and the other is kept here as a conflict copy, listed in GET /api/sessions/:id.
import { app } from '../app/context.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { newId } from '../ids.ts';

export interface SyncInfo {
  /** The revision the device's edit was made on (0 = none saved yet). */
  baseRev: number;
  /** When the edit was made on the device (ISO, never later than the server's clock). */
  editedAt: string;
}

/** Whose version was set aside: the device's edit (the server's was newer) or the server's (the device's was). */
export type ConflictSource = 'device' | 'server';
export type ConflictKind = 'mask' | 'pose';

interface ConflictRow {
  id: string;
  session_id: string;
  kind: ConflictKind;
  source: ConflictSource;
  rev: number;
  edited_at: string;
  blob_key: string | null;
  area: number | null;
  pose: string | null;
  created_at: string;
}

/**
 * The sync headers of a request, or null when it has none (a plain save, which behaves as before).
 * A device clock ahead of the server's is clamped to now, so it cannot make an edit win forever.
 */
export function parseSyncHeaders(headers: Headers): SyncInfo | null {
  const rev = headers.get('x-base-rev');
  const at = headers.get('x-edited-at');
  if (rev === null && at === null) return null;
  if (rev === null || !/^\d{1,9}$/.test(rev.trim())) {
    throw new ApiError(
      400,
      'invalid_base_rev',
      'x-base-rev must be the whole-number revision the edit was made on (0 when none was saved).',
    );
  }
  let editedMs = Date.now();
  if (at !== null) {
    const t = Date.parse(at);
    if (!Number.isFinite(t))
      throw new ApiError(400, 'invalid_edited_at', 'x-edited-at must be an ISO date and time, e.g. 2026-11-26T10:00:00.000Z.');
    editedMs = Math.min(t, editedMs);
  }
  return { baseRev: Number(rev), editedAt: new Date(editedMs).toISOString() };
}

/** True when the device's edit is at least as new as the server version it meets. */
export const deviceIsNewer = (sync: SyncInfo, serverUpdatedAt: string | null) => !serverUpdatedAt || sync.editedAt >= serverUpdatedAt;

export const conflictMaskKey = (sessionId: string, conflictId: string) => `sessions/${sessionId}/conflict-${conflictId}.png`;

export function insertConflict(row: Omit<ConflictRow, 'id' | 'created_at'> & { id?: string }): ConflictJson {
  const full: ConflictRow = { ...row, id: row.id ?? newId(), created_at: new Date().toISOString() };
  app()
    .db.prepare(
      `INSERT INTO session_conflicts (id, session_id, kind, source, rev, edited_at, blob_key, area, pose, created_at)
       VALUES (@id, @session_id, @kind, @source, @rev, @edited_at, @blob_key, @area, @pose, @created_at)`,
    )
    .run(full);
  return conflictJson(full);
}

function conflictJson(r: ConflictRow) {
  return {
    id: r.id,
    kind: r.kind,
    source: r.source,
    rev: r.rev,
    editedAt: r.edited_at,
    createdAt: r.created_at,
    area: r.area,
    url: `/api/sessions/${r.session_id}/conflicts/${r.id}`,
  };
}
export type ConflictJson = ReturnType<typeof conflictJson>;

/** A session's conflict copies, newest first. */
export function listConflicts(sessionId: string): ConflictJson[] {
  const rows = app()
    .db.prepare('SELECT * FROM session_conflicts WHERE session_id = ? ORDER BY created_at DESC, rowid DESC')
    .all(sessionId) as ConflictRow[];
  return rows.map(conflictJson);
}

/** One conflict copy: the mask PNG's blob key, or the pose JSON. */
export function getConflict(
  sessionId: string,
  conflictId: string,
): { kind: ConflictKind; blobKey: string | null; pose: unknown; json: ConflictJson } {
  const row = app().db.prepare('SELECT * FROM session_conflicts WHERE id = ? AND session_id = ?').get(conflictId, sessionId) as
    | ConflictRow
    | undefined;
  if (!row) throw notFound('The conflict copy');
  return { kind: row.kind, blobKey: row.blob_key, pose: row.pose ? JSON.parse(row.pose) : null, json: conflictJson(row) };
}
