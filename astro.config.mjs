import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import UnoCSS from 'unocss/astro';
import AstroPWA from '@vite-pwa/astro';
import { webManifest } from './src/pwa/manifest.ts';
import { createHash } from 'node:crypto';
import { generateHydrationScript } from 'solid-js/web';
import precompress from './src/integrations/precompress.ts';

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const MB = 1024 * 1024;
const DAY = 24 * 60 * 60;

// Service worker (Workbox, generateSW). Caches, in order of matching:
// - precache: the app shell (/_astro JS/CSS, the ORT and MediaPipe wasm), icons, manifests, the
//   prerendered offline shell (/offline), and the verified models above;
// - page navigations: network (with navigation preload), and when the network fails (or takes > 6 s)
//   the offline shell, which renders the sessions list or a session from IndexedDB
//   (src/islands/OfflineShell.tsx). SSR pages are never stored: offline copies come from IndexedDB, so
//   they are never stale nor tied to an old build's chunks. Other navigations (downloads, /lang): network;
// - GET session JSON (list, session, results, pose): NetworkFirst (served from cache after 5 s or offline);
// - immutable files (photos, thumbnails, embeddings, masks by rev, results): CacheFirst with expiry;
// - /models/ (whatever version the editor fetched): CacheFirst;
// - PUT/POST/DELETE are never matched (routes are GET-only), nor SSE, downloads, /lang, health.
// Every runtime cache purges itself on a quota error instead of failing the request.
// Precache URLs of prerendered pages by their path (offline/index.html → offline), as @vite-pwa/astro's
// own transform (replaced by this one) does.
const precacheManifestTransform = async (entries) => ({
  manifest: entries.map((e) =>
    e.url.endsWith('.html')
      ? {
          ...e,
          url:
            e.url
              .replace(/(^|\/)index\.html$/, '$1')
              .replace(/\.html$/, '')
              .replace(/\/$/, '') || '/',
        }
      : e,
  ),
  warnings: [],
});

// vite-plugin-pwa appends its manifest entry to additionalManifestEntries once per Vite environment
// it configures (5 times here); an array that keeps each URL once keeps the precache list clean.
class UniqueEntries extends Array {
  push(...items) {
    for (const item of items) if (!this.some((e) => (e.url ?? e) === (item.url ?? item))) super.push(item);
    return this.length;
  }
}

// Every runtime cache write belongs to the device generation its request started in (public/sw-device.js): one that
// outlives a sign-out, or is made while the device is released (signed out, not yet claimed by a signed-in page), is
// refused, or removed if it landed during the clear. Serialized into sw.js.
const deviceGenerationPlugin = {
  handlerWillStart: ({ state }) => {
    state.generation = self.atelierDevice?.generation ?? 0;
  },
  cacheWillUpdate: ({ response, state }) => {
    const device = self.atelierDevice ?? { generation: 0, released: false };
    return device.generation === state.generation && !device.released ? response : null;
  },
  cacheDidUpdate: async ({ cacheName, request, state }) => {
    const device = self.atelierDevice ?? { generation: 0, released: false };
    if (device.generation !== state.generation || device.released) await (await caches.open(cacheName)).delete(request);
  },
};

