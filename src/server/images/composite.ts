// Garment-preserving composite: after generation the original garment pixels go back through the
// mask. The mask is eroded by `featherPx` and the blend ramps from the eroded edge to the mask's
// edge, so inside the eroded mask the result is exactly the original and no seam shows.
import sharp from 'sharp';
import { rgbRaw } from './raw.ts';

export interface RgbImage {
  data: Buffer; // interleaved 8-bit RGB
  width: number;
  height: number;
}

export interface Fidelity {
  /** Mean absolute difference (0–255) of the garment pixels vs the original, inside the eroded mask. */
  before: number;
  after: number;
  /** Pixels the measure covers (the eroded mask). */
  pixels: number;
}

/**
 * Chamfer (3-4) distance, in pixels, from each garment pixel to the nearest non-garment pixel
 * (0 outside the garment). Two passes, O(pixels); within 8% of the Euclidean distance.
 */
export function distanceInside(mask: Uint8Array | Buffer, width: number, height: number): Float32Array {
  const INF = 1e9;
  const d = new Float32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = mask[i] ? INF : 0;
  // The photo's border counts as garment-continuing: a garment cut by the frame is not eroded there.
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? INF : d[y * width + x]);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!d[i]) continue;
      d[i] = Math.min(d[i], at(x - 1, y) + 3, at(x, y - 1) + 3, at(x - 1, y - 1) + 4, at(x + 1, y - 1) + 4);
    }
  for (let y = height - 1; y >= 0; y--)
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      if (!d[i]) continue;
      d[i] = Math.min(d[i], at(x + 1, y) + 3, at(x, y + 1) + 3, at(x + 1, y + 1) + 4, at(x - 1, y + 1) + 4);
    }
  for (let i = 0; i < d.length; i++) d[i] = d[i] >= INF ? width + height : d[i] / 3;
  return d;
}

/**
 * Blend weights for the original (255 = original garment, 0 = generated). Pixels deeper than
 * `featherPx` inside the garment are the eroded core (exactly original); the outer band ramps down
 * to the mask's edge, so no rim of the old background shows.
 */
export function garmentAlpha(
  mask: Uint8Array | Buffer,
  width: number,
  height: number,
  featherPx: number,
): { core: Uint8Array; alpha: Uint8Array } {
  const core = new Uint8Array(width * height);
  const alpha = new Uint8Array(width * height);
  if (featherPx <= 0) {
    for (let i = 0; i < core.length; i++) core[i] = alpha[i] = mask[i] ? 255 : 0;
    return { core, alpha };
  }
  const dist = distanceInside(mask, width, height);
  for (let i = 0; i < dist.length; i++) {
    const d = dist[i];
    if (d > featherPx) {
      core[i] = 255;
      alpha[i] = 255;
    } else if (d > 0) {
      alpha[i] = Math.round((255 * (d - 0.5)) / featherPx);
    }
  }
  return { core, alpha };
}

/** Scales a generated image to the photo's full resolution. */
export async function toPhotoSize(png: Buffer, width: number, height: number): Promise<RgbImage> {
  const img = sharp(png);
  const meta = await img.metadata();
  return rgbRaw(meta.width === width && meta.height === height ? img : img.resize(width, height, { fit: 'fill', kernel: 'lanczos3' }));
}

function meanAbsDiff(a: Buffer, b: Buffer, core: Uint8Array): { mad: number; pixels: number } {
  let sum = 0;
  let n = 0;
  for (let i = 0, p = 0; i < core.length; i++, p += 3) {
    if (core[i] !== 255) continue;
    sum += Math.abs(a[p] - b[p]) + Math.abs(a[p + 1] - b[p + 1]) + Math.abs(a[p + 2] - b[p + 2]);
    n++;
  }
  return { mad: n ? sum / (3 * n) : 0, pixels: n };
}

export interface PreparedComposite {
  original: RgbImage;
  core: Uint8Array;
  alpha: Uint8Array;
}

/** The parts of a composite that depend only on the photo and the mask (reused across results). */
export function prepareComposite(original: RgbImage, mask: Buffer, featherPx: number): PreparedComposite {
  const { width, height } = original;
  if (mask.length !== width * height) throw new Error('mask must be one channel at the photo size');
  return { original, ...garmentAlpha(mask, width, height, featherPx) };
}

/** Puts the original garment back into a generated image at the photo's full resolution. */
export function applyComposite(prepared: PreparedComposite, generated: RgbImage): { image: RgbImage; fidelity: Fidelity } {
  const { original, core, alpha } = prepared;
  const { width, height } = original;
  if (generated.width !== width || generated.height !== height) throw new Error('generated image must be at the photo size');
  const out = Buffer.alloc(width * height * 3);
  const o = original.data;
  const g = generated.data;
  for (let i = 0, p = 0; i < alpha.length; i++, p += 3) {
    const a = alpha[i];
    if (a === 255) {
      out[p] = o[p];
      out[p + 1] = o[p + 1];
      out[p + 2] = o[p + 2];
    } else if (a === 0) {
      out[p] = g[p];
      out[p + 1] = g[p + 1];
      out[p + 2] = g[p + 2];
    } else {
      const k = a / 255;
      out[p] = Math.round(o[p] * k + g[p] * (1 - k));
      out[p + 1] = Math.round(o[p + 1] * k + g[p + 1] * (1 - k));
      out[p + 2] = Math.round(o[p + 2] * k + g[p + 2] * (1 - k));
    }
  }
  const before = meanAbsDiff(g, o, core);
  const after = meanAbsDiff(out, o, core);
  return { image: { data: out, width, height }, fidelity: { before: before.mad, after: after.mad, pixels: before.pixels } };
}

/**
 * Puts the original garment back into a generated image (both at the photo's full resolution).
 * `mask`: one channel, 255 = garment. Returns the composite and its fidelity record.
 */
export function compositeGarment(
  original: RgbImage,
  generated: RgbImage,
  mask: Buffer,
  featherPx: number,
): { image: RgbImage; fidelity: Fidelity } {
  return applyComposite(prepareComposite(original, mask, featherPx), generated);
}
