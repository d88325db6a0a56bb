import { SetupRequest } from '../../../lib/api/account-requests.ts';
import { app } from '../../../server/app/context.ts';
import { createOwner } from '../../../server/auth/accounts.ts';
import { signInWith } from '../../../server/auth/request.ts';
import { readJson } from '../../../server/http/body.ts';
import { json, route } from '../../../server/http/errors.ts';

// POST /api/auth/setup {email, password, workspaceName} → 201, signed in. First run only (409 afterwards).
export const POST = route(async ({ request, url, cookies }) => {
  const { db, config } = app();
  const body = SetupRequest.parse(await readJson(request, 8 * 1024));
  const { userId, workspaceId } = await createOwner(db, body);
  signInWith({ cookies, url, request }, db, config, userId, workspaceId);
  return json({ ok: true }, 201);
});
