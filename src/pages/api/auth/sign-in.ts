import { SignInRequest } from '../../../lib/api/account-requests.ts';
import { app } from '../../../server/app/context.ts';
import { checkCredentials, firstWorkspaceOf } from '../../../server/auth/accounts.ts';
import { limitedPasswordCheck } from '../../../server/auth/limits.ts';
import { clientAddress, signInWith } from '../../../server/auth/request.ts';
import { readJson } from '../../../server/http/body.ts';
import { ApiError, json, route } from '../../../server/http/errors.ts';

// POST /api/auth/sign-in {email, password} → 200 and the session cookie; 401 wrong e-mail or password; 429 too many tries.
export const POST = route(async ({ request, url, cookies, clientAddress: socketAddress }) => {
  const { db, config } = app();
  const body = SignInRequest.parse(await readJson(request, 8 * 1024));
  const address = clientAddress(request, socketAddress, config);
  const { user, workspaceId } = await limitedPasswordCheck(db, address, body.email, async () => {
    const user = await checkCredentials(db, body.email, body.password);
    const workspaceId = user && firstWorkspaceOf(db, user.userId);
    if (!user || !workspaceId) {
      throw new ApiError(
        401,
        'wrong_credentials',
        user ? 'This account is no longer a member of any workspace.' : 'The e-mail or the password is not right.',
      );
    }
    return { user, workspaceId };
  });
  signInWith({ cookies, url, request }, db, config, user.userId, workspaceId);
  return json({ ok: true });
});
