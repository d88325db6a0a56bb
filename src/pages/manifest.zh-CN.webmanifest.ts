import type { APIRoute } from 'astro';
import { webManifest } from '../pwa/manifest.ts';

// The Simplified Chinese manifest, written at build time (the English one comes from @vite-pwa/astro).
export const prerender = true;
export const GET: APIRoute = () =>
  new Response(JSON.stringify(webManifest('zh-CN'), null, 2), { headers: { 'content-type': 'application/manifest+json' } });
