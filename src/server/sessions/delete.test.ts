// Deleting a session on a temp data dir: its rows and files go (mask, conflict copies, pose, jobs,
// results); the photo it shares with another session stays until that one is deleted too.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempApp, type TempApp } from '../../../tests/support/temp-app.ts';
import { bandMask, storePhoto, type StoredPhoto } from '../../../tests/support/stored-photo.ts';
import { newId } from '../ids.ts';
import { CreateJobSchema } from '../../lib/api/job-request.ts';
import { claimNextJob, completeJob, insertJob } from '../jobs/store.ts';
import { resultKey } from '../jobs/runner.ts';
import { placePreset } from '../../lib/pose/presets.ts';
import { deleteSession } from './delete.ts';
import { savePose } from './pose.ts';
import { createSessionFromUpload, flushSupersededMasks, getImage, getSession, saveMask } from './service.ts';

const W = 64;
const H = 48;
let app: TempApp;
let photo: StoredPhoto;

beforeEach(async () => {
  app = openTempApp();
  photo = await storePhoto(app, W, H);
});
afterEach(() => app.close());

const rowsOf = (table: string, sessionId: string) =>
  app.db.prepare(`SELECT COUNT(*) FROM ${table} WHERE session_id = ?`).pluck().get(sessionId) as number;

/** A session with everything a session can own: two mask revisions, a conflict copy, a pose and a finished job's result. */
async function fullSession(title: string) {
  const { id } = await createSessionFromUpload(photo.bytes, `${title}.jpg`);
  await saveMask(id, (await bandMask(W, H, 0, 10)).png);
  await saveMask(id, (await bandMask(W, H, 0, 20)).png);
  await saveMask(id, (await bandMask(W, H, 5, 6)).png, { baseRev: 1, editedAt: new Date(Date.now() - 3_600_000).toISOString() });
  savePose(id, placePreset('front', W, H));
  const jobId = newId();
  insertJob(app.db, jobId, CreateJobSchema.parse({ sessionId: id, recipe: 'model-shot' }));
  claimNextJob(app.db, 'http://sd-1');
  const resultId = newId();
  await app.blobs.put(resultKey(jobId, resultId), Buffer.from('png'));
  const at = new Date().toISOString();
  completeJob(app.db, jobId, [
    {
      id: resultId,
      job_id: jobId,
      session_id: id,
      idx: 0,
      seed: 1,
      width: W,
      height: H,
      fidelity_before: null,
      fidelity_after: null,
      checks: null,
      fidelity_pixels: null,
      params: '{}',
      created_at: at,
    },
  ]);
  return { id, jobId };
}

describe('deleteSession', () => {
  it('removes the session’s rows and files and keeps the photo another session still uses', async () => {
    const a = await fullSession('a');
    const b = await fullSession('b');
    await flushSupersededMasks();
    expect(await app.blobs.list(`sessions/${a.id}`)).toHaveLength(2); // mask-2 and the device's copy
    const photoFiles = (await app.blobs.list(`images/${photo.imageId}`)).sort();

    expect(await deleteSession(a.id)).toEqual({ id: a.id, imageDeleted: false });
    expect(() => getSession(a.id)).toThrow(expect.objectContaining({ status: 404 }));
    for (const table of ['session_poses', 'session_conflicts', 'jobs', 'results']) expect(rowsOf(table, a.id), table).toBe(0);
    expect(await app.blobs.list(`sessions/${a.id}`)).toEqual([]);
    expect(await app.blobs.list(`results/${a.jobId}`)).toEqual([]);
    // The other session, its files and the shared photo are untouched.
    expect(getSession(b.id)).toMatchObject({ image: { id: photo.imageId }, mask: { rev: 2 } });
    expect(getImage(photo.imageId).id).toBe(photo.imageId);
    expect((await app.blobs.list(`images/${photo.imageId}`)).sort()).toEqual(photoFiles);
    expect(await app.blobs.list(`sessions/${b.id}`)).toHaveLength(2);
    expect(await app.blobs.list(`results/${b.jobId}`)).toHaveLength(1);
    for (const table of ['session_poses', 'session_conflicts', 'jobs', 'results']) expect(rowsOf(table, b.id), table).toBe(1);

    // The last session of the photo takes it along.
    expect(await deleteSession(b.id)).toEqual({ id: b.id, imageDeleted: true });
    expect(() => getImage(photo.imageId)).toThrow(expect.objectContaining({ status: 404 }));
    expect(await app.blobs.list('')).toEqual([]);
  });

  it('keeps a photo that other sessions use however many are deleted before the last', async () => {
    const ids = [];
    for (const title of ['x', 'y', 'z']) ids.push((await createSessionFromUpload(photo.bytes, `${title}.jpg`)).id);
    expect((await deleteSession(ids[0])).imageDeleted).toBe(false);
    expect((await deleteSession(ids[2])).imageDeleted).toBe(false);
    expect(await app.blobs.list(`images/${photo.imageId}`)).toHaveLength(4);
    expect((await deleteSession(ids[1])).imageDeleted).toBe(true);
  });

  it('answers 404 for an unknown session and removes nothing', async () => {
    const { id } = await createSessionFromUpload(photo.bytes, 'kept.jpg');
    const before = (await app.blobs.list('')).sort();
    await expect(deleteSession('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect(getSession(id).id).toBe(id);
    expect((await app.blobs.list('')).sort()).toEqual(before);
  });
});
