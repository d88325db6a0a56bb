// Batches against the SD double: a catalogue made from several photos in one go — created, one photo left out,
// Generate all (photos without a selection skipped with why), counts by state, the catalogue ZIP with a folder per
// photo, cancel keeping finished results, and fair turns: a single job is not stuck behind a batch.
import { rmSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSdDouble, type SdDouble } from '../sd-double/server.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { createSession, postJob, waitForJob } from '../support/session.ts';

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
let sd: SdDouble;
let server: RunningServer;
const photos: { id: string; title: string }[] = [];
let unmasked = '';

const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const getBatch = async (id: string) => (await (await fetch(`${server.url}/api/batches/${id}`)).json()).batch;

async function waitUntil<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`timed out: ${JSON.stringify(v).slice(0, 400)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  sd = await startSdDouble({ stepMs: 5, steps: 4, controlnetModels: [OPENPOSE] });
  server = await startServer({ env: { SD_WEBUI_URL: sd.url } });
  for (const file of ['person-idm-00034.jpg', 'person-idm-00055.jpg', 'person-idm-00121.jpg']) {
    const s = await createSession(server.url, file);
    photos.push({ id: s.id, title: file.replace('.jpg', '') });
  }
  unmasked = (await createSession(server.url, 'person-ootd-01008.jpg', { mask: false })).id;
}, 120_000);
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
  await sd?.stop();
});

describe('a batch', () => {
  it('is refused without photos, in words', async () => {
    const res = await post('/api/batches', { name: 'Empty', sessionIds: [] });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/at least one photo/);
    expect((await post('/api/batches', { sessionIds: ['AAAAAAAAAAAAAAAAAAAAAA'] })).status).toBe(404);
  });

  it('generates all included photos × looks, skips one without a selection, and downloads as a catalogue', async () => {
    const created = await post('/api/batches', { name: 'Spring 2027', sessionIds: [...photos.map((p) => p.id), unmasked] });
    expect(created.status).toBe(201);
    const { batch } = await created.json();
    expect(batch.photos.map((p: { sessionId: string }) => p.sessionId)).toEqual([...photos.map((p) => p.id), unmasked]);
    expect(batch.photos.map((p: { masked: boolean }) => p.masked)).toEqual([true, true, true, false]);

    const excluded = await fetch(`${server.url}/api/batches/${batch.id}/sessions/${photos[2]!.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ excluded: true }),
    });
    expect((await excluded.json()).batch.photos[2].excluded).toBe(true);

    const res = await post(`/api/batches/${batch.id}/jobs`, {
      recipe: 'model-shot',
      modelPresets: ['f-east-asian-20s-slim', 'f-european-30s-average'],
      count: 1,
      seed: 7,
    });
    expect(res.status).toBe(202);
    const all = await res.json();
    expect(all.queued).toBe(4); // 2 photos × 2 looks
    expect(all.skipped).toEqual([{ sessionId: unmasked, title: expect.any(String), reason: expect.stringMatching(/Select the garment/) }]);

    const done = await waitUntil(
      () => getBatch(batch.id),
      (b) => b.counts.succeeded + b.counts.failed === 4,
    );
    expect(done.counts).toMatchObject({ succeeded: 4, queued: 0, running: 0 });
    expect(done.results).toBe(4);
    expect(done.photos[2].results).toBe(0);

    const zip = await fetch(`${server.url}/api/batches/${batch.id}/results.zip`);
    expect(zip.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const names = Object.keys(files).sort();
    const folders = [...new Set(names.map((n) => n.split('/')[0]))].sort();
    expect(folders).toEqual([photos[0]!.title, photos[1]!.title].sort());
    for (const folder of folders) {
      const pngs = names.filter((n) => n.startsWith(`${folder}/`) && n.endsWith('.png'));
      expect(pngs).toHaveLength(2);
      for (const png of pngs) expect(Buffer.from(files[png]!.subarray(1, 4)).toString()).toBe('PNG');
      const params = JSON.parse(new TextDecoder().decode(files[`${folder}/parameters.json`]));
      expect(params.map((p: { modelPreset: string }) => p.modelPreset).sort()).toEqual(['f-east-asian-20s-slim', 'f-european-30s-average']);
    }

    // Everything left out: nothing to generate, said so.
    for (const p of photos.slice(0, 2)) {
      await fetch(`${server.url}/api/batches/${batch.id}/sessions/${p.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ excluded: true }),
      });
    }
    const none = await post(`/api/batches/${batch.id}/jobs`, { recipe: 'model-shot' });
    expect(none.status).toBe(400);
    expect((await none.json()).error).toMatchObject({ code: 'nothing_to_generate', message: expect.stringMatching(/Select the garment/) });
  });

  it('cancel stops what is queued or running and keeps finished results', async () => {
    const { batch } = await (await post('/api/batches', { name: 'To cancel', sessionIds: photos.map((p) => p.id) })).json();
    await sd.setFault('slow');
    try {
      const all = await (await post(`/api/batches/${batch.id}/jobs`, { recipe: 'model-shot', count: 1 })).json();
      expect(all.queued).toBe(3);
      const cancelled = await (await post(`/api/batches/${batch.id}/cancel`, {})).json();
      expect(cancelled.batch.canceledAt).not.toBeNull();
      const after = await waitUntil(
        () => getBatch(batch.id),
        (b) => b.counts.queued + b.counts.running === 0,
      );
      expect(after.counts.canceled).toBeGreaterThan(0);
      expect((await post(`/api/batches/${batch.id}/jobs`, { recipe: 'model-shot' })).status).toBe(409);
    } finally {
      await sd.setFault('none');
    }
  });

  it('takes turns with single jobs: one from the studio starts within one job of a queued batch', async () => {
    const { batch } = await (await post('/api/batches', { name: 'Big', sessionIds: photos.map((p) => p.id) })).json();
    await sd.setFault('slow');
    try {
      const all = await (
        await post(`/api/batches/${batch.id}/jobs`, {
          recipe: 'model-shot',
          count: 1,
          modelPresets: ['f-east-asian-20s-slim', 'f-european-30s-average', 'f-african-20s-curvy'],
        })
      ).json();
      expect(all.queued).toBe(9);
      const single = await (await postJob(server.url, { sessionId: photos[0]!.id, recipe: 'model-shot', count: 1 })).json();
      await sd.setFault('none');
      const done = await waitForJob(server.url, single.job.id, ['succeeded', 'failed'], 60_000);
      // When it started, at most one batch job (the one running when it was queued) and the next turn had begun.
      const batchJobs = await Promise.all(
        all.jobIds.map(async (id: string) => (await (await fetch(`${server.url}/api/jobs/${id}`)).json()).job),
      );
      const startedBefore = batchJobs.filter((j: { startedAt: string | null }) => j.startedAt && j.startedAt < done.startedAt).length;
      expect(startedBefore).toBeLessThanOrEqual(2);
      await waitUntil(
        () => getBatch(batch.id),
        (b) => b.counts.queued + b.counts.running === 0,
      );
    } finally {
      await sd.setFault('none');
    }
  });

  it('survives a restart: its photos and queued jobs are there after, and the jobs finish', async () => {
    const { batch } = await (await post('/api/batches', { name: 'Restart', sessionIds: photos.slice(0, 2).map((p) => p.id) })).json();
    await sd.setFault('slow');
    const all = await (await post(`/api/batches/${batch.id}/jobs`, { recipe: 'model-shot', count: 1 })).json();
    expect(all.queued).toBe(2);
    await server.stop({ keepData: true });
    await sd.setFault('none');
    server = await startServer({ dataDir: server.dataDir, env: { SD_WEBUI_URL: sd.url } });
    const after = await waitUntil(
      () => getBatch(batch.id),
      (b) => b.counts.succeeded === 2,
    );
    expect(after.photos.map((p: { sessionId: string }) => p.sessionId)).toEqual(photos.slice(0, 2).map((p) => p.id));
  });
});
