// Installable PWA and offline sessions (Chromium): the service worker takes over after the first
// visit and serves the second; offline, the sessions page lists the session from this device, the
// studio opens from the caches, the decoder still selects the garment, Generate says it needs a
// connection, and the edits made offline reach the server when the connection returns.
import { expect, test, type Page } from '@playwright/test';
import { clickPhoto, maskArea, uploadPhoto, waitForEditor } from './helpers.ts';

const serverSession = async (page: Page, id: string) => (await (await page.request.get(`/api/sessions/${id}`)).json()).session;
/** The session's record in this device's IndexedDB (src/client/offline-store.ts), or null. */
const deviceRecord = (page: Page, id: string) =>
  page.evaluate(
    (id) =>
      new Promise<unknown>((resolve) => {
        const open = indexedDB.open('atelier-sessions');
        open.onerror = () => resolve(null);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('sessions')) return resolve(null);
          const get = db.transaction('sessions').objectStore('sessions').get(id);
          get.onsuccess = () => resolve(get.result ?? null);
          get.onerror = () => resolve(null);
        };
      }),
    id,
  );

/** Runtime-cache entries whose URL mentions one of `needles`. */
const cachedUrls = (page: Page, needles: string[]) =>
  page.evaluate(async (needles) => {
    const found: string[] = [];
    for (const name of await caches.keys()) {
      if (!name.startsWith('atelier-')) continue;
      for (const req of await (await caches.open(name)).keys()) if (needles.some((n) => req.url.includes(n))) found.push(req.url);
    }
    return found;
  }, needles);

const serverPose = async (page: Page, id: string) => {
  const res = await page.request.get(`/api/sessions/${id}/pose`);
  return res.ok() ? await res.json() : null;
};

