// Image side of the SD WebUI test double: decodes the inputs with sharp and "generates" by repainting the mask
// region with a visible, seed-derived stripe pattern, following the inpainting semantics of
// shared/reference/sd-webui-api.md §2 (mask → L, alpha-as-mask, round, invert, blur, "Only masked" crop and
// paste-back vs "Whole picture" resize, overlay of the original outside the mask). TEST TOOL ONLY.
import sharp, { type Sharp } from 'sharp';
import zlib from 'node:zlib';

export class InvalidImageError extends Error {}

export interface Rgb {
  data: Buffer; // RGB, 3 channels
  width: number;
  height: number;
}

/** Raw base64 or data URL → bytes that sharp can read; anything else throws InvalidImageError. */
export async function decodeB64Image(value: unknown): Promise<Buffer> {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidImageError('Invalid encoded image');
  if (/^https?:\/\//i.test(value)) throw new InvalidImageError('Invalid encoded image');
  const b64 = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(b64)) throw new InvalidImageError('Invalid encoded image');
  const buf = Buffer.from(b64, 'base64');
  try {
    const meta = await sharp(buf).metadata();
    if (!meta.width || !meta.height) throw new Error('no size');
  } catch {
    throw new InvalidImageError('Invalid encoded image');
  }
  return buf;
}

/** RGBA inputs are flattened onto white (img2img_background_color). */
export async function loadRgb(buf: Buffer): Promise<Rgb> {
  const { data, info } = await sharp(buf)
    .flatten({ background: '#ffffff' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** img2img resize_mode: 0/3 just resize (stretch), 1 crop and resize, 2 resize and fill. */
export async function resizeRgb(img: Rgb, width: number, height: number, resizeMode: number): Promise<Rgb> {
  if (img.width === width && img.height === height) return img;
  const fit = resizeMode === 1 ? 'cover' : resizeMode === 2 ? 'contain' : 'fill';
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(width, height, { fit, background: '#000000' })
    .raw()
    .toBuffer();
  return { data, width, height };
}

/** A soft rendition (Gaussian blur), for the double's weak-model switch. */
export async function blurRgb(img: Rgb, sigma: number): Promise<Rgb> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .blur(sigma)
    .raw()
    .toBuffer();
  return { data, width: img.width, height: img.height };
}

/** An upscaler of the double: a model sharpens after the resize (finer than a plain resize, as ESRGAN is). */
export async function upscaleRgb(img: Rgb, width: number, height: number, model: boolean): Promise<Rgb> {
  let pipeline = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).resize(width, height, {
    fit: 'fill',
    kernel: 'lanczos3',
  });
  if (model) pipeline = pipeline.sharpen({ sigma: 2, m1: 2, m2: 6 });
  const data = await pipeline.raw().toBuffer();
  return { data, width, height };
}

/**
 * Mask → single channel at width×height: the alpha channel when the image has a non-opaque one, else luminance;
 * then rounded at 128 (mask_round), inverted (inpainting_mask_invert) and Gaussian-blurred (mask_blur).
 */
export async function loadMask(
  buf: Buffer,
  width: number,
  height: number,
  o: { round: boolean; invert: boolean; blurX: number; blurY: number },
): Promise<Uint8Array> {
  const img = sharp(buf);
  const meta = await img.metadata();
  let single: Buffer;
  let mw = meta.width ?? 0;
  let mh = meta.height ?? 0;
  let useAlpha = false;
  if (meta.hasAlpha) {
    const stats = await sharp(buf).stats();
    const alpha = stats.channels[stats.channels.length - 1];
    useAlpha = alpha.min < 255;
  }
  if (useAlpha) {
    const r = await sharp(buf).extractChannel('alpha').raw().toBuffer({ resolveWithObject: true }); // one channel
    single = r.data;
    mw = r.info.width;
    mh = r.info.height;
  } else {
    const r = await sharp(buf).flatten({ background: '#000000' }).greyscale().raw().toBuffer({ resolveWithObject: true });
    single = r.data.length === r.info.width * r.info.height ? r.data : extractFirst(r.data, r.info.channels);
    mw = r.info.width;
    mh = r.info.height;
  }
  let m: Buffer = single;
  if (mw !== width || mh !== height) {
    m = await singleChannel(sharp(single, { raw: { width: mw, height: mh, channels: 1 } }).resize(width, height, { fit: 'fill' }));
  }
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) {
    let v = m[i];
    if (o.round) v = v > 128 ? 255 : 0;
    if (o.invert) v = 255 - v;
    out[i] = v;
  }
  const sigma = Math.max(o.blurX, o.blurY);
  if (sigma >= 0.3) {
    const blurred = await singleChannel(sharp(Buffer.from(out), { raw: { width, height, channels: 1 } }).blur(sigma));
    return new Uint8Array(blurred.buffer, blurred.byteOffset, width * height);
  }
  return out;
}