const runtimeCaching = [
  {
    urlPattern: ({ request, url, sameOrigin }) =>
      sameOrigin && request.mode === 'navigate' && !/^\/(api|models|lang)(\/|$)/.test(url.pathname),
    handler: async ({ request, event }) => {
      const shell = () => caches.match('/offline', { ignoreSearch: true });
      // Navigation preload: the request started while the worker was booting, if the browser did so.
      const network = Promise.resolve(event?.preloadResponse).then((preloaded) => preloaded || fetch(request));
      network.catch(() => null); // a late failure after the shell was served is not an error
      try {
        const first = await Promise.race([network, new Promise((resolve) => setTimeout(resolve, 6000, null))]);
        if (first) return first;
        return (await shell()) || (await network);
      } catch {
        return (await shell()) || Response.error();
      }
    },
  },
  {
    // Other navigations (downloads, /lang): the network, using the navigation preload request.
    urlPattern: ({ request, sameOrigin }) => sameOrigin && request.mode === 'navigate',
    handler: 'NetworkOnly',
  },
  {
    urlPattern: ({ url, sameOrigin }) => sameOrigin && /^\/api\/sessions(\/[A-Za-z0-9_-]{6,64}(\/(results|pose))?)?$/.test(url.pathname),
    handler: 'NetworkFirst',
    options: {
      cacheName: 'atelier-api',
      plugins: [deviceGenerationPlugin],
      networkTimeoutSeconds: 5,
      expiration: { maxEntries: 300, maxAgeSeconds: 90 * DAY, purgeOnQuotaError: true },
      cacheableResponse: { statuses: [200] },
    },
  },
  {
    urlPattern: ({ url, sameOrigin }) => sameOrigin && /^\/api\/images\/[A-Za-z0-9_-]{6,64}\/embedding\.npy$/.test(url.pathname),
    handler: 'CacheFirst',
    options: {
      cacheName: 'atelier-embeddings',
      plugins: [deviceGenerationPlugin],
      expiration: { maxEntries: 45, maxAgeSeconds: 90 * DAY, purgeOnQuotaError: true },
      cacheableResponse: { statuses: [200] },
    },
  },
  {
    urlPattern: ({ url, sameOrigin }) =>
      sameOrigin &&
      !url.searchParams.has('download') &&
      (/^\/api\/images\/[A-Za-z0-9_-]{6,64}\/(photo|thumb)\.jpg$/.test(url.pathname) ||
        (/^\/api\/sessions\/[A-Za-z0-9_-]{6,64}\/mask\.png$/.test(url.pathname) && url.searchParams.has('rev')) ||
        /^\/api\/results\/[A-Za-z0-9_-]{6,64}\.png$/.test(url.pathname)),
    handler: 'CacheFirst',
    options: {
      cacheName: 'atelier-images',
      plugins: [deviceGenerationPlugin],
      expiration: { maxEntries: 800, maxAgeSeconds: 90 * DAY, purgeOnQuotaError: true },
      cacheableResponse: { statuses: [200] },
    },
  },
  {
    urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/models/'),
    handler: 'CacheFirst',
    options: {
      cacheName: 'atelier-models',
      plugins: [deviceGenerationPlugin],
      expiration: { maxEntries: 8, purgeOnQuotaError: true },
      cacheableResponse: { statuses: [200] },
    },
  },
  {
    // Anything under /_astro/ the precache does not hold (it should hold all of it).
    urlPattern: ({ url, sameOrigin }) => sameOrigin && url.pathname.startsWith('/_astro/'),
    handler: 'CacheFirst',
    options: {
      cacheName: 'atelier-assets',
      plugins: [deviceGenerationPlugin],
      expiration: { maxEntries: 60, purgeOnQuotaError: true },
      cacheableResponse: { statuses: [200] },
    },
  },
];

/** sha256 of the inline script @astrojs/solid-js puts in each page (generateHydrationScript, no options). */
function solidHydrationHash() {
  const inner = /<script[^>]*>([\s\S]*)<\/script>/.exec(generateHydrationScript())[1];
  return `sha256-${createHash('sha256').update(inner).digest('base64')}`;
}

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [
    UnoCSS({ injectReset: true }),
    solid(),
    AstroPWA({
      // A new version waits until the user accepts the "update available" prompt (src/client/pwa.ts).
      registerType: 'prompt',
      // Astro has no index.html to inject into: src/client/pwa.ts registers through virtual:pwa-register.
      injectRegister: false,
      manifest: webManifest('en'),
      workbox: {
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,ico,webmanifest,wasm}'],
        globIgnores: ['manifest.webmanifest'], // vite-plugin-pwa lists it itself
        // No model files: the editor fetches the decoder and the pose model this device needs (lite on phones)
        // and the /models/ route below keeps them, so a first visit downloads only what it uses.
        additionalManifestEntries: new UniqueEntries(),
        // The ORT wasm is 14.2 MB and MediaPipe's 13 MB (the default limit, 2 MiB, would skip both).
        maximumFileSizeToCacheInBytes: 40 * MB,
        manifestTransforms: [precacheManifestTransform],
        // SSR: no prerendered "/" to fall back to; navigations are handled in runtimeCaching above.
        navigateFallback: null,
        clientsClaim: true,
        navigationPreload: true,
        cleanupOutdatedCaches: true,
        runtimeCaching,
        importScripts: ['/sw-device.js'],
      },
    }),
    // Last: compresses what the others wrote, the service worker included.
    precompress(),
  ],
  // `astro dev` serves static files itself; these make dev cross-origin isolated like src/server/main.mjs.
  server: { headers: isolationHeaders },
  security: {
    // Cross-site form posts are refused in src/middleware.ts with our JSON error shape instead.
    checkOrigin: false,
    // Pages get a policy whose inline scripts (island hydration) are allowed by hash only; the rest of the
    // policy (and frame-ancestors, which a <meta> cannot set) is src/server/http/guard.ts's header.
    csp: {
      directives: [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self' data: blob:",
        "worker-src 'self' blob:",
        "font-src 'self' data:",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
      ],
      // Solid's hydration script is inlined by its renderer, outside what Astro hashes itself.
      scriptDirective: { resources: ["'self'", "'wasm-unsafe-eval'"], hashes: [solidHydrationHash()] },
      // Solid and UnoCSS set style attributes; styles cannot run code.
      styleDirective: { resources: ["'self'", "'unsafe-inline'"] },
    },
  },
  vite: {
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    worker: { format: 'es' },
    ssr: { external: ['onnxruntime-node', 'sharp', 'better-sqlite3'] },
  },
});
