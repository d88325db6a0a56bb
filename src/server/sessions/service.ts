// Sessions: one uploaded photo with its SAM embedding, mask and (later) pose and results.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { app, samEncoder } from '../app/context.ts';
import { newId } from '../ids.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { encodeDisplayJpeg, prepareUpload, resizeRgb, withImageSlot } from '../images/normalise.ts';
import { sourceKey } from '../images/original.ts';
import { markImageWrite, uploadLeftoversSwept } from '../images/upload-leftovers.ts';
import { samInputSize } from '../../lib/sam/coords.ts';
import { SAM_MODEL, embeddingWireShape } from '../../lib/sam/model.ts';
import { encodeEmbeddingNpy, type EmbeddingDtype } from '../../lib/sam/npy.ts';
import { DEFAULT_PAGE, splitPage, type Page } from '../store/page.ts';
import { conflictMaskKey, deviceIsNewer, insertConflict, listConflicts, type ConflictJson, type SyncInfo } from './conflicts.ts';

/** The SAM family's wire dtype (MobileSAM: float16, half the download) and .npy shape, as recorded per image. */
export const EMBEDDING_WIRE_DTYPE: EmbeddingDtype = SAM_MODEL.embedding.wireDtype;
const EMBEDDING_SHAPE = embeddingWireShape(SAM_MODEL);

export interface ImageRow {
  id: string;
  sha256: string;
  width: number;
  height: number;
  source_format: string;
  source_bytes: number;
  embedding_dtype: string;
  embedding_shape: string;
  created_at: string;
}

interface SessionRow {
  id: string;
  image_id: string;
  title: string;
  mask_rev: number;
  mask_area: number | null;
  mask_updated_at: string | null;
  /** The current mask's blob (null for masks saved before keys were per save: then mask-<rev>.png). */
  mask_key: string | null;
  created_at: string;
  updated_at: string;
}

export const imageKeys = (id: string) => ({
  original: `images/${id}/original.png`,
  display: `images/${id}/photo.jpg`,
  thumb: `images/${id}/thumb.jpg`,
  embedding: `images/${id}/embedding.npy`,
});
/** A new file for each save: concurrent saves of one session never write (or delete) the same file. */
const newMaskKey = (sessionId: string, rev: number) => `sessions/${sessionId}/mask-${rev}-${newId()}.png`;
const currentMaskKey = (s: Pick<SessionRow, 'id' | 'mask_rev' | 'mask_key'>) => s.mask_key ?? `sessions/${s.id}/mask-${s.mask_rev}.png`;

/**
 * A superseded mask file is removed a little later, not at once: a reader that looked up the old row just
 * before the save (a generation loading its inputs, a download) still finds the file. A crash in between
 * leaves an unreferenced file, which the start-up sweep removes.
 */
const superseded = new Map<string, ReturnType<typeof setTimeout>>();
async function deleteLater(key: string) {
  const grace = app().config.supersededGraceMs;
  if (grace === 0)
    return app()
      .blobs.delete(key)
      .catch(() => {});
  const timer = setTimeout(() => {
    superseded.delete(key);
    void app()
      .blobs.delete(key)
      .catch(() => {});
  }, grace);
  timer.unref();
  superseded.set(key, timer);
}

/** Removes the superseded mask files now instead of after their grace period (tests; a clean stop). */
export async function flushSupersededMasks(): Promise<void> {
  const keys = [...superseded.keys()];
  for (const key of keys) clearTimeout(superseded.get(key));
  superseded.clear();
  await Promise.all(
    keys.map((k) =>
      app()
        .blobs.delete(k)
        .catch(() => {}),
    ),
  );
}

export function imageUrls(id: string) {
  return {
    url: `/api/images/${id}/photo.jpg`,
    originalUrl: `/api/images/${id}/original.png`,
    thumbUrl: `/api/images/${id}/thumb.jpg`,
    embeddingUrl: `/api/images/${id}/embedding.npy`,
  };
}

function imageJson(img: ImageRow) {
  const urls = imageUrls(img.id);
  return { id: img.id, width: img.width, height: img.height, url: urls.url, originalUrl: urls.originalUrl, thumbUrl: urls.thumbUrl };
}

function embeddingJson(img: ImageRow) {
  return { url: imageUrls(img.id).embeddingUrl, dtype: img.embedding_dtype, shape: JSON.parse(img.embedding_shape) as number[] };
}

