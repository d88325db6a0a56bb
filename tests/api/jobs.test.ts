// Generation jobs against the SD WebUI test double: lifecycle, SSE, cancel, faults, restart, limits.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { startServer, type RunningServer } from '../support/server.ts';
import { serverBlobs } from '../support/blobs.ts';
import { createSession, postJob, waitForJob } from '../support/session.ts';
import { startSdDouble, type SdDouble } from '../sd-double/server.ts';
import { familySize } from '../../src/lib/sd/size.ts';
import { FAMILIES } from '../../src/lib/sd/family.ts';
import type { Img2ImgRequest } from '../../src/lib/sd/types.ts';

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
let sd: SdDouble;
let server: RunningServer;

/** Reads SSE `job` events until a terminal state. */
async function readEvents(url: string): Promise<{ state: string; progress: { fraction: number; step: number | null } }[]> {
  const res = await fetch(url);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const events: { state: string; progress: { fraction: number; step: number | null } }[] = [];
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (block.includes('event: job') && data) events.push(JSON.parse(data.slice(6)));
    }
  }
  return events;
}

beforeAll(async () => {
  sd = await startSdDouble({
    stepMs: 40,
    steps: 12,
    controlnetModels: [OPENPOSE],
    loras: [
      {
        name: 'mamianqun_v1',
        metadata: { ss_tag_frequency: JSON.stringify({ '7_mmq': { mamianqun: 7, 'horse-face skirt': 7, red: 1 } }) },
      },
    ],
  });
  server = await startServer({ env: { SD_WEBUI_URL: sd.url } });
});
afterAll(async () => {
  await server?.stop();
  await sd?.stop();
});
afterEach(async () => {
  await sd.setFault('none');
});

