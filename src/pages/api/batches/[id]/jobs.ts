import { app } from '../../../../server/app/context.ts';
import { actorOf } from '../../../../server/auth/request.ts';
import { assertStorageRoom } from '../../../../server/auth/quotas.ts';
import { generateAll } from '../../../../server/batches/service.ts';
import { readJson } from '../../../../server/http/body.ts';
import { ApiError, json, parseId, route } from '../../../../server/http/errors.ts';

// POST /api/batches/:id/jobs {recipe, modelPresets?, scenePresets?, count?, …} → 202 {queued, jobIds, skipped, batch}:
// Generate all — one job per included photo × look × scene; photos that cannot be generated are skipped with why.
export const POST = route(async ({ params, request, locals }) => {
  const ctx = app();
  const { workspaceId } = actorOf(locals);
  const body = await readJson(request, 64 * 1024);
  await assertStorageRoom(ctx, workspaceId);
  const limit = ctx.config.workspaceLimits.queuedJobs;
  const result = ctx.db.transaction(() => {
    const out = generateAll(parseId(params.id, 'Batch'), body);
    if (limit) {
      const waiting = ctx.db
        .prepare(
          `SELECT COUNT(*) FROM jobs j JOIN sessions s ON s.id = j.session_id
            WHERE s.workspace_id = ? AND j.state IN ('queued', 'running')`,
        )
        .pluck()
        .get(workspaceId) as number;
      if (waiting > limit) {
        throw new ApiError(
          429,
          'too_many_jobs',
          `That would make ${waiting} generations waiting or running in this workspace (the limit is ${limit}).`,
        );
      }
    }
    return out;
  })();
  return json(result, 202);
});
