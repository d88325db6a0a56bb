import { describe, expect, it } from 'vitest';
import { compositeGarment, garmentAlpha } from './composite.ts';

const W = 60;
const H = 40;

function solid(r: number, g: number, b: number) {
  const data = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) data.set([r, g, b], i * 3);
  return { data, width: W, height: H };
}

function rectMask(x0: number, y0: number, x1: number, y1: number) {
  const m = Buffer.alloc(W * H);
  for (let y = y0; y < y1; y++) m.fill(255, y * W + x0, y * W + x1);
  return m;
}

describe('garment composite', () => {
  it('erodes the mask by the feather width and feathers inside the mask band only', async () => {
    const mask = rectMask(10, 10, 50, 30);
    const { core, alpha } = garmentAlpha(mask, W, H, 3);
    expect(core[20 * W + 13]).toBe(255); // 3 px inside the edge stays
    expect(core[20 * W + 12]).toBe(0); // within 3 px of the edge is eroded
    expect(alpha[20 * W + 30]).toBe(255);
    expect(alpha[20 * W + 5]).toBe(0); // outside the garment: fully generated
    expect(alpha[20 * W + 9]).toBe(0); // right outside the mask edge too
    expect(alpha[20 * W + 11]).toBeGreaterThan(0); // the band inside the mask blends
    expect(alpha[20 * W + 11]).toBeLessThan(alpha[20 * W + 12]);
    expect(alpha[20 * W + 12]).toBeLessThan(255);
  });

  it('puts the original garment back exactly and records how much the generator changed it', async () => {
    const original = solid(200, 30, 30);
    const generated = solid(20, 120, 220);
    const mask = rectMask(10, 10, 50, 30);
    const { image, fidelity } = compositeGarment(original, generated, mask, 3);
    expect(fidelity.after).toBe(0);
    expect(fidelity.before).toBeCloseTo((180 + 90 + 190) / 3, 5);
    expect(fidelity.pixels).toBe((40 - 6) * (20 - 6));
    const px = (x: number, y: number) => Array.from(image.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3));
    expect(px(30, 20)).toEqual([200, 30, 30]);
    expect(px(2, 2)).toEqual([20, 120, 220]);
  });

  it('does not erode where the garment is cut by the photo frame', () => {
    const mask = rectMask(0, 10, 30, 30); // touches the left edge
    const { core } = garmentAlpha(mask, W, H, 3);
    expect(core[20 * W + 0]).toBe(255);
    expect(core[20 * W + 27]).toBe(0);
  });

  it('with no feather the mask is used as is', async () => {
    const mask = rectMask(10, 10, 50, 30);
    const { image, fidelity } = compositeGarment(solid(1, 2, 3), solid(9, 9, 9), mask, 0);
    expect(fidelity.after).toBe(0);
    expect(fidelity.pixels).toBe(40 * 20);
    expect(Array.from(image.data.subarray((10 * W + 10) * 3, (10 * W + 10) * 3 + 3))).toEqual([1, 2, 3]);
    expect(Array.from(image.data.subarray((9 * W + 10) * 3, (9 * W + 10) * 3 + 3))).toEqual([9, 9, 9]);
  });
});
