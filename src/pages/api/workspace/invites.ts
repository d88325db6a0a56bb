import { InviteRequest } from '../../../lib/api/account-requests.ts';
import { app } from '../../../server/app/context.ts';
import { createInvite } from '../../../server/auth/accounts.ts';
import { actorOf } from '../../../server/auth/request.ts';
import { readJson } from '../../../server/http/body.ts';
import { json, route } from '../../../server/http/errors.ts';

// POST /api/workspace/invites {role} → 201 {url, expiresAt}: a single-use link (ATELIER_INVITE_HOURS).
export const POST = route(async ({ request, url, locals }) => {
  const { db, config } = app();
  const actor = actorOf(locals);
  const { role } = InviteRequest.parse(await readJson(request, 1024));
  const invite = createInvite(db, actor.workspaceId, { role, createdBy: actor.userId, maxAgeMs: config.inviteMaxAgeMs });
  const base = config.publicUrl ? config.publicUrl.origin : url.origin;
  return json({ url: `${base}/invite/${invite.token}`, expiresAt: invite.expiresAt }, 201);
});
