import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { photo } from '../support/paths.ts';
import { clickPhoto, maskArea, uploadPhoto, waitForEditor } from './helpers.ts';

test('a merchant uploads a photo, selects the garment with a click, undoes, saves, reloads', async ({ page }) => {
  const sessionId = await uploadPhoto(page, 'person-idm-00034.jpg');
  const photoArea = 768 * 1024;
  expect(await maskArea(page)).toBe(0);

  // The click is acknowledged where it was made until the mask arrives (a ripple, then gone).
  await page.evaluate(() => {
    const w = window as unknown as { sawClickFeedback: boolean };
    w.sawClickFeedback = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid=click-feedback]')) w.sawClickFeedback = true;
    }).observe(document.body, { subtree: true, childList: true });
  });
  await clickPhoto(page, 0.5, 0.55); // the top, mid-torso
  await expect.poll(() => maskArea(page)).toBeGreaterThan(0);
  expect(await page.evaluate(() => (window as unknown as { sawClickFeedback: boolean }).sawClickFeedback)).toBe(true);
  await expect(page.getByTestId('click-feedback')).toHaveCount(0);
  const first = await maskArea(page);
  expect(first).toBeLessThan(photoArea);

  await page.getByTestId('undo').click();
  await expect.poll(() => maskArea(page)).toBe(0);
  await page.getByTestId('redo').click();
  await expect.poll(() => maskArea(page)).toBe(first);

  await page.getByTestId('save-mask').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  const saved = await (await page.request.get(`/api/sessions/${sessionId}`)).json();
  expect(saved.session.mask.area).toBe(first);

  await page.reload();
  await waitForEditor(page);
  expect(await maskArea(page)).toBe(first);
  await page.screenshot({ path: 'test-results/mask-editor.png' });
});

test('an unsaved selection is saved before an in-app link leaves the page', async ({ page }) => {
  await uploadPhoto(page, 'person-idm-00034.jpg');
  await clickPhoto(page, 0.5, 0.55);
  await expect.poll(() => maskArea(page)).toBeGreaterThan(0);
  const area = await maskArea(page);
  await page.getByTestId('lang-switch').click(); // right away, before the autosave
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await waitForEditor(page);
  expect(await maskArea(page)).toBe(area);
});

test.describe('before the selection tool is ready', () => {
  // The service worker would answer the decoder from its cache, out of the route's reach.
  test.use({ serviceWorkers: 'block' });

  test('a press on the photo is kept, shown where it was made, and answered once the tool is ready', async ({ page }) => {
    const upload = await page.request.post('/api/images', {
      multipart: { image: { name: 'early.jpg', mimeType: 'image/jpeg', buffer: readFileSync(photo('person-idm-00034.jpg')) } },
    });
    expect(upload.status()).toBe(201);
    const { session } = await upload.json();
    // The decoder is held back until the press is made.
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    await page.route('**/models/*.onnx*', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`/s/${session.id}`);
    await expect(page.getByTestId('editor-loading')).toBeVisible();
    await clickPhoto(page, 0.5, 0.55);
    await expect(page.getByTestId('early-press')).toBeVisible();
    const marker = (await page.getByTestId('early-press').boundingBox())!;
    const canvas = (await page.getByTestId('editor-canvas').boundingBox())!;
    expect(Math.abs(marker.x + marker.width / 2 - (canvas.x + canvas.width * 0.5))).toBeLessThan(3);
    expect(Math.abs(marker.y + marker.height / 2 - (canvas.y + canvas.height * 0.55))).toBeLessThan(3);
    release();
    await waitForEditor(page);
    await expect.poll(() => maskArea(page)).toBeGreaterThan(0);
    await expect(page.getByTestId('early-press')).toHaveCount(0);
    // The press was the merchant's choice: no proposal replaced it.
    expect(await page.getByTestId('editor-stage').getAttribute('data-auto-runs')).toBeNull();
    // The same click on the ready tool selects the same.
    const area = await maskArea(page);
    await page.getByTestId('undo').click();
    await expect.poll(() => maskArea(page)).toBe(0);
    await clickPhoto(page, 0.5, 0.55);
    await expect.poll(() => maskArea(page)).toBe(area);
  });
});

