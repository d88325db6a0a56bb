// Jobs against servers that behave like the real ones (tests/sd-double models each behaviour from upstream):
// checkpoint families and their ControlNet models, Forge's ControlNet list read only at its start, Flux refused
// for pose-guided recipes, another client's job holding the server (waiting, cancel touches only our task),
// live previews of our own task.
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { createSession, postJob, waitForJob } from '../support/session.ts';
import { startSdDouble, type SdDouble, type SdDoubleOptions } from '../sd-double/server.ts';
import type { JobJson } from '../../src/lib/api/types.ts';
import type { Img2ImgRequest } from '../../src/lib/sd/types.ts';

const SD15 = 'realisticVisionV60B1_v51VAE.safetensors [15012c538f]';
const SDXL = 'juggernautXL_v9Rdphoto2Lightning.safetensors [c9e3e68f89]';
const FLUX = 'flux1-dev-bnb-nf4-v2.safetensors [f0770152]';
const SD15_POSE = 'control_v11p_sd15_openpose [cab727d4]';
const XL_POSE = 'thibaud_xl_openpose [c7b9cadd]';
const CHECKPOINTS = [
  { title: SD15, family: 'sd15' as const },
  { title: SDXL, family: 'sdxl' as const },
  { title: FLUX, family: 'flux' as const },
];

const running: { sd: SdDouble; server: RunningServer }[] = [];
async function setup(o: SdDoubleOptions = {}) {
  const sd = await startSdDouble({ stepMs: 2, steps: 4, checkpoints: CHECKPOINTS, controlnetModels: [SD15_POSE], ...o });
  const server = await startServer({ env: { SD_WEBUI_URL: sd.url } });
  running.push({ sd, server });
  return { sd, server, session: await createSession(server.url) };
}
afterEach(async () => {
  for (const { sd, server } of running.splice(0)) {
    await server.stop();
    await sd.stop();
  }
});

async function run(base: string, body: Record<string, unknown>) {
  const res = await postJob(base, { count: 1, ...body });
  expect(res.status).toBe(202);
  return waitForJob(base, (await res.json()).job.id, ['succeeded', 'failed', 'canceled'], 60_000);
}

describe('checkpoint families', () => {
  it(
    'an SDXL checkpoint without an SDXL OpenPose model fails with the fix, ' + 'and sends nothing that would silently drop the pose',
    async () => {
      const { sd, server, session } = await setup({ kind: 'a1111' });
      const job = await run(server.url, { sessionId: session.id, recipe: 'model-shot', checkpoint: SDXL });
      expect(job.state).toBe('failed');
      expect(job.error.code).toBe('controlnet_missing');
      expect(job.error.message).toMatch(/SDXL/);
      expect(job.error.message).toMatch(/thibaud_xl_openpose/);
      expect(sd.payloads.some((p) => p.path === '/sdapi/v1/img2img')).toBe(false);
      // The same session on the SD 1.5 checkpoint works, with the SD 1.5 model.
      const ok = await run(server.url, { sessionId: session.id, recipe: 'model-shot', checkpoint: SD15 });
      expect(ok.state).toBe('succeeded');
      expect(sd.generations.at(-1)?.controlnetApplied).toEqual([SD15_POSE]);
    },
  );

  it('the loaded checkpoint decides when none is chosen: an SDXL one gets the SDXL model and size', async () => {
    const { sd, server, session } = await setup({
      kind: 'a1111',
      controlnetModels: [SD15_POSE, XL_POSE],
      checkpoints: [CHECKPOINTS[1], CHECKPOINTS[0]],
    });
    const job = await run(server.url, { sessionId: session.id, recipe: 'pose-change' });
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const body = sd.payloads.find((p) => p.path === '/sdapi/v1/img2img')!.body as Img2ImgRequest;
    expect(body.override_settings?.sd_model_checkpoint).toBe(SDXL);
    expect(body.alwayson_scripts?.controlnet?.args[0].model).toBe(XL_POSE);
    expect(body.width! * body.height!).toBeGreaterThan(900_000);
    expect(job.results[0].params).toMatchObject({ family: 'sdxl', checkpoint: SDXL, controlnet: XL_POSE });
  });

  it('Forge reads its ControlNet models only when it starts: the job says to restart it, and works after the restart', async () => {
    const { sd, server, session } = await setup({ kind: 'forge' });
    sd.addControlNetModel(XL_POSE); // on disk, not in Forge's list yet
    const stale = await run(server.url, { sessionId: session.id, recipe: 'model-shot', checkpoint: SDXL });
    expect(stale.state).toBe('failed');
    expect(stale.error.code).toBe('controlnet_missing');
    expect(stale.error.message).toMatch(/restart Forge/);
    sd.restartForge();
    const ok = await run(server.url, { sessionId: session.id, recipe: 'model-shot', checkpoint: SDXL });
    expect(ok.state, JSON.stringify(ok.error)).toBe('succeeded');
    expect(sd.generations.at(-1)?.controlnetApplied).toEqual([XL_POSE]);
  });

  it('a Flux checkpoint is refused for pose-guided recipes with a clear message, and works for a scene swap', async () => {
    const { server, session } = await setup({ kind: 'forge' });
    const shot = await run(server.url, { sessionId: session.id, recipe: 'model-shot', checkpoint: FLUX });
    expect(shot.state).toBe('failed');
    expect(shot.error.code).toBe('family_unsupported');
    expect(shot.error.message).toMatch(/SD 1\.5 or SDXL/);
    const scene = await run(server.url, { sessionId: session.id, recipe: 'scene-swap', checkpoint: FLUX });
    expect(scene.state, JSON.stringify(scene.error)).toBe('succeeded');
  });
});