test('installable: a manifest per language with icons (maskable too) and a theme colour', async ({ page, context }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBe('/manifest.webmanifest');
  const en = await (await page.request.get(href!)).json();
  expect(en).toMatchObject({ lang: 'en', short_name: 'Atelier', start_url: '/', display: 'standalone', id: '/' });
  expect(en.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
  expect(en.background_color).toMatch(/^#[0-9a-f]{6}$/i);
  const sizes = en.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes}:${i.purpose}`);
  expect(sizes).toEqual(expect.arrayContaining(['192x192:any', '512x512:any', '512x512:maskable']));
  for (const icon of en.icons) {
    const res = await page.request.get(icon.src);
    expect(res.status(), icon.src).toBe(200);
  }
  expect(await page.locator('meta[name="theme-color"]').getAttribute('content')).toBe(en.theme_color);

  await context.addCookies([{ name: 'atelier-lang', value: 'zh-CN', url: page.url() }]);
  await page.reload();
  const zhHref = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(zhHref).toBe('/manifest.zh-CN.webmanifest');
  const zh = await (await page.request.get(zhHref!)).json();
  expect(zh).toMatchObject({ lang: 'zh-CN', id: en.id, start_url: '/', display: 'standalone' });
  expect(zh.name).not.toBe(en.name);
});

test('offline: the session opens from this device, the mask and pose are edited, and the edits sync when back online', async ({
  page,
  context,
}) => {
  // ---- first visit: the studio opens; the service worker installs and activates ----------------
  const sessionId = await uploadPhoto(page, 'person-idm-00034.jpg');
  // `ready` resolves once a worker is active, which may still be "activating" for a moment.
  await expect.poll(() => page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state)).toBe('activated');

  // ---- second visit: the service worker serves it ----------------------------------------------
  const fromWorker: string[] = [];
  page.on('response', (r) => {
    if (r.fromServiceWorker()) fromWorker.push(new URL(r.url()).pathname);
  });
  await page.goto('/');
  await expect(page.getByTestId('sessions')).toHaveAttribute('data-ready', 'true');
  await page.goto(`/s/${sessionId}`);
  await waitForEditor(page);
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);
  // The app shell (precached) and the session's files (runtime caches) come from the worker.
  expect(fromWorker.some((p) => /^\/_astro\/.+\.js$/.test(p))).toBe(true);
  expect(fromWorker).toContain(`/s/${sessionId}`);
  await expect.poll(() => fromWorker.some((p) => p.endsWith('/embedding.npy'))).toBe(true);
  await expect.poll(() => fromWorker.some((p) => p.startsWith('/models/'))).toBe(true);
  // The pose step has loaded (its model is cached for offline use too).
  await expect(page.getByTestId('pose-editor')).not.toHaveAttribute('data-status', 'loading', { timeout: 30_000 });

  // ---- offline: the sessions page lists the session from this device ---------------------------
  await context.setOffline(true);
  await page.goto('/');
  await page.reload();
  await expect(page.getByTestId('offline-banner')).toBeVisible();
  // The server is unreachable: the worker's offline shell renders the list from IndexedDB.
  await expect(page.getByTestId('offline-shell')).toBeVisible();
  const item = page.locator(`[data-testid="session-item"][data-session-id="${sessionId}"]`);
  await expect(item).toBeVisible();
  await expect(item).toHaveAttribute('data-on-device', 'true');
  await expect(page.getByTestId('session-list')).toBeVisible();

  // ---- open it: the decoder and the embedding come from the cache -------------------------------
  await item.locator('a').first().click();
  await page.waitForURL(`**/s/${sessionId}`);
  await waitForEditor(page);
  await expect(page.getByTestId('studio')).toHaveAttribute('data-offline-copy', 'true');
  // Stored responses keep their COOP/COEP headers: still cross-origin isolated (ORT threads).
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  const before = await maskArea(page);
  await clickPhoto(page, 0.5, 0.55); // the top, mid-torso
  await expect.poll(() => maskArea(page)).not.toBe(before);
  const offlineArea = await maskArea(page);
  expect(offlineArea).toBeGreaterThan(0);
  await page.getByTestId('save-mask').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'pending');

  // ---- the pose is edited offline too --------------------------------------------------------------
  await page.getByTestId('step-pose').click();
  await page.getByTestId('pose-preset-walking').click();
  await page.getByTestId('save-pose').click();
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'pending');
  const offlinePose = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid^="pose-joint-"]')].map((el) => [Number(el.dataset.x), Number(el.dataset.y)]),
  );

  // ---- the edits are kept on the device: a reload (still offline) shows them --------------------
  await page.reload();
  await waitForEditor(page);
  expect(await maskArea(page)).toBe(offlineArea);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'pending');
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'pending');
  await expect(page.getByTestId('pose-joint-left_wrist')).toHaveAttribute('data-x', String(offlinePose[7]![0].toFixed(2)));

  // ---- Generate is disabled, with a note ----------------------------------------------------------
  await page.getByTestId('step-generate').click();
  await expect(page.getByTestId('generate-offline')).toBeVisible();
  await expect(page.getByTestId('generate')).toBeDisabled();

  // Nothing reached the server meanwhile.
  expect((await serverSession(page, sessionId)).mask).toBeNull();

  // ---- back online: the edits reach the server ------------------------------------------------------
  await context.setOffline(false);
  await expect(page.getByTestId('offline-banner')).toBeHidden();
  await expect.poll(async () => (await serverSession(page, sessionId)).mask?.area ?? null, { timeout: 30_000 }).toBe(offlineArea);
  await expect.poll(async () => (await serverPose(page, sessionId))?.rev ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
  const synced = await serverPose(page, sessionId);
  offlinePose.forEach(([x, y], i) => {
    expect(synced.pose.keypoints[i].x).toBeCloseTo(x, 1);
    expect(synced.pose.keypoints[i].y).toBeCloseTo(y, 1);
  });
  await page.getByTestId('step-garment').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'saved');
  await expect(page.getByTestId('generate')).toBeEnabled();
});

test('delete a session from the list: gone on the server and on this device', async ({ page }) => {
  // A photo no other session uses (the offline test's photo may still be on the server).
  const sessionId = await uploadPhoto(page, 'person-idm-00121.jpg');
  const imageId: string = (await serverSession(page, sessionId)).image.id;
  await page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state);
  await page.reload(); // controlled now: its files go into the runtime caches
  await waitForEditor(page);
  await expect.poll(async () => (await cachedUrls(page, [imageId])).length, { timeout: 20_000 }).toBeGreaterThan(0);
  expect(await deviceRecord(page, sessionId)).not.toBeNull();

  await page.goto('/');
  const item = page.locator(`[data-testid="session-item"][data-session-id="${sessionId}"]`);
  await expect(item).toHaveAttribute('data-on-device', 'true');
  await expect(page.getByTestId('storage-used')).toContainText(/\d/);
  await item.getByTestId('session-delete').click();
  await item.getByTestId('session-delete-confirm').click();
  await expect(item).toHaveCount(0);
  expect((await page.request.get(`/api/sessions/${sessionId}`)).status()).toBe(404);
  expect((await page.request.get(`/api/images/${imageId}/thumb.jpg`)).status()).toBe(404);
  expect(await deviceRecord(page, sessionId)).toBeNull();
  expect(await cachedUrls(page, [sessionId, imageId])).toEqual([]);
  await page.reload();
  await expect(page.locator(`[data-testid="session-item"][data-session-id="${sessionId}"]`)).toHaveCount(0);
});