export function sessionJson(s: SessionRow, img: ImageRow) {
  return {
    id: s.id,
    title: s.title,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
    image: imageJson(img),
    embedding: embeddingJson(img),
    mask:
      s.mask_rev > 0
        ? { rev: s.mask_rev, area: s.mask_area, url: `/api/sessions/${s.id}/mask.png?rev=${s.mask_rev}`, updatedAt: s.mask_updated_at }
        : null,
  };
}
export type SessionJson = ReturnType<typeof sessionJson>;

// Concurrent uploads of the same photo share one normalise + encode.
const inflight = new Map<string, Promise<ImageRow>>();

/** An upload: its bytes, or the file they were received into with their hash (src/server/http/multipart.ts). */
export type UploadSource = Buffer | { path: string; bytes: number; sha256: string };

async function ingestImage(upload: UploadSource): Promise<ImageRow> {
  const context = app();
  const { db, blobs, config } = context;
  const sha256 = Buffer.isBuffer(upload) ? createHash('sha256').update(upload).digest('hex') : upload.sha256;
  const existing = db.prepare('SELECT * FROM images WHERE sha256 = ?').get(sha256) as ImageRow | undefined;
  if (existing && (await blobs.has(imageKeys(existing.id).embedding))) return existing;
  const pending = inflight.get(sha256);
  if (pending) return pending;

  const work = withImageSlot(async (): Promise<ImageRow> => {
    // Read once: decoded from memory, and stored as is. (Not decoded from the path: libvips keeps recently
    // opened files open, so a removed temp file would keep its disk space.)
    const source = Buffer.isBuffer(upload) ? upload : await readFile(upload.path);
    const photo = await prepareUpload(source, { maxBytes: config.maxUploadBytes, maxPixels: config.maxPixels });
    const encoder = await samEncoder();
    // The encoder's input size follows from the full-resolution size, as the browser computes it.
    const samInput = await resizeRgb(photo.working, samInputSize(photo.width, photo.height));
    const [embedding, display, thumb] = await Promise.all([
      encoder.embed(samInput),
      encodeDisplayJpeg(photo.working, 2048),
      encodeDisplayJpeg(photo.working, 320),
    ]);
    // Always a new folder, marked before its first file: a crash leaves only what the start-up sweep recognises.
    await uploadLeftoversSwept(context);
    const id = newId();
    const keys = imageKeys(id);
    const unmark = await markImageWrite(config.dataDir, id);
    const row: ImageRow = {
      id,
      sha256,
      width: photo.width,
      height: photo.height,
      source_format: photo.sourceFormat,
      source_bytes: source.byteLength,
      embedding_dtype: EMBEDDING_WIRE_DTYPE,
      embedding_shape: JSON.stringify(EMBEDDING_SHAPE),
      created_at: new Date().toISOString(),
    };
    try {
      await Promise.all([
        blobs.put(sourceKey(id, photo.sourceFormat), source),
        blobs.put(keys.display, display),
        blobs.put(keys.thumb, thumb),
        blobs.put(keys.embedding, new Uint8Array(encodeEmbeddingNpy(embedding, EMBEDDING_WIRE_DTYPE))),
      ]);
      const insert = db.prepare(
        `INSERT INTO images (id, sha256, width, height, source_format, source_bytes, embedding_dtype, embedding_shape, created_at)
         VALUES (@id, @sha256, @width, @height, @source_format, @source_bytes, @embedding_dtype, @embedding_shape, @created_at)`,
      );
      db.transaction(() => {
        if (!existing) return void insert.run(row);
        // The photo's row had lost its files: its sessions move to this complete copy.
        db.prepare("UPDATE images SET sha256 = id || ':replaced' WHERE id = ?").run(existing.id);
        insert.run(row);
        db.prepare('UPDATE sessions SET image_id = ? WHERE image_id = ?').run(id, existing.id);
        db.prepare('DELETE FROM images WHERE id = ?').run(existing.id);
      })();
    } catch (err) {
      // Left marked if even this fails, so that the next start removes it.
      await blobs.deletePrefix(`images/${id}`);
      await unmark();
      throw err;
    }
    // The row exists: a marker left behind would only be passed over by the sweep.
    await unmark().catch(() => {});
    // No row points at the old folder any more (the start-up sweep takes it if this is interrupted).
    if (existing) await blobs.deletePrefix(`images/${existing.id}`).catch(() => {});
    return row;
  });
  inflight.set(sha256, work);
  try {
    return await work;
  } finally {
    inflight.delete(sha256);
  }
}

