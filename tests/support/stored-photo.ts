// A photo stored as an earlier upload would have left it: its images row and its files, the SAM
// embedding included. createSessionFromUpload of the same bytes then reuses it, as it does for a
// photo uploaded twice, so session tests need no SAM model.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import type { AppContext } from '../../src/server/app/context.ts';
import { newId } from '../../src/server/ids.ts';
import { EMBEDDING_WIRE_DTYPE, imageKeys } from '../../src/server/sessions/service.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export interface StoredPhoto {
  /** The upload's bytes (a JPEG). */
  bytes: Buffer;
  imageId: string;
  width: number;
  height: number;
}

export async function storePhoto(ctx: Pick<AppContext, 'db' | 'blobs'>, width = 64, height = 48, colour = '#c03030'): Promise<StoredPhoto> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();
  const imageId = newId();
  const keys = imageKeys(imageId);
  await Promise.all([
    ctx.blobs.put(keys.original, await sharp(bytes).png().toBuffer()),
    ctx.blobs.put(keys.display, bytes),
    ctx.blobs.put(keys.thumb, bytes),
    ctx.blobs.put(keys.embedding, new Uint8Array(16)), // never decoded by the code under test
  ]);
  ctx.db
    .prepare(
      `INSERT INTO images (id, sha256, width, height, source_format, source_bytes, embedding_dtype, embedding_shape, created_at)
       VALUES (?, ?, ?, ?, 'jpeg', ?, ?, '[1,256,64,64]', ?)`,
    )
    .run(imageId, sha256(bytes), width, height, bytes.byteLength, EMBEDDING_WIRE_DTYPE, new Date().toISOString());
  return { bytes, imageId, width, height };
}

/** A mask PNG of `width`×`height`, white (garment) over rows [y0, y1). */
export async function bandMask(width: number, height: number, y0: number, y1: number): Promise<{ png: Buffer; area: number }> {
  const raw = Buffer.alloc(width * height);
  raw.fill(255, y0 * width, y1 * width);
  return {
    png: await sharp(raw, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer(),
    area: (y1 - y0) * width,
  };
}
