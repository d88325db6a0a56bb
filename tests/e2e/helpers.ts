import { expect, type Page } from '@playwright/test';
import { photo } from '../support/paths.ts';

/** Uploads a fixture photo through the page's file input and waits for the editor to be ready. */
/** Uploads from the sessions page; `keepProposal` leaves auto-select on (the hand-tool tests turn it off). */
export async function uploadPhoto(page: Page, name: string, opts: { keepProposal?: boolean } = {}): Promise<string> {
  await page.goto('/');
  await page.evaluate((on) => localStorage.setItem('atelier-auto-select', on ? 'on' : 'off'), !!opts.keepProposal);
  // A file chosen before the island hydrates would go unheard.
  await expect(page.getByTestId('upload-drop')).toHaveAttribute('data-ready', 'true');
  await page.getByTestId('upload-input').setInputFiles(photo(name));
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/);
  await waitForEditor(page);
  return page.url().split('/s/')[1];
}

export async function waitForEditor(page: Page) {
  await expect(page.getByTestId('editor-stage')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

export async function maskArea(page: Page): Promise<number> {
  // The pixel count is an engineers' read-out (?debug); the stage carries it for tests.
  return Number(await page.getByTestId('editor-stage').getAttribute('data-area'));
}

/** Clicks at a fraction of the photo (fx, fy in 0..1) on the editor canvas. */
export async function clickPhoto(
  page: Page,
  fx: number,
  fy: number,
  opts: { button?: 'left' | 'right'; modifiers?: ('Alt' | 'Shift')[] } = {},
) {
  const canvas = page.getByTestId('editor-canvas');
  const box = (await canvas.boundingBox())!;
  await canvas.click({ position: { x: box.width * fx, y: box.height * fy }, button: opts.button ?? 'left', modifiers: opts.modifiers });
}

/**
 * The studio proposes the garment by itself (auto-select) unless this device turned it off: tests of the hand tools
 * turn it off, so they start from an empty selection and count their own saves.
 */
export async function selectByHand(page: Page) {
  await page.evaluate(() => localStorage.setItem('atelier-auto-select', 'off'));
}
