// The sessions list on the home page: a season's photos, found by name.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { photo } from '../support/paths.ts';

test('a session is found by a part of its name, Chinese names too; a name nothing has says so', async ({ page }) => {
  const stamp = Date.now().toString(36);
  for (const name of [`scarf-${stamp}.jpg`, `dress-${stamp}.jpg`, `春季连衣裙-${stamp}.jpg`]) {
    const up = await page.request.post('/api/images', {
      multipart: { image: { name, mimeType: 'image/jpeg', buffer: readFileSync(photo('person-idm-00034.jpg')) } },
    });
    expect(up.status()).toBe(201);
  }
  await page.goto('/');
  const search = page.getByTestId('sessions-search');
  await expect(page.getByTestId('sessions')).toHaveAttribute('data-ready', 'true');
  await search.fill(`SCARF-${stamp}`);
  await expect(page.getByTestId('session-item')).toHaveCount(1);
  await expect(page.getByTestId('session-item')).toContainText(`scarf-${stamp}`);
  await search.fill(`连衣裙-${stamp}`);
  await expect(page.getByTestId('session-item')).toHaveCount(1);
  await expect(page.getByTestId('session-item')).toContainText(`春季连衣裙-${stamp}`);
  await search.fill(`${stamp}-nothing`);
  await expect(page.getByTestId('sessions-empty')).toContainText(`${stamp}-nothing`);
  await search.fill('');
  await expect.poll(() => page.getByTestId('session-item').count()).toBeGreaterThanOrEqual(3);
});
