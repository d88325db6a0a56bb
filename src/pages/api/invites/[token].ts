import { AcceptInviteRequest } from '../../../lib/api/account-requests.ts';
import { app } from '../../../server/app/context.ts';
import { acceptInvite, inviteInfo } from '../../../server/auth/accounts.ts';
import { limitedPasswordCheck } from '../../../server/auth/limits.ts';
import { clientAddress, signInWith } from '../../../server/auth/request.ts';
import { readJson } from '../../../server/http/body.ts';
import { json, route } from '../../../server/http/errors.ts';

// GET /api/invites/:token → {workspaceName, role, expiresAt}; 410 when expired or used.
export const GET = route(({ params }) => json(inviteInfo(app().db, params.token ?? '')));

// POST /api/invites/:token {email, password} → 200, signed in as a member of the workspace. Works once.
// Joining with an existing account checks its password: limited like signing in.
export const POST = route(async ({ request, url, cookies, params, clientAddress: socketAddress }) => {
  const { db, config } = app();
  const body = AcceptInviteRequest.parse(await readJson(request, 8 * 1024));
  const address = clientAddress(request, socketAddress, config);
  const { userId, workspaceId } = await limitedPasswordCheck(db, address, body.email, () =>
    acceptInvite(db, params.token ?? '', body.email, body.password),
  );
  signInWith({ cookies, url, request }, db, config, userId, workspaceId);
  return json({ ok: true });
});