test.describe('waiting', () => {
  test.use({ serviceWorkers: 'block' });

  test('from the upload to the first click one bar in stages says what it waits for, over a photo that does not move', async ({ page }) => {
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((r) => {
        open = r;
      });
      return { open, opened };
    };
    const upload = gate();
    const decoder = gate();
    await page.route('**/api/images', async (route) => {
      await upload.opened;
      await route.continue();
    });
    await page.route('**/models/*.onnx*', async (route) => {
      await decoder.opened;
      await route.continue();
    });
    await page.goto('/');
    await page.evaluate(() => localStorage.setItem('atelier-auto-select', 'off'));
    await expect(page.getByTestId('upload-drop')).toHaveAttribute('data-ready', 'true');
    await page.getByTestId('upload-input').setInputFiles(photo('person-idm-00034.jpg'));
    const sending = page.getByTestId('upload-progress');
    await expect(sending).toHaveAttribute('data-stage', /^[01]$/);
    await expect(sending.getByRole('progressbar')).toHaveAccessibleName('Upload → Prepare → Selection tool');
    upload.open();

    await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
    const loading = page.getByTestId('editor-loading');
    await expect(loading).toHaveAttribute('data-stage', '2');
    await expect(loading.getByRole('progressbar')).toHaveAttribute('aria-valuenow', /^(6[6-9]|[7-9]\d|100)$/);
    await page.screenshot({ path: 'test-results/editor-loading-stages.png' });
    const waiting = (await page.getByTestId('editor-stage').boundingBox())!;
    decoder.open();
    await waitForEditor(page);
    await expect(loading).toHaveCount(0);
    expect(await page.getByTestId('editor-stage').boundingBox()).toEqual(waiting);

    // The same session opened again later: the tool's own stage alone.
    const held = gate();
    await page.unroute('**/models/*.onnx*');
    await page.route('**/models/*.onnx*', async (route) => {
      await held.opened;
      await route.continue();
    });
    await page.reload();
    await expect(loading).toHaveAttribute('data-stage', '0');
    await expect(loading.getByRole('progressbar')).toHaveAccessibleName('Selection tool');
    held.open();
    await waitForEditor(page);
  });
});

test('zoom: Ctrl+wheel zooms around the pointer, a click there selects the same as unzoomed, the buttons zoom and fit', async ({
  page,
}) => {
  await uploadPhoto(page, 'person-idm-00034.jpg');
  const stage = page.getByTestId('editor-stage');
  await expect(stage).toHaveAttribute('data-zoom', '1.00');
  await clickPhoto(page, 0.5, 0.55);
  await expect.poll(() => maskArea(page)).toBeGreaterThan(0);
  const area = await maskArea(page);
  await page.getByTestId('undo').click();
  await expect.poll(() => maskArea(page)).toBe(0);

  const box = (await page.getByTestId('editor-canvas').boundingBox())!;
  const at = { x: box.x + box.width * 0.5, y: box.y + box.height * 0.55 };
  await page.mouse.move(at.x, at.y);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -400);
  await page.keyboard.up('Control');
  await expect.poll(async () => Number(await stage.getAttribute('data-zoom'))).toBeGreaterThan(1.5);
  // The photo point under the pointer stayed there: the same click selects the same garment.
  await page.mouse.click(at.x, at.y);
  await expect.poll(() => maskArea(page)).toBe(area);
  await page.screenshot({ path: 'test-results/zoomed.png' });

  await page.getByTestId('zoom-fit').click();
  await expect(stage).toHaveAttribute('data-zoom', '1.00');
  await page.getByTestId('zoom-in').click();
  await expect(stage).toHaveAttribute('data-zoom', '1.50');
  await page.getByTestId('zoom-out').click();
  await expect(stage).toHaveAttribute('data-zoom', '1.00');
});

test.describe('on a touch screen', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('two fingers spread zoom and do not select; one finger selects', async ({ page }) => {
    await uploadPhoto(page, 'person-idm-00034.jpg');
    const stage = page.getByTestId('editor-stage');
    const box = (await page.getByTestId('editor-canvas').boundingBox())!;
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    const cdp = await page.context().newCDPSession(page);
    const touch = (type: 'touchStart' | 'touchMove' | 'touchEnd', d: number) =>
      cdp.send('Input.dispatchTouchEvent', {
        type,
        touchPoints:
          type === 'touchEnd'
            ? []
            : [
                { x: cx - d, y: cy, id: 1 },
                { x: cx + d, y: cy, id: 2 },
              ],
      });
    await touch('touchStart', 30);
    for (const d of [45, 60, 75, 90]) await touch('touchMove', d);
    await touch('touchEnd', 90);
    await expect.poll(async () => Number(await stage.getAttribute('data-zoom'))).toBeGreaterThan(2);
    expect(await maskArea(page)).toBe(0);
    await page.getByTestId('zoom-fit').click();
    await page.touchscreen.tap(cx, box.y + box.height * 0.55);
    await expect.poll(() => maskArea(page)).toBeGreaterThan(0);
  });
});
