// API tests for offline sync and session deletion: mask and pose saves with x-base-rev/x-edited-at
// (a conflict keeps both versions, the newer current), plain saves unchanged, bad headers, and
// DELETE /api/sessions/:id (jobs canceled first, rows and files removed, a shared photo kept).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../support/server.ts';
import { blobNames, serverBlobs } from '../support/blobs.ts';
import { createSession, postJob, waitForJob } from '../support/session.ts';
import { startSdDouble, type SdDouble } from '../sd-double/server.ts';
import { placePreset } from '../../src/lib/pose/presets.ts';

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
let sd: SdDouble;
let server: RunningServer;

beforeAll(async () => {
  // Slow sampling (40 steps × 100 ms), so that a job is still running when its session is deleted.
  sd = await startSdDouble({ stepMs: 100, steps: 40, controlnetModels: [OPENPOSE] });
  server = await startServer({ env: { SD_WEBUI_URL: sd.url } });
});
afterAll(async () => {
  await server?.stop();
  await sd?.stop();
});

const url = (p: string) => server.url + p;
const iso = (msAgo: number) => new Date(Date.now() - msAgo).toISOString();

/** A mask PNG of the photo's size with a white band over rows [y0, y1) (fractions of the height). */
async function bandMask(width: number, height: number, y0: number, y1: number): Promise<{ png: Buffer; area: number }> {
  const raw = Buffer.alloc(width * height);
  const a = Math.round(height * y0);
  const b = Math.round(height * y1);
  raw.fill(255, a * width, b * width);
  return {
    png: await sharp(raw, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer(),
    area: (b - a) * width,
  };
}

async function putMask(id: string, png: Buffer, headers: Record<string, string> = {}) {
  return fetch(url(`/api/sessions/${id}/mask`), {
    method: 'PUT',
    body: new Uint8Array(png),
    headers: { 'content-type': 'image/png', ...headers },
  });
}
async function putPose(id: string, pose: unknown, headers: Record<string, string> = {}) {
  return fetch(url(`/api/sessions/${id}/pose`), {
    method: 'PUT',
    body: JSON.stringify(pose),
    headers: { 'content-type': 'application/json', ...headers },
  });
}
const getSession = async (id: string) => (await (await fetch(url(`/api/sessions/${id}`))).json()).session;

async function pngArea(res: Response): Promise<number> {
  expect(res.status).toBe(200);
  const gray = await sharp(Buffer.from(await res.arrayBuffer()))
    .extractChannel(0)
    .raw()
    .toBuffer();
  return gray.reduce((n, v) => n + (v >= 128 ? 1 : 0), 0);
}

/** A session's mask files named by revision (each save's own id left out). */
const sessionFiles = async (id: string) =>
  (await blobNames(serverBlobs(server), `sessions/${id}`)).map((n) => n.replace(/^(mask-\d+)-[\w-]+\.png$/, '$1.png'));

describe('mask saves from a device that was offline', () => {
  it('plain saves (no sync headers) answer as before and replace the mask', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    const a = await bandMask(s.width, s.height, 0.1, 0.2);
    const res = await putMask(s.id, a.png);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body)).toEqual(['session']);
    expect(body.session.mask).toMatchObject({ rev: 1, area: a.area });
    expect(body.session.conflicts).toEqual([]);
    const b = await bandMask(s.width, s.height, 0.3, 0.5);
    expect((await (await putMask(s.id, b.png)).json()).session.mask.rev).toBe(2);
    expect(await sessionFiles(s.id)).toEqual(['mask-2.png']); // the replaced revision is gone
  });

  it('an edit on the current revision is applied, with no conflict', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    const a = await bandMask(s.width, s.height, 0.1, 0.2);
    await putMask(s.id, a.png);
    const edit = await bandMask(s.width, s.height, 0.2, 0.6);
    const res = await putMask(s.id, edit.png, { 'x-base-rev': '1', 'x-edited-at': iso(1000) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ applied: true, conflict: null });
    expect(body.session.mask).toMatchObject({ rev: 2, area: edit.area });
    expect(body.session.conflicts).toEqual([]);
  });

  it('a server version newer than the offline edit stays current; the edit is kept as a copy', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    const first = await bandMask(s.width, s.height, 0.1, 0.2);
    await putMask(s.id, first.png); // rev 1: what the device last saw
    const editedOffline = iso(60_000); // the device edited a minute ago…
    const meanwhile = await bandMask(s.width, s.height, 0.5, 0.9);
    await putMask(s.id, meanwhile.png); // …someone saved rev 2 just now
    const deviceEdit = await bandMask(s.width, s.height, 0.2, 0.4);

    const res = await putMask(s.id, deviceEdit.png, { 'x-base-rev': '1', 'x-edited-at': editedOffline });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.applied).toBe(false);
    expect(body.session.mask).toMatchObject({ rev: 2, area: meanwhile.area });
    expect(body.conflict).toMatchObject({ kind: 'mask', source: 'device', rev: 1, editedAt: editedOffline, area: deviceEdit.area });

    const session = await getSession(s.id);
    expect(session.mask.rev).toBe(2);
    expect(session.conflicts).toHaveLength(1);
    expect(session.conflicts[0]).toMatchObject({ id: body.conflict.id, url: `/api/sessions/${s.id}/conflicts/${body.conflict.id}` });
    expect(await pngArea(await fetch(url(session.conflicts[0].url)))).toBe(deviceEdit.area);
    expect(await pngArea(await fetch(url(session.mask.url)))).toBe(meanwhile.area);
  });

  it('an offline edit newer than the server version becomes current; the server version is kept as a copy', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    const first = await bandMask(s.width, s.height, 0.1, 0.2);
    await putMask(s.id, first.png); // rev 1
    const other = await bandMask(s.width, s.height, 0.6, 0.7);
    await putMask(s.id, other.png); // rev 2, saved elsewhere
    await new Promise((r) => setTimeout(r, 20));
    const deviceEdit = await bandMask(s.width, s.height, 0.3, 0.5);
    const editedAt = iso(5); // after rev 2 was saved

    const body = await (await putMask(s.id, deviceEdit.png, { 'x-base-rev': '1', 'x-edited-at': editedAt })).json();
    expect(body.applied).toBe(true);
    expect(body.session.mask).toMatchObject({ rev: 3, area: deviceEdit.area, updatedAt: editedAt });
    expect(body.conflict).toMatchObject({ kind: 'mask', source: 'server', rev: 2, area: other.area });
    expect(await pngArea(await fetch(url(body.conflict.url)))).toBe(other.area);
    expect(await pngArea(await fetch(url(body.session.mask.url)))).toBe(deviceEdit.area);
    expect((await getSession(s.id)).conflicts.map((c: { id: string }) => c.id)).toEqual([body.conflict.id]);
    // The kept copy's file stays; the revision before it (not in conflict) is gone.
    expect(await sessionFiles(s.id)).toEqual(['mask-2.png', 'mask-3.png']);
  });

  it('a device clock ahead of the server cannot date an edit in the future', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    await putMask(s.id, (await bandMask(s.width, s.height, 0.1, 0.2)).png);
    const body = await (
      await putMask(s.id, (await bandMask(s.width, s.height, 0.2, 0.3)).png, {
        'x-base-rev': '1',
        'x-edited-at': '2100-01-01T00:00:00.000Z',
      })
    ).json();
    expect(Date.parse(body.session.mask.updatedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('refuses malformed sync headers and stores nothing', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    const m = await bandMask(s.width, s.height, 0.1, 0.2);
    for (const [headers, code] of [
      [{ 'x-base-rev': 'one' }, 'invalid_base_rev'],
      [{ 'x-base-rev': '-1' }, 'invalid_base_rev'],
      [{ 'x-edited-at': iso(0) }, 'invalid_base_rev'],
      [{ 'x-base-rev': '0', 'x-edited-at': 'yesterday' }, 'invalid_edited_at'],
    ] as const) {
      const res = await putMask(s.id, m.png, headers);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe(code);
    }
    expect((await getSession(s.id)).mask).toBeNull();
  });
});

