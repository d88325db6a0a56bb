import { expect, test } from '@playwright/test';
import { clickPhoto, maskArea, uploadPhoto, waitForEditor } from './helpers.ts';

test('a merchant uploads a photo, selects the garment with a click, undoes, saves, reloads', async ({ page }) => {
  const sessionId = await uploadPhoto(page, 'person-idm-00034.jpg');
  const photoArea = 768 * 1024;
  expect(await maskArea(page)).toBe(0);

  await clickPhoto(page, 0.5, 0.55); // the top, mid-torso
  await expect.poll(() => maskArea(page)).toBeGreaterThan(0);
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
