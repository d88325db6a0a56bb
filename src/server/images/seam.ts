// The garment goes back into the generated image without a visible seam. Pure (buffers in, buffers out).
//
// A generated image is made at the checkpoint's size and brought to the photo's resolution (upscaled several
// times over), so its rendition of the garment's rim differs from the photo in colour and in sharpness. Three
// things hide the join while the garment's core stays exactly as photographed:
//  1. the blend band is measured in GENERATED pixels (`bandGeneratedPx` × the upscale factor), so it spans the
//     same picture detail whatever the photo's size;
//  2. the generated side is shifted in colour: by the mean difference photo − generation over the garment's rim
//     everywhere (the generation's colour cast), plus the local departure from it near the garment, faded out
//     with distance — so no colour step is left at the band (a two-band blend: the low frequencies are matched
//     over a wide area, the detail over the band);
//  3. the photo's grain (noise level, estimated with Immerkær's operator) is added to the generated side where
//     the generation is smoother than the photo.
// Work near the join happens in a region of interest around the kept region's boundary (12 MP photos stay
// fast); the smooth colour field is computed on a coarse grid.
import { distanceInside } from './composite.ts';

export interface Rgb {
  data: Buffer | Uint8Array;
  width: number;
  height: number;
}

export interface SeamParams {
  /** Width of the blend band in generated pixels (ATELIER_FEATHER_PX). */
  bandGeneratedPx: number;
  /** Photo pixels per generated pixel (≥ 1). */
  upscale: number;
}

/** The rectangle around the kept region's boundary where distances are known, [x0, x1) × [y0, y1). */
export interface Roi {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** What depends only on the photo and the kept region: reused by every result of a session state. */
export interface PreparedSeam {
  original: Rgb;
  /** 255 = kept from the photo exactly (the core); the band blends; 0 = generated. Photo size. */
  alpha: Uint8Array;
  roi: Roi;
  /** Distance (px) inside / outside the kept region, for the ROI's pixels (row-major, ROI width). */
  inside: Float32Array;
  outside: Float32Array;
  bandPx: number;
  /** How far outside the kept region the local colour match reaches. */
  reachPx: number;
  /** Photo grain: noise sigma (0–255) of the luminance. */
  grain: number;
}

/** Far: beyond anything measured (a pixel outside the ROI). */
export const FAR = 1e6;

/** Band width in photo pixels: at least 1, scaled from generated pixels. */
export function bandPx(p: SeamParams): number {
  return Math.max(1, Math.round(p.bandGeneratedPx * Math.max(1, p.upscale)));
}

/** Distances of a photo pixel, ROI or not. */
export function distancesAt(s: PreparedSeam, x: number, y: number): { inside: number; outside: number } {
  const { roi } = s;
  if (x >= roi.x0 && x < roi.x1 && y >= roi.y0 && y < roi.y1) {
    const j = (y - roi.y0) * (roi.x1 - roi.x0) + (x - roi.x0);
    return { inside: s.inside[j], outside: s.outside[j] };
  }
  const kept = s.alpha[y * s.original.width + x] === 255;
  return { inside: kept ? FAR : 0, outside: kept ? 0 : FAR };
}

/** Immerkær (1996) fast noise variance estimate: sigma of the luminance noise, 0–255 (every other pixel). */
export function noiseSigma(img: Rgb, region?: (i: number) => boolean): number {
  const { width: w, height: h, data } = img;
  const lum = (i: number) => 0.299 * data[i * 3] + 0.587 * data[i * 3 + 1] + 0.114 * data[i * 3 + 2];
  let sum = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y += 2) {
    for (let x = 1; x < w - 1; x += 2) {
      const i = y * w + x;
      if (region && !region(i)) continue;
      const v =
        lum(i - w - 1) -
        2 * lum(i - w) +
        lum(i - w + 1) -
        2 * lum(i - 1) +
        4 * lum(i) -
        2 * lum(i + 1) +
        lum(i + w - 1) -
        2 * lum(i + w) +
        lum(i + w + 1);
      sum += Math.abs(v);
      n++;
    }
  }
  return n ? (Math.sqrt(Math.PI / 2) * sum) / (6 * n) : 0;
}

