// Every server-rendered request passes here first: allowed host, no cross-site writes, and the access rule of
// its route (src/server/auth/access.ts): who is asking (session cookie or API key), whether their role may use
// this method, and whether the id in the path belongs to their workspace. Routes then only do their work.
import { defineMiddleware } from 'astro:middleware';
import { app } from './server/app/context.ts';
import { hasOwner, roleAtLeast } from './server/auth/accounts.ts';
import { accessFor, resourceWorkspace } from './server/auth/access.ts';
import type { Config } from './config.ts';
import { findActor, isHttps } from './server/auth/request.ts';
import { ID_PATTERN, problemResponse, requestLang } from './server/http/errors.ts';
import { SECURITY_HEADERS, hostAllowed } from './server/http/guard.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NAMES = { session: 'session', job: 'job', result: 'result', image: 'photo', batch: 'batch' } as const;

export const onRequest = defineMiddleware(
  async ({ request, url, isPrerendered, routePattern, params, cookies, locals, redirect }, next) => {
    // Prerendered pages (the offline shell, the zh-CN manifest) are built without a request;
    // src/server/main.mjs adds the headers to them as static files.
    if (isPrerendered) return next();
    const { config, db } = app();
    const lang = requestLang(request, cookies.get('atelier-lang')?.value);
    const problem = (status: number, code: string, message: string) => problemResponse(status, code, message, lang);
    if (!hostAllowed(request.headers.get('host'), config.allowedHosts)) {
      return secured(problem(421, 'host_not_allowed', 'This address is not one the studio answers to.'));
    }
    // Browsers send Origin on cross-site requests: refuse mutations from other sites (CSRF).
    // Clients without an Origin header (scripts, curl) are not browsers and are allowed.
    const origin = request.headers.get('origin');
    if (!SAFE_METHODS.has(request.method) && origin && !ownOrigins(url, request, config).includes(origin)) {
      return secured(problem(403, 'cross_site', 'Requests from other sites are not allowed.'));
    }
    const isApi = url.pathname.startsWith('/api/');
    const rule = accessFor(routePattern, request.method);
    if (!rule) {
      return secured(
        isApi
          ? problem(405, 'method_not_allowed', `${request.method} is not allowed on ${url.pathname}.`)
          : new Response('Not allowed', { status: 405 }),
      );
    }
    if (rule.need === 'public') return secured(await next());

    const found = findActor(db, request, cookies);
    if (!found.actor) {
      if (!isApi) return secured(redirect(hasOwner(db) ? `/sign-in?next=${encodeURIComponent(url.pathname + url.search)}` : '/setup', 303));
      if (found.reason === 'invalid_key')
        return secured(problem(401, 'invalid_key', 'This API key is not valid: it was revoked or mistyped.'));
      if (!hasOwner(db))
        return secured(problem(401, 'setup_required', 'The studio is not set up yet: open it in a browser and create the owner account.'));
      return secured(
        problem(401, 'sign_in_required', found.reason === 'session_ended' ? 'You were signed out. Sign in again.' : 'Sign in first.'),
      );
    }
    const actor = found.actor;
    if (rule.need === 'user' ? actor.kind !== 'user' : !roleAtLeast(actor.role, rule.need)) {
      const message =
        actor.kind === 'key'
          ? 'This API key’s scope does not allow this.'
          : `Your role (${actor.role}) cannot do this. Ask the workspace owner.`;
      return secured(isApi ? problem(403, 'forbidden', message) : new Response(message, { status: 403 }));
    }
    if (rule.resource) {
      const { kind, param } = rule.resource;
      const raw = params[param] ?? '';
      const id = kind === 'result' ? raw.replace(/\.png$/, '') : raw; // results are served as <id>.png
      if (!ID_PATTERN.test(id)) return secured(problem(400, 'invalid_id', `The ${NAMES[kind]} id is not valid.`));
      // Another workspace's id answers exactly like an unknown one.
      if (resourceWorkspace(db, kind, id, actor.workspaceId) !== actor.workspaceId) {
        const message = `The ${NAMES[kind]} was not found.`;
        return secured(isApi ? problem(404, 'not_found', message) : new Response(message, { status: 404 }));
      }
    }
    locals.actor = actor;
    return secured(await next());
  },
);

/** This studio's origin as the browser sees it: behind a TLS-terminating proxy the request arrives as http. */
function ownOrigins(url: URL, request: Request, config: Config): string[] {
  const origins = [url.origin];
  if (isHttps(url, request, config)) origins.push(`https://${url.host}`);
  if (config.publicUrl) origins.push(config.publicUrl.origin);
  return origins;
}

// src/server/main.mjs sets these for every response; this covers `astro dev` and running entry.mjs directly.
// A page's own policy (Astro's, with the hashes of its inline scripts) is kept, completed with what only a header
// can say (frame-ancestors).
function secured(response: Response): Response {
  const apply = (headers: Headers) => {
    const own = headers.get('content-security-policy');
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) headers.set(k, v);
    if (own) headers.set('content-security-policy', `${own.replace(/;?\s*$/, '')}; frame-ancestors 'none'`);
  };
  try {
    apply(response.headers);
    return response;
  } catch {
    // Redirects and some responses have immutable headers: copy them.
    const copy = new Response(response.body, response);
    apply(copy.headers);
    return copy;
  }
}
