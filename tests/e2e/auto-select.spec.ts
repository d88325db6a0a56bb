// The garment proposed before any click: the pose step's body and the tapped garment kind prompt SAM in the
// worker; the proposal is the selection (saved like one made by hand), another kind replaces it, Undo returns.
import { expect, test } from '@playwright/test';
import { maskArea, uploadPhoto } from './helpers.ts';

const settled = /^(done|check)$/;

test('a photo opens with the garment already selected; another kind replaces it; undo goes back', async ({ page }) => {
  const sessionId = await uploadPhoto(page, 'person-idm-00034.jpg', { keepProposal: true });
  const status = page.getByTestId('auto-select-status');
  await expect(status).toHaveAttribute('data-state', settled, { timeout: 60_000 });
  await expect(page.getByTestId('garment-kind-outfit')).toHaveAttribute('aria-pressed', 'true');
  const outfit = await maskArea(page);
  expect(outfit).toBeGreaterThan(0);
  expect(outfit).toBeLessThan(768 * 1024);
  await page.screenshot({ path: 'test-results/auto-select-outfit.png' });
  // The proposal is saved as the session's mask without a click.
  await expect.poll(async () => (await (await page.request.get(`/api/sessions/${sessionId}`)).json()).session.mask?.area ?? 0).toBe(outfit);

  await page.getByTestId('garment-kind-top').click();
  await expect(page.getByTestId('editor-stage')).toHaveAttribute('data-auto-runs', '2');
  await expect(status).toHaveAttribute('data-state', settled);
  const top = await maskArea(page);
  expect(top).toBeGreaterThan(0);
  expect(top).not.toBe(outfit);
  await page.screenshot({ path: 'test-results/auto-select-top.png' });
  await page.getByTestId('undo').click();
  await expect.poll(() => maskArea(page)).toBe(outfit);

  // The kind is remembered on this device.
  await page.reload();
  await expect(page.getByTestId('garment-kind-top')).toHaveAttribute('aria-pressed', 'true');
});
