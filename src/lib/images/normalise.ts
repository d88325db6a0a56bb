// Upload normalisation with sharp: refuse what we can't or shouldn't decode before decoding it,
// then apply EXIF orientation, convert to 8-bit sRGB RGB (alpha flattened on white), strip metadata.
import sharp, { type Metadata } from 'sharp';
import { ApiError } from '../http/errors.ts';

export const SUPPORTED_FORMATS = ['jpeg', 'png', 'webp'] as const;
const SUPPORTED_TEXT = 'JPEG, PNG or WebP';

/**
 * At most two photos are decoded/encoded at once: each 12 MP photo holds ~36 MB of raw pixels per
 * step, and more in parallel only shares the same cores. Later uploads wait their turn instead of
 * growing memory without bound.
 */
const MAX_CONCURRENT = 2;
let active = 0;
const waiting: (() => void)[] = [];

export async function withImageSlot<T>(work: () => Promise<T>): Promise<T> {
  if (active >= MAX_CONCURRENT) await new Promise<void>((resolve) => waiting.push(resolve));
  active++;
  try {
    return await work();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

export interface NormalisedImage {
  /** Interleaved 8-bit RGB at full resolution, orientation applied. */
  rgb: Buffer;
  width: number;
  height: number;
  sourceFormat: string;
}

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

export async function normaliseUpload(bytes: Uint8Array, limits: ImageLimits): Promise<NormalisedImage> {
  if (bytes.byteLength === 0) throw new ApiError(400, 'empty_file', 'The file is empty. Choose a photo (JPEG, PNG or WebP).');
  if (bytes.byteLength > limits.maxBytes) throw tooLarge(limits.maxBytes);

  let meta: Metadata;
  try {
    // Reads the header only: a decompression bomb is refused here, before any pixel is decoded.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new ApiError(415, 'not_an_image', `This file is not a photo we can read. Please upload a ${SUPPORTED_TEXT} image.`);
  }
  const format = meta.format ?? 'unknown';
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(format)) {
    const name = format === 'heif' ? 'HEIC/HEIF' : format.toUpperCase();
    throw new ApiError(415, 'unsupported_format', `${name} images are not supported. Please upload a ${SUPPORTED_TEXT} image.`);
  }
  if (!meta.width || !meta.height) throw new ApiError(415, 'not_an_image', 'The image has no size. Please upload another photo.');
  if ((meta.pages ?? 1) > 1) throw new ApiError(415, 'unsupported_format', `Animated images are not supported. Please upload a ${SUPPORTED_TEXT} image.`);
  const pixels = meta.width * meta.height;
  if (pixels > limits.maxPixels) {
    throw new ApiError(
      413,
      'too_many_pixels',
      `The photo is ${(pixels / 1e6).toFixed(0)} megapixels; the limit is ${(limits.maxPixels / 1e6).toFixed(0)}. Please upload a smaller photo.`,
    );
  }

  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' })
      .rotate()
      .toColourspace('srgb')
      .flatten({ background: '#ffffff' })
      .removeAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
    return { rgb: data, width: info.width, height: info.height, sourceFormat: format };
  } catch (err) {
    const msg = String((err as Error)?.message ?? err);
    if (/truncat|premature|corrupt|unexpected end|bad|invalid/i.test(msg)) {
      throw new ApiError(422, 'corrupt_image', 'The photo file is damaged or incomplete (it may not have finished uploading). Please try again.');
    }
    throw err;
  }
}

function tooLarge(maxBytes: number) {
  return new ApiError(413, 'file_too_large', `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB. Please upload a smaller photo.`);
}

/**
 * Lossless full-resolution copy kept for compositing the garment back. Fastest zlib level: it is
 * on the upload's critical path (level 1 takes about half the time of level 3 on a 12 MP photo).
 */
export function encodeOriginalPng(img: NormalisedImage): Promise<Buffer> {
  return sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
}

/** What the browser shows: JPEG, longest side at most `maxSide`. */
export function encodeDisplayJpeg(img: NormalisedImage, maxSide = 2048): Promise<Buffer> {
  return sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 90, mozjpeg: false })
    .toBuffer();
}
