import { app } from '../../../../server/app/context.ts';
import { revokeApiKey } from '../../../../server/auth/accounts.ts';
import { actorOf } from '../../../../server/auth/request.ts';
import { ApiError, json, parseId, route } from '../../../../server/http/errors.ts';

// DELETE /api/workspace/keys/:id → 200: revoked at once (it answers 401 from then on).
export const DELETE = route(({ params, locals }) => {
  if (!revokeApiKey(app().db, actorOf(locals).workspaceId, parseId(params.id, 'Key')))
    throw new ApiError(404, 'not_found', 'That key was not found.');
  return json({ ok: true });
});
