import { app } from '../../../../server/app/context.ts';
import { removeMember } from '../../../../server/auth/accounts.ts';
import { actorOf } from '../../../../server/auth/request.ts';
import { json, parseId, route } from '../../../../server/http/errors.ts';

// DELETE /api/workspace/members/:userId → 200: removed, signed out of this workspace at once (the last owner stays).
export const DELETE = route(({ params, locals }) => {
  removeMember(app().db, actorOf(locals).workspaceId, parseId(params.userId, 'Member'));
  return json({ ok: true });
});
