// A shop's first run and its staff, as they happen in the browser: the first visit asks for the owner, the owner
// invites a member of staff, who joins from the link, works, and signs out; the tablet then holds nothing of theirs.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { startServer, type RunningServer } from '../support/server.ts';
import { photo } from '../support/paths.ts';

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ auth: false });
});
test.afterAll(() => server?.stop());

const fresh = (browser: Browser) =>
  browser.newContext({ baseURL: server.url, storageState: { cookies: [], origins: [] }, viewport: { width: 412, height: 860 } });

/** What this device keeps: session records (IndexedDB), pending edits, and runtime-cache entries. */
const deviceHoldings = (page: Page) =>
  page.evaluate(async () => {
    const count = (dbName: string, store: string) =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open(dbName);
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(store)) return resolve(0);
          const req = db.transaction(store).objectStore(store).count();
          req.onsuccess = () => resolve(req.result);
          req.onerror = () => resolve(0);
        };
      });
    const cached: string[] = [];
    for (const name of await caches.keys())
      if (name.startsWith('atelier-')) for (const req of await (await caches.open(name)).keys()) cached.push(new URL(req.url).pathname);
    return { sessions: await count('atelier-sessions', 'sessions'), pending: await count('atelier-pending', 'edits'), cached };
  });

test('first run: the owner is created in one form, invites staff, who join, work and sign out leaving nothing on the device', async ({
  browser,
}) => {
  const ownerContext = await fresh(browser);
  const owner = await ownerContext.newPage();
  await owner.goto('/');
  await expect(owner).toHaveURL(/\/setup$/);
  await owner.screenshot({ path: 'test-results/setup.png' });
  await owner.getByLabel('Shop name').fill('Maison Test');
  await owner.getByLabel('E-mail').fill('owner@maison.test');
  await owner.getByLabel('New password').fill('short');
  await owner.getByRole('button', { name: 'Create owner account' }).click();
  // The browser's own check (minlength) or the server's words: no account yet either way.
  await expect(owner).toHaveURL(/\/setup$/);
  await owner.getByLabel('New password').fill('a good long password');
  await owner.getByRole('button', { name: 'Create owner account' }).click();
  await expect(owner).toHaveURL(`${server.url}/`);
  await expect(owner.getByTestId('upload-input')).toBeAttached();

  await owner.getByTestId('nav-workspace').click();
  await owner.getByTestId('invite-create').getByRole('combobox').selectOption('editor');
  await owner.getByRole('button', { name: 'Create invite link' }).click();
  await expect(owner.getByTestId('invite-url')).toHaveText(/\/invite\/[\w-]{40,}$/);
  const inviteUrl = (await owner.getByTestId('invite-url').textContent())!;
  await owner.screenshot({ path: 'test-results/workspace.png', fullPage: true });

  // The member of staff, on the shop's tablet.
  const tablet = await fresh(browser);
  const staff = await tablet.newPage();
  await staff.goto(inviteUrl);
  await expect(staff.getByRole('heading')).toContainText('Maison Test');
  await staff.getByLabel('E-mail').fill('staff@maison.test');
  await staff.getByLabel('Password').fill('staff password 1');
  await staff.getByRole('button', { name: 'Join' }).click();
  await expect(staff).toHaveURL(`${server.url}/`);
  await expect(staff.getByTestId('upload-drop')).toHaveAttribute('data-ready', 'true');
  await staff.getByTestId('upload-input').setInputFiles(photo('person-idm-00034.jpg'));
  await staff.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await expect(staff.getByTestId('editor-stage')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect.poll(async () => (await deviceHoldings(staff)).sessions).toBe(1);

  // The invite worked once.
  const reuse = await fresh(browser);
  const other = await reuse.newPage();
  await other.goto(inviteUrl);
  await expect(other.getByTestId('invite-gone')).toBeVisible();

  // A download still running when they sign out (a second tab warming a model for offline use) must not put its
  // file back after the device was emptied: the network answers only once the sign-out is over.
  const heldModel = '**/models/pose_landmarker_lite.task';
  let releaseModel = () => {};
  const modelReleased = new Promise<void>((resolve) => (releaseModel = resolve));
  let modelAsked = () => {};
  const modelRequested = new Promise<void>((resolve) => (modelAsked = resolve));
  await tablet.route(heldModel, async (route) => {
    modelAsked();
    await modelReleased;
    await route.continue();
  });
  const secondTab = await tablet.newPage();
  await secondTab.goto('/');
  await expect.poll(() => secondTab.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  const download = secondTab.evaluate(() =>
    fetch('/models/pose_landmarker_lite.task').then(async (r) => (await r.arrayBuffer()).byteLength),
  );
  await modelRequested;

  await staff.getByTestId('sign-out').click();
  await expect(staff).toHaveURL(/\/sign-in$/);
  releaseModel();
  expect(await download).toBeGreaterThan(1_000_000);
  await tablet.unroute(heldModel);
  // Nor one a page still open starts after the sign-out (a worker of the closing studio loading its model late).
  const late = await secondTab.evaluate(() =>
    fetch('/models/pose_landmarker_lite.task').then(async (r) => (await r.arrayBuffer()).byteLength),
  );
  expect(late).toBeGreaterThan(1_000_000);
  expect(await deviceHoldings(staff)).toEqual({ sessions: 0, pending: 0, cached: [] });
  // Signed out, the studio asks to sign in again.
  await staff.goto('/');
  await expect(staff).toHaveURL(/\/sign-in\?next=%2F$/);
  await staff.getByLabel('E-mail').fill('staff@maison.test');
  await staff.getByLabel('Password').fill('wrong password');
  await staff.getByRole('button', { name: 'Sign in' }).click();
  await expect(staff.getByRole('alert').filter({ hasText: 'not right' })).toBeVisible();
  await staff.screenshot({ path: 'test-results/sign-in-refused.png' });

  // The owner sees the staff member's session: the workspace's, not the device's.
  await owner.goto('/');
  await expect(owner.locator('a[href^="/s/"]').first()).toBeVisible();

  // The owner opens a second shop: its studio is empty, this device no longer holds the first shop's sessions, and
  // switching back shows the first shop's work again.
  await owner.locator('a[href^="/s/"]').first().click();
  await expect(owner.getByTestId('editor-stage')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  await expect.poll(async () => (await deviceHoldings(owner)).sessions).toBe(1);
  await owner.getByTestId('nav-workspace').click();
  await expect(owner.getByTestId('shop')).toHaveCount(1);
  await owner.getByTestId('shop-create').getByLabel('New shop’s name').fill('Maison Deux');
  await owner.getByTestId('shop-create').getByRole('button').click();
  await expect(owner).toHaveURL(`${server.url}/`);
  await expect(owner.getByTestId('upload-input')).toBeAttached();
  await expect(owner.locator('a[href^="/s/"]')).toHaveCount(0);
  await expect.poll(async () => (await deviceHoldings(owner)).sessions).toBe(0);
  await owner.getByTestId('nav-workspace').click();
  await expect(owner.getByTestId('shop')).toHaveCount(2);
  await expect(owner.locator('[data-testid=shop][data-current]')).toContainText('Maison Deux');
  await owner.getByTestId('shop').filter({ hasText: 'Maison Test' }).getByRole('button', { name: 'Switch to this shop' }).click();
  await expect(owner).toHaveURL(`${server.url}/`);
  await expect(owner.locator('a[href^="/s/"]').first()).toBeVisible();
  for (const context of [ownerContext, tablet, reuse]) await context.close();
});
