import { expect, test, type Page } from '@playwright/test';
import { clickPhoto, maskArea, selectByHand, uploadPhoto } from './helpers.ts';

const W = 768;
const H = 1024;

async function drag(page: Page, from: [number, number], to: [number, number], steps = 8) {
  const box = (await page.getByTestId('editor-canvas').boundingBox())!;
  await page.mouse.move(box.x + box.width * from[0], box.y + box.height * from[1]);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * to[0], box.y + box.height * to[1], { steps });
  await page.mouse.up();
}

async function areaChange(page: Page, before: number) {
  await expect.poll(() => maskArea(page)).not.toBe(before);
  return maskArea(page);
}

test('pieces join one selection; right click and Alt+click remove; candidates switch', async ({ page }) => {
  await uploadPhoto(page, 'person-idm-00034.jpg');
  await clickPhoto(page, 0.5, 0.5); // the top
  const top = await areaChange(page, 0);
  await expect(page.getByTestId('mask-candidates').getByRole('button')).toHaveCount(4);
  // Each candidate is a picture of its shape; the chosen one is the selection (one piece so far), seen at 96 px.
  const pictures = page.getByTestId('mask-candidates').locator('button canvas');
  await expect(pictures).toHaveCount(4);
  const shares = await pictures.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-share'))));
  expect(new Set(shares).size).toBeGreaterThan(1);
  const chosen = await page
    .getByTestId('mask-candidates')
    .getByRole('button')
    .evaluateAll((els) => els.findIndex((e) => e.getAttribute('aria-pressed') === 'true'));
  const photoPixels = await page.getByTestId('editor-stage').evaluate((el) => {
    const img = el.querySelector('img')!;
    return img.naturalWidth * img.naturalHeight;
  });
  expect(Math.abs(shares[chosen]! - top / photoPixels)).toBeLessThan(0.02);

  await clickPhoto(page, 0.45, 0.88); // the trousers: a second piece joins
  const both = await areaChange(page, top);
  expect(both).toBeGreaterThan(top);

  await clickPhoto(page, 0.45, 0.88, { button: 'right' }); // remove: refines the piece just made
  const afterRemove = await areaChange(page, both);
  expect(afterRemove).toBeLessThan(both);
  await page.keyboard.press('Control+z');
  await expect.poll(() => maskArea(page)).toBe(both);

  await clickPhoto(page, 0.45, 0.88, { modifiers: ['Alt'] }); // Alt+click removes too
  expect(await areaChange(page, both)).toBeLessThan(both);
  await page.keyboard.press('Control+z');
  await expect.poll(() => maskArea(page)).toBe(both);

  // another candidate for the last piece changes the selection; the first comes back
  const candidates = page.getByTestId('mask-candidates').getByRole('button');
  const active = await candidates.evaluateAll((els) => els.findIndex((e) => e.getAttribute('aria-pressed') === 'true'));
  const other = active === 0 ? 3 : 0;
  await candidates.nth(other).click();
  const switched = await areaChange(page, both);
  await expect(candidates.nth(other)).toHaveAttribute('aria-pressed', 'true');
  await candidates.nth(active).click();
  await expect.poll(() => maskArea(page)).toBe(both);
  expect(switched).not.toBe(both);

  // the touch-friendly Remove mode does what right click does
  await page.getByTestId('mode-remove').click();
  await clickPhoto(page, 0.45, 0.88);
  expect(await areaChange(page, both)).toBeLessThan(both);
});

test('box, brush, erase, invert, redo and brush-size shortcuts', async ({ page }) => {
  await uploadPhoto(page, 'person-idm-00034.jpg');

  await page.getByTestId('tool-box').click();
  await drag(page, [0.3, 0.3], [0.7, 0.7]);
  const boxed = await areaChange(page, 0);
  expect(boxed).toBeLessThan(0.4 * W * 0.4 * H * 1.05);

  await page.getByTestId('tool-brush').click();
  await page.keyboard.press(']'); // bigger brush
  await drag(page, [0.05, 0.1], [0.25, 0.1]);
  const painted = await areaChange(page, boxed);
  expect(painted).toBeGreaterThan(boxed);

  await page.getByTestId('mode-remove').click();
  await drag(page, [0.05, 0.1], [0.25, 0.1]);
  expect(await areaChange(page, painted)).toBe(boxed);

  await page.getByTestId('invert').click();
  await expect.poll(() => maskArea(page)).toBe(W * H - boxed);

  await page.getByTestId('undo').click();
  await expect.poll(() => maskArea(page)).toBe(boxed);
  await page.getByTestId('redo').click();
  await expect.poll(() => maskArea(page)).toBe(W * H - boxed);
  await page.keyboard.press('Control+Shift+z'); // nothing left to redo: unchanged
  await page.keyboard.press('Control+z');
  await expect.poll(() => maskArea(page)).toBe(boxed);
});

test('the studio speaks Chinese', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByRole('button', { name: '选择照片' })).toBeVisible();
  await page.getByTestId('lang-switch').click();
  await expect(page.getByRole('button', { name: 'Choose photo' })).toBeVisible();
});

test('a 12 MP photo: the click is drawn first, the exact full-resolution area follows; undo, save and reload agree', async ({ page }) => {
  const { photo } = await import('../support/paths.ts');
  const sharp = (await import('sharp')).default;
  const { mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'atelier-12mp-')), 'big.jpg');
  await sharp(photo('person-idm-00034.jpg')).resize(3000, 4000).jpeg({ quality: 90 }).toFile(file);

  await page.goto('/');
  await selectByHand(page);
  await expect(page.getByTestId('upload-drop')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('upload-input').setInputFiles(file);
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await expect(page.getByTestId('editor-stage')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  await clickPhoto(page, 0.5, 0.5);
  const first = await areaChange(page, 0);
  expect(first).toBeGreaterThan(0);
  expect(first).toBeLessThan(3000 * 4000);
  await clickPhoto(page, 0.45, 0.88);
  const both = await areaChange(page, first);
  await page.getByTestId('undo').click();
  await expect.poll(() => maskArea(page)).toBe(first);
  await page.getByTestId('redo').click();
  await expect.poll(() => maskArea(page)).toBe(both);
  await page.getByTestId('save-mask').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  const id = page.url().split('/s/')[1];
  expect((await (await page.request.get(`/api/sessions/${id}`)).json()).session.mask.area).toBe(both);
  await page.reload();
  await expect(page.getByTestId('editor-stage')).toHaveAttribute('data-ready', 'true', { timeout: 60_000 });
  expect(await maskArea(page)).toBe(both);
});

test('the outline marches while the photo is in view, and stands still for reduced motion', async ({ page }) => {
  await uploadPhoto(page, 'person-idm-00034.jpg');
  await clickPhoto(page, 0.5, 0.5);
  await areaChange(page, 0);
  await expect(page.getByTestId('click-feedback')).toHaveCount(0);
  // Away from the photo, so that no hover preview shows (the ants wait while one does).
  await page.mouse.move(1, 1);
  const stage = page.getByTestId('editor-stage');
  const frames = async () => {
    const first = await stage.screenshot({ animations: 'allow' });
    await page.waitForTimeout(400);
    return [first, await stage.screenshot({ animations: 'allow' })] as const;
  };
  const [a, b] = await frames();
  expect(a.equals(b)).toBe(false);

  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await page.waitForTimeout(300); // a step already queued may still land
  const [c, d] = await frames();
  expect(c.equals(d)).toBe(true);
});
