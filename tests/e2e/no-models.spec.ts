import { expect, test } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ env: { ATELIER_MODELS_DIR: mkdtempSync(path.join(os.tmpdir(), 'atelier-nomodels-')) } });
});
test.afterAll(() => server?.stop());

test('without the segmentation model the studio says which command installs it, before any upload', async ({ page }) => {
  await page.goto(`${server.url}/`);
  await expect(page.getByTestId('upload-models-missing')).toContainText('npm run models');
  await expect(page.getByRole('button', { name: 'Choose photo' })).toBeDisabled();
});
