import { ApiKeyRequest } from '../../../../lib/api/account-requests.ts';
import { app } from '../../../../server/app/context.ts';
import { createApiKey, listApiKeys } from '../../../../server/auth/accounts.ts';
import { actorOf } from '../../../../server/auth/request.ts';
import { readJson } from '../../../../server/http/body.ts';
import { json, route } from '../../../../server/http/errors.ts';

// GET /api/workspace/keys → {keys}: names, first characters, scopes, last use (never the keys themselves).
export const GET = route(({ locals }) => json({ keys: listApiKeys(app().db, actorOf(locals).workspaceId) }));

// POST /api/workspace/keys {name, scope} → 201 {key, apiKey}: `key` is shown this once and stored hashed.
export const POST = route(async ({ request, locals }) => {
  const body = ApiKeyRequest.parse(await readJson(request, 2048));
  return json(createApiKey(app().db, actorOf(locals).workspaceId, body), 201);
});
