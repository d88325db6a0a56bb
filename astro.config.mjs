import { defineConfig } from 'astro/config';
import node from '@astrojs/node';
import solid from '@astrojs/solid-js';
import UnoCSS from 'unocss/astro';

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export default defineConfig({
  output: 'server',
  adapter: node({ mode: 'standalone' }),
  integrations: [UnoCSS({ injectReset: true }), solid()],
  // `astro dev` serves static files itself; these make dev cross-origin isolated like server.mjs.
  server: { headers: isolationHeaders },
  // Cross-site form posts are refused in src/middleware.ts with our JSON error shape instead.
  security: { checkOrigin: false },
  vite: {
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    worker: { format: 'es' },
    ssr: { external: ['onnxruntime-node', 'sharp', 'better-sqlite3'] },
  },
});