describe('pose saves from a device that was offline', () => {
  it('plain saves answer {pose, rev, updatedAt} as before', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    const body = await (await putPose(s.id, placePreset('front', s.width, s.height))).json();
    expect(Object.keys(body).sort()).toEqual(['pose', 'rev', 'updatedAt']);
  });

  it('keeps both poses on a conflict, the newer one current', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    const front = placePreset('front', s.width, s.height);
    const walking = placePreset('walking', s.width, s.height);
    const sitting = placePreset('sitting', s.width, s.height);
    await putPose(s.id, front); // rev 1, the device's base
    const editedOffline = iso(60_000);
    await putPose(s.id, walking); // rev 2, newer than the offline edit

    // Older offline edit: the server's pose stays, the edit is kept.
    const older = await (await putPose(s.id, sitting, { 'x-base-rev': '1', 'x-edited-at': editedOffline })).json();
    expect(older).toMatchObject({ applied: false, rev: 2, conflict: { kind: 'pose', source: 'device', rev: 1, editedAt: editedOffline } });
    expect(older.pose.presetId).toBe('walking');
    const copy = await (await fetch(url(older.conflict.url))).json();
    expect(copy.pose.presetId).toBe('sitting');
    expect(copy.conflict).toMatchObject({ id: older.conflict.id, source: 'device' });

    // Newer offline edit on a stale base: it becomes current, the server's pose is kept.
    const newer = await (await putPose(s.id, sitting, { 'x-base-rev': '1', 'x-edited-at': iso(0) })).json();
    expect(newer).toMatchObject({ applied: true, rev: 3, conflict: { kind: 'pose', source: 'server', rev: 2 } });
    expect((await (await fetch(url(`/api/sessions/${s.id}/pose`))).json()).pose.presetId).toBe('sitting');
    expect((await (await fetch(url(newer.conflict.url))).json()).pose.presetId).toBe('walking');

    // On the current base: applied, no conflict.
    const clean = await (await putPose(s.id, front, { 'x-base-rev': '3', 'x-edited-at': iso(0) })).json();
    expect(clean).toMatchObject({ applied: true, rev: 4, conflict: null });
    expect((await getSession(s.id)).conflicts.map((c: { source: string }) => c.source)).toEqual(['server', 'device']);
  });

  it('an unknown conflict copy is a 404', async () => {
    const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: false, pose: false });
    const res = await fetch(url(`/api/sessions/${s.id}/conflicts/nosuchconflict`));
    expect(res.status).toBe(404);
  });
});

