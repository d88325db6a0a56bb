/// <reference types="vitest/config" />
import { getViteConfig } from 'astro/config';

// Unit tests live beside the code they test (src/lib/**, src/server/**); API tests start the built server (tests/api).
export default getViteConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/unit/**/*.test.ts', 'tests/api/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
    // API tests share a started server per file; run files one after another on 2 cores.
    fileParallelism: false,
    reporters: process.env.ATELIER_TEST_REPORT
      ? ['default', ['json', { outputFile: `${process.env.ATELIER_TEST_REPORT}/vitest.json` }]]
      : ['default'],
  },
});
