// The pose of a session: validated against the session's photo, stored as JSON with a revision.
// Rendering the ControlNet skeleton of the saved pose lives here too (the API route stays thin).
import sharp from 'sharp';
import { app } from '../app/context.ts';
import { ApiError } from '../http/errors.ts';
import { parsePose, renderSkeleton, type Pose } from '../../lib/pose/index.ts';
import { getSession } from './service.ts';
import { deviceIsNewer, insertConflict, type ConflictJson, type SyncInfo } from './conflicts.ts';

export interface SavedPose {
  pose: Pose;
  /** 1 on the first save, +1 per save. */
  rev: number;
  updatedAt: string;
}

interface PoseRow {
  session_id: string;
  rev: number;
  pose: string;
  updated_at: string;
}

/** Largest skeleton side the API renders (ControlNet works at ≤ 2048; 4096 leaves room for hires). */
export const MAX_SKELETON_SIDE = 4096;

const noPose = () => new ApiError(404, 'no_pose', 'No pose has been saved for this session yet. Save one in the pose step first.');

function readRow(sessionId: string): SavedPose | null {
  const row = app().db.prepare('SELECT * FROM session_poses WHERE session_id = ?').get(sessionId) as PoseRow | undefined;
  return row ? { pose: JSON.parse(row.pose) as Pose, rev: row.rev, updatedAt: row.updated_at } : null;
}

/** The saved pose, or null when none was saved yet; 404 (ApiError) for an unknown session. */
export function getPose(sessionId: string): SavedPose | null {
  getSession(sessionId);
  return readRow(sessionId);
}

/** Like getPose, but a missing pose is a 404 with a message. */
export function requirePose(sessionId: string): SavedPose {
  const saved = getPose(sessionId);
  if (!saved) throw noPose();
  return saved;
}

export interface PoseSaveResult extends SavedPose {
  /** False when the edit was kept as a conflict copy because the server's pose is newer. */
  applied: boolean;
  /** The version set aside when the edit's base revision was not the current one. */
  conflict: ConflictJson | null;
}

/**
 * Validates `json` as a pose of the session's photo (ZodError → 400 with the offending field) and
 * stores it as the next revision. Nothing is written unless the whole pose is valid.
 * With `sync` (an edit made offline: the revision it was made on and when), a base revision that
 * is no longer current keeps both poses: the newer becomes current, the other a conflict copy.
 */
export function savePose(sessionId: string, json: unknown, sync: SyncInfo | null = null): PoseSaveResult {
  const session = getSession(sessionId);
  const pose = parsePose(json, { width: session.image.width, height: session.image.height });
  const { db } = app();
  const now = new Date().toISOString();
  let applied = true;
  let conflict: ConflictJson | null = null;
  db.transaction(() => {
    const current = db.prepare('SELECT * FROM session_poses WHERE session_id = ?').get(sessionId) as PoseRow | undefined;
    if (sync && current && sync.baseRev !== current.rev) {
      const deviceWins = deviceIsNewer(sync, current.updated_at);
      conflict = insertConflict(
        deviceWins
          ? {
              session_id: sessionId,
              kind: 'pose',
              source: 'server',
              rev: current.rev,
              edited_at: current.updated_at,
              blob_key: null,
              area: null,
              pose: current.pose,
            }
          : {
              session_id: sessionId,
              kind: 'pose',
              source: 'device',
              rev: sync.baseRev,
              edited_at: sync.editedAt,
              blob_key: null,
              area: null,
              pose: JSON.stringify(pose),
            },
      );
      if (!deviceWins) {
        applied = false;
        return;
      }
    }
    const rev = (current?.rev ?? 0) + 1;
    db.prepare(
      `INSERT INTO session_poses (session_id, rev, pose, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(session_id) DO UPDATE SET rev = excluded.rev, pose = excluded.pose, updated_at = excluded.updated_at`,
    ).run(sessionId, rev, JSON.stringify(pose), sync?.editedAt ?? now);
    db.prepare('UPDATE sessions SET updated_at = ? WHERE id = ?').run(now, sessionId);
  })();
  return { ...readRow(sessionId)!, applied, conflict };
}

/**
 * Output size of the skeleton: both given → exactly that; one given → the other from the photo's
 * aspect (400 when that would pass MAX_SKELETON_SIDE); none → the photo's size, shrunk to
 * MAX_SKELETON_SIDE on the longer side.
 */
export function skeletonSize(photo: { width: number; height: number }, width: number | null, height: number | null) {
  const aspect = photo.width / photo.height;
  const derived = (name: string, v: number) => {
    const n = Math.max(1, Math.round(v));
    if (n > MAX_SKELETON_SIDE) {
      throw new ApiError(
        400,
        'invalid_size',
        `At the photo's aspect the ${name} would be ${n} px, over ${MAX_SKELETON_SIDE}: give a smaller size or both sides.`,
      );
    }
    return n;
  };
  if (width !== null && height !== null) return { width, height };
  if (width !== null) return { width, height: derived('height', width / aspect) };
  if (height !== null) return { width: derived('width', height * aspect), height };
  const k = Math.min(1, MAX_SKELETON_SIDE / Math.max(photo.width, photo.height));
  return { width: Math.max(1, Math.round(photo.width * k)), height: Math.max(1, Math.round(photo.height * k)) };
}

/** A pose drawn as ControlNet's OpenPose skeleton at width×height (RGB PNG, black background). */
export async function skeletonPng(pose: Pose, width: number, height: number): Promise<Buffer> {
  const rgba = renderSkeleton(pose, width, height);
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .removeAlpha()
    .png({ compressionLevel: 6, palette: false })
    .toBuffer();
}
