// Decoding what was sent to the generation server, to compare it with what the session holds. Written
// independently of the code under test (its own resize, its own joint finder), so a bug there cannot hide
// itself here.
import sharp from 'sharp';
import { JOINT_COLORS } from '../../src/lib/pose/skeleton.ts';

export interface Grey {
  data: Uint8Array;
  width: number;
  height: number;
}
export interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
}

async function raw(input: Buffer, channels: 1 | 3): Promise<{ data: Buffer; width: number; height: number }> {
  const img = channels === 1 ? sharp(input).extractChannel(0) : sharp(input).removeAlpha().toColourspace('srgb');
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels, wanted ${channels}`);
  return { data, width: info.width, height: info.height };
}

/** A base64 PNG (or any image file) as one channel. */
export const decodeGrey = (b64OrBuf: string | Buffer): Promise<Grey> =>
  raw(typeof b64OrBuf === 'string' ? Buffer.from(b64OrBuf, 'base64') : b64OrBuf, 1);
/** A base64 PNG (or any image file) as RGB. */
export const decodeRgb = (b64OrBuf: string | Buffer): Promise<Rgb> =>
  raw(typeof b64OrBuf === 'string' ? Buffer.from(b64OrBuf, 'base64') : b64OrBuf, 3);

/**
 * A binary mask scaled to width×height by area coverage: a target pixel is set when at least half of the
 * source pixels it covers are set. Plain loops, no library: the reference the code under test is held to.
 */
export function maskAt(src: Grey, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let on = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) if (src.data[yy * src.width + xx] >= 128) on++;
      out[y * width + x] = on * 2 >= (y1 - y0) * (x1 - x0) ? 255 : 0;
    }
  }
  return out;
}

/** Intersection over union of two binary masks (≥ 128 = set). */
export function iou(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`mask sizes differ: ${a.length} vs ${b.length}`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] >= 128;
    const y = b[i] >= 128;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Fraction of the set pixels of `inner` that are also set in `outer`. */
export function covered(inner: Uint8Array, outer: Uint8Array): number {
  let n = 0;
  let hit = 0;
  for (let i = 0; i < inner.length; i++) {
    if (inner[i] < 128) continue;
    n++;
    if (outer[i] >= 128) hit++;
  }
  return n === 0 ? 1 : hit / n;
}

export const setCount = (m: Uint8Array) => m.reduce((n, v) => n + (v >= 128 ? 1 : 0), 0);

/** Mean absolute difference per channel value (0–255) of two RGB images of one size. */
export function meanAbsDiff(a: Rgb, b: Rgb): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
  return sum / a.data.length;
}

/**
 * Joint centres found in an OpenPose skeleton image: the pixels of joint i's exact colour C[i] form a disc;
 * its centre is the middle of their bounding box. A disc partly painted over by a later joint is reported
 * as null (its box is not square), as is a joint that is absent.
 */
export function findJoints(img: Rgb): ({ x: number; y: number } | null)[] {
  const boxes = JOINT_COLORS.map(() => ({ x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity }));
  const index = new Map(JOINT_COLORS.map((c, i) => [(c[0] << 16) | (c[1] << 8) | c[2], i]));
  for (let y = 0, p = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++, p += 3) {
      const j = index.get((img.data[p] << 16) | (img.data[p + 1] << 8) | img.data[p + 2]);
      if (j === undefined) continue;
      const b = boxes[j];
      if (x < b.x0) b.x0 = x;
      if (x > b.x1) b.x1 = x;
      if (y < b.y0) b.y0 = y;
      if (y > b.y1) b.y1 = y;
    }
  }
  return boxes.map((b) => {
    if (b.x1 < 0) return null;
    const w = b.x1 - b.x0 + 1;
    const h = b.y1 - b.y0 + 1;
    if (Math.abs(w - h) > 1) return null;
    return { x: (b.x0 + b.x1 + 1) / 2, y: (b.y0 + b.y1 + 1) / 2 };
  });
}
