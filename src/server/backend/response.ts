// What the images of a txt2img/img2img answer are, told by their content rather than their position alone.
// Server-only (sharp).
//
// The WebUI returns more than the results: with the operator options return_mask / return_mask_composite a
// mask and an RGBA composite follow EACH image (A1111 modules/processing.py ~:1101–1113, Forge the same), a grid
// may come first, and ControlNet's detected maps come after everything (sd-webui-controlnet
// scripts/controlnet.py postprocess ~:1279–1295; Forge api.py returns images + extra_images). We send the mask
// options off, but an answer is still read by what each image is:
// - a result carries its infotext in a PNG `parameters` chunk (processing.py, enable_pnginfo on by default);
// - a mask composite has transparent pixels; a mask is grey and nearly binary;
// - a detected map of a "none" preprocessor is the unit's control image resized to the output (the map of
//   module none is its input: sd-webui-controlnet scripts/preprocessor/model_free_preprocessors.py).
import sharp from 'sharp';

const THUMB = 32;

/** 'extra': an image after the expected results that is none of the others (kept out of the results). */
export type ImageRole = 'result' | 'mask' | 'mask-composite' | 'map' | 'extra';

export interface SortedImages {
  /** Generated images, in order. */
  results: string[];
  /** For each expected ControlNet unit, the index (in the answer) of its detected map, or null. */
  maps: (number | null)[];
  roles: ImageRole[];
}

/** PNG tEXt keywords of a file (no decompression of zTXt/iTXt needed for the WebUI's `parameters`). */
export function pngTextKeywords(buf: Uint8Array): string[] {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (buf.length < 8 || sig.some((b, i) => buf[i] !== b)) return [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: string[] = [];
  for (let p = 8; p + 8 <= buf.length; ) {
    const len = view.getUint32(p);
    const type = String.fromCharCode(buf[p + 4], buf[p + 5], buf[p + 6], buf[p + 7]);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'tEXt' || type === 'iTXt' || type === 'zTXt') {
      const data = buf.subarray(p + 8, p + 8 + len);
      const nul = data.indexOf(0);
      if (nul > 0) out.push(String.fromCharCode(...data.subarray(0, nul)));
    }
    p += 12 + len;
  }
  return out;
}

interface Look {
  thumb: Buffer; // RGBA THUMB×THUMB
  transparent: boolean;
  greyBinary: boolean;
  infotext: boolean;
}

async function look(b64: string): Promise<Look | null> {
  const buf = Buffer.from(b64.startsWith('data:') ? b64.slice(b64.indexOf(',') + 1) : b64, 'base64');
  try {
    const { data } = await sharp(buf)
      .resize(THUMB, THUMB, { fit: 'fill' })
      .ensureAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    let transparent = false;
    let grey = true;
    let extreme = 0;
    for (let p = 0; p < data.length; p += 4) {
      if (data[p + 3] < 250) transparent = true;
      if (Math.abs(data[p] - data[p + 1]) > 3 || Math.abs(data[p + 1] - data[p + 2]) > 3) grey = false;
      if (data[p] < 24 || data[p] > 231) extreme++;
    }
    return {
      thumb: data,
      transparent,
      greyBinary: grey && extreme >= 0.85 * THUMB * THUMB,
      infotext: pngTextKeywords(buf).includes('parameters'),
    };
  } catch {
    return null;
  }
}

function distance(a: Buffer, b: Buffer): number {
  let sum = 0;
  let n = 0;
  for (let p = 0; p < a.length; p += 4) {
    sum += Math.abs(a[p] - b[p]) + Math.abs(a[p + 1] - b[p + 1]) + Math.abs(a[p + 2] - b[p + 2]);
    n += 3;
  }
  return sum / n;
}

/** Mean difference (0–255) under which an image is taken for a unit's detected map. */
const MAP_MATCH = 10;

/**
 * Sorts an answer's images. `controlImages`: each expected ControlNet unit's control image (base64), whose
 * map would come back as a resized copy of it.
 */
export async function sortImages(
  images: readonly string[],
  o: { count: number; controlImages: readonly (string | null)[] },
): Promise<SortedImages> {
  const [looks, refs] = await Promise.all([Promise.all(images.map(look)), Promise.all(o.controlImages.map((c) => (c ? look(c) : null)))]);
  const maps: (number | null)[] = o.controlImages.map(() => null);
  const roles: ImageRole[] = [];
  const results: string[] = [];
  looks.forEach((l, i) => {
    let role: ImageRole = 'result';
    if (l && !l.infotext) {
      const unit = refs.findIndex((r, u) => r && maps[u] === null && distance(l.thumb, r.thumb) < MAP_MATCH);
      if (unit >= 0) {
        role = 'map';
        maps[unit] = i;
      } else if (l.transparent) role = 'mask-composite';
      else if (l.greyBinary) role = 'mask';
    }
    if (role === 'result' && results.length >= o.count) role = 'extra';
    roles.push(role);
    if (role === 'result') results.push(images[i]);
  });
  return { results, maps, roles };
}
