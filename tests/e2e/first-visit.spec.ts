// A first visit downloads only what the device uses: the lite pose model on a phone, the full one on a desktop;
// and everything arrives compressed where it compresses.
import { expect, type Page, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { photo } from '../support/paths.ts';

async function openSession(page: Page): Promise<{ models: string[]; encodings: Map<string, string | undefined> }> {
  const upload = await page.request.post('/api/images', {
    multipart: { image: { name: 'visit.jpg', mimeType: 'image/jpeg', buffer: readFileSync(photo('person-idm-00034.jpg')) } },
  });
  const { session } = await upload.json();
  const models: string[] = [];
  const encodings = new Map<string, string | undefined>();
  page.on('response', async (r) => {
    const url = new URL(r.url());
    if (url.pathname.startsWith('/models/')) models.push(url.pathname.slice('/models/'.length));
    if (/\.(wasm|js)$/.test(url.pathname) || url.pathname.startsWith('/models/'))
      encodings.set(url.pathname, (await r.allHeaders())['content-encoding']);
  });
  await page.goto(`/s/${session.id}#pose`);
  await expect.poll(() => models.some((m) => m.startsWith('pose_landmarker')), { timeout: 60_000 }).toBe(true);
  return { models, encodings };
}

test.describe('on a phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, serviceWorkers: 'block' });

  test('the lite pose model is downloaded, not the full one, and the wasm comes brotli-compressed', async ({ page }) => {
    const { models, encodings } = await openSession(page);
    expect(models.filter((m) => m.startsWith('pose_landmarker'))).toEqual(['pose_landmarker_lite.task']);
    const wasm = [...encodings].filter(([p]) => p.endsWith('.wasm'));
    expect(wasm.length).toBeGreaterThan(0);
    for (const [p, e] of wasm) expect(e, p).toBe('br');
  });
});

test.describe('on a desktop', () => {
  test.use({ serviceWorkers: 'block' });

  test('the full pose model is downloaded', async ({ page }) => {
    const { models } = await openSession(page);
    expect(models.filter((m) => m.startsWith('pose_landmarker'))).toEqual(['pose_landmarker_full.task']);
  });
});
