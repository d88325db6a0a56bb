// A season at once: 12 photos (and a file that is not a photo) chosen on the Batch page; each is uploaded, posed and
// selected in the browser; one is fixed in the studio; Generate all runs against the SD double; the catalogue ZIP
// has a folder per photo.
import { expect, test } from '@playwright/test';
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { photosDir } from '../support/paths.ts';
import { clickPhoto, waitForEditor } from './helpers.ts';

test('choose 12 photos, every one gets a selection, fix one, generate all, download the catalogue', async ({ page }) => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-batch-'));
  // Not the photo the offline test deletes (a photo is stored once, however many sessions use it).
  const fixtures = readdirSync(photosDir)
    .filter((f) => f.endsWith('.jpg') && f !== 'person-idm-00121.jpg')
    .sort();
  const files = fixtures.map((f) => path.join(photosDir, f));
  for (const [i, f] of fixtures.slice(0, 3).entries()) {
    const copy = path.join(dir, `again-${i}-${f}`);
    copyFileSync(path.join(photosDir, f), copy);
    files.push(copy);
  }
  const notes = path.join(dir, 'notes.txt');
  writeFileSync(notes, 'not a photo');

  await page.goto('/batch');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('batch-page')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('batch-input').setInputFiles([...files, notes]);
  const items = page.getByTestId('batch-item');
  await expect(items).toHaveCount(13);
  await expect(page.locator('[data-testid=batch-item][data-state=skipped]')).toHaveCount(1);
  await expect(page.locator('[data-testid=batch-item][data-state=skipped]')).toContainText('not a JPEG');
  // Every photo prepared: ready, or needing a look — never stuck, never failed.
  await expect
    .poll(async () => page.locator('[data-testid=batch-item][data-state=ready], [data-testid=batch-item][data-state=check]').count(), {
      timeout: 240_000,
    })
    .toBe(12);
  await page.screenshot({ path: 'test-results/batch-prepared.png', fullPage: true });
  const sessions = await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-session')).filter(Boolean) as string[]);
  expect(sessions).toHaveLength(12);
  for (const id of sessions) {
    const { session } = await (await page.request.get(`/api/sessions/${id}`)).json();
    expect(session.mask?.area ?? 0, id).toBeGreaterThan(0);
  }

  // Fix one in the studio, then back to the grid.
  await page.locator('[data-testid=batch-item]').first().getByTestId('batch-open').click();
  await waitForEditor(page);
  await clickPhoto(page, 0.5, 0.5);
  await page.getByTestId('save-mask').click();
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-state', 'saved');
  await page.goBack();
  await expect(items).toHaveCount(12); // the skipped file was this visit's only

  // Four photos are generated (the double takes a while per result on this machine): the rest are left out.
  const kept = new Set(sessions.slice(-4));
  for (const id of sessions.filter((id) => !kept.has(id))) {
    await page.locator(`[data-testid=batch-item][data-session="${id}"]`).getByRole('button', { name: 'Leave out' }).click();
    await expect(page.locator(`[data-testid=batch-item][data-session="${id}"]`).getByRole('button', { name: 'Put back' })).toBeVisible();
  }
  // The look and the scene as picture cards, the looks filtered to men's.
  await page.getByRole('button', { name: 'Men', exact: true }).click();
  await expect(page.getByTestId('batch-look-f-european-30s-average')).toHaveCount(0);
  await page.getByTestId('batch-look-m-african-30s-tall').click();
  await page.getByTestId('batch-scene-beach').click();
  await expect(page.getByTestId('batch-scene-beach')).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('generate-all').click();
  await expect.poll(async () => page.locator('[data-testid=batch-item][data-state=done]').count(), { timeout: 240_000 }).toBe(4);
  await expect(page.locator('[data-testid=batch-item][data-state=generating]')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/batch-done.png', fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByTestId('download-catalogue').click();
  const zip = unzipSync(new Uint8Array(await (await (await download).createReadStream()).toArray().then((c) => Buffer.concat(c))));
  const folders = new Set(Object.keys(zip).map((n) => n.split('/')[0]));
  expect(folders.size).toBe(4);
  for (const folder of folders) {
    const described = JSON.parse(new TextDecoder().decode(zip[`${folder}/parameters.json`]!)) as Record<string, unknown>[];
    expect(described.length).toBeGreaterThan(0);
    for (const d of described) expect(d).toMatchObject({ modelPreset: 'm-african-30s-tall', scenePreset: 'beach' });
  }
});

