// Session poses on a temp data dir: saves and revisions, refused poses, and offline edits that meet
// a newer server pose (both kept, the newer current).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { openTempApp, type TempApp } from '../../../tests/support/temp-app.ts';
import { storePhoto } from '../../../tests/support/stored-photo.ts';
import { placePreset } from '../../lib/pose/presets.ts';
import { getConflict } from './conflicts.ts';
import { getPose, requirePose, savePose } from './pose.ts';
import { createSessionFromUpload, getSession } from './service.ts';

const W = 120;
const H = 160;
const front = placePreset('front', W, H);
const walking = placePreset('walking', W, H);
const sitting = placePreset('sitting', W, H);
let app: TempApp;
let sessionId: string;

beforeEach(async () => {
  app = openTempApp();
  sessionId = (await createSessionFromUpload((await storePhoto(app, W, H)).bytes, 'dress.jpg')).id;
});
afterEach(() => app.close());

const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();
const poseRows = () => app.db.prepare('SELECT COUNT(*) AS n FROM session_poses').pluck().get();

describe('savePose', () => {
  it('saves revision 1, then 2; the latest is what getPose and requirePose return', () => {
    const updatedBefore = getSession(sessionId).updatedAt;
    const first = savePose(sessionId, front);
    expect(first).toMatchObject({ rev: 1, pose: front, applied: true, conflict: null });
    expect(getSession(sessionId).updatedAt >= updatedBefore).toBe(true);
    const second = savePose(sessionId, walking);
    expect(second).toMatchObject({ rev: 2, pose: walking, applied: true });
    expect(getPose(sessionId)).toEqual({ pose: walking, rev: 2, updatedAt: second.updatedAt });
    expect(requirePose(sessionId)).toEqual(getPose(sessionId));
    expect(poseRows()).toBe(1);
  });

  it('has no pose before the first save: getPose is null, requirePose a 404 that says what to do', () => {
    expect(getPose(sessionId)).toBeNull();
    expect(() => requirePose(sessionId)).toThrow(expect.objectContaining({ status: 404, code: 'no_pose' }));
  });

  it('refuses a pose for another frame size or with missing keypoints, and keeps the saved one', () => {
    savePose(sessionId, front);
    expect(() => savePose(sessionId, placePreset('front', W * 2, H * 2))).toThrow(ZodError);
    expect(() => savePose(sessionId, { ...walking, keypoints: walking.keypoints.slice(1) })).toThrow(ZodError);
    expect(getPose(sessionId)).toMatchObject({ rev: 1, pose: front });
  });

  it('answers 404 for an unknown session', () => {
    const unknown = expect.objectContaining({ status: 404, code: 'not_found' });
    expect(() => savePose('AAAAAAAAAAAAAAAAAAAAAA', front)).toThrow(unknown);
    expect(() => getPose('AAAAAAAAAAAAAAAAAAAAAA')).toThrow(unknown);
    expect(poseRows()).toBe(0);
  });
});

describe('savePose of an edit made offline', () => {
  it('on the current revision: applied, dated when it was made, with no conflict', () => {
    savePose(sessionId, front);
    const editedAt = iso(60_000);
    const res = savePose(sessionId, walking, { baseRev: 1, editedAt });
    expect(res).toMatchObject({ rev: 2, updatedAt: editedAt, applied: true, conflict: null });
  });

  it('the first pose ever, made on a device: applied, no conflict', () => {
    expect(savePose(sessionId, front, { baseRev: 0, editedAt: iso(1000) })).toMatchObject({ rev: 1, applied: true, conflict: null });
  });

  it('newer than the server’s pose: becomes current; the server’s is kept as a copy', () => {
    savePose(sessionId, front); // rev 1, which the device had
    const rev2 = savePose(sessionId, sitting); // saved elsewhere meanwhile
    const editedAt = new Date().toISOString();
    const res = savePose(sessionId, walking, { baseRev: 1, editedAt });
    expect(res).toMatchObject({ rev: 3, pose: walking, updatedAt: editedAt, applied: true });
    expect(res.conflict).toMatchObject({ kind: 'pose', source: 'server', rev: 2, editedAt: rev2.updatedAt, area: null });
    expect(getConflict(sessionId, res.conflict!.id)).toMatchObject({ kind: 'pose', blobKey: null, pose: sitting });
    expect(getSession(sessionId).conflicts).toEqual([res.conflict]);
  });

  it('older than the server’s pose: the server’s stays current; the edit is kept as a device copy', () => {
    savePose(sessionId, front);
    savePose(sessionId, sitting);
    const editedAt = iso(3_600_000);
    const res = savePose(sessionId, walking, { baseRev: 1, editedAt });
    expect(res).toMatchObject({ rev: 2, pose: sitting, applied: false });
    expect(res.conflict).toMatchObject({ kind: 'pose', source: 'device', rev: 1, editedAt });
    expect(getConflict(sessionId, res.conflict!.id).pose).toEqual(walking);
    expect(getPose(sessionId)).toMatchObject({ rev: 2, pose: sitting });
  });

  it('an invalid offline pose is refused before anything is compared or kept', () => {
    savePose(sessionId, front);
    savePose(sessionId, sitting);
    expect(() => savePose(sessionId, { ...walking, width: W + 1 }, { baseRev: 1, editedAt: iso(0) })).toThrow(ZodError);
    expect(getSession(sessionId).conflicts).toEqual([]);
  });
});