/** `keep`: one channel, 255 = the region kept from the photo (the garment). */
export function prepareSeam(original: Rgb, keep: Uint8Array | Buffer, params: SeamParams): PreparedSeam {
  const { width: w, height: h } = original;
  if (keep.length !== w * h) throw new Error('the kept region must be one channel at the photo size');
  const band = bandPx(params);
  const reach = 4 * band;
  // The ROI: every pixel within `margin` of the boundary (where kept meets not kept).
  const margin = Math.max(reach, 8 * band) + 2;
  let bx0 = w;
  let by0 = h;
  let bx1 = -1;
  let by1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const k = keep[row + x] !== 0;
      const boundary = (x + 1 < w && (keep[row + x + 1] !== 0) !== k) || (y + 1 < h && (keep[row + w + x] !== 0) !== k);
      if (!boundary) continue;
      if (x < bx0) bx0 = x;
      if (x > bx1) bx1 = x;
      if (y < by0) by0 = y;
      if (y > by1) by1 = y;
    }
  }
  const roi: Roi =
    bx1 < 0
      ? { x0: 0, y0: 0, x1: 0, y1: 0 }
      : {
          x0: Math.max(0, bx0 - margin),
          y0: Math.max(0, by0 - margin),
          x1: Math.min(w, bx1 + margin + 2),
          y1: Math.min(h, by1 + margin + 2),
        };
  const rw = roi.x1 - roi.x0;
  const rh = roi.y1 - roi.y0;
  const crop = new Uint8Array(rw * rh);
  const cropOut = new Uint8Array(rw * rh);
  for (let y = 0; y < rh; y++)
    for (let x = 0; x < rw; x++) {
      const v = keep[(y + roi.y0) * w + x + roi.x0] ? 255 : 0;
      crop[y * rw + x] = v;
      cropOut[y * rw + x] = 255 - v;
    }
  const inside = rw && rh ? distanceInside(crop, rw, rh) : new Float32Array(0);
  const outside = rw && rh ? distanceInside(cropOut, rw, rh) : new Float32Array(0);
  const alpha = new Uint8Array(w * h);
  for (let i = 0; i < alpha.length; i++) if (keep[i]) alpha[i] = 255;
  for (let y = 0; y < rh; y++)
    for (let x = 0; x < rw; x++) {
      const d = inside[y * rw + x];
      if (d <= band) alpha[(y + roi.y0) * w + x + roi.x0] = d > 0 ? Math.round((255 * (d - 0.5)) / band) : 0;
    }
  // Grain is measured where the photo shows the surroundings (not the garment's own texture).
  const grain = noiseSigma(original, (i) => alpha[i] === 0);
  return { original, alpha, roi, inside, outside, bandPx: band, reachPx: reach, grain };
}

/** Deterministic normal noise tile (mulberry32 + Box–Muller), repeated over the image. */
function noiseTile(seed: number, size: number): Float32Array {
  let a = seed >>> 0 || 1;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const tile = new Float32Array(size * size);
  for (let i = 0; i < tile.length; i++) tile[i] = Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
  return tile;
}

/** Largest colour shift (0–255) the match applies: beyond it the generation is a different picture, not a cast. */
const MAX_CAST = 40;
const TILE = 257; // odd: the tile's repeat does not line up with 2×2 or 8×8 structures

/** Sum of a low-resolution field over a (2r+1)² box, through an integral image. */
function boxSum(src: Float64Array, w: number, h: number, r: number): Float64Array {
  const stride = w + 1;
  const integral = new Float64Array(stride * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += src[y * w + x];
      integral[(y + 1) * stride + x + 1] = integral[y * stride + x + 1] + row;
    }
  }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h, y + r + 1);
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w, x + r + 1);
      out[y * w + x] = integral[y1 * stride + x1] - integral[y0 * stride + x1] - integral[y1 * stride + x0] + integral[y0 * stride + x0];
    }
  }
  return out;
}

