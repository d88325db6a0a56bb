// Upload normalisation with sharp: refuse what we can't or shouldn't decode before decoding it (from the
// header: format, pixel count, shape), then decode every pixel with EXIF orientation applied, as 8-bit sRGB
// RGB (alpha flattened on white), metadata stripped. Anything the decoder cannot read is a 422, never a 500.
import sharp, { type Metadata, type OutputInfo, type Sharp } from 'sharp';
import { describeBytes } from '../http/body.ts';
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

/** Waits for a slot; the returned function gives it back (once), for work that ends with a stream. */
export async function acquireImageSlot(): Promise<() => void> {
  // A freed slot is handed straight to the first waiter, so no newcomer slips in between.
  if (active < MAX_CONCURRENT) active++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
}

export async function withImageSlot<T>(work: () => Promise<T>): Promise<T> {
  const release = await acquireImageSlot();
  try {
    return await work();
  } finally {
    release();
  }
}

export interface NormalisedImage {
  /** Interleaved 8-bit RGB, orientation applied. */
  rgb: Buffer;
  width: number;
  height: number;
  sourceFormat: string;
}

export interface ImageLimits {
  maxBytes: number;
  maxPixels: number;
}

/** What the header says, checked: a supported format, within the limits, a usable shape. */
export interface UploadHeader {
  format: (typeof SUPPORTED_FORMATS)[number];
  /** Upright size (EXIF orientation applied). */
  width: number;
  height: number;
}

/** Narrower than this, or longer than MAX_ASPECT times the other side, is not a garment photo we can work with. */
const MIN_SIDE = 32;
const MAX_ASPECT = 10;

/** Reads the header only: what cannot or should not be decoded (a decompression bomb) is refused here. */
export async function inspectUpload(input: Uint8Array, limits: ImageLimits): Promise<UploadHeader> {
  const bytes = input.byteLength;
  if (bytes === 0) throw new ApiError(400, 'empty_file', 'The file is empty. Choose a photo (JPEG, PNG or WebP).');
  if (bytes > limits.maxBytes) throw tooLarge(limits.maxBytes);

  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw new ApiError(415, 'not_an_image', `This file is not a photo we can read. Please upload a ${SUPPORTED_TEXT} image.`);
  }
  const format = meta.format ?? 'unknown';
  if (!(SUPPORTED_FORMATS as readonly string[]).includes(format)) {
    const name = format === 'heif' ? 'HEIC/HEIF' : format.toUpperCase();
    throw new ApiError(415, 'unsupported_format', `${name} images are not supported. Please upload a ${SUPPORTED_TEXT} image.`);
  }
  if (!meta.width || !meta.height) throw new ApiError(415, 'not_an_image', 'The image has no size. Please upload another photo.');
  if ((meta.pages ?? 1) > 1) {
    throw new ApiError(415, 'unsupported_format', `Animated images are not supported. Please upload a ${SUPPORTED_TEXT} image.`);
  }
  const pixels = meta.width * meta.height;
  if (pixels > limits.maxPixels) {
    const megapixels = (n: number) => (n / 1e6).toFixed(0);
    throw new ApiError(
      413,
      'too_many_pixels',
      `The photo is ${megapixels(pixels)} megapixels; the limit is ${megapixels(limits.maxPixels)}. Please upload a smaller photo.`,
      {},
      { megapixels: megapixels(pixels), max: megapixels(limits.maxPixels) },
    );
  }
  const { width, height } = meta.autoOrient ?? meta;
  if (Math.min(width, height) < MIN_SIDE || Math.max(width, height) > MAX_ASPECT * Math.min(width, height)) {
    throw new ApiError(
      422,
      'unsupported_shape',
      `The photo is ${width}×${height} pixels. Photos need at least ${MIN_SIDE} pixels on each side and at most ${MAX_ASPECT} times ` +
        'as long as they are wide. Please upload another photo.',
      {},
      { width, height, min: MIN_SIDE, aspect: MAX_ASPECT },
    );
  }
  return { format: format as UploadHeader['format'], width, height };
}

/**
 * The one decode of a stored or uploaded photo, so every reader sees the same pixels: EXIF orientation
 * applied, 8-bit sRGB, alpha flattened on white. `maxPixels` guards a header that was not inspected.
 */
export function uprightPipeline(input: Uint8Array, maxPixels: number): Sharp {
  return sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated' })
    .rotate()
    .toColourspace('srgb')
    .flatten({ background: '#ffffff' })
    .removeAlpha();
}

/** Runs a decode; whatever the decoder cannot read in the pixel data is the file's fault, said in words. */
async function decode(pipeline: Sharp, sourceFormat: string): Promise<NormalisedImage> {
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch {
    const message = 'The photo file is damaged or incomplete (it may not have finished uploading). Please try again.';
    throw new ApiError(422, 'corrupt_image', message);
  }
  if (out.info.channels !== 3) throw new Error(`unexpected channel count ${out.info.channels}`);
  return { rgb: out.data, width: out.info.width, height: out.info.height, sourceFormat };
}

/** The whole photo at full resolution, upright, as RGB. */
export async function normaliseUpload(input: Uint8Array, limits: ImageLimits): Promise<NormalisedImage> {
  const header = await inspectUpload(input, limits);
  return decode(uprightPipeline(input, limits.maxPixels), header.format);
}

export interface PreparedUpload {
  /** Upright full-resolution size. */
  width: number;
  height: number;
  sourceFormat: UploadHeader['format'];
  /** The photo at most `workingSide` on its longest side: what the display copies and the SAM embedding are made from. */
  working: NormalisedImage;
}

/**
 * Checks an upload and decodes every pixel of it (a damaged file is refused here), straight to a working
 * copy: JPEG and WebP shrink while decoding, so a 50 MP photo never exists in memory at full size.
 */
export async function prepareUpload(input: Uint8Array, limits: ImageLimits, workingSide = 2048): Promise<PreparedUpload> {
  const header = await inspectUpload(input, limits);
  const pipeline = uprightPipeline(input, limits.maxPixels).resize({
    width: workingSide,
    height: workingSide,
    fit: 'inside',
    withoutEnlargement: true,
  });
  const working = await decode(pipeline, header.format);
  return { width: header.width, height: header.height, sourceFormat: header.format, working };
}

/** A raw RGB image resampled to exactly `size` (cubic, as the SAM encoder resizes). */
export async function resizeRgb(img: NormalisedImage, size: { width: number; height: number }): Promise<NormalisedImage> {
  if (img.width === size.width && img.height === size.height) return img;
  const rgb = await sharp(img.rgb, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(size.width, size.height, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  return { ...img, rgb, width: size.width, height: size.height };
}

function tooLarge(maxBytes: number) {
  const max = describeBytes(maxBytes);
  return new ApiError(413, 'file_too_large', `The file is larger than ${max}. Please upload a smaller photo.`, {}, { max });
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
