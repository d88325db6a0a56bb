// The full-resolution original is the uploaded file itself (JPEG, PNG or WebP, as sent): a 50 MP JPEG
// stays ~38 MB instead of ~150 MB as a PNG of its pixels, and storing it costs no encode. It may still
// carry EXIF (orientation, camera data): it is never served as is. Whatever needs the upright photo reads
// it here, decoded the one way uploads are (uprightPipeline), so every reader sees the same pixels.
import { Readable } from 'node:stream';
import sharp, { type Metadata } from 'sharp';
import type { BlobStore } from '../store/blobs.ts';
import { acquireImageSlot, uprightPipeline, withImageSlot } from './normalise.ts';

/** What a reader needs of an images row. */
export interface StoredPhoto {
  id: string;
  source_format: string;
  width: number;
  height: number;
}

const EXTENSIONS: Record<string, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };

export const sourceKey = (imageId: string, format: string) => `images/${imageId}/source.${EXTENSIONS[format] ?? 'bin'}`;

/** Photos uploaded before the source was kept: the upright photo as a PNG (imageKeys(id).original). */
const legacyOriginalKey = (imageId: string) => `images/${imageId}/original.png`;

const FAST_PNG = { compressionLevel: 1, adaptiveFiltering: false } as const;

/** True when a plain decode (sharp(bytes)) already gives the upright 8-bit sRGB photo uprightPipeline gives. */
function decodesUpright(meta: Metadata): boolean {
  const plainRgb = meta.channels === 3 && !meta.hasAlpha && meta.space === 'srgb' && !meta.hasProfile && meta.depth === 'uchar';
  return plainRgb && (meta.orientation ?? 1) === 1;
}

/**
 * The upright photo, encoded: a plain `sharp(buffer)` decode of the result is the photo as uploads are
 * normalised. Usually the stored file itself; a lossless PNG when it needs turning, colour conversion or
 * flattening.
 */
export async function readUprightPhoto(blobs: BlobStore, photo: StoredPhoto): Promise<Buffer> {
  const key = sourceKey(photo.id, photo.source_format);
  if (!(await blobs.has(key))) return blobs.get(legacyOriginalKey(photo.id));
  const bytes = await blobs.get(key);
  if (decodesUpright(await sharp(bytes).metadata())) return bytes;
  return withImageSlot(() =>
    uprightPipeline(bytes, photo.width * photo.height)
      .png(FAST_PNG)
      .toBuffer(),
  );
}

export interface UprightPng {
  stream: ReadableStream<Uint8Array>;
  /** Known only for a stored PNG; an encode on demand is streamed as it goes. */
  size: number | null;
}

/**
 * The upright photo as a PNG without metadata (GET …/original.png), streamed while it is encoded: made on
 * demand from the stored file, in one of the image slots (held until the stream ends). Null: no file stored.
 */
export async function uprightPngStream(blobs: BlobStore, photo: StoredPhoto): Promise<UprightPng | null> {
  const key = sourceKey(photo.id, photo.source_format);
  if (!(await blobs.has(key))) {
    const legacy = legacyOriginalKey(photo.id);
    const size = await blobs.size(legacy);
    return size === null ? null : { stream: blobs.stream(legacy), size };
  }
  const bytes = await blobs.get(key);
  const release = await acquireImageSlot();
  const png = uprightPipeline(bytes, photo.width * photo.height).png(FAST_PNG);
  png.once('close', release);
  return { stream: Readable.toWeb(png) as ReadableStream<Uint8Array>, size: null };
}