/** Raw output of a one-channel pipeline (sharp may widen it to sRGB on the way). */
async function singleChannel(img: Sharp): Promise<Buffer> {
  const r = await img.raw().toBuffer({ resolveWithObject: true });
  return r.info.channels === 1 ? r.data : extractFirst(r.data, r.info.channels);
}

function extractFirst(data: Buffer, channels: number): Buffer {
  const out = Buffer.alloc(data.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels];
  return out;
}

/** A1111 masking.get_crop_region + expand_crop_region: bbox of the mask + padding, grown to width:height aspect. */
export function cropRegion(
  mask: Uint8Array,
  w: number,
  h: number,
  padding: number,
  targetW: number,
  targetH: number,
): { x1: number; y1: number; x2: number; y2: number } | null {
  let x1 = w;
  let y1 = h;
  let x2 = -1;
  let y2 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (mask[y * w + x] > 0) {
        if (x < x1) x1 = x;
        if (x > x2) x2 = x;
        if (y < y1) y1 = y;
        if (y > y2) y2 = y;
      }
    }
  }
  if (x2 < 0) return null;
  x1 = Math.max(0, x1 - padding);
  y1 = Math.max(0, y1 - padding);
  x2 = Math.min(w, x2 + 1 + padding);
  y2 = Math.min(h, y2 + 1 + padding);
  const ratioTarget = targetW / targetH;
  const cw = x2 - x1;
  const ch = y2 - y1;
  if (cw / ch < ratioTarget) {
    const want = Math.min(w, Math.round(ch * ratioTarget));
    const grow = want - cw;
    x1 = Math.max(0, x1 - Math.floor(grow / 2));
    x2 = Math.min(w, x1 + want);
    x1 = Math.max(0, x2 - want);
  } else {
    const want = Math.min(h, Math.round(cw / ratioTarget));
    const grow = want - ch;
    y1 = Math.max(0, y1 - Math.floor(grow / 2));
    y2 = Math.min(h, y1 + want);
    y1 = Math.max(0, y2 - want);
  }
  return { x1, y1, x2, y2 };
}

