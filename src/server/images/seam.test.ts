// The seamless composite on a synthetic case with a known colour and sharpness step: a textured, grainy photo,
// and a "generation" that is the same picture softened (as an upscale is) with a colour cast.
import { describe, expect, it } from 'vitest';
import { compositeGarment } from './composite.ts';
import { bandPx, compositeSeamless, noiseSigma, prepareSeam, type Rgb } from './seam.ts';
import { measureResult, needsCheck } from './checks.ts';

const W = 360;
const H = 280;

function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

/** A gradient with a fine weave and grain: detail and noise like a photo. */
function photo(): Rgb {
  const r = rng(7);
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 3;
      const weave = ((x >> 1) + (y >> 1)) % 2 ? 18 : -18;
      const grain = (r() - 0.5) * 12;
      data[p] = Math.max(0, Math.min(255, 120 + x / 6 + weave + grain));
      data[p + 1] = Math.max(0, Math.min(255, 90 + y / 5 + weave + grain));
      data[p + 2] = Math.max(0, Math.min(255, 140 + weave + grain));
    }
  return { data, width: W, height: H };
}

/** The same picture, box-blurred (soft like a 4× upscale) and with a colour cast. */
function softCast(img: Rgb, cast: [number, number, number]): Rgb {
  const data = Buffer.alloc(W * H * 3);
  const r = 3;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < 3; c++) {
        let s = 0;
        let n = 0;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) {
            const xx = Math.min(W - 1, Math.max(0, x + dx));
            const yy = Math.min(H - 1, Math.max(0, y + dy));
            s += img.data[(yy * W + xx) * 3 + c];
            n++;
          }
        data[(y * W + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(s / n + cast[c])));
      }
  return { data, width: W, height: H };
}

function disk(): Uint8Array {
  const m = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if ((x - 170) ** 2 + (y - 140) ** 2 <= 95 ** 2) m[y * W + x] = 255;
  return m;
}

describe('seamless composite', () => {
  const original = photo();
  const generated = softCast(original, [24, -6, -14]);
  const mask = disk();
  const params = { bandGeneratedPx: 3, upscale: 4 };
  const prepared = prepareSeam(original, mask, params);

  it('measures the band in generated pixels', () => {
    expect(bandPx(params)).toBe(12);
    expect(bandPx({ bandGeneratedPx: 3, upscale: 1 })).toBe(3);
    expect(prepared.bandPx).toBe(12);
  });

  it('keeps the garment core bit-exact', () => {
    const out = compositeSeamless(prepared, generated, 1);
    let core = 0;
    for (let i = 0; i < prepared.alpha.length; i++) {
      if (prepared.alpha[i] !== 255) continue;
      core++;
      for (let c = 0; c < 3; c++) expect(out.data[i * 3 + c]).toBe(original.data[i * 3 + c]);
    }
    expect(core).toBeGreaterThan(10_000);
    expect(measureResult(prepared, out).coreChanged).toBe(0);
  });

  it('takes the colour step out of the band: the seam measures like the garment itself; the old 3 px paste does not', () => {
    const before = compositeGarment(
      { ...original, data: Buffer.from(original.data) },
      { ...generated, data: Buffer.from(generated.data) },
      Buffer.from(mask),
      3,
    ).image;
    const after = compositeSeamless(prepared, generated, 1);
    const b = measureResult(prepared, before);
    const a = measureResult(prepared, after);
    console.log(
      `[seam] synthetic: colour step ratio ${b.seamColour?.toFixed(2)} → ${a.seamColour?.toFixed(2)}, ` +
        `gradient ratio ${b.seamGradient?.toFixed(2)} → ${a.seamGradient?.toFixed(2)}`,
    );
    expect(b.seamColour!).toBeGreaterThan(3);
    expect(needsCheck(b)).toBe(true);
    expect(a.seamColour!).toBeLessThan(2);
    expect(a.seamGradient!).toBeLessThan(2);
  });

  it('gives the generated side the photo’s grain, and is deterministic per seed', () => {
    const a = compositeSeamless(prepared, generated, 5);
    const again = compositeSeamless(prepared, generated, 5);
    expect(Buffer.compare(Buffer.from(a.data), Buffer.from(again.data))).toBe(0);
    const outside = (i: number) => prepared.alpha[i] === 0;
    const photoGrain = noiseSigma(original, outside);
    expect(noiseSigma(generated, outside)).toBeLessThan(photoGrain * 0.6);
    expect(noiseSigma(a, outside)).toBeGreaterThan(photoGrain * 0.8);
    expect(noiseSigma(a, outside)).toBeLessThan(photoGrain * 1.3);
  });

  it('reports a soft generation next to a sharp garment', () => {
    const checks = measureResult(prepared, compositeSeamless(prepared, generated, 1));
    expect(checks.sharpness!).toBeLessThan(0.5);
    const sharpEverywhere = compositeSeamless(prepared, original, 1);
    expect(measureResult(prepared, sharpEverywhere).sharpness!).toBeGreaterThan(0.7);
  });
});
