// Sessions on a temp data dir (real SQLite file, real blob folder): reuse of a stored photo, mask
// saves and their revisions, refused masks, and offline edits that meet a newer server version.
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempApp, type TempApp } from '../../../tests/support/temp-app.ts';
import { bandMask, storePhoto, type StoredPhoto } from '../../../tests/support/stored-photo.ts';
import { ApiError } from '../http/errors.ts';
import { greyRaw } from '../images/raw.ts';
import { getConflict, listConflicts } from './conflicts.ts';
import { createSessionFromUpload, flushSupersededMasks, getSession, listSessions, maskBlobKey, saveMask } from './service.ts';

const W = 64;
const H = 48;
let app: TempApp;
let photo: StoredPhoto;
let sessionId: string;

beforeEach(async () => {
  app = openTempApp();
  photo = await storePhoto(app, W, H);
  sessionId = (await createSessionFromUpload(photo.bytes, 'shirt.jpg')).id;
});
afterEach(() => app.close());

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
/** The session's mask files once superseded ones are gone, named by revision (a save's own id left out). */
const maskFiles = async () => {
  await flushSupersededMasks();
  return (await app.blobs.list(`sessions/${sessionId}`))
    .map((k) =>
      k
        .split('/')
        .pop()!
        .replace(/^(mask-\d+)-[\w-]+\.png$/, '$1.png'),
    )
    .sort();
};
const revKey = (rev: number) => new RegExp(`^sessions/${sessionId}/mask-${rev}-[\\w-]+\\.png$`);

/** White pixels of a stored mask, after checking it is a black-and-white PNG of the photo's size. */
async function storedMaskArea(key: string): Promise<number> {
  const png = await app.blobs.get(key);
  expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: W, height: H });
  const { data } = await greyRaw(sharp(png));
  expect(data.every((v) => v === 0 || v === 255)).toBe(true);
  return data.filter((v) => v === 255).length;
}

async function expectApiError(work: Promise<unknown>, status: number, code: string) {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  expect(err).toMatchObject({ status, code });
}

describe('createSessionFromUpload', () => {
  it('reuses a stored photo: every upload of it is a new session on the same image, titled from the file name', async () => {
    const again = await createSessionFromUpload(photo.bytes, 'Red shirt, front.JPEG');
    expect(again.id).not.toBe(sessionId);
    expect(again.image).toMatchObject({ id: photo.imageId, width: W, height: H });
    expect(again).toMatchObject({ title: 'Red shirt, front', mask: null });
    expect(listSessions().sessions.map((s) => s.id)).toEqual([again.id, sessionId]);
    // A page at a time: the cursor of the first page gives the rest.
    const first = listSessions({ limit: 1, after: null });
    expect(first.sessions.map((s) => s.id)).toEqual([again.id]);
    expect(first.nextCursor).not.toBeNull();
    expect(getSession(sessionId)).toMatchObject({ id: sessionId, title: 'shirt', image: { id: photo.imageId }, conflicts: [] });
    expect((await app.blobs.list('images')).length).toBe(4); // nothing stored twice
  });
});

