import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../support/server.ts';
import { ownerState } from '../support/e2e-sign-in.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ env: { ATELIER_MODELS_DIR: mkdtempSync(path.join(os.tmpdir(), 'atelier-nomodels-')) } });
});
test.afterAll(() => server?.stop());

// A studio of its own: signed in there, not with the shared e2e server's cookie.
test.use({ storageState: { cookies: [], origins: [] } });
test.beforeEach(async ({ context }) => {
  await context.addCookies((await ownerState(server.url)).cookies as Parameters<typeof context.addCookies>[0]);
});

test('without the segmentation model the studio says which command installs it, before any upload', async ({ page }) => {
  await page.goto(`${server.url}/`);
  await expect(page.getByTestId('upload-models-missing')).toContainText('npm run models');
  await expect(page.getByRole('button', { name: 'Choose photo' })).toBeDisabled();
});
