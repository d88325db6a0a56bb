// Astro integration: after the build (and after the service worker is generated: it comes last in the list), every
// compressible file of dist/client gets its brotli and gzip copy, served by src/server/main.mjs.
import { fileURLToPath } from 'node:url';
import type { AstroIntegration } from 'astro';
import { precompressDir } from '../server/http/precompress.ts';

export default function precompress(): AstroIntegration {
  return {
    name: 'atelier-precompress',
    hooks: {
      'astro:build:done': async ({ dir, logger }) => {
        const started = performance.now();
        const t = await precompressDir(fileURLToPath(dir));
        const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
        logger.info(
          `${t.files} files: ${mib(t.original)} → ${mib(t.br)} brotli, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
        );
      },
    },
  };
}
