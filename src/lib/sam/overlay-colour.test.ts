import { describe, expect, it } from 'vitest';
import { renderOverlay } from './mask.ts';
import { contrastingOverlay, meanColour, OVERLAY_COLOURS } from './overlay-colour.ts';

const id = (rgb: readonly [number, number, number]) => OVERLAY_COLOURS[contrastingOverlay(rgb)]!.id;

describe('selection colour', () => {
  it('never the garment’s own hue', () => {
    expect(id([30, 60, 200])).not.toBe('blue'); // a blue shirt
    expect(id([40, 150, 60])).not.toBe('green'); // a green dress
    expect(id([230, 90, 20])).not.toBe('orange');
    expect(id([200, 30, 120])).not.toBe('magenta');
  });

  it('blue on white, black and grey garments', () => {
    for (const grey of [
      [250, 250, 250],
      [10, 10, 10],
      [128, 130, 126],
    ] as const)
      expect(id(grey)).toBe('blue');
  });

  it('averages the pixels under the weight only', () => {
    const rgba = [255, 0, 0, 255, 0, 0, 255, 255];
    expect(meanColour(rgba)).toEqual([127.5, 0, 127.5]);
    expect(meanColour(rgba, [0, 255])).toEqual([0, 0, 255]);
    expect(meanColour([], null)).toEqual([128, 128, 128]);
  });
});

describe('the outline', () => {
  it('alternates black and white dashes along the edge, the inside keeps the fill', () => {
    const w = 24;
    const mask = new Uint8Array(w * w).fill(1);
    const out = new Uint8ClampedArray(w * w * 4);
    renderOverlay(mask, w, w, out, [1, 2, 3, 110], [255, 255, 255, 255], undefined, [17, 17, 17, 255]);
    const top = Array.from({ length: w }, (_, x) => out[x * 4]);
    expect(new Set(top)).toEqual(new Set([255, 17]));
    expect(top.slice(0, 8)).toEqual([255, 255, 255, 255, 17, 17, 17, 17]);
    expect(out[(12 * w + 12) * 4]).toBe(1);
  });
});
