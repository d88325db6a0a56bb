import { describe, expect, it } from 'vitest';
import { dashOutline, outlinePixels, renderOverlay } from './mask.ts';

const FILL = [37, 99, 235, 110] as const;
const WHITE = [255, 255, 255, 255] as const;
const BLACK = [17, 17, 17, 255] as const;

/** A 40×30 overlay of a 20×10 rectangle at (5, 8). */
function rectangleOverlay(phase = 0) {
  const w = 40;
  const h = 30;
  const mask = new Uint8Array(w * h);
  for (let y = 8; y < 18; y++) for (let x = 5; x < 25; x++) mask[y * w + x] = 1;
  const out = new Uint8ClampedArray(w * h * 4);
  renderOverlay(mask, w, h, out, FILL, WHITE, undefined, BLACK, phase);
  return { w, out };
}

describe('marching ants', () => {
  it('finds the outline and only the outline', () => {
    const { w, out } = rectangleOverlay();
    const { indices, box } = outlinePixels(out, w, WHITE, BLACK);
    expect(indices.length).toBe(2 * 20 + 2 * 8); // the rectangle's perimeter
    expect(box).toEqual({ x0: 5, y0: 8, x1: 25, y1: 18 });
  });

  it('moving the dashes gives what drawing at that phase gives, and touches nothing else', () => {
    const { w, out } = rectangleOverlay(0);
    const { indices } = outlinePixels(out, w, WHITE, BLACK);
    for (const phase of [1, 3, 4, 7]) {
      const moved = out.slice();
      dashOutline(moved, w, indices, WHITE, BLACK, phase);
      expect(moved).toEqual(rectangleOverlay(phase).out);
      expect(moved).not.toEqual(out);
    }
    const round = out.slice();
    dashOutline(round, w, indices, WHITE, BLACK, 8); // a whole period: back where it was
    expect(round).toEqual(out);
  });

  it('an empty selection has no outline', () => {
    expect(outlinePixels(new Uint8ClampedArray(16), 2, WHITE, BLACK)).toEqual({ indices: new Uint32Array(0), box: null });
  });
});
