// A new version is deployed while the studio is open: the waiting service worker is offered with the
// "update available" prompt, and Update switches the page to it. Runs against its own server on a
// copy of the build, whose sw.js the test changes (the shared build is left alone).
import { expect, test } from '@playwright/test';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/paths.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { ownerState } from '../support/e2e-sign-in.ts';

let root: string;
let server: RunningServer;

test.beforeAll(async () => {
  mkdirSync(path.join(ROOT, 'tests/.generated'), { recursive: true });
  root = mkdtempSync(path.join(ROOT, 'tests/.generated/pwa-update-'));
  cpSync(path.join(ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
  // The server entry and what it imports (config.ts and its modules) run from source.
  cpSync(path.join(ROOT, 'src'), path.join(root, 'src'), { recursive: true });
  cpSync(path.join(ROOT, 'models/manifest.json'), path.join(root, 'models/manifest.json'));
  server = await startServer({ root });
});
test.afterAll(async () => {
  await server?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

// A studio of its own: signed in there, not with the shared e2e server's cookie.
test.use({ storageState: { cookies: [], origins: [] } });
test.beforeEach(async ({ context }) => {
  await context.addCookies((await ownerState(server.url)).cookies as Parameters<typeof context.addCookies>[0]);
});

test('a new version deployed: the studio offers to update, and Update switches to it', async ({ page }) => {
  await page.goto(`${server.url}/`);
  await page.evaluate(async () => void (await navigator.serviceWorker.ready));
  await page.reload();
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  await expect(page.getByTestId('update-available')).toBeHidden();

  // "Deploy" a new version: a service worker with different bytes; the page checks for updates.
  appendFileSync(path.join(root, 'dist/client/sw.js'), '\n// next version\n');
  // A build writes the compressed copies with the file; this edit by hand removes the old ones.
  for (const copy of ['sw.js.br', 'sw.js.gz']) rmSync(path.join(root, 'dist/client', copy), { force: true });
  await page.evaluate(async () => void (await (await navigator.serviceWorker.getRegistration())!.update()));
  await expect(page.getByTestId('update-available')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('update-available')).toContainText('new version');

  // Update: the waiting worker takes over and the page reloads under it.
  const reloaded = page.waitForEvent('load');
  await page.getByTestId('update-now').click();
  await reloaded;
  await expect(page.getByTestId('update-available')).toBeHidden();
  const reg = await page.evaluate(async () => {
    const r = (await navigator.serviceWorker.getRegistration())!;
    return { waiting: !!r.waiting, active: r.active?.state, controlled: !!navigator.serviceWorker.controller };
  });
  expect(reg).toEqual({ waiting: false, active: 'activated', controlled: true });
});
