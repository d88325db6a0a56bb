import { expect, test } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { clickPhoto, maskArea, uploadPhoto } from './helpers.ts';

test('select a garment, generate model shots, watch progress, get results in the gallery and download them', async ({ page }) => {
  const sessionId = await uploadPhoto(page, 'person-idm-00034.jpg');
  await clickPhoto(page, 0.5, 0.5);
  await expect.poll(() => maskArea(page)).toBeGreaterThan(0);
  await page.getByTestId('save-mask').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');

  await page.getByTestId('step-pose').click();
  await expect(page.getByTestId('pose-overlay')).toBeVisible();
  await expect(page.getByTestId('save-pose')).toBeEnabled({ timeout: 30_000 });
  await page.getByTestId('save-pose').click();
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'saved');

  await page.getByTestId('step-generate').click();
  await page.getByTestId('recipe-model-shot').click();
  await page.getByTestId('preset-model-m-african-30s-tall').click();
  await page.getByTestId('preset-scene-cafe').click();
  await page.getByTestId('count').fill('2');
  await page.getByTestId('generate').click();

  const progress = page.getByTestId('job-progress');
  await expect(progress).toBeVisible();
  await expect.poll(async () => Number(await progress.getAttribute('aria-valuenow')), { timeout: 30_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/generate-progress.png' });

  await expect(page.getByTestId('result-image')).toHaveCount(2, { timeout: 60_000 });
  await expect(progress).toHaveCount(0);
  await page.screenshot({ path: 'test-results/generate-results.png', fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByTestId('download-result').first().click();
  const png = readFileSync(await (await download).path());
  const meta = await sharp(png).metadata();
  expect([meta.format, meta.width, meta.height]).toEqual(['png', 768, 1024]);

  const zipDownload = page.waitForEvent('download');
  await page.getByTestId('download-all').click();
  const zip = unzipSync(new Uint8Array(readFileSync(await (await zipDownload).path())));
  expect(Object.keys(zip).filter((n) => n.endsWith('.png'))).toHaveLength(2);

  // Closing the tab loses nothing: the gallery comes back.
  await page.goto(`/s/${sessionId}#generate`);
  await expect(page.getByTestId('result-image')).toHaveCount(2);

  // The before/after handle moves with the keyboard (and the finger: anywhere on the picture).
  const handle = page.getByTestId('compare-handle').first();
  await handle.focus();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(handle).toHaveAttribute('aria-valuenow', '40');
  const compare = (await page.getByTestId('before-after').first().boundingBox())!;
  await page.mouse.click(compare.x + compare.width * 0.8, compare.y + compare.height / 2);
  await expect(handle).toHaveAttribute('aria-valuenow', '80');

  // Full screen: keyboard, 100 %, swipe, Esc gives the focus back.
  const enlarge = page.getByTestId('result-enlarge').first();
  await enlarge.click();
  const box = page.getByTestId('lightbox');
  await expect(box).toBeVisible();
  await expect(box).toHaveAttribute('data-index', '0');
  await page.keyboard.press('ArrowRight');
  await expect(box).toHaveAttribute('data-index', '1');
  await page.keyboard.press('ArrowLeft');
  await expect(box).toHaveAttribute('data-index', '0');
  await page.getByTestId('lightbox-zoom').click();
  await expect(box).toHaveAttribute('data-zoom', 'actual');
  expect((await page.getByTestId('lightbox-image').boundingBox())!.width).toBe(768);
  await page.getByTestId('lightbox-zoom').click();
  await expect(box).toHaveAttribute('data-zoom', 'fit');
  const view = (await page.getByTestId('lightbox-viewport').boundingBox())!;
  await page.mouse.move(view.x + view.width * 0.8, view.y + view.height / 2);
  await page.mouse.down();
  await page.mouse.move(view.x + view.width * 0.5, view.y + view.height / 2, { steps: 5 });
  await page.mouse.move(view.x + view.width * 0.2, view.y + view.height / 2, { steps: 5 });
  await page.mouse.up();
  await expect(box).toHaveAttribute('data-index', '1');
  await page.screenshot({ path: 'test-results/lightbox.png' });
  await page.keyboard.press('Escape');
  await expect(box).toHaveCount(0);
  await expect(enlarge).toBeFocused();

  // Make more like this: the same settings and seed, varied; two more results.
  const first = (await (await page.request.get(`/api/sessions/${sessionId}/results`)).json()).results as { id: string; seed: number }[];
  const likedId = await page.getByTestId('result').first().getAttribute('data-result-id');
  const liked = first.find((r) => r.id === likedId)!;
  await page.getByTestId('more-like-this').first().click();
  await expect(page.getByTestId('result-image')).toHaveCount(4, { timeout: 60_000 });
  const all = (await (await page.request.get(`/api/sessions/${sessionId}/results`)).json()).results as {
    id: string;
    seed: number;
    params: Record<string, unknown>;
  }[];
  const fresh = all.filter((r) => !first.some((f) => f.id === r.id));
  expect(fresh).toHaveLength(2);
  for (const r of fresh) {
    expect(r.seed).toBe(liked.seed);
    expect(r.params).toMatchObject({ recipe: 'model-shot', modelPreset: 'm-african-30s-tall', scenePreset: 'cafe' });
  }
});

test('cancel a running job', async ({ page }) => {
  await uploadPhoto(page, 'person-idm-00055.jpg');
  await clickPhoto(page, 0.5, 0.5);
  await expect.poll(() => maskArea(page)).toBeGreaterThan(0);
  await page.getByTestId('save-mask').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await page.getByTestId('step-generate').click();
  await page.getByTestId('recipe-scene-swap').click();
  await page.getByTestId('count').fill('8');
  await page.getByTestId('generate').click();
  await expect(page.getByTestId('job-progress')).toBeVisible();
  await page.getByTestId('cancel-job').click();
  await expect(page.locator('[data-testid=job][data-state=canceled]')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('result-image')).toHaveCount(0);
});

test('the Generate step shows the chosen checkpoint’s family and explains what it cannot do', async ({ page }) => {
  await uploadPhoto(page, 'person-ootd-02849.jpg');
  await page.getByTestId('step-generate').click();
  await page.getByText('More settings').click();
  // The double has an SD 1.5 checkpoint loaded, an SDXL one installed, and only an SD 1.5 OpenPose model.
  await expect(page.getByTestId('checkpoint-family')).toHaveAttribute('data-family', 'sd15');
  await expect(page.getByTestId('recipe-model-shot')).toBeEnabled();
  await page.getByTestId('checkpoint').selectOption({ label: 'juggernautXL_v9Rdphoto2Lightning.safetensors [c9e3e68f89] · SDXL' });
  await expect(page.getByTestId('checkpoint-family')).toHaveAttribute('data-family', 'sdxl');
  await expect(page.getByTestId('recipe-model-shot')).toBeDisabled();
  await expect(page.getByTestId('recipe-scene-swap')).toBeEnabled();
  await expect(page.getByTestId('family-note')).toContainText('SDXL');
  await page.getByTestId('checkpoint').selectOption('');
  await expect(page.getByTestId('recipe-model-shot')).toBeEnabled();
});
