// The SD WebUI client against the SD WebUI test double (tests/sd-double/server.ts).
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSdClient, type SdClient, type SdClientOptions } from '../../src/server/backend/client.ts';
import { BackendError } from '../../src/lib/sd/errors.ts';
import { garmentShot, pickSampler, portrait, type ModelShotInput, type RecipeCommon } from '../../src/lib/sd/recipes.ts';
import { RECIPE_TABLE } from '../../src/lib/recipes/table.ts';

const buildModelShot = (i: ModelShotInput) => garmentShot(i, RECIPE_TABLE['model-shot'].defaults);
const buildPortrait = portrait;
import type { BackendKind, Img2ImgRequest } from '../../src/lib/sd/types.ts';
import { startSdDouble, type SdDouble, type SdDoubleOptions } from '../sd-double/server.ts';

const W = 192;
const H = 256;
const GARMENT = { left: 48, top: 64, width: 96, height: 128 };
const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
const XL_OPENPOSE = 'thibaud_xl_openpose [c7b9cadd]';
const CKPT1 = 'realisticVisionV60B1_v51VAE.safetensors [15012c538f]';
/** A second SD 1.5 checkpoint (the OpenPose unit fits it). */
const CKPT2 = 'dreamshaper_8.safetensors [879db523c3]';
const XL_CKPT = 'juggernautXL_v9Rdphoto2Lightning.safetensors [c9e3e68f89]';
const CHECKPOINTS = [
  { title: CKPT1, family: 'sd15' as const },
  { title: CKPT2, family: 'sd15' as const },
  { title: XL_CKPT, family: 'sdxl' as const },
];

async function rawRgb(png: Buffer | string, w?: number, h?: number) {
  let img = sharp(typeof png === 'string' ? Buffer.from(png, 'base64') : png).removeAlpha();
  if (w && h) img = img.resize(w, h, { fit: 'fill' });
  return img.raw().toBuffer({ resolveWithObject: true });
}

/** A smooth gradient "photo" (no colour the double's stripes could match by accident). */
async function makeInit(w = W, h = H): Promise<string> {
  const data = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      data[i] = 200 + Math.round((x / w) * 40);
      data[i + 1] = 200 + Math.round((y / h) * 40);
      data[i + 2] = 210;
    }
  }
  return (
    await sharp(data, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toBuffer()
  ).toString('base64');
}

async function makeMask(w = W, h = H, rect = GARMENT): Promise<string> {
  const white = await sharp({ create: { width: rect.width, height: rect.height, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  const png = await sharp({ create: { width: w, height: h, channels: 3, background: '#000000' } })
    .composite([{ input: white, left: rect.left, top: rect.top }])
    .png()
    .toBuffer();
  return png.toString('base64');
}

async function makeSkeleton(w = W, h = H): Promise<string> {
  return (
    await sharp({ create: { width: w, height: h, channels: 3, background: '#000000' } })
      .png()
      .toBuffer()
  ).toString('base64');
}

let INIT: string;
let MASK: string;
let SKEL: string;
beforeAll(async () => {
  [INIT, MASK, SKEL] = await Promise.all([makeInit(), makeMask(), makeSkeleton()]);
});

const doubles: SdDouble[] = [];
const clients: SdClient[] = [];
async function setup(dOpts: SdDoubleOptions = {}, cOpts: SdClientOptions = {}, auth: { username: string; password: string } | null = null) {
  const double = await startSdDouble({ checkpoints: CHECKPOINTS, ...dOpts });
  doubles.push(double);
  const client = createSdClient({ url: double.url, auth }, cOpts);
  clients.push(client);
  return { double, client };
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ force: true })));
  await Promise.all(doubles.splice(0).map((d) => d.stop()));
});

function common(kind: BackendKind, over: Partial<RecipeCommon> = {}): RecipeCommon {
  return {
    size: { width: W, height: H },
    backendKind: kind,
    sampler: { sampler: 'DPM++ 2M', scheduler: 'karras' },
    count: 1,
    seed: 42,
    steps: 10,
    ...over,
  };
}

