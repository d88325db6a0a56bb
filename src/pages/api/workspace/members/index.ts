import { app } from '../../../../server/app/context.ts';
import { listMembers } from '../../../../server/auth/accounts.ts';
import { actorOf } from '../../../../server/auth/request.ts';
import { json, route } from '../../../../server/http/errors.ts';

// GET /api/workspace/members → {members: [{userId, email, role, joinedAt}]}
export const GET = route(({ locals }) => json({ members: listMembers(app().db, actorOf(locals).workspaceId) }));
