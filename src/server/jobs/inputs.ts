// Images a recipe sends to the backend, at the generation size: the photo, the garment mask
// (grown for an outfit swap), the OpenPose skeleton. Prepared once per session state and reused.
import sharp from 'sharp';
import { LRUCache } from 'lru-cache';
import { distanceInside } from '../images/composite.ts';
import { greyRaw } from '../images/raw.ts';
import { renderSkeleton } from '../../lib/pose/render.ts';
import { scalePose } from '../../lib/pose/scale.ts';
import type { Pose } from '../../lib/pose/types.ts';
import { maskGrowthPx } from '../../lib/sd/recipes.ts';

export interface GenerationInputs {
  size: { width: number; height: number };
  initB64: string;
  /** White = garment, at the generation size. */
  maskB64: string | null;
  /** Recipes with `growMask` (outfit swap): the garment region grown by a few pixels so seams are repainted too. */
  grownMaskB64: string | null;
  skeletonB64: string | null;
}

export interface SourceImages {
  /** Photo at full resolution (the stored original PNG). */
  originalPng: Buffer;
  /** One channel, 255 = garment, at full resolution; null without a saved mask. */
  mask: { data: Buffer; width: number; height: number } | null;
  pose: Pose | null;
}

const fastPng = { compressionLevel: 1, adaptiveFiltering: false } as const;
const b64 = (buf: Buffer) => buf.toString('base64');

/** Binary mask (255/0) grown by `px` pixels. */
export function dilate(mask: Buffer, width: number, height: number, px: number): Buffer {
  const outside = Buffer.alloc(mask.length);
  for (let i = 0; i < mask.length; i++) outside[i] = mask[i] ? 0 : 1;
  const dist = distanceInside(outside, width, height);
  const out = Buffer.alloc(mask.length);
  for (let i = 0; i < mask.length; i++) out[i] = mask[i] || dist[i] <= px ? 255 : 0;
  return out;
}

/** The mask at the generation size, binarised at half coverage. */
export async function maskAtSize(mask: NonNullable<SourceImages['mask']>, width: number, height: number): Promise<Buffer> {
  const { data } = await greyRaw(
    sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } }).resize(width, height, {
      fit: 'fill',
      kernel: 'linear',
    }),
  );
  for (let i = 0; i < data.length; i++) data[i] = data[i] >= 128 ? 255 : 0;
  return data;
}

const grayPng = (data: Buffer, width: number, height: number) =>
  sharp(data, { raw: { width, height, channels: 1 } })
    .png(fastPng)
    .toBuffer();

export async function prepareInputs(
  src: SourceImages,
  size: { width: number; height: number },
  wants: { grown: boolean },
): Promise<GenerationInputs> {
  const { width, height } = size;
  const [init, mask, skeleton] = await Promise.all([
    sharp(src.originalPng).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).png(fastPng).toBuffer(),
    src.mask ? maskAtSize(src.mask, width, height) : Promise.resolve(null),
    src.pose
      ? sharp(Buffer.from(renderSkeleton(scalePose(src.pose, width, height), width, height).buffer), {
          raw: { width, height, channels: 4 },
        })
          .png(fastPng)
          .toBuffer()
      : Promise.resolve(null),
  ]);
  const [maskPng, grownPng] = await Promise.all([
    mask ? grayPng(mask, width, height) : null,
    mask && wants.grown ? grayPng(dilate(mask, width, height, maskGrowthPx(size)), width, height) : null,
  ]);
  return {
    size,
    initB64: b64(init),
    maskB64: maskPng ? b64(maskPng) : null,
    grownMaskB64: grownPng ? b64(grownPng) : null,
    skeletonB64: skeleton ? b64(skeleton) : null,
  };
}

// Several jobs of one session (variants, presets) reuse the same inputs: keyed by what they depend on.
const cache = new LRUCache<string, Promise<GenerationInputs>>({ max: 16 });

export function cachedInputs(key: string, make: () => Promise<GenerationInputs>): Promise<GenerationInputs> {
  let p = cache.get(key);
  if (!p) {
    p = make();
    p.catch(() => cache.delete(key));
    cache.set(key, p);
  }
  return p;
}
