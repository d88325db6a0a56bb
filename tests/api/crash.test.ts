// The server killed (SIGKILL) at random moments of uploads, mask and pose saves, deletes and job completions,
// 50 times over one data dir. After each restart: every row's files exist, no file is left without its row
// once the start-up sweep ran, and no job is lost (each is queued, running again, or ended); at the end the
// queue drains.
import { afterAll, beforeAll, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../support/server.ts';
import { serverBlobs } from '../support/blobs.ts';
import { photo } from '../support/paths.ts';
import { startSdDouble, type SdDouble } from '../sd-double/server.ts';
import { placePreset } from '../../src/lib/pose/presets.ts';

const ROUNDS = 50;
const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
let dataDir: string;
let sd: SdDouble;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-crash-'));
  sd = await startSdDouble({ stepMs: 4, steps: 8, controlnetModels: [OPENPOSE] });
});
afterAll(async () => {
  await sd?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A seeded generator: a failing run can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PHOTOS = ['person-idm-00034.jpg', 'person-idm-00055.jpg', 'person-idm-00121.jpg', 'person-ootd-02849.jpg'];

async function mask(w: number, h: number, k: number): Promise<Buffer> {
  const raw = Buffer.alloc(w * h);
  const y0 = Math.floor(h * (0.1 + 0.05 * (k % 10)));
  raw.fill(255, y0 * w, Math.min(h, y0 + Math.floor(h / 5)) * w);
  return sharp(raw, { raw: { width: w, height: h, channels: 1 } })
    .png()
    .toBuffer();
}

/** One random request against the server; failures (the server dying under it) are expected and ignored. */
async function randomWork(base: string, r: () => number, sessions: { id: string; width: number; height: number }[]) {
  const pick = r();
  const s = sessions.length ? sessions[Math.floor(r() * sessions.length)] : null;
  try {
    if (pick < 0.3 || !s) {
      const file = PHOTOS[Math.floor(r() * PHOTOS.length)];
      const form = new FormData();
      // A variant of the photo (distinct bytes: a new image each time, not a de-duplicated one).
      const bytes = await sharp(readFileSync(photo(file)))
        .modulate({ brightness: 1 + r() * 0.1 })
        .jpeg()
        .toBuffer();
      form.append('image', new Blob([new Uint8Array(bytes)]), file);
      const res = await fetch(`${base}/api/images`, { method: 'POST', body: form });
      if (res.status === 201) {
        const body = await res.json();
        sessions.push({ id: body.session.id, width: body.image.width, height: body.image.height });
      }
    } else if (pick < 0.55) {
      await fetch(`${base}/api/sessions/${s.id}/mask`, {
        method: 'PUT',
        body: new Uint8Array(await mask(s.width, s.height, Math.floor(r() * 10))),
        headers: { 'content-type': 'image/png' },
      });
    } else if (pick < 0.65) {
      const pose = placePreset(r() < 0.5 ? 'front' : 'walking', s.width, s.height);
      await fetch(`${base}/api/sessions/${s.id}/pose`, {
        method: 'PUT',
        body: JSON.stringify(pose),
        headers: { 'content-type': 'application/json' },
      });
    } else if (pick < 0.85) {
      await fetch(`${base}/api/jobs`, {
        method: 'POST',
        body: JSON.stringify({ sessionId: s.id, recipe: r() < 0.5 ? 'portrait' : 'model-shot', count: 2 }),
        headers: { 'content-type': 'application/json' },
      });
    } else {
      const res = await fetch(`${base}/api/sessions/${s.id}`, { method: 'DELETE' });
      if (res.status === 200) sessions.splice(sessions.indexOf(s), 1);
    }
  } catch {
    // The server was killed under this request.
  }
}

/** The invariants, read straight from the data dir (database file and blob store). */
async function checkInvariants(server: RunningServer) {
  const db = new Database(path.join(dataDir, 'atelier.sqlite'), { readonly: true });
  const blobs = serverBlobs(server);
  try {
    const problems: string[] = [];
    const expected = new Set<string>();
    for (const img of db.prepare('SELECT id FROM images').all() as { id: string }[]) {
      for (const f of ['photo.jpg', 'thumb.jpg', 'embedding.npy']) expected.add(`images/${img.id}/${f}`);
    }
    for (const s of db.prepare('SELECT id, mask_rev, mask_key FROM sessions WHERE mask_rev > 0').all() as {
      id: string;
      mask_rev: number;
      mask_key: string | null;
    }[]) {
      expected.add(s.mask_key ?? `sessions/${s.id}/mask-${s.mask_rev}.png`);
    }
    for (const c of db.prepare('SELECT blob_key FROM session_conflicts WHERE blob_key IS NOT NULL').all() as { blob_key: string }[])
      expected.add(c.blob_key);
    for (const r of db.prepare('SELECT id, job_id FROM results').all() as { id: string; job_id: string }[])
      expected.add(`results/${r.job_id}/${r.id}.png`);
    for (const key of expected) if (!(await blobs.has(key))) problems.push(`row without its file: ${key}`);
    const imageIds = new Set((db.prepare('SELECT id FROM images').all() as { id: string }[]).map((i) => i.id));
    for (const folder of ['images', 'sessions', 'results']) {
      for (const key of await blobs.list(folder)) {
        if (folder === 'images' && imageIds.has(key.split('/')[1])) continue; // the photo's other copies
        if (!expected.has(key)) problems.push(`file without its row: ${key}`);
      }
    }
    const leftovers = readdirSync(dataDir, { recursive: true })
      .map(String)
      .filter((f) => /\.(tmp|part)$|\.tmp-/.test(f));
    for (const f of leftovers) problems.push(`temporary file left: ${f}`);
    const states = db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as { state: string; n: number }[];
    for (const { state } of states)
      if (!['queued', 'running', 'succeeded', 'failed', 'canceled'].includes(state)) problems.push(`job state ${state}`);
    return { problems, jobs: Object.fromEntries(states.map((s) => [s.state, s.n])) };
  } finally {
    db.close();
  }
}

it(`survives ${ROUNDS} kills at random points and keeps every file paired with its row`, async () => {
  const r = rng(Number(process.env.ATELIER_CRASH_SEED ?? 20261202));
  const sessions: { id: string; width: number; height: number }[] = [];
  let kills = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startServer({ dataDir, env: { SD_WEBUI_URL: sd.url } });
    // The start-up sweeps run as the studio opens its data (uploads wait for them): give them a moment.
    await expect.poll(async () => (await checkInvariants(server)).problems, { timeout: 15_000, interval: 200 }).toEqual([]);
    // Warm (the encoder loaded), so that uploads get as far as writing their files.
    await expect.poll(async () => (await (await fetch(`${server.url}/api/health`)).json()).encoder.loaded, { timeout: 30_000 }).toBe(true);
    // Requests in flight, one after another in a few lanes, then the kill at a random moment among them.
    let alive = true;
    const lane = async () => {
      while (alive) await randomWork(server.url, r, sessions);
    };
    const work = Array.from({ length: 3 }, lane);
    await new Promise((res) => setTimeout(res, 150 + r() * 2500));
    alive = false;
    server.process.kill('SIGKILL');
    kills++;
    await Promise.allSettled(work);
    await new Promise((res) =>
      server.process.exitCode !== null || server.process.signalCode !== null ? res(null) : server.process.once('exit', res),
    );
  }
  // Last start: the queue drains (nothing lost or stuck), the invariants hold.
  const server = await startServer({ dataDir, env: { SD_WEBUI_URL: sd.url } });
  try {
    await expect.poll(async () => (await checkInvariants(server)).jobs, { timeout: 120_000, interval: 500 }).not.toHaveProperty('queued');
    await expect.poll(async () => (await checkInvariants(server)).jobs, { timeout: 60_000, interval: 500 }).not.toHaveProperty('running');
    const final = await checkInvariants(server);
    console.log(`[crash] ${kills} kills; sessions alive ${sessions.length}; jobs ${JSON.stringify(final.jobs)}`);
    expect(final.problems).toEqual([]);
  } finally {
    await server.stop({ keepData: true });
  }
}, 900_000);