/** A new session on an uploaded photo, in `workspaceId` (routes pass the actor's; in-process tests may omit it). */
export async function createSessionFromUpload(upload: UploadSource, filename: string, workspaceId: string | null = null) {
  const img = await ingestImage(upload);
  const { db } = app();
  const now = new Date().toISOString();
  const row: SessionRow = {
    id: newId(),
    image_id: img.id,
    title: titleFromFilename(filename),
    mask_rev: 0,
    mask_area: null,
    mask_updated_at: null,
    mask_key: null,
    created_at: now,
    updated_at: now,
  };
  db.prepare(
    `INSERT INTO sessions (id, image_id, title, mask_rev, mask_area, mask_updated_at, created_at, updated_at, workspace_id)
     VALUES (@id, @image_id, @title, @mask_rev, @mask_area, @mask_updated_at, @created_at, @updated_at, @workspace_id)`,
  ).run({ ...row, workspace_id: workspaceId });
  return sessionJson(row, img);
}

function titleFromFilename(name: string): string {
  const base = name
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[\u0000-\u001f]/g, '')
    .trim();
  return base.slice(0, 120);
}

export function getImage(id: string): ImageRow {
  const img = app().db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
  if (!img) throw notFound('The photo');
  return img;
}

function getSessionRow(id: string): SessionRow {
  const s = app().db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
  if (!s) throw notFound('The session');
  return s;
}

export function getSession(id: string) {
  const s = getSessionRow(id);
  // Conflict copies left by offline sync (src/server/sessions/conflicts.ts), newest first.
  return { ...sessionJson(s, getImage(s.image_id)), conflicts: listConflicts(id) };
}

/**
 * A page of a workspace's sessions, newest first (GET /api/sessions?limit=&cursor=). Routes always pass the
 * actor's workspace; in-process tests may omit it to list every session.
 */
export function listSessions(page: Page = { limit: DEFAULT_PAGE, after: null }, workspaceId?: string, titleContains = '') {
  const where: string[] = [];
  const args: unknown[] = [];
  if (workspaceId !== undefined) {
    where.push('s.workspace_id = ?');
    args.push(workspaceId);
  }
  if (titleContains) {
    // instr, not LIKE: the merchant's % and _ are letters, not wildcards. lower() folds ASCII (names of files).
    where.push('instr(lower(s.title), lower(?)) > 0');
    args.push(titleContains);
  }
  if (page.after) {
    where.push('(s.created_at < ? OR (s.created_at = ? AND s.rowid < ?))');
    args.push(page.after.at, page.after.at, page.after.rowid);
  }
  const after = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const found = app()
    .db.prepare(
      `SELECT s.*, s.rowid AS rowid, i.id AS i_id, i.sha256, i.width, i.height, i.source_format, i.source_bytes, i.embedding_dtype,
              i.embedding_shape, i.created_at AS i_created
       FROM sessions s JOIN images i ON i.id = s.image_id ${after} ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?`,
    )
    .all(...args, page.limit + 1) as (SessionRow & {
    rowid: number;
    i_id: string;
    sha256: string;
    width: number;
    height: number;
    source_format: string;
    source_bytes: number;
    embedding_dtype: string;
    embedding_shape: string;
    i_created: string;
  })[];
  const { rows, nextCursor } = splitPage(found, page.limit);
  const sessions = rows.map((r) =>
    sessionJson(r, {
      id: r.i_id,
      sha256: r.sha256,
      width: r.width,
      height: r.height,
      source_format: r.source_format,
      source_bytes: r.source_bytes,
      embedding_dtype: r.embedding_dtype,
      embedding_shape: r.embedding_shape,
      created_at: r.i_created,
    }),
  );
  return { sessions, nextCursor };
}

export interface MaskSaveResult {
  session: ReturnType<typeof getSession>;
  /** False when the edit was kept as a conflict copy because the server's version is newer. */
  applied: boolean;
  /** The version set aside when the edit's base revision was not the current one. */
  conflict: ConflictJson | null;
}

/**
 * Stores a mask PNG (any PNG the photo's size; white = garment) as a clean black/white PNG.
 * With `sync` (an edit made offline: the revision it was made on and when), a base revision that
 * is no longer current keeps both versions: the newer becomes current, the other a conflict copy.
 */
