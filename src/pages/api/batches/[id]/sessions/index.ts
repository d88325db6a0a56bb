import { AddBatchSessionsRequest } from '../../../../../lib/api/batch-requests.ts';
import { actorOf } from '../../../../../server/auth/request.ts';
import { addSessions } from '../../../../../server/batches/service.ts';
import { readJson } from '../../../../../server/http/body.ts';
import { json, parseId, route } from '../../../../../server/http/errors.ts';

// POST /api/batches/:id/sessions {sessionIds} → {batch}: more photos (up to 500 in a batch).
export const POST = route(async ({ params, request, locals }) => {
  const { sessionIds } = AddBatchSessionsRequest.parse(await readJson(request, 64 * 1024));
  return json({ batch: addSessions(parseId(params.id, 'Batch'), actorOf(locals).workspaceId, sessionIds) });
});
