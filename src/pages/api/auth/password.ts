import { PasswordChangeRequest } from '../../../lib/api/account-requests.ts';
import { app } from '../../../server/app/context.ts';
import { changePassword, endAllSessions } from '../../../server/auth/accounts.ts';
import { actorOf, signInWith } from '../../../server/auth/request.ts';
import { readJson } from '../../../server/http/body.ts';
import { json, route } from '../../../server/http/errors.ts';

// POST /api/auth/password {currentPassword, newPassword} → 200: changed; every other session of the account ends.
export const POST = route(async ({ request, url, cookies, locals }) => {
  const { db, config } = app();
  const actor = actorOf(locals);
  const body = PasswordChangeRequest.parse(await readJson(request, 8 * 1024));
  await changePassword(db, actor.userId!, body.currentPassword, body.newPassword);
  endAllSessions(db, actor.userId!);
  signInWith({ cookies, url, request }, db, config, actor.userId!, actor.workspaceId);
  return json({ ok: true });
});
