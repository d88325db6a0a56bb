// Per-workspace limits (ATELIER_WORKSPACE_*; 0 = none): stored bytes, generations waiting or running at once,
// uploads per minute. Each refusal says the limit, so a merchant knows what to do.
import type { AppContext } from '../app/context.ts';
import { ApiError } from '../http/errors.ts';

const MB = 1024 * 1024;

/** Bytes a workspace's sessions hold: their photos (shared photos count for each workspace using them), masks, results. */
export async function workspaceUsage(ctx: AppContext, workspaceId: string): Promise<number> {
  const { db, blobs } = ctx;
  const prefixes = [
    ...(db.prepare('SELECT DISTINCT image_id FROM sessions WHERE workspace_id = ?').pluck().all(workspaceId) as string[]).map(
      (id) => `images/${id}`,
    ),
    ...(db.prepare('SELECT id FROM sessions WHERE workspace_id = ?').pluck().all(workspaceId) as string[]).map((id) => `sessions/${id}`),
    ...(
      db
        .prepare('SELECT j.id FROM jobs j JOIN sessions s ON s.id = j.session_id WHERE s.workspace_id = ?')
        .pluck()
        .all(workspaceId) as string[]
    ).map((id) => `results/${id}`),
  ];
  let total = 0;
  for (const prefix of prefixes) for (const key of await blobs.list(prefix)) total += (await blobs.size(key)) ?? 0;
  return total;
}

/** 413 when the workspace has used its storage. */
export async function assertStorageRoom(ctx: AppContext, workspaceId: string): Promise<void> {
  const limit = ctx.config.workspaceLimits.storageBytes;
  if (!limit) return;
  const used = await workspaceUsage(ctx, workspaceId);
  if (used >= limit) {
    throw new ApiError(
      413,
      'quota_exceeded',
      `This workspace has used its storage (${Math.round(used / MB)} MB of ${Math.round(limit / MB)} MB). ` +
        'Delete sessions you no longer need, or ask whoever runs the studio for more.',
      {},
      { used: Math.round(used / MB), limit: Math.round(limit / MB) },
    );
  }
}

/**
 * 429 when `adding` more generations would pass the workspace's limit on those waiting or running. A batch checks
 * with 0 after queuing its jobs, inside the transaction that queued them (refused: none stay queued).
 */
export function assertQueueRoom(ctx: AppContext, workspaceId: string, adding = 1): void {
  const limit = ctx.config.workspaceLimits.queuedJobs;
  if (!limit) return;
  const waiting = ctx.db
    .prepare(
      `SELECT COUNT(*) FROM jobs j JOIN sessions s ON s.id = j.session_id WHERE s.workspace_id = ? AND j.state IN ('queued', 'running')`,
    )
    .pluck()
    .get(workspaceId) as number;
  if (waiting + adding > limit) {
    throw new ApiError(
      429,
      'too_many_jobs',
      `This workspace would have ${waiting + adding} generations waiting or running (the limit is ${limit}). Start more when some finish.`,
      { 'retry-after': '30' },
      { waiting: waiting + adding, limit },
    );
  }
}

const uploads = new Map<string, number[]>();

/** 429 past the workspace's uploads per minute; counts this upload otherwise. */
export function takeUploadTurn(ctx: AppContext, workspaceId: string, now = Date.now()): void {
  const limit = ctx.config.workspaceLimits.uploadsPerMinute;
  if (!limit) return;
  const recent = (uploads.get(workspaceId) ?? []).filter((t) => now - t < 60_000);
  if (recent.length >= limit) {
    const wait = Math.max(1, Math.ceil((60_000 - (now - recent[0]!)) / 1000));
    throw new ApiError(
      429,
      'too_many_uploads',
      `This workspace uploaded ${limit} photos in the last minute (the limit is ${limit} a minute). Try again in ${wait} s.`,
      {
        'retry-after': String(wait),
      },
      { limit, seconds: wait },
    );
  }
  recent.push(now);
  uploads.set(workspaceId, recent);
}
