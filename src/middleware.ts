import { defineMiddleware } from 'astro:middleware';
import { json } from './server/http/errors.ts';

const ISOLATION: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const onRequest = defineMiddleware(async ({ request, url, isPrerendered }, next) => {
  // Prerendered pages (the offline shell, the zh-CN manifest) are built without a request;
  // src/server/main.mjs adds the isolation headers to them as static files.
  if (isPrerendered) return next();
  // Browsers send Origin on cross-site requests: refuse mutations from other sites (CSRF).
  // Clients without an Origin header (scripts, curl) are not browsers and are allowed.
  const origin = request.headers.get('origin');
  if (!SAFE_METHODS.has(request.method) && origin && origin !== url.origin) {
    return withIsolation(json({ error: { code: 'cross_site', message: 'Requests from other sites are not allowed.' } }, 403));
  }
  return withIsolation(await next());
});

// src/server/main.mjs sets these for every response; this covers `astro dev` and running entry.mjs directly.
function withIsolation(response: Response): Response {
  try {
    for (const [k, v] of Object.entries(ISOLATION)) response.headers.set(k, v);
    return response;
  } catch {
    // Redirects and some responses have immutable headers: copy them.
    const copy = new Response(response.body, response);
    for (const [k, v] of Object.entries(ISOLATION)) copy.headers.set(k, v);
    return copy;
  }
}
