import { app } from '../../../server/app/context.ts';
import { workspaceName } from '../../../server/auth/accounts.ts';
import { actorOf } from '../../../server/auth/request.ts';
import { json, route } from '../../../server/http/errors.ts';

// GET /api/workspace → {id, name, role}: the workspace the request acts in, and the caller's role there.
export const GET = route(({ locals }) => {
  const actor = actorOf(locals);
  return json({ id: actor.workspaceId, name: workspaceName(app().db, actor.workspaceId), role: actor.role });
});