describe('saveMask', () => {
  it('stores a clean black-and-white mask as revision 1, then replaces it with revision 2', async () => {
    // Grey levels and colour: the stored mask is thresholded at 128 on the first channel.
    const raw = Buffer.alloc(W * H * 3, 100);
    raw.fill(200, 10 * W * 3, 20 * W * 3);
    const grey = await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
      .png()
      .toBuffer();
    const first = await saveMask(sessionId, grey);
    expect(first).toMatchObject({ applied: true, conflict: null });
    expect(first.session.mask).toMatchObject({ rev: 1, area: 10 * W, url: `/api/sessions/${sessionId}/mask.png?rev=1` });
    expect(maskBlobKey(sessionId)).toMatch(revKey(1)); // a file of its own per save
    expect(await storedMaskArea(maskBlobKey(sessionId)!)).toBe(10 * W);

    const band = await bandMask(W, H, 5, 30);
    const second = await saveMask(sessionId, band.png);
    expect(second.session.mask).toMatchObject({ rev: 2, area: band.area });
    expect(second.session.mask!.updatedAt! >= first.session.mask!.updatedAt!).toBe(true);
    expect(await storedMaskArea(maskBlobKey(sessionId)!)).toBe(band.area);
    expect(await maskFiles()).toEqual(['mask-2.png']); // the replaced revision is gone
  });

  it('refuses an empty, non-PNG, wrong-size or damaged mask, and stores nothing', async () => {
    const jpeg = await sharp({ create: { width: W, height: H, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    const small = (await bandMask(W / 2, H, 0, 10)).png;
    const png = (await bandMask(W, H, 0, 10)).png;
    const damaged = Buffer.from(png.subarray(0, Math.floor(png.length * 0.6)));
    await expectApiError(saveMask(sessionId, Buffer.alloc(0)), 400, 'empty_mask');
    await expectApiError(saveMask(sessionId, jpeg), 415, 'mask_not_png');
    await expectApiError(saveMask(sessionId, Buffer.from('not a png')), 415, 'mask_not_png');
    await expectApiError(saveMask(sessionId, small), 422, 'mask_size_mismatch');
    await expectApiError(saveMask(sessionId, damaged), 422, 'corrupt_mask');
    await expectApiError(saveMask('AAAAAAAAAAAAAAAAAAAAAA', png), 404, 'not_found');
    expect(getSession(sessionId).mask).toBeNull();
    expect(await app.blobs.list('sessions')).toEqual([]);
  });
});

describe('saveMask of an edit made offline', () => {
  it('on the current revision: applied as the next one, dated when it was made, with no conflict', async () => {
    await saveMask(sessionId, (await bandMask(W, H, 0, 10)).png);
    const editedAt = iso(60_000);
    const res = await saveMask(sessionId, (await bandMask(W, H, 10, 20)).png, { baseRev: 1, editedAt });
    expect(res).toMatchObject({ applied: true, conflict: null });
    expect(res.session.mask).toMatchObject({ rev: 2, updatedAt: editedAt });
    expect(res.session.conflicts).toEqual([]);
    expect(await maskFiles()).toEqual(['mask-2.png']);
  });

  it('the first mask ever, made on a device (base 0): applied, no conflict', async () => {
    const res = await saveMask(sessionId, (await bandMask(W, H, 0, 10)).png, { baseRev: 0, editedAt: iso(1000) });
    expect(res).toMatchObject({ applied: true, conflict: null, session: { mask: { rev: 1 } } });
  });

  it('older than the server’s newer mask: the server’s stays current, the edit is kept as a device copy', async () => {
    await saveMask(sessionId, (await bandMask(W, H, 0, 10)).png); // rev 1, which the device had
    const server = await bandMask(W, H, 0, 30);
    await saveMask(sessionId, server.png); // rev 2, saved elsewhere meanwhile
    const device = await bandMask(W, H, 20, 25);
    const editedAt = iso(3_600_000); // before rev 2 was saved
    const res = await saveMask(sessionId, device.png, { baseRev: 1, editedAt });
    expect(res.applied).toBe(false);
    expect(res.session.mask).toMatchObject({ rev: 2, area: server.area });
    expect(res.conflict).toMatchObject({ kind: 'mask', source: 'device', rev: 1, editedAt, area: device.area });
    expect(res.session.conflicts).toEqual([res.conflict]);
    const copy = getConflict(sessionId, res.conflict!.id);
    expect(copy.blobKey).toBe(`sessions/${sessionId}/conflict-${res.conflict!.id}.png`);
    expect(await storedMaskArea(copy.blobKey!)).toBe(device.area);
    expect(await storedMaskArea(maskBlobKey(sessionId)!)).toBe(server.area);
    expect(await maskFiles()).toEqual([`conflict-${res.conflict!.id}.png`, 'mask-2.png']);
  });

  it('newer than the server’s mask: the edit becomes current, the server’s is kept as a copy (its file too)', async () => {
    await saveMask(sessionId, (await bandMask(W, H, 0, 10)).png); // rev 1, which the device had
    const server = await bandMask(W, H, 0, 30);
    const rev2 = await saveMask(sessionId, server.png);
    const device = await bandMask(W, H, 20, 25);
    const editedAt = new Date().toISOString(); // after rev 2 was saved
    const res = await saveMask(sessionId, device.png, { baseRev: 1, editedAt });
    expect(res.applied).toBe(true);
    expect(res.session.mask).toMatchObject({ rev: 3, area: device.area, updatedAt: editedAt });
    expect(res.conflict).toMatchObject({ kind: 'mask', source: 'server', rev: 2, area: server.area });
    expect(res.conflict!.editedAt).toBe(rev2.session.mask!.updatedAt);
    expect(listConflicts(sessionId)).toEqual([res.conflict]);
    const copyKey = getConflict(sessionId, res.conflict!.id).blobKey!;
    expect(copyKey).toMatch(revKey(2));
    expect(await storedMaskArea(copyKey)).toBe(server.area);
    expect(await maskFiles()).toEqual(['mask-2.png', 'mask-3.png']);
  });

  it('two device copies are listed newest first', async () => {
    await saveMask(sessionId, (await bandMask(W, H, 0, 10)).png);
    await saveMask(sessionId, (await bandMask(W, H, 0, 20)).png);
    const a = await saveMask(sessionId, (await bandMask(W, H, 1, 2)).png, { baseRev: 1, editedAt: iso(7_200_000) });
    const b = await saveMask(sessionId, (await bandMask(W, H, 2, 3)).png, { baseRev: 1, editedAt: iso(3_600_000) });
    expect(getSession(sessionId).conflicts.map((c) => c.id)).toEqual([b.conflict!.id, a.conflict!.id]);
  });
});
