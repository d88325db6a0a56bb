import { defineMiddleware } from 'astro:middleware';

const ISOLATION: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// server.mjs sets these for every response; this covers `astro dev` and running entry.mjs directly.
export const onRequest = defineMiddleware(async (_ctx, next) => {
  let response = await next();
  try {
    for (const [k, v] of Object.entries(ISOLATION)) response.headers.set(k, v);
  } catch {
    // Redirects and some responses have immutable headers: copy them.
    response = new Response(response.body, response);
    for (const [k, v] of Object.entries(ISOLATION)) response.headers.set(k, v);
  }
  return response;
});
