import { PasswordChangeRequest } from '../../../lib/api/account-requests.ts';
import { app } from '../../../server/app/context.ts';
import { changePassword, endAllSessions } from '../../../server/auth/accounts.ts';
import { limitedPasswordCheck } from '../../../server/auth/limits.ts';
import { actorOf, clientAddress, signInWith } from '../../../server/auth/request.ts';
import { readJson } from '../../../server/http/body.ts';
import { json, route } from '../../../server/http/errors.ts';

// POST /api/auth/password {currentPassword, newPassword} → 200: changed; every other session of the account ends.
// A stolen session cannot guess its way to the password: wrong current passwords are limited like signing in.
export const POST = route(async ({ request, url, cookies, locals, clientAddress: socketAddress }) => {
  const { db, config } = app();
  const actor = actorOf(locals);
  const body = PasswordChangeRequest.parse(await readJson(request, 8 * 1024));
  const address = clientAddress(request, socketAddress, config);
  await limitedPasswordCheck(db, address, actor.email ?? actor.userId!, () =>
    changePassword(db, actor.userId!, body.currentPassword, body.newPassword),
  );
  endAllSessions(db, actor.userId!);
  signInWith({ cookies, url, request }, db, config, actor.userId!, actor.workspaceId);
  return json({ ok: true });
});