function modelShot(kind: BackendKind, over: Partial<RecipeCommon> = {}): Img2ImgRequest {
  return buildModelShot({
    ...common(kind, over),
    initImageB64: INIT,
    maskB64: MASK,
    skeletonB64: SKEL,
    look: { prompt: 'a woman in her thirties' },
    scene: { prompt: 'white studio' },
    controlnetModels: { openpose: OPENPOSE },
  });
}

async function expectBackendError(p: Promise<unknown>, kind: BackendError['kind']): Promise<BackendError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a BackendError of kind ${kind}`).toBeInstanceOf(BackendError);
  expect((err as BackendError).kind).toBe(kind);
  return err as BackendError;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe.each(['a1111', 'forge'] as const)('client against the %s double', (kind) => {
  it('detects the kind and reads every list', async () => {
    const { client } = await setup({ kind });
    expect(await client.detectKind()).toBe(kind);
    const lists = await client.lists();
    expect(lists.kind).toBe(kind);
    expect(lists.samplers.map((s) => s.name)).toContain('DPM++ 2M');
    expect(lists.schedulers?.map((s) => s.name)).toContain('karras');
    expect(lists.loras.map((l) => l.name)).toEqual(['mamianqun_v1', 'qipao_silk_v2']);
    expect(lists.checkpoints[0].title).toBe('realisticVisionV60B1_v51VAE.safetensors [15012c538f]');
    expect(lists.controlnetModels).toContain(OPENPOSE);
    expect(lists.controlnetModules).toContain(kind === 'forge' ? 'None' : 'none');
    expect(pickSampler(lists)).toEqual({ sampler: 'DPM++ 2M', scheduler: 'karras' });
    const models = await client.sdModels();
    expect(models[0]).toMatchObject({ model_name: 'realisticVisionV60B1_v51VAE', hash: '15012c538f' });
    const options = await client.options();
    expect(options.sd_model_checkpoint).toBe(models[0].title);
    expect((await client.controlnetModules())?.module_detail !== undefined).toBe(kind === 'a1111');
  });

  it('img2img model shot returns PNGs of the requested size: repainted outside the garment, garment untouched', async () => {
    const { client, double } = await setup({ kind });
    const payload = modelShot(kind, { count: 2, maxBatchSize: 2, checkpoint: 'realisticVisionV60B1_v51VAE.safetensors [15012c538f]' });
    const result = await client.img2img(payload);
    expect(result.images).toHaveLength(2);
    // The unit's detected map came back (our proof that it ran) and is not taken for a result.
    expect(result.extraImages).toHaveLength(1);
    expect(result.controlMaps).toHaveLength(1);
    expect(double.generations.at(-1)?.controlnetApplied).toEqual([OPENPOSE]);
    expect(result.info.all_seeds).toEqual([42, 43]);
    expect(result.seeds).toEqual([42, 43]);
    expect(String(result.info.extra_generation_params?.['ControlNet 0'])).toContain(`Model: ${OPENPOSE}`);
    expect(double.unknownFields).toEqual([]);

    const before = await rawRgb(Buffer.from(INIT, 'base64'));
    for (const b64 of result.images) {
      const png = Buffer.from(b64, 'base64');
      const meta = await sharp(png).metadata();
      expect(meta.format).toBe('png');
      expect([meta.width, meta.height]).toEqual([W, H]);
      const after = await rawRgb(png);
      let insideChanged = 0;
      let insideTotal = 0;
      let outsideChanged = 0;
      let outsideTotal = 0;
      const band = 14; // ≈ 3σ of mask_blur 4, on both sides of the garment edge
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < W; x++) {
          const i = (y * W + x) * 3;
          const diff =
            Math.abs(after.data[i] - before.data[i]) +
            Math.abs(after.data[i + 1] - before.data[i + 1]) +
            Math.abs(after.data[i + 2] - before.data[i + 2]);
          const inX = x >= GARMENT.left + band && x < GARMENT.left + GARMENT.width - band;
          const inY = y >= GARMENT.top + band && y < GARMENT.top + GARMENT.height - band;
          const outX = x < GARMENT.left - band || x >= GARMENT.left + GARMENT.width + band;
          const outY = y < GARMENT.top - band || y >= GARMENT.top + GARMENT.height + band;
          if (inX && inY) {
            insideTotal++;
            if (diff > 0) insideChanged++;
          } else if (outX || outY) {
            outsideTotal++;
            if (diff > 30) outsideChanged++;
          }
        }
      }
      expect(insideChanged, 'garment pixels changed').toBe(0);
      expect(outsideChanged / outsideTotal).toBeGreaterThan(0.95);
      expect(insideTotal).toBeGreaterThan(1000);
    }
    expect(result.images[0]).not.toBe(result.images[1]); // seed 42 vs 43
  });

  it('a unit written for the other kind is silently dropped by the server — and the client notices', async () => {
    const { client, double } = await setup({ kind });
    const other = kind === 'forge' ? 'a1111' : 'forge';
    const payload = modelShot(other); // "none" on Forge / "None" on A1111
    const err = await expectBackendError(client.img2img(payload, { validate: false }), 'server');
    expect(err.code).toBe('controlnet_not_applied');
    // The server itself answered 200 (silent failure), and the validation step would have caught it first:
    expect(double.payloads.at(-1)?.status).toBe(200);
    const pre = await expectBackendError(client.img2img(payload), 'validation');
    expect(pre.message).toMatch(/module/);
  });

  it('maps a mistyped field to a validation error with the pydantic detail', async () => {
    const { client } = await setup({ kind });
    const payload = { ...modelShot(kind), steps: 'thirty' as unknown as number };
    const err = await expectBackendError(client.img2img(payload, { validate: false }), 'validation');
    expect(err.status).toBe(422);
    expect(err.detail).toBe(
      kind === 'forge'
        ? 'steps: Input should be a valid integer, unable to parse string as an integer'
        : 'steps: value is not a valid integer',
    );
    expect(err.retryable).toBe(false);
    expect(err.localized('zh-CN')).toContain('steps');
  });

  it('records unknown fields (ignored by the server) so tests can assert none are sent', async () => {
    const { client, double } = await setup({ kind });
    const payload = modelShot(kind) as Img2ImgRequest & Record<string, unknown>;
    payload.denoise = 0.5; // typo of denoising_strength
    (payload.alwayson_scripts!.controlnet!.args[0] as unknown as Record<string, unknown>).low_vram = false;
    (payload.alwayson_scripts!.controlnet!.args[0] as unknown as Record<string, unknown>).mask = 'x';
    await client.img2img(payload);
    const expected = ['img2img.denoise'];
    if (kind === 'forge')
      expected.push('img2img.alwayson_scripts.controlnet.args[0].low_vram', 'img2img.alwayson_scripts.controlnet.args[0].mask');
    expect(double.unknownFields).toEqual(expected);
  });
});

describe('SD double image semantics', () => {
  it('honours inpaint_full_res: "Only masked" returns the init size, "Whole picture" width×height', async () => {
    const { client } = await setup();
    const bigInit = await makeInit(240, 320);
    const bigMask = await makeMask(240, 320, { left: 60, top: 80, width: 120, height: 160 });
    const base = { ...modelShot('a1111'), init_images: [bigInit], mask: bigMask };
    const whole = await client.img2img(base);
    expect(await sharp(Buffer.from(whole.images[0], 'base64')).metadata()).toMatchObject({ width: W, height: H });
    const onlyMasked = await client.img2img({ ...base, inpaint_full_res: true, inpainting_mask_invert: 0 });
    const meta = await sharp(Buffer.from(onlyMasked.images[0], 'base64')).metadata();
    expect([meta.width, meta.height]).toEqual([240, 320]);
    expect(onlyMasked.info.extra_generation_params?.['Inpaint area']).toBe('Only masked');
    // Outside the crop region nothing changed (the corner is far from the mask + padding).
    const before = await rawRgb(Buffer.from(bigInit, 'base64'));
    const after = await rawRgb(Buffer.from(onlyMasked.images[0], 'base64'));
    expect(after.data.subarray(0, 30)).toEqual(before.data.subarray(0, 30));
  });

  it('answers an undecodable image with 500 "Invalid encoded image" → validation/invalid_image', async () => {
    const { client } = await setup();
    const err = await expectBackendError(client.img2img({ ...modelShot('a1111'), init_images: ['%%%not-base64%%%'] }), 'validation');
    expect(err.code).toBe('invalid_image');
    expect(err.status).toBe(500);
  });

  it('txt2img portrait returns an image of the requested size and ignores nothing', async () => {
    const { client, double } = await setup({ kind: 'forge' });
    const r = await client.txt2img(buildPortrait({ ...common('forge', { count: 2 }), look: { prompt: 'a man' } }));
    expect(r.images).toHaveLength(2);
    expect(await sharp(Buffer.from(r.images[1], 'base64')).metadata()).toMatchObject({ width: W, height: H });
    expect(double.unknownFields).toEqual([]);
  });

  it('a unit sent without its map cannot be told from one that failed, so the client refuses it', async () => {
    const { client, double } = await setup();
    const payload = modelShot('a1111');
    payload.alwayson_scripts!.controlnet!.args[0].save_detected_map = false;
    const err = await expectBackendError(client.img2img(payload), 'server');
    expect(err.code).toBe('controlnet_not_applied');
    expect(double.generations.at(-1)?.controlnetApplied).toEqual([OPENPOSE]); // it did run: the evidence is what is missing
  });
});

describe('validation before sending', () => {
  it('refuses unknown LoRA / checkpoint names without calling img2img', async () => {
    const { client, double } = await setup();
    const payload = modelShot('a1111', { loras: [{ name: 'not_installed', weight: 0.8 }], checkpoint: 'missing.safetensors [0000000000]' });
    const err = await expectBackendError(client.img2img(payload), 'validation');
    expect(err.code).toBe('unknown_name');
    expect(err.message).toContain('not_installed');
    expect(err.message).toContain('missing.safetensors');
    expect(double.payloads.some((p) => p.path === '/sdapi/v1/img2img')).toBe(false);
  });
});

describe('checkpoint', () => {
  it('override_settings selects the checkpoint for the job', async () => {
    const { client, double } = await setup();
    const r = await client.img2img(modelShot('a1111', { checkpoint: CKPT2 }));
    expect(r.info.sd_model_name).toBe('dreamshaper_8');
    expect(double.options.sd_model_checkpoint).toBe(CKPT1); // restored afterwards: the operator's choice stays
  });

  it('an old Forge that ignores the override is caught, and ensureCheckpoint fixes it', async () => {
    const { client } = await setup({ kind: 'forge', ignoreCheckpointOverride: true });
    const err = await expectBackendError(client.img2img(modelShot('forge', { checkpoint: CKPT2 })), 'server');
    expect(err.code).toBe('checkpoint_not_applied');
    await client.ensureCheckpoint(CKPT2);
    expect((await client.options()).sd_model_checkpoint).toBe(CKPT2);
    const r = await client.img2img(modelShot('forge', { checkpoint: CKPT2 }));
    expect(r.info.sd_model_hash).toBe('879db523c3');
  });

  it('setOptions with an unknown model maps the server RuntimeError', async () => {
    const { client } = await setup();
    const err = await expectBackendError(client.setOptions({ sd_model_checkpoint: 'nope' }), 'validation');
    expect(err.code).toBe('unknown_name');
  });
});

describe('queue, progress and interrupt', () => {
  it('serves one generation at a time; the waiting one gets no answer until the first is done', async () => {
    const { client, double } = await setup({ stepMs: 10 });
    const lists = await client.lists();
    const a = client.img2img(modelShot('a1111', { steps: 10 }), { validate: lists });
    await until(async () => (await client.progress()).state.job_count > 0);
    let bDone = false;
    const b = client.img2img(modelShot('a1111', { steps: 10, seed: 7 }), { validate: lists }).then((r) => {
      bDone = true;
      return r;
    });
    await until(() => double.queued() === 1);
    expect(bDone).toBe(false);
    await Promise.all([a, b]);
    const gens = double.payloads.filter((p) => p.path === '/sdapi/v1/img2img');
    expect(gens).toHaveLength(2);
    expect(gens[1].startedAt!).toBeGreaterThanOrEqual(gens[0].finishedAt!);
    expect(gens[0].finishedAt! - gens[0].startedAt!).toBeGreaterThanOrEqual(80);
  });

  it('reports progress through the sampling steps and goes idle afterwards', async () => {
    const { client } = await setup({ stepMs: 15, steps: 12 });
    const lists = await client.lists();
    const job = client.img2img(modelShot('a1111', { count: 2 }), { validate: lists });
    let seen: Awaited<ReturnType<SdClient['progress']>> | null = null;
    await until(async () => {
      const p = await client.progress();
      if (p.state.sampling_step >= 3) seen = p;
      return seen !== null;
    });
    const p = seen!;
    expect(p.state).toMatchObject({ job: 'scripts_img2img', job_count: 2, sampling_steps: 12 });
    expect(p.progress).toBeGreaterThan(0.01);
    expect(p.progress).toBeLessThan(1);
    expect(p.eta_relative).toBeGreaterThan(0);
    expect(p.current_image).toBeNull();
    await job;
    const idle = await client.progress();
    expect(idle.progress).toBe(0);
    expect(idle.state.job_count).toBe(0);
  });

  it('offers a live preview when the server has them on', async () => {
    const { client } = await setup({ stepMs: 15, steps: 20, livePreviews: true });
    const lists = await client.lists();
    const job = client.img2img(modelShot('a1111'), { validate: lists });
    await until(async () => (await client.progress()).state.sampling_step >= 2);
    const p = await client.progress({ skipCurrentImage: false });
    expect(typeof p.current_image).toBe('string');
    expect((await sharp(Buffer.from(p.current_image!, 'base64')).metadata()).format).toBe('png');
    await job;
  });

  it('interrupt ends the job early with 200 and a partial image, skipping the remaining batches', async () => {
    const { client } = await setup({ stepMs: 20, steps: 50 });
    const lists = await client.lists();
    const started = Date.now();
    const job = client.img2img(modelShot('a1111', { count: 3 }), { validate: lists });
    await until(async () => (await client.progress()).state.sampling_step >= 2);
    await client.interrupt();
    const r = await job;
    expect(Date.now() - started).toBeLessThan(2000); // 3 × 50 × 20 ms uninterrupted
    expect(r.images).toHaveLength(1);
    expect(await sharp(Buffer.from(r.images[0], 'base64')).metadata()).toMatchObject({ width: W, height: H });
  });

  it('an aborted call rejects with the abort reason', async () => {
    const { client } = await setup({ stepMs: 20, steps: 50 });
    const lists = await client.lists();
    const ac = new AbortController();
    const job = client.img2img(modelShot('a1111'), { validate: lists, signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user cancelled')), 50);
    await expect(job).rejects.toThrow('user cancelled');
  });
});

describe('faults', () => {
  it('refuse → unreachable (retryable), and back to normal afterwards', async () => {
    const { client, double } = await setup();
    await client.lists();
    await double.setFault('refuse');
    const err = await expectBackendError(client.progress(), 'unreachable');
    expect(err.retryable).toBe(true);
    await expectBackendError(client.img2img(modelShot('a1111'), { validate: false }), 'unreachable');
    await double.setFault('none');
    expect((await client.progress()).progress).toBe(0);
  });

  it('500 → server (retryable)', async () => {
    const { client, double } = await setup();
    await double.setFault('500');
    const err = await expectBackendError(client.img2img(modelShot('a1111')), 'server');
    expect(err.retryable).toBe(true);
    expect(err.status).toBe(500);
  });

  it('oom → oom (not retryable as is)', async () => {
    const { client, double } = await setup();
    await double.setFault('oom');
    const err = await expectBackendError(client.img2img(modelShot('a1111')), 'oom');
    expect(err.retryable).toBe(false);
    expect(err.localized('en')).toMatch(/memory/);
    expect(err.localized('zh-CN')).toMatch(/显卡内存不足/);
  });

  it('422 → validation', async () => {
    const { client, double } = await setup({ kind: 'forge' });
    await double.setFault('422');
    const err = await expectBackendError(client.img2img(modelShot('forge')), 'validation');
    expect(err.detail).toContain('steps');
  });

  it('busy (503 from a proxy) → busy', async () => {
    const { client, double } = await setup();
    await double.setFault('busy');
    await expectBackendError(client.img2img(modelShot('a1111')), 'busy');
  });

  it('stall → timeout once the headers timeout passes', async () => {
    const { client, double } = await setup({}, { timeouts: { generation: { headersMs: 200 }, quick: { headersMs: 200 } } });
    const lists = await client.lists();
    await double.setFault('stall');
    const started = Date.now();
    await expectBackendError(client.img2img(modelShot('a1111'), { validate: lists }), 'timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await expectBackendError(client.progress(), 'timeout');
  });

  it('drop → dropped (retryable)', async () => {
    const { client, double } = await setup();
    const lists = await client.lists();
    await double.setFault('drop');
    const err = await expectBackendError(client.img2img(modelShot('a1111'), { validate: lists }), 'dropped');
    expect(err.retryable).toBe(true);
    await expectBackendError(client.samplers(), 'dropped');
  });

  it('slow → still answers, later; with a short headers timeout it becomes a timeout', async () => {
    // undici's header timer fires with about 1 s resolution, so the slowed job must take clearly longer.
    const { client, double } = await setup({ stepMs: 5, steps: 10, slowFactor: 40 });
    const lists = await client.lists();
    await double.setFault('slow');
    const started = Date.now();
    const r = await client.img2img(modelShot('a1111'), { validate: lists });
    expect(r.images).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(10 * 5 * 40 - 50);
    const impatient = createSdClient({ url: double.url, auth: null }, { timeouts: { generation: { headersMs: 200 } } });
    clients.push(impatient);
    await expectBackendError(impatient.img2img(modelShot('a1111'), { validate: lists }), 'timeout');
  });
});

describe('auth', () => {
  it('basic auth on the core routes: missing or wrong credentials → auth, right ones work', async () => {
    const creds = { username: 'atelier', password: 's3cret:with:colons' };
    const { client, double } = await setup({ auth: creds });
    await expectBackendError(client.samplers(), 'auth');
    expect((await client.loras()).length).toBe(2); // extension route, not behind --api-auth
    const wrong = createSdClient({ url: double.url, auth: { ...creds, password: 'nope' } });
    clients.push(wrong);
    await expectBackendError(wrong.progress(), 'auth');
    const right = createSdClient({ url: double.url, auth: creds });
    clients.push(right);
    expect((await right.samplers()).length).toBeGreaterThan(3);
    expect((await right.img2img(modelShot('a1111'))).images).toHaveLength(1);
  });
});

describe('missing API', () => {
  it('a server without --api (404 Not Found) maps to api_missing', async () => {
    const { double } = await setup();
    const client = createSdClient({ url: `${double.url}/not-the-api`, auth: null });
    clients.push(client);
    const err = await expectBackendError(client.samplers(), 'unreachable');
    expect(err.code).toBe('api_missing');
  });
});

afterAll(() => undefined);

// What real servers do that a client must see through (each behaviour is modelled in the double from the
// upstream file named in tests/sd-double/*.ts); each test here failed against the client before it was fixed.
describe('real-server behaviours the client sees through', () => {
  it(
    'A1111: an SD 1.5 OpenPose unit with an SDXL checkpoint writes its "ControlNet 0" entry, answers 200, ' +
      'and does nothing — the client fails the job',
    async () => {
      const { client, double } = await setup({ kind: 'a1111' });
      const err = await expectBackendError(client.img2img(modelShot('a1111', { checkpoint: XL_CKPT })), 'server');
      expect(err.code).toBe('controlnet_not_applied');
      const gen = double.generations.at(-1)!;
      expect(gen.failed).toBeNull(); // HTTP 200 from the server
      expect(gen.controlnetApplied).toEqual([]);
      expect(gen.log.join('\n')).toMatch(/is not compatible with sd model/);
    },
  );

  it('Forge: the same mismatch fails at sampling with a 500', async () => {
    const { client } = await setup({ kind: 'forge' });
    const err = await expectBackendError(client.img2img(modelShot('forge', { checkpoint: XL_CKPT })), 'server');
    expect(err.detail).toMatch(/mat1 and mat2/);
  });

  it('with an SDXL OpenPose model the unit runs and its map comes back', async () => {
    for (const kind of ['a1111', 'forge'] as const) {
      const { client, double } = await setup({ kind, controlnetModels: [OPENPOSE, XL_OPENPOSE] });
      const payload = buildModelShot({
        ...common(kind, { checkpoint: XL_CKPT }),
        initImageB64: INIT,
        maskB64: MASK,
        skeletonB64: SKEL,
        look: { prompt: 'a woman' },
        scene: { prompt: 'studio' },
        controlnetModels: { openpose: XL_OPENPOSE },
      });
      const r = await client.img2img(payload);
      expect(r.controlMaps).toHaveLength(1);
      expect(double.generations.at(-1)?.controlnetApplied).toEqual([XL_OPENPOSE]);
    }
  });

  it('sd-webui-controlnet rejects a weight over 2 before writing its entry; Forge takes it', async () => {
    const a = await setup({ kind: 'a1111' });
    const heavy = modelShot('a1111');
    heavy.alwayson_scripts!.controlnet!.args[0].weight = 2.5;
    const err = await expectBackendError(a.client.img2img(heavy, { validate: false }), 'server');
    expect(err.code).toBe('controlnet_not_applied');
    expect(a.double.generations.at(-1)?.log.join('\n')).toMatch(/less than or equal to 2/);
    const f = await setup({ kind: 'forge' });
    const heavyForge = modelShot('forge');
    heavyForge.alwayson_scripts!.controlnet!.args[0].weight = 2.5;
    expect((await f.client.img2img(heavyForge, { validate: false })).images).toHaveLength(1);
  });

  it('Forge returns a map for a unit whose model it cannot find (the map comes before the lookup): the name check catches it', async () => {
    const { client, double } = await setup({ kind: 'forge' });
    const payload = modelShot('forge');
    payload.alwayson_scripts!.controlnet!.args[0].model = 'control_v11p_sd15_openpose'; // no hash: Forge wants the exact title
    const r = await client.img2img(payload, { validate: false });
    expect(r.controlMaps).toHaveLength(1); // the map alone proves nothing on Forge…
    expect(double.generations.at(-1)?.controlnetApplied).toEqual([]);
    const err = await expectBackendError(client.img2img(payload), 'validation'); // …so names are checked against its list first
    expect(err.code).toBe('unknown_name');
  });

  it(
    'return_mask / return_mask_composite interleave masks after each image; ' +
      'our payload turns them off, and a payload that does not is still read by content',
    async () => {
      const { client, double } = await setup({ kind: 'a1111' });
      double.options.return_mask = true;
      double.options.return_mask_composite = true;
      const ours = await client.img2img(modelShot('a1111', { count: 2, maxBatchSize: 1 }));
      expect(ours.images).toHaveLength(2);
      expect(ours.extraImages).toHaveLength(1); // only the detected map
      const raw = double.payloads.at(-1)!.body as Img2ImgRequest;
      expect(raw.override_settings).toMatchObject({ return_mask: false, return_mask_composite: false });

      const old = modelShot('a1111', { count: 2, maxBatchSize: 1 });
      delete old.override_settings;
      const r = await client.img2img(old);
      expect(r.images).toHaveLength(2);
      expect(r.extraImages).toHaveLength(5); // mask + composite after each image, then the map
      // The results are the generated images (same seeds → the same pictures as without masks).
      expect(r.images).toEqual(ours.images);
    },
  );

  it(
    'per-task progress: our request waits behind another client job (queued), then runs (active); ' +
      'the global progress is someone else’s meanwhile',
    async () => {
      const { client, double } = await setup({ kind: 'a1111', stepMs: 10 });
      const foreign = double.occupy({ steps: 30 });
      await until(async () => (await client.progress()).state.job_count > 0);
      const payload = { ...modelShot('a1111', { steps: 10 }), force_task_id: 'atelier-test-1' };
      const call = client.img2img(payload);
      await until(() => double.pendingTasks().includes('atelier-test-1'));
      const waiting = await client.taskProgress('atelier-test-1');
      expect(waiting).toMatchObject({ active: false, queued: true, completed: false, textinfo: 'In queue: 1/1' });
      expect((await client.progress()).state.job).toBe('txt2img'); // the global view shows the other job
      await foreign.done;
      await until(async () => (await client.taskProgress('atelier-test-1'))?.active === true);
      await call;
      expect(await client.taskProgress('atelier-test-1')).toMatchObject({ active: false, queued: false, completed: true });
      // An unknown id is neither queued nor running.
      expect(await client.taskProgress('nobody')).toMatchObject({ active: false, queued: false, completed: false, textinfo: 'Waiting...' });
    },
  );

  it('live previews come per task as a data URL, only when changed since the id we echo', async () => {
    const { client, double } = await setup({ kind: 'a1111', stepMs: 15, livePreviews: true });
    double.options.show_progress_every_n_steps = 2;
    const call = client.img2img({
      ...modelShot('a1111', { steps: 12 }),
      denoising_strength: 1,
      force_task_id: 'atelier-live',
    } as Img2ImgRequest);
    await until(async () => ((await client.taskProgress('atelier-live', { livePreview: true }))?.id_live_preview ?? -1) > 0);
    const first = await client.taskProgress('atelier-live', { livePreview: true });
    expect(first?.live_preview).toMatch(/^data:image\/png;base64,/);
    const again = await client.taskProgress('atelier-live', { livePreview: true, lastPreviewId: first!.id_live_preview! });
    if (again?.id_live_preview === first!.id_live_preview) expect(again?.live_preview).toBeNull();
    await call;
  });

  it('job_count is -1 between the start of a job and its first batch', async () => {
    const { client } = await setup({ kind: 'a1111', stepMs: 60 });
    const call = client.img2img(modelShot('a1111', { steps: 4 }));
    const seen = new Set<number>();
    while (!seen.has(1)) {
      seen.add((await client.progress()).state.job_count);
      await sleep(5);
    }
    await call;
    expect(seen.has(-1)).toBe(true);
  });

  it('an API-only server (--nowebui) has no per-task progress: taskProgress says so with null', async () => {
    const { client } = await setup({ webui: false });
    expect(await client.taskProgress('anything')).toBeNull();
  });

  it('init_images: [] passes validation and fails inside with a 500 that leaves the task "active"', async () => {
    for (const kind of ['a1111', 'forge'] as const) {
      const { client } = await setup({ kind });
      const err = await expectBackendError(
        client.img2img({ ...modelShot(kind), init_images: [], force_task_id: 'atelier-empty' }, { validate: false }),
        'server',
      );
      expect(err.status).toBe(500);
      expect(await client.taskProgress('atelier-empty')).toMatchObject({ active: true, completed: false });
    }
  });

  it('names are exact: a lower-case sampler silently runs as DPM++ 2M, and validation refuses it before sending', async () => {
    const { client } = await setup({ kind: 'a1111' });
    const r = await client.img2img({ ...modelShot('a1111'), sampler_name: 'euler a' }, { validate: false });
    expect(r.info.sampler_name).toBe('DPM++ 2M');
    const err = await expectBackendError(client.img2img({ ...modelShot('a1111'), sampler_name: 'euler a' }), 'validation');
    expect(err.message).toMatch(/sampler "euler a"/);
    const sched = await expectBackendError(client.img2img({ ...modelShot('a1111'), scheduler: 'KARRAS' }), 'validation');
    expect(sched.message).toMatch(/scheduler "KARRAS"/);
  });

  it("Forge's ControlNet list is the one it read at start; sd-webui-controlnet rescans", async () => {
    for (const kind of ['a1111', 'forge'] as const) {
      const { client, double } = await setup({ kind });
      double.addControlNetModel(XL_OPENPOSE);
      expect((await client.controlnetModels())?.includes(XL_OPENPOSE)).toBe(kind === 'a1111');
      double.restartForge();
      expect(await client.controlnetModels()).toContain(XL_OPENPOSE);
    }
  });

  it('Forge error bodies say `message` (its api_middleware is commented out); the client reads them', async () => {
    const { client, double } = await setup({ kind: 'forge' });
    await double.setFault('500');
    const err = await expectBackendError(client.img2img(modelShot('forge')), 'server');
    expect(err.detail).toMatch(/simulated failure/);
  });
});