describe('a model shot from queue to gallery', () => {
  it('runs, streams progress, composites the garment back exactly and stores full-resolution results', async () => {
    const s = await createSession(server.url);
    sd.reset();
    const res = await postJob(server.url, {
      sessionId: s.id,
      recipe: 'model-shot',
      modelPreset: 'f-east-asian-20s-slim',
      scenePreset: 'studio-white',
      count: 2,
      seed: 1234,
    });
    expect(res.status).toBe(202);
    const { job } = await res.json();
    expect(job.state).toBe('queued');

    const events = await readEvents(`${server.url}/api/jobs/${job.id}/events`);
    const states = events.map((e) => e.state);
    expect(states).toContain('running');
    expect(states.at(-1)).toBe('succeeded');
    expect(events.some((e) => e.state === 'running' && e.progress.fraction > 0 && e.progress.step !== null)).toBe(true);

    const done = await waitForJob(server.url, job.id, ['succeeded']);
    expect(done.results).toHaveLength(2);
    expect(done.results.map((r: { seed: number }) => r.seed)).toEqual([1234, 1235]);
    for (const r of done.results) {
      expect(r.fidelity.after).toBe(0);
      expect(r.fidelity.before).toBeGreaterThan(0); // the double repainted the masked region
      expect(r.params).toMatchObject({ recipe: 'model-shot', seed: r.seed, scenePreset: 'studio-white' });
      const png = Buffer.from(await (await fetch(server.url + r.url)).arrayBuffer());
      const meta = await sharp(png).metadata();
      expect([meta.width, meta.height]).toEqual([s.width, s.height]);
    }

    // What reached the backend: one img2img with everything a recipe depends on, nothing unknown.
    const calls = sd.payloads.filter((p) => p.path === '/sdapi/v1/img2img');
    expect(calls).toHaveLength(1);
    const body = calls[0].body as Img2ImgRequest;
    // An SD 1.5 checkpoint (the double's loaded one): about 512×768 pixels, the photo's aspect.
    const size = familySize(s.width, s.height, FAMILIES.sd15);
    expect(body).toMatchObject({ inpainting_mask_invert: 1, inpaint_full_res: false, seed: 1234, width: size.width, height: size.height });
    expect(body.alwayson_scripts?.controlnet?.args[0]).toMatchObject({ enabled: true, module: 'none', model: OPENPOSE });
    expect(sd.unknownFields).toEqual([]);
    // one progress poll per second at most while it ran
    const polls = sd.payloads.filter((p) => p.path === '/sdapi/v1/progress').length;
    expect(polls).toBeLessThan(10);

    const zip = unzipSync(new Uint8Array(await (await fetch(`${server.url}/api/sessions/${s.id}/results.zip`)).arrayBuffer()));
    const names = Object.keys(zip);
    expect(names.filter((n) => n.endsWith('.png'))).toHaveLength(2);
    const params = JSON.parse(new TextDecoder().decode(zip['parameters.json']));
    expect(params[0]).toMatchObject({ seed: 1234, recipe: 'model-shot' });

    const list = await (await fetch(`${server.url}/api/sessions/${s.id}/results`)).json();
    expect(list.results).toHaveLength(2);
    // Every result row has its file and every result file has its row.
    const files = (await serverBlobs(server).list('results')).filter((f) => f.endsWith('.png'));
    const all = await (await fetch(`${server.url}/api/sessions`)).json();
    const rows = [];
    for (const sess of all.sessions) rows.push(...(await (await fetch(`${server.url}/api/sessions/${sess.id}/results`)).json()).results);
    expect(files.map((f) => path.basename(f, '.png')).sort()).toEqual(rows.map((r: { id: string }) => r.id).sort());
  });

  it('runs the other recipes', async () => {
    const s = await createSession(server.url);
    for (const body of [
      { recipe: 'scene-swap', scenePreset: 'city-street' },
      { recipe: 'pose-change' },
      { recipe: 'outfit-swap', loras: [{ name: 'mamianqun_v1', weight: 0.8 }] },
      { recipe: 'portrait' },
    ]) {
      const res = await postJob(server.url, { sessionId: s.id, count: 1, ...body });
      expect(res.status, JSON.stringify(body)).toBe(202);
      const job = await waitForJob(server.url, (await res.json()).job.id, ['succeeded', 'failed']);
      expect(job.state, `${body.recipe}: ${JSON.stringify(job.error)}`).toBe('succeeded');
      expect(job.results).toHaveLength(1);
      if (body.recipe !== 'portrait') expect(job.results[0].fidelity.after).toBe(0);
    }
    // The clothing LoRA went in with its trigger words from the LoRA's metadata.
    const swap = sd.payloads
      .filter((p) => p.path === '/sdapi/v1/img2img')
      .map((p) => (p.body as { prompt: string }).prompt)
      .find((p) => p.includes('<lora:'));
    expect(swap).toMatch(/<lora:mamianqun_v1:0\.8>/);
    expect(swap).toMatch(/horse-face skirt/);
    expect(swap).toMatch(/mamianqun(?!_)/);
    expect(sd.unknownFields).toEqual([]);
  });
});

