import { CreateBatchRequest } from '../../../lib/api/batch-requests.ts';
import { actorOf } from '../../../server/auth/request.ts';
import { createBatch, listBatches } from '../../../server/batches/service.ts';
import { readJson } from '../../../server/http/body.ts';
import { json, route } from '../../../server/http/errors.ts';

// GET /api/batches → {batches}: the workspace's, newest first, with counts.
export const GET = route(({ locals }) => json({ batches: listBatches(actorOf(locals).workspaceId) }));

// POST /api/batches {name?, sessionIds} → 201 {batch}: the photos (sessions of this workspace) grouped.
export const POST = route(async ({ request, locals }) => {
  const body = CreateBatchRequest.parse(await readJson(request, 64 * 1024));
  const batch = createBatch(actorOf(locals).workspaceId, body);
  return json({ batch }, 201, { location: `/api/batches/${batch.id}` });
});
