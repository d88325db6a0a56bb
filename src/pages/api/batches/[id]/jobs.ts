import { app } from '../../../../server/app/context.ts';
import { actorOf } from '../../../../server/auth/request.ts';
import { assertQueueRoom, assertStorageRoom } from '../../../../server/auth/quotas.ts';
import { generateAll } from '../../../../server/batches/service.ts';
import { readJson } from '../../../../server/http/body.ts';
import { json, parseId, route } from '../../../../server/http/errors.ts';

// POST /api/batches/:id/jobs {recipe, modelPresets?, scenePresets?, count?, …} → 202 {queued, jobIds, skipped, batch}:
// Generate all — one job per included photo × look × scene; photos that cannot be generated are skipped with why.
export const POST = route(async ({ params, request, locals }) => {
  const ctx = app();
  const { workspaceId } = actorOf(locals);
  const body = await readJson(request, 64 * 1024);
  await assertStorageRoom(ctx, workspaceId);
  const result = ctx.db.transaction(() => {
    const out = generateAll(parseId(params.id, 'Batch'), body);
    assertQueueRoom(ctx, workspaceId, 0);
    return out;
  })();
  return json(result, 202);
});