describe('invalid job requests are refused and nothing is queued', () => {
  it('unknown session, no mask, unknown recipe or preset, count out of range, oversized prompt, not JSON', async () => {
    const s = await createSession(server.url, 'person-idm-00121.jpg', { mask: false, pose: false });
    const cases: [unknown, number, string][] = [
      [{ sessionId: 'AAAAAAAAAAAAAAAAAAAAAA', recipe: 'model-shot' }, 404, 'not_found'],
      [{ sessionId: s.id, recipe: 'model-shot' }, 409, 'mask_required'],
      [{ sessionId: s.id, recipe: 'make-art' }, 400, 'invalid_input'],
      [{ sessionId: s.id, recipe: 'portrait', modelPreset: 'nobody' }, 400, 'unknown_preset'],
      [{ sessionId: s.id, recipe: 'model-shot', modelPreset: '' }, 400, 'invalid_input'],
      [{ sessionId: s.id, recipe: 'scene-swap', scenePreset: '' }, 400, 'invalid_input'],
      [{ sessionId: s.id, recipe: 'portrait', scenePreset: 'moon' }, 400, 'unknown_preset'],
      [{ sessionId: s.id, recipe: 'portrait', count: 0 }, 400, 'invalid_input'],
      [{ sessionId: s.id, recipe: 'portrait', count: 9 }, 400, 'invalid_input'],
      [{ sessionId: s.id, recipe: 'portrait', prompt: 'x'.repeat(1001) }, 400, 'invalid_input'],
      [{ sessionId: s.id, recipe: 'portrait', surprise: true }, 400, 'invalid_input'],
      [{ sessionId: '../../etc', recipe: 'portrait' }, 400, 'invalid_input'],
    ];
    for (const [body, status, code] of cases) {
      const res = await postJob(server.url, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const err = await res.json();
      expect(err.error.code, JSON.stringify(body)).toBe(code);
      expect(err.error.message.length).toBeGreaterThan(5);
    }
    const notJson = await fetch(`${server.url}/api/jobs`, {
      method: 'POST',
      body: 'recipe=portrait',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(notJson.status).toBe(415);
    const broken = await fetch(`${server.url}/api/jobs`, {
      method: 'POST',
      body: '{"recipe":',
      headers: { 'content-type': 'application/json' },
    });
    expect((await broken.json()).error.code).toBe('invalid_json');
    const { jobs } = await (await fetch(`${server.url}/api/sessions/${s.id}/results`)).json();
    expect(jobs).toEqual([]);
  });
});

describe('cancel and faults', () => {
  it('cancel while running interrupts the backend and ends canceled with no results', async () => {
    const s = await createSession(server.url);
    await sd.setFault('slow');
    sd.reset();
    const { job } = await (await postJob(server.url, { sessionId: s.id, recipe: 'model-shot' })).json();
    await waitForJob(server.url, job.id, ['running']);
    await new Promise((r) => setTimeout(r, 300));
    const res = await fetch(`${server.url}/api/jobs/${job.id}/cancel`, { method: 'POST' });
    expect(res.status).toBe(200);
    const ended = await waitForJob(server.url, job.id, ['canceled', 'succeeded', 'failed']);
    expect(ended.state).toBe('canceled');
    expect(ended.results).toEqual([]);
    expect(sd.payloads.some((p) => p.path === '/sdapi/v1/interrupt')).toBe(true);
  });

  it('a queued job is canceled at once', async () => {
    const s = await createSession(server.url);
    await sd.setFault('slow');
    const first = (await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json()).job;
    const second = (await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json()).job;
    const res = await (await fetch(`${server.url}/api/jobs/${second.id}/cancel`, { method: 'POST' })).json();
    expect(res.job.state).toBe('canceled');
    await fetch(`${server.url}/api/jobs/${first.id}/cancel`, { method: 'POST' });
    await waitForJob(server.url, first.id, ['canceled']);
  });

  it('backend 422: the job fails showing the backend reason, without retrying', async () => {
    const s = await createSession(server.url);
    await sd.setFault('422');
    const { job } = await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json();
    const ended = await waitForJob(server.url, job.id, ['failed', 'succeeded']);
    expect(ended.state).toBe('failed');
    expect(ended.error.code).toBe('validation');
    expect(ended.attempts).toBe(1);
    expect(ended.error.message).toMatch(/rejected/i);
  });

  it('out of GPU memory fails with words a merchant understands', async () => {
    const s = await createSession(server.url);
    await sd.setFault('oom');
    const { job } = await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json();
    const ended = await waitForJob(server.url, job.id, ['failed', 'succeeded']);
    expect(ended.error.code).toBe('oom');
    expect(ended.error.message).toMatch(/memory/i);
  });

  it('500 and dropped connections are retried, then succeed when the backend recovers', async () => {
    const s = await createSession(server.url);
    for (const fault of ['500', 'drop', 'busy'] as const) {
      await sd.setFault(fault);
      const { job } = await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json();
      await waitForJob(server.url, job.id, ['queued'], 10_000);
      // wait until it has failed at least once, then heal the backend
      const until = Date.now() + 15_000;
      while ((await (await fetch(`${server.url}/api/jobs/${job.id}`)).json()).job.attempts < 1 && Date.now() < until)
        await new Promise((r) => setTimeout(r, 100));
      await sd.setFault('none');
      const ended = await waitForJob(server.url, job.id, ['succeeded', 'failed'], 30_000);
      expect(ended.state, `${fault}: ${JSON.stringify(ended.error)}`).toBe('succeeded');
      expect(ended.attempts).toBeGreaterThanOrEqual(2);
    }
  });

  it('backend down: after retries the job fails with "generation server unreachable"', async () => {
    const s = await createSession(server.url);
    await sd.setFault('refuse');
    const { job } = await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json();
    const ended = await waitForJob(server.url, job.id, ['failed', 'succeeded'], 30_000);
    expect(ended.state).toBe('failed');
    expect(ended.error.code).toBe('unreachable');
    expect(ended.error.message).toMatch(/unreachable/i);
    expect(ended.attempts).toBe(3);
  });

  it('a stalled backend keeps the job running until it is canceled', async () => {
    const s = await createSession(server.url);
    // start from a healthy backend (the previous test left it resting)
    const ok = (await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json()).job;
    expect((await waitForJob(server.url, ok.id, ['succeeded'])).state).toBe('succeeded');
    await sd.setFault('stall');
    const { job } = await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json();
    await waitForJob(server.url, job.id, ['running']);
    await new Promise((r) => setTimeout(r, 500));
    expect((await (await fetch(`${server.url}/api/jobs/${job.id}`)).json()).job.state).toBe('running');
    await fetch(`${server.url}/api/jobs/${job.id}/cancel`, { method: 'POST' });
    expect((await waitForJob(server.url, job.id, ['canceled', 'failed'])).state).toBe('canceled');
  });
});

describe('backends', () => {
  it('GET /api/backend describes what the backend offers, without its address', async () => {
    const body = await (await fetch(`${server.url}/api/backend`)).json();
    expect(body.configured).toBe(true);
    expect(body.backends[0]).toMatchObject({ reachable: true, kind: 'a1111' });
    expect(body.backends[0].controlnetModels).toContain(OPENPOSE);
    expect(body.backends[0].loras.map((l: { name: string }) => l.name)).toContain('mamianqun_v1');
    expect(JSON.stringify(body)).not.toContain(sd.url);
  });

  it('with one backend down, jobs go to the other', async () => {
    const down = await startSdDouble({ controlnetModels: [OPENPOSE] });
    await down.setFault('refuse');
    const up = await startSdDouble({ stepMs: 5, controlnetModels: [OPENPOSE] });
    const two = await startServer({ env: { SD_WEBUI_URL: `${down.url},${up.url}` } });
    try {
      const s = await createSession(two.url);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await (await postJob(two.url, { sessionId: s.id, recipe: 'model-shot' })).json()).job.id);
      for (const id of ids) expect((await waitForJob(two.url, id, ['succeeded', 'failed'], 60_000)).state).toBe('succeeded');
    } finally {
      await two.stop();
      await down.stop();
      await up.stop();
    }
  });

  it('without a backend the studio says so, and everything else keeps working', async () => {
    const bare = await startServer({ env: { SD_WEBUI_URL: '' } });
    try {
      const s = await createSession(bare.url);
      const res = await postJob(bare.url, { sessionId: s.id, recipe: 'model-shot' });
      expect(res.status).toBe(503);
      const err = await res.json();
      expect(err.error.code).toBe('no_backend');
      expect(err.error.message).toMatch(/SD_WEBUI_URL/);
      const status = await (await fetch(`${bare.url}/api/backend`)).json();
      expect(status).toMatchObject({ configured: false });
      expect((await fetch(`${bare.url}/api/health`)).status).toBe(200);
    } finally {
      await bare.stop();
    }
  });
});

describe('restart', () => {
  it('a job running when the server stops is queued again on start and finishes', async () => {
    const slow = await startSdDouble({ stepMs: 150, steps: 20, controlnetModels: [OPENPOSE] });
    const first = await startServer({ env: { SD_WEBUI_URL: slow.url } });
    const dataDir = first.dataDir;
    let second: RunningServer | null = null;
    try {
      const s = await createSession(first.url);
      const { job } = await (await postJob(first.url, { sessionId: s.id, recipe: 'model-shot' })).json();
      await waitForJob(first.url, job.id, ['running'], 15_000);
      first.process.kill('SIGKILL');
      await new Promise((r) => first.process.once('exit', r));
      second = await startServer({ env: { SD_WEBUI_URL: slow.url }, dataDir });
      const ended = await waitForJob(second.url, job.id, ['succeeded', 'failed'], 30_000);
      expect(ended.state).toBe('succeeded');
      expect(ended.attempts).toBe(2);
      expect(ended.results[0].fidelity.after).toBe(0);
    } catch (err) {
      console.log('first server:', first.logs(), '\nsecond server:', second?.logs());
      throw err;
    } finally {
      await second?.stop();
      await first.stop();
      await slow.stop();
    }
  });
});
