import { SignOutRequest } from '../../../lib/api/account-requests.ts';
import { app } from '../../../server/app/context.ts';
import { endAllSessions, endSession } from '../../../server/auth/accounts.ts';
import { SESSION_COOKIE, actorOf, clearSessionCookie } from '../../../server/auth/request.ts';
import { readJson } from '../../../server/http/body.ts';
import { json, route } from '../../../server/http/errors.ts';

// POST /api/auth/sign-out {everywhere?} → 200: this session ends (or every session of the account).
export const POST = route(async ({ request, cookies, locals }) => {
  const { db } = app();
  const hasBody = request.headers.get('content-length') !== '0' && request.headers.get('content-type')?.includes('json');
  const { everywhere } = SignOutRequest.parse(hasBody ? await readJson(request, 1024) : undefined);
  const token = cookies.get(SESSION_COOKIE)?.value;
  if (everywhere) endAllSessions(db, actorOf(locals).userId!);
  else if (token) endSession(db, token);
  clearSessionCookie(cookies);
  return json({ ok: true });
});
