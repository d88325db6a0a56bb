import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/support/chromium.ts';
import { E2E_STATE } from './tests/support/e2e-sign-in.ts';

const port = Number(process.env.ATELIER_E2E_PORT ?? 4399);
const report = process.env.ATELIER_TEST_REPORT;

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  globalSetup: './tests/support/e2e-sign-in.ts',
  retries: 0,
  reporter: report ? [['list'], ['json', { outputFile: `${report}/playwright.json` }]] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    storageState: E2E_STATE,
    viewport: { width: 1280, height: 860 },
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  webServer: {
    command: 'node tests/support/serve-for-e2e.ts',
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: { ATELIER_E2E_PORT: String(port) },
  },
});