describe('a server shared with another client', () => {
  it('our job waits (not showing their progress), and Cancel interrupts only our own task', async () => {
    const { sd, server, session } = await setup({ kind: 'a1111', stepMs: 10, steps: 200 }); // ours takes 2 s: the follower sees it run
    // Long enough that our job reaches the server while theirs still runs, even on a loaded machine.
    const foreign = sd.occupy({ steps: 1000 });
    const res = await postJob(server.url, { sessionId: session.id, recipe: 'portrait', count: 1 });
    const { job } = await res.json();
    const until = Date.now() + 20_000;
    let seen: JobJson | null = null;
    while (Date.now() < until) {
      seen = (await (await fetch(`${server.url}/api/jobs/${job.id}`)).json()).job as JobJson;
      if (seen.serverQueue) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen?.state).toBe('running');
    expect(seen?.serverQueue).toBe(1);
    expect(seen?.progress.fraction).toBe(0); // the other job's progress is not ours
    await fetch(`${server.url}/api/jobs/${job.id}/cancel`, { method: 'POST' });
    const theirs = await foreign.done;
    expect(theirs).toEqual({ interrupted: false, steps: 1000 });
    const ended = await waitForJob(server.url, job.id, ['canceled', 'failed', 'succeeded'], 30_000);
    expect(ended.state).toBe('canceled');
    expect(ended.results).toEqual([]);
    // Ours started after theirs and was interrupted at once.
    const ours = sd.generations.find((g) => g.taskId.includes(job.id));
    expect(ours?.interrupted).toBe(true);
  });

  it('shows our task’s live preview', async () => {
    const { sd, server, session } = await setup({ kind: 'a1111', stepMs: 40, steps: 20, livePreviews: true });
    sd.options.show_progress_every_n_steps = 2;
    const res = await postJob(server.url, { sessionId: session.id, recipe: 'model-shot', count: 1 });
    const { job } = await res.json();
    let previewUrl: string | null = null;
    const until = Date.now() + 20_000;
    while (!previewUrl && Date.now() < until) {
      const j = (await (await fetch(`${server.url}/api/jobs/${job.id}`)).json()).job;
      previewUrl = j.previewUrl;
      if (['succeeded', 'failed'].includes(j.state)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(previewUrl).toMatch(/preview\.png/);
    const png = await fetch(server.url + previewUrl);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect((await waitForJob(server.url, job.id, ['succeeded', 'failed'])).state).toBe('succeeded');
  });
});