test.describe('closing the tab', () => {
  // The service worker would answer the model files from its cache, out of the routes' reach.
  test.use({ serviceWorkers: 'block' });

  test('an upload cut off is named on return, an unprepared photo is prepared, the folder dropped again is not uploaded twice', async ({
    context,
  }) => {
    test.setTimeout(180_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-resume-'));
    const files = ['person-idm-00034.jpg', 'garment-idm-09133.jpg', 'person-idm-00055.jpg'].map((f, i) => {
      const copy = path.join(dir, `resume-${i}-${f}`);
      copyFileSync(path.join(photosDir, f), copy);
      return copy;
    });
    // Sessions are titled from the file name without its extension.
    const [first, second, cutOff] = files.map((f) => path.basename(f, '.jpg'));

    // First visit: the third upload never answers and the selection model never arrives; then the tab closes.
    await context.route('**/*.onnx*', () => {});
    await context.route('**/api/images', async (route) => {
      if (route.request().postDataBuffer()?.includes(cutOff!)) return;
      await route.continue();
    });
    const page = await context.newPage();
    await page.goto('/batch');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await expect(page.getByTestId('batch-page')).toHaveAttribute('data-ready', 'true');
    await page.getByTestId('batch-input').setInputFiles(files);
    await expect(page.locator('[data-testid=batch-item][data-state=preparing]')).toHaveCount(2, { timeout: 60_000 });
    await expect(page.locator('[data-testid=batch-item][data-state=uploading]')).toHaveCount(1);
    await page.close();
    await context.unrouteAll({ behavior: 'ignoreErrors' });

    // Coming back: the two uploaded photos get prepared, the third is named as not uploaded.
    const again = await context.newPage();
    await again.goto('/batch');
    const items = again.getByTestId('batch-item');
    await expect(items).toHaveCount(3);
    await expect(again.locator('[data-testid=batch-item][data-state=failed]')).toContainText(cutOff!);
    await expect(again.locator('[data-testid=batch-item][data-state=failed]')).toContainText('page was closed');
    await expect
      .poll(async () => again.locator('[data-testid=batch-item][data-state=ready], [data-testid=batch-item][data-state=check]').count(), {
        timeout: 120_000,
      })
      .toBe(2);
    for (const name of [first, second]) {
      const id = await items.filter({ hasText: name! }).getAttribute('data-session');
      const { session } = await (await again.request.get(`/api/sessions/${id}`)).json();
      expect(session.mask?.area ?? 0, name).toBeGreaterThan(0);
    }

    // The same three chosen again: only the missing one is uploaded.
    const uploads: string[] = [];
    again.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/images') && uploads.push(r.url()));
    await again.getByTestId('batch-input').setInputFiles(files);
    await expect(again.getByRole('status')).toContainText('2 of these photos are already in this batch');
    await expect
      .poll(async () => again.locator('[data-testid=batch-item][data-state=ready], [data-testid=batch-item][data-state=check]').count(), {
        timeout: 120_000,
      })
      .toBe(3);
    await expect(items).toHaveCount(3);
    expect(uploads).toHaveLength(1);
    const batchId = await again.evaluate(() => localStorage.getItem('atelier-batch'));
    const { batch } = await (await again.request.get(`/api/batches/${batchId}`)).json();
    expect(batch.photos.map((p: { title: string }) => p.title).sort()).toEqual([first, second, cutOff].sort());
  });
});

test.describe('closing the tab before the batch was made', () => {
  test.use({ serviceWorkers: 'block' });

  test('photos uploaded while the batch was being made join it on return and are prepared', async ({ context }) => {
    test.setTimeout(120_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-orphans-'));
    const files = ['person-idm-00034.jpg', 'person-ootd-01008.jpg'].map((f, i) => {
      const copy = path.join(dir, `orphan-${i}-${f}`);
      copyFileSync(path.join(photosDir, f), copy);
      return copy;
    });
    // The batch is never made in the first visit: its creation does not answer.
    await context.route('**/api/batches', () => {});
    const page = await context.newPage();
    await page.goto('/batch');
    await page.evaluate(() => localStorage.clear());
    await page.reload();
    await expect(page.getByTestId('batch-page')).toHaveAttribute('data-ready', 'true');
    await page.getByTestId('batch-input').setInputFiles(files);
    await expect(page.locator('[data-testid=batch-item][data-state=preparing]')).toHaveCount(2, { timeout: 60_000 });
    expect(await page.evaluate(() => localStorage.getItem('atelier-batch'))).toBeNull();
    await page.close();
    await context.unrouteAll({ behavior: 'ignoreErrors' });

    const again = await context.newPage();
    await again.goto('/batch');
    await expect
      .poll(async () => again.locator('[data-testid=batch-item][data-state=ready], [data-testid=batch-item][data-state=check]').count(), {
        timeout: 90_000,
      })
      .toBe(2);
    const batchId = await again.evaluate(() => localStorage.getItem('atelier-batch'));
    expect(batchId).toBeTruthy();
    const { batch } = await (await again.request.get(`/api/batches/${batchId}`)).json();
    expect(batch.photos.map((p: { title: string }) => p.title).sort()).toEqual(files.map((f) => path.basename(f, '.jpg')).sort());
    expect(batch.photos.every((p: { masked: boolean }) => p.masked)).toBe(true);
  });
});