describe('DELETE /api/sessions/:id', () => {
  it('removes the session, its mask, pose, conflict copies and results; the photo goes with its last session', async () => {
    const a = await createSession(server.url, 'person-idm-00055.jpg');
    const b = await createSession(server.url, 'person-idm-00055.jpg'); // same photo: one image
    const image = (await getSession(a.id)).image;
    expect((await getSession(b.id)).image.id).toBe(image.id);
    // A finished job with results, and a conflict copy.
    const { job } = await (
      await postJob(server.url, {
        sessionId: a.id,
        recipe: 'model-shot',
        modelPreset: 'f-east-asian-20s-slim',
        scenePreset: 'studio-white',
        count: 1,
        seed: 7,
      })
    ).json();
    const done = await waitForJob(server.url, job.id, ['succeeded']);
    const resultUrl: string = done.results[0].url;
    await putMask(a.id, (await bandMask(a.width, a.height, 0.1, 0.2)).png, { 'x-base-rev': '0', 'x-edited-at': iso(0) });
    expect((await getSession(a.id)).conflicts).toHaveLength(1);

    const res = await fetch(url(`/api/sessions/${a.id}`), { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: a.id });
    expect((await fetch(url(`/api/sessions/${a.id}`))).status).toBe(404);
    expect((await fetch(url(`/api/sessions/${a.id}/pose`))).status).toBe(404);
    expect((await fetch(url(resultUrl))).status).toBe(404);
    expect((await fetch(url(`/api/jobs/${job.id}`))).status).toBe(404);
    expect(await sessionFiles(a.id)).toEqual([]);
    expect(await serverBlobs(server).list(`results/${job.id}`)).toEqual([]);
    const listed = (await (await fetch(url('/api/sessions'))).json()).sessions.map((s: { id: string }) => s.id);
    expect(listed).not.toContain(a.id);

    // The other session of the same photo keeps it.
    expect((await fetch(url(image.thumbUrl))).status).toBe(200);
    expect((await fetch(url(`/api/sessions/${b.id}`))).status).toBe(200);
    expect((await fetch(url(`/api/sessions/${b.id}`), { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(url(image.thumbUrl))).status).toBe(404);
    expect(await serverBlobs(server).list(`images/${image.id}`)).toEqual([]);
  });

  it('cancels a running job first, and no result of it is stored', async () => {
    const s = await createSession(server.url, 'person-idm-00121.jpg');
    const { job } = await (
      await postJob(server.url, {
        sessionId: s.id,
        recipe: 'model-shot',
        modelPreset: 'f-east-asian-20s-slim',
        scenePreset: 'studio-white',
        count: 1,
        seed: 1,
      })
    ).json();
    await waitForJob(server.url, job.id, ['running']);
    const interruptsBefore = sd.payloads.filter((p) => p.path === '/sdapi/v1/interrupt').length;
    const res = await fetch(url(`/api/sessions/${s.id}`), { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(sd.payloads.filter((p) => p.path === '/sdapi/v1/interrupt').length).toBeGreaterThan(interruptsBefore);
    expect((await fetch(url(`/api/jobs/${job.id}`))).status).toBe(404);
    await new Promise((r) => setTimeout(r, 500));
    expect(await serverBlobs(server).list(`results/${job.id}`)).toEqual([]);
    expect(server.logs()).not.toMatch(/\[jobs\] job .* failed/);
  });

  it('answers 404 for an unknown session and 400 for a malformed id', async () => {
    expect((await fetch(url('/api/sessions/nosuchsession'), { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(url('/api/sessions/..%2Fetc'), { method: 'DELETE' })).status).toBe(400);
  });
});