function hash32(n: number): number {
  let x = (n ^ 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function hsl(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

/** The seed's two stripe colours (saturated, far from white/black/grey so a repaint is always visible). */
export function seedColours(seed: number): [[number, number, number], [number, number, number]] {
  const hue = hash32(seed) % 360;
  return [hsl(hue, 0.8, 0.45), hsl((hue + 150) % 360, 0.8, 0.6)];
}

/**
 * Repaints `img` in place where `mask` (0..255, null = everywhere) is set, limited to `region` when given:
 * out = orig·(1−a) + stripe·a with a = mask/255 · strength. Outside the mask the original stays untouched.
 */
export function repaint(
  img: Rgb,
  mask: Uint8Array | null,
  seed: number,
  strength: number,
  region: { x1: number; y1: number; x2: number; y2: number } | null = null,
  variation: { subseed: number; strength: number } | null = null,
): void {
  let [c1, c2] = seedColours(seed);
  // A variation seed moves the result towards another seed's by `strength`, as SD blends the two noises.
  if (variation && variation.strength > 0) {
    const [v1, v2] = seedColours(variation.subseed);
    const t = variation.strength;
    const mix = (a: [number, number, number], b: [number, number, number]): [number, number, number] => [
      Math.round(a[0] * (1 - t) + b[0] * t),
      Math.round(a[1] * (1 - t) + b[1] * t),
      Math.round(a[2] * (1 - t) + b[2] * t),
    ];
    [c1, c2] = [mix(c1, v1), mix(c2, v2)];
  }
  const period = 6 + (hash32(seed + 1) % 10);
  const { width, height, data } = img;
  const rx1 = region?.x1 ?? 0;
  const ry1 = region?.y1 ?? 0;
  const rx2 = region?.x2 ?? width;
  const ry2 = region?.y2 ?? height;
  for (let y = ry1; y < ry2; y++) {
    for (let x = rx1; x < rx2; x++) {
      const i = y * width + x;
      const m = mask ? mask[i] / 255 : 1;
      if (m <= 0) continue;
      const a = m * strength;
      const c = Math.floor((x + y) / period) % 2 === 0 ? c1 : c2;
      const p = i * 3;
      data[p] = Math.round(data[p] * (1 - a) + c[0] * a);
      data[p + 1] = Math.round(data[p + 1] * (1 - a) + c[1] * a);
      data[p + 2] = Math.round(data[p + 2] * (1 - a) + c[2] * a);
    }
  }
}

export function blankRgb(width: number, height: number, grey = 128): Rgb {
  return { data: Buffer.alloc(width * height * 3, grey), width, height };
}

export function cloneRgb(img: Rgb): Rgb {
  return { data: Buffer.from(img.data), width: img.width, height: img.height };
}

export async function encodePng(img: Rgb): Promise<string> {
  const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  return png.toString('base64');
}

/** Small preview for /progress current_image. */
export async function encodePreview(img: Rgb): Promise<string> {
  const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize({ width: Math.min(128, img.width) })
    .png({ compressionLevel: 1 })
    .toBuffer();
  return png.toString('base64');
}

/** A one-channel mask as an RGB image (return_mask: `mask_for_overlay.convert('RGB')`). */
export function maskAsRgb(mask: Uint8Array, width: number, height: number): Rgb {
  const data = Buffer.alloc(width * height * 3);
  for (let i = 0; i < mask.length; i++) data[i * 3] = data[i * 3 + 1] = data[i * 3 + 2] = mask[i];
  return { data, width, height };
}

/** return_mask_composite: the image over transparency through the mask, RGBA. */
export async function encodeMaskComposite(img: Rgb, mask: Uint8Array): Promise<string> {
  const rgba = Buffer.alloc(img.width * img.height * 4);
  for (let i = 0; i < mask.length; i++) {
    rgba[i * 4] = img.data[i * 3];
    rgba[i * 4 + 1] = img.data[i * 3 + 1];
    rgba[i * 4 + 2] = img.data[i * 3 + 2];
    rgba[i * 4 + 3] = mask[i];
  }
  const png = await sharp(rgba, { raw: { width: img.width, height: img.height, channels: 4 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
  return png.toString('base64');
}

/**
 * A generated image as the WebUI saves it: PNG with the infotext in a `parameters` tEXt chunk
 * (processing.py puts it in image.info when enable_pnginfo is on; api.py encode_pil_to_base64 writes it).
 */
export async function encodePngWithParameters(img: Rgb, parameters: string): Promise<string> {
  const png = Buffer.from(await encodePng(img), 'base64');
  const data = Buffer.concat([Buffer.from('parameters\0', 'latin1'), Buffer.from(parameters, 'latin1')]);
  const type = Buffer.from('tEXt', 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([type, data])) >>> 0);
  // After IHDR (8-byte signature + 25-byte IHDR chunk).
  const out = Buffer.concat([png.subarray(0, 33), len, type, data, crc, png.subarray(33)]);
  return out.toString('base64');
}
