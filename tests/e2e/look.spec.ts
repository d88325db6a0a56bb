// How the studio looks and whom it leaves out: on a phone, a tablet and a desktop, every page and step has no serious
// accessibility violation (axe), the phone puts the photo first with the tools in a bottom bar of 44 px targets.
// With ATELIER_SCREENSHOTS=1 it also writes the README's screenshots (docs/screenshots/<lang>/<size>-<view>.jpg), in
// English and Chinese (`npm run screenshots`).
import AxeBuilder from '@axe-core/playwright';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { placePreset } from '../../src/lib/pose/presets.ts';
import { photo, ROOT } from '../support/paths.ts';
import { waitForEditor } from './helpers.ts';

const SIZES = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  tablet: { viewport: { width: 820, height: 1180 }, isMobile: false, hasTouch: true },
  desktop: { viewport: { width: 1440, height: 900 }, isMobile: false, hasTouch: false },
} as const;
type Size = keyof typeof SIZES;
const SHOOT = process.env.ATELIER_SCREENSHOTS === '1';
const LANGS = SHOOT ? (['en', 'zh-CN'] as const) : (['en'] as const);

/** A session with a garment, a pose and two results, made through the API as the studio would. */
async function preparedSession(page: Page): Promise<string> {
  const up = await page.request.post('/api/images', {
    multipart: { image: { name: 'look.jpg', mimeType: 'image/jpeg', buffer: readFileSync(photo('person-idm-00034.jpg')) } },
  });
  const { session } = await up.json();
  const w = 768;
  const h = 1024;
  const mask = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if (((x - w * 0.5) / (w * 0.22)) ** 2 + ((y - h * 0.45) / (h * 0.2)) ** 2 <= 1) mask[y * w + x] = 255;
  const png = await sharp(mask, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();
  expect((await page.request.put(`/api/sessions/${session.id}/mask`, { data: png, headers: { 'content-type': 'image/png' } })).ok()).toBe(
    true,
  );
  expect((await page.request.put(`/api/sessions/${session.id}/pose`, { data: placePreset('front', w, h) })).ok()).toBe(true);
  const job = await page.request.post('/api/jobs', { data: { sessionId: session.id, recipe: 'model-shot', count: 2 } });
  const { job: queued } = await job.json();
  await expect
    .poll(async () => (await (await page.request.get(`/api/jobs/${queued.id}`)).json()).job.state, { timeout: 90_000 })
    .toBe('succeeded');
  return session.id;
}

async function seriousViolations(page: Page, view: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${view}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function openIn(context: BrowserContext, lang: string): Promise<Page> {
  await context.addCookies([{ name: 'atelier-lang', value: lang, url: test.info().project.use.baseURL! }]);
  return context.newPage();
}

for (const size of Object.keys(SIZES) as Size[]) {
  test.describe(`${size}`, () => {
    test.use({ ...SIZES[size], serviceWorkers: 'block' });

    for (const lang of LANGS) {
      test(`every page and step: no serious accessibility violation${SHOOT ? `, screenshots (${lang})` : ''}`, async ({
        page: first,
        context,
      }) => {
        test.setTimeout(240_000);
        const sessionId = await preparedSession(first);
        const page = lang === 'en' ? first : await openIn(context, lang);
        const found: string[] = [];
        const dir = path.join(ROOT, 'docs/screenshots', lang);
        if (SHOOT) mkdirSync(dir, { recursive: true });
        const look = async (view: string, fullPage = false) => {
          found.push(...(await seriousViolations(page, view)));
          if (SHOOT) await page.screenshot({ path: path.join(dir, `${size}-${view}.jpg`), fullPage, type: 'jpeg', quality: 80 });
        };

        await page.goto('/');
        await expect(page.getByTestId('upload-drop')).toHaveAttribute('data-ready', 'true');
        await look('home');

        await page.goto(`/s/${sessionId}`);
        await waitForEditor(page);
        await look('garment');

        await page.getByTestId('step-pose').click();
        await expect(page.getByTestId('pose-overlay')).toBeVisible();
        await look('pose');

        await page.getByTestId('step-generate').click();
        await expect(page.getByTestId('result-image')).toHaveCount(2, { timeout: 30_000 });
        await look('generate');
        await page.getByTestId('result').first().scrollIntoViewIfNeeded();
        await look('results');
        await page.getByTestId('result-enlarge').first().click();
        await expect(page.getByTestId('lightbox')).toBeVisible();
        await look('lightbox');
        await page.keyboard.press('Escape');

        // A job on its way: progress and preview.
        await page.getByTestId('count').fill('8');
        await page.getByTestId('generate').click();
        await expect(page.getByTestId('job-progress')).toBeVisible();
        await expect.poll(async () => Number(await page.getByTestId('job-progress').getAttribute('aria-valuenow'))).toBeGreaterThan(0);
        await page.getByTestId('job').first().scrollIntoViewIfNeeded();
        await look('running-job');
        await page.getByTestId('cancel-job').click();

        await page.goto('/batch');
        await expect(page.getByTestId('batch-page')).toHaveAttribute('data-ready', 'true');
        await look('batch');
        await page.goto('/workspace');
        await look('workspace');
        await page.goto('/api-docs');
        await look('api-docs');
        await page.goto('/offline');
        await look('offline');
        expect(found).toEqual([]);
      });
    }

    test.describe('signed out', () => {
      test.use({ storageState: { cookies: [], origins: [] } });
      test('the sign-in page has no serious accessibility violation', async ({ page }) => {
        await page.goto('/sign-in');
        await expect(page.locator('form')).toBeVisible();
        expect(await seriousViolations(page, 'sign-in')).toEqual([]);
        const file = path.join(ROOT, 'docs/screenshots/en', `${size}-sign-in.jpg`);
        if (SHOOT) await page.screenshot({ path: file, type: 'jpeg', quality: 80 });
      });
    });

    if (size === 'desktop') {
      test('keyboard: the focused control is ringed, and the tools answer Enter', async ({ page }) => {
        const sessionId = await preparedSession(page);
        await page.goto(`/s/${sessionId}`);
        await waitForEditor(page);
        const ring = () =>
          page.evaluate(() => {
            const s = getComputedStyle(document.activeElement!);
            return {
              testid: document.activeElement!.getAttribute('data-testid'),
              style: s.outlineStyle,
              width: parseFloat(s.outlineWidth),
            };
          });
        await page.getByTestId('tool-point').focus();
        await page.keyboard.press('Tab'); // focus moved by the keyboard: :focus-visible
        expect(await ring()).toEqual({ testid: 'tool-box', style: 'solid', width: 2 });
        await page.keyboard.press('Enter');
        await expect(page.getByTestId('tool-box')).toHaveAttribute('aria-pressed', 'true');
        await page.getByTestId('step-generate').click();
        await page.getByTestId('preset-scene-beach').focus();
        await page.keyboard.press('Shift+Tab');
        await page.keyboard.press('Tab');
        expect(await ring()).toEqual({ testid: 'preset-scene-beach', style: 'solid', width: 2 });
        await page.keyboard.press('Space');
        await expect(page.getByTestId('preset-scene-beach')).toHaveAttribute('aria-pressed', 'true');
      });
    }

    if (size !== 'phone') {
      test('a side panel beside the photo, which keeps its place and size from the garment step to the pose step', async ({ page }) => {
        const sessionId = await preparedSession(page);
        await page.goto(`/s/${sessionId}`);
        await waitForEditor(page);
        const panel = (await page.getByRole('complementary', { name: 'Selection tools' }).boundingBox())!;
        const kinds = (await page.getByTestId('garment-kind-top').boundingBox())!;
        const garment = (await page.getByTestId('editor-stage').boundingBox())!;
        // The kind and the tools are in the panel, left of the photo; the photo starts at the panel's top.
        expect(kinds.x + kinds.width).toBeLessThanOrEqual(garment.x);
        expect(panel.x + panel.width).toBeLessThanOrEqual(garment.x);
        const kindPanel = (await page.locator('fieldset', { has: page.getByTestId('garment-kind-top') }).boundingBox())!;
        expect(Math.abs(kindPanel.y - garment.y)).toBeLessThan(2);
        await page.getByTestId('step-pose').click();
        await expect(page.getByTestId('pose-overlay')).toBeVisible();
        const pose = (await page.getByTestId('pose-stage').boundingBox())!;
        for (const k of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(pose[k] - garment[k]), k).toBeLessThan(2);
      });
    }

    if (size === 'phone') {
      test('the photo comes first and the tools sit in a bottom bar of 44 px targets', async ({ page }) => {
        const sessionId = await preparedSession(page);
        await page.goto(`/s/${sessionId}`);
        await waitForEditor(page);
        const stage = (await page.getByTestId('editor-stage').boundingBox())!;
        expect(stage.y).toBeLessThan(200);
        expect(stage.width).toBeGreaterThan(340);
        const bar = page.getByRole('complementary', { name: 'Selection tools' });
        const box = (await bar.boundingBox())!;
        expect(Math.abs(box.y + box.height - 844)).toBeLessThan(2);
        for (const button of await bar.getByRole('button').all()) {
          if (!(await button.isVisible())) continue;
          const b = (await button.boundingBox())!;
          expect(Math.min(b.width, b.height), (await button.getAttribute('data-testid')) ?? '').toBeGreaterThanOrEqual(44);
        }
        // The bar holds the main tools in one row, with nothing scrolled out of sight; the rest waits behind More.
        expect(await bar.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
        for (const id of ['tool-point', 'tool-box', 'tool-brush', 'mode-add', 'mode-remove', 'undo', 'more-tools'])
          await expect(page.getByTestId(id), id).toBeInViewport();
        for (const id of ['brush-size', 'redo', 'invert', 'clear', 'save-mask']) await expect(page.getByTestId(id), id).toBeHidden();
        // Selecting works from the bottom bar: undo a click.
        const canvas = (await page.getByTestId('editor-canvas').boundingBox())!;
        await page.touchscreen.tap(canvas.x + canvas.width / 2, canvas.y + canvas.height * 0.3);
        await expect(page.getByTestId('undo')).toBeEnabled();
        // The click's other shapes are behind More, which says so; the sheet opens above the bar and closes again.
        await expect(page.getByTestId('more-tools-news')).toBeVisible();
        await page.getByTestId('more-tools').tap();
        await expect(bar).toHaveAttribute('data-sheet', 'open');
        for (const id of ['brush-size', 'redo', 'invert', 'clear', 'save-mask', 'mask-candidate-0'])
          await expect(page.getByTestId(id), id).toBeInViewport();
        const sheet = (await bar.boundingBox())!;
        expect(Math.abs(sheet.y + sheet.height - 844)).toBeLessThan(2);
        if (SHOOT)
          await page.screenshot({ path: path.join(ROOT, 'docs/screenshots/en/phone-garment-more.jpg'), type: 'jpeg', quality: 80 });
        await page.getByTestId('undo').tap();
        await expect(page.getByTestId('undo')).toBeDisabled();
        await page.getByTestId('more-tools').tap();
        await expect(page.getByTestId('redo')).toBeHidden();
      });
    }
  });
}