export async function saveMask(sessionId: string, png: Buffer, sync: SyncInfo | null = null): Promise<MaskSaveResult> {
  const { db, blobs } = app();
  const session = getSessionRow(sessionId);
  const img = getImage(session.image_id);
  if (png.byteLength === 0) throw new ApiError(400, 'empty_mask', 'The mask is empty.');
  let meta: Metadata;
  try {
    // Header only, with no pixel limit: a mask claiming a huge size is then refused for its size (a
    // decompression bomb is not "not a PNG"); nothing is decoded before the size matches the photo's.
    meta = await sharp(png, { limitInputPixels: false }).metadata();
  } catch {
    throw new ApiError(415, 'mask_not_png', 'The mask must be a PNG image.');
  }
  if (meta.format !== 'png') throw new ApiError(415, 'mask_not_png', `The mask must be a PNG image (got ${meta.format?.toUpperCase()}).`);
  if (meta.width !== img.width || meta.height !== img.height) {
    throw new ApiError(422, 'mask_size_mismatch', `The mask is ${meta.width}×${meta.height} but the photo is ${img.width}×${img.height}.`);
  }
  let gray: Buffer;
  try {
    gray = await sharp(png, { failOn: 'truncated', limitInputPixels: img.width * img.height })
      .flatten({ background: '#000000' })
      .extractChannel(0)
      .raw()
      .toBuffer();
  } catch {
    throw new ApiError(422, 'corrupt_mask', 'The mask PNG is damaged.');
  }
  let areaPx = 0;
  for (let i = 0; i < gray.length; i++) {
    const on = gray[i] >= 128;
    gray[i] = on ? 255 : 0;
    areaPx += on ? 1 : 0;
  }
  const clean = await sharp(gray, { raw: { width: img.width, height: img.height, channels: 1 } })
    .png({ compressionLevel: 6, palette: false })
    .toBuffer();
  const conflicting = sync !== null && session.mask_rev > 0 && sync.baseRev !== session.mask_rev;
  if (conflicting && !deviceIsNewer(sync, session.mask_updated_at)) {
    // The server's mask is newer: it stays current, the device's edit is kept beside it.
    const id = newId();
    const key = conflictMaskKey(sessionId, id);
    await blobs.put(key, clean);
    try {
      const conflict = insertConflict({
        id,
        session_id: sessionId,
        kind: 'mask',
        source: 'device',
        rev: sync.baseRev,
        edited_at: sync.editedAt,
        blob_key: key,
        area: areaPx,
        pose: null,
      });
      return { session: getSession(sessionId), applied: false, conflict };
    } catch (err) {
      await blobs.delete(key);
      throw err;
    }
  }
  // The file first, under a key no other save uses; then the row, only if nobody saved meanwhile. A loser
  // removes only its own file; a crash leaves an unreferenced file (swept at start), never a row without one.
  const rev = session.mask_rev + 1;
  const key = newMaskKey(sessionId, rev);
  await blobs.put(key, clean);
  const now = new Date().toISOString();
  let conflict: ConflictJson | null = null;
  try {
    db.transaction(() => {
      const res = db
        .prepare(
          'UPDATE sessions SET mask_rev = ?, mask_area = ?, mask_updated_at = ?, mask_key = ?, updated_at = ? ' +
            'WHERE id = ? AND mask_rev = ?',
        )
        .run(rev, areaPx, sync?.editedAt ?? now, key, now, sessionId, session.mask_rev);
      if (res.changes !== 1)
        throw new ApiError(409, 'conflict', 'The mask was changed by another save at the same time. Please try again.');
      // The device's edit is newer: the server's mask it replaces is kept as the conflict copy.
      if (conflicting) {
        conflict = insertConflict({
          session_id: sessionId,
          kind: 'mask',
          source: 'server',
          rev: session.mask_rev,
          edited_at: session.mask_updated_at ?? session.updated_at,
          blob_key: currentMaskKey(session),
          area: session.mask_area,
          pose: null,
        });
      }
    })();
  } catch (err) {
    await blobs.delete(key);
    throw err;
  }
  if (session.mask_rev > 0 && !conflicting) await deleteLater(currentMaskKey(session));
  return { session: getSession(sessionId), applied: true, conflict };
}

export function maskBlobKey(sessionId: string): string | null {
  const s = getSessionRow(sessionId);
  return s.mask_rev > 0 ? currentMaskKey(s) : null;
}