/**
 * The composite: the photo's core exactly, the band blended, the generated side colour-matched to the photo at
 * the join and given the photo's grain. `generated` must be at the photo's size; `seed` fixes the grain.
 */
export function compositeSeamless(prepared: PreparedSeam, generated: Rgb, seed: number): Rgb {
  const { original, alpha, roi, inside, outside, bandPx: band, reachPx: reach } = prepared;
  const { width: w, height: h } = original;
  if (generated.width !== w || generated.height !== h) throw new Error('generated image must be at the photo size');
  const o = original.data;
  const g = generated.data;
  const rw = roi.x1 - roi.x0;
  const rh = roi.y1 - roi.y0;

  // 1. Colour offset: photo − generation over the rim (both show the garment there), on a coarse grid.
  const cell = Math.max(1, Math.round(band / 2));
  const lw = Math.max(1, Math.ceil(rw / cell));
  const lh = Math.max(1, Math.ceil(rh / cell));
  const count = new Float64Array(lw * lh);
  const diff = [new Float64Array(lw * lh), new Float64Array(lw * lh), new Float64Array(lw * lh)];
  const total = [0, 0, 0];
  let rimPixels = 0;
  for (let y = 0; y < rh; y++) {
    for (let x = 0; x < rw; x++) {
      const d = inside[y * rw + x];
      if (!(d > 0 && d <= 2 * band)) continue;
      const p = ((y + roi.y0) * w + x + roi.x0) * 3;
      const c = ((y / cell) | 0) * lw + ((x / cell) | 0);
      count[c]++;
      rimPixels++;
      for (let k = 0; k < 3; k++) {
        const v = o[p + k] - g[p + k];
        diff[k][c] += v;
        total[k] += v;
      }
    }
  }
  const clampCast = (v: number) => Math.max(-MAX_CAST, Math.min(MAX_CAST, v));
  const globalShift = total.map((t) => (rimPixels ? clampCast(t / rimPixels) : 0));
  const radius = Math.max(1, Math.ceil(reach / cell));
  const weight = boxSum(count, lw, lh, radius);
  const local = diff.map((d) => boxSum(d, lw, lh, radius));

  // 3. Grain the generation lacks: sigma² = photo² − generation² (never removes any).
  const genGrain = noiseSigma(generated, (i) => alpha[i] === 0);
  const addGrain = Math.sqrt(Math.max(0, prepared.grain ** 2 - genGrain ** 2));
  const tile = addGrain > 0 ? noiseTile(seed, TILE) : null;

  const out = Buffer.allocUnsafe(w * h * 3);
  const shift = [0, 0, 0];
  for (let y = 0; y < h; y++) {
    const inRows = y >= roi.y0 && y < roi.y1;
    const tileRow = (y % TILE) * TILE;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const p = i * 3;
      const a = alpha[i];
      if (a === 255) {
        out[p] = o[p];
        out[p + 1] = o[p + 1];
        out[p + 2] = o[p + 2];
        continue;
      }
      // Full local correction inside the band and at the region's edge, the global cast beyond `reach`.
      let fade = 0;
      let c = -1;
      if (inRows && x >= roi.x0 && x < roi.x1) {
        const j = (y - roi.y0) * rw + (x - roi.x0);
        fade = inside[j] > 0 ? 1 : Math.max(0, 1 - outside[j] / reach);
        if (fade > 0) c = (((y - roi.y0) / cell) | 0) * lw + (((x - roi.x0) / cell) | 0);
      }
      for (let k = 0; k < 3; k++) {
        const l = c >= 0 && weight[c] > 0 ? clampCast(local[k][c] / weight[c]) : globalShift[k];
        shift[k] = globalShift[k] + (l - globalShift[k]) * fade;
      }
      const grain = tile ? tile[tileRow + (x % TILE)] * addGrain * (1 - a / 255) : 0;
      const kOrig = a / 255;
      for (let k = 0; k < 3; k++) {
        const v = o[p + k] * kOrig + (g[p + k] + shift[k] + grain) * (1 - kOrig);
        out[p + k] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
      }
    }
  }
  return { data: out, width: w, height: h };
}
