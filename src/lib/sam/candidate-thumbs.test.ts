import { describe, expect, it } from 'vitest';
import { candidateThumbs } from './candidate-thumbs.ts';
import { MOBILE_SAM } from './families/mobile-sam.ts';
import type { SamModelDescription } from './model.ts';

const SIDE = MOBILE_SAM.decoder.lowResSide; // 256

/** Planes of SIDE² logits from a predicate on low-res coordinates. */
const planes = (...fns: ((x: number, y: number) => boolean)[]) => {
  const out = new Float32Array(fns.length * SIDE * SIDE);
  fns.forEach((fn, c) => {
    for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) out[c * SIDE * SIDE + y * SIDE + x] = fn(x, y) ? 3 : -3;
  });
  return out;
};
const ones = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

describe('candidate thumbnails', () => {
  it('sample only the photo’s part of the padded frame, keeping its aspect', () => {
    // 600×300 → the encoder's 1024×512 → rows 0..127 of the low-res plane; rows below are padding.
    const thumbs = candidateThumbs(
      planes(
        (x) => x < 128, // the left half of the photo
        (_x, y) => y >= 128, // padding only
        () => true,
      ),
      3,
      { width: 600, height: 300 },
      60,
    );
    expect([thumbs.width, thumbs.height]).toEqual([60, 30]);
    expect(thumbs.masks).toHaveLength(3);
    const [left, padding, all] = thumbs.masks as [Uint8Array, Uint8Array, Uint8Array];
    for (let y = 0; y < 30; y++) {
      expect(Array.from(left.subarray(y * 60, y * 60 + 30))).toEqual(Array(30).fill(1));
      expect(Array.from(left.subarray(y * 60 + 30, y * 60 + 60))).toEqual(Array(30).fill(0));
    }
    expect(ones(padding)).toBe(0);
    expect(ones(all)).toBe(60 * 30);
  });

  it('a portrait photo fills the left columns; a stretched (square) family the whole plane', () => {
    const topRight = planes((x, y) => x >= 96 && x < 192 && y < 128);
    const portrait = candidateThumbs(topRight, 1, { width: 768, height: 1024 }, 96);
    expect([portrait.width, portrait.height]).toEqual([72, 96]);
    // Columns 96..191 of the 192 the photo covers: the right half, top half.
    expect(portrait.masks[0]![10 * 72 + 50]).toBe(1);
    expect(portrait.masks[0]![10 * 72 + 20]).toBe(0);
    expect(portrait.masks[0]![80 * 72 + 50]).toBe(0);

    const square: SamModelDescription = {
      ...MOBILE_SAM,
      encoder: { ...MOBILE_SAM.encoder, resize: { ...MOBILE_SAM.encoder.resize, rule: 'square' } },
    };
    const stretched = candidateThumbs(topRight, 1, { width: 768, height: 1024 }, 96, square);
    // The whole plane is the photo: columns 96..191 of 256 are x 27..71 of 72.
    expect(stretched.masks[0]![10 * 72 + 50]).toBe(1);
    expect(stretched.masks[0]![10 * 72 + 20]).toBe(0);
  });

  it('refuses logits of the wrong size', () => {
    expect(() => candidateThumbs(new Float32Array(10), 1, { width: 10, height: 10 }, 8)).toThrow(/256×256/);
  });
});
