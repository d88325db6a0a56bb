// SD WebUI TEST DOUBLE — a test tool, never an image generator offered to users.
//
// A small node:http server that answers the endpoints Atelier calls with the real request/response shapes of
// AUTOMATIC1111 (+ Mikubill ControlNet) or Forge (shared/reference/sd-webui-api.md):
// - 422 with pydantic-shaped `detail` (v1 for A1111, v2 for Forge) for mistyped known fields; unknown fields
//   ignored like the real server but recorded (`unknownFields`) so tests can assert none are sent;
//   undecodable base64 → 500 "Invalid encoded image"; img2img without init image → 404.
// - one generation at a time (FIFO like queue_lock): waiting requests get no bytes, not even headers;
//   /progress, /interrupt, options and lists answer meanwhile.
// - progress through sampling steps; interrupt ends the job early with 200 and a partial image.
// - real PNGs of the right size derived from the inputs: the init image with the mask region repainted by a
//   seed-derived stripe pattern, honouring inpainting_mask_invert, mask_blur and inpaint_full_res.
// - ControlNet: "ControlNet i" infotext entries only for units that would really run on that kind
//   (enabled, known model, valid module, accepted types); otherwise silently generated without it.
// - faults: refuse (listening socket closed), 500, stall (never answers), drop (socket destroyed mid-response),
//   slow (stepMs × slowFactor), oom (500 OutOfMemoryError), 422, busy (503 as a proxy would answer).
//
// Run by hand: node tests/sd-double/server.ts --port 7860 [--kind forge] [--step-ms 50]
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  DEFAULT_CHECKPOINTS,
  DEFAULT_CONTROLNET_MODELS,
  DEFAULT_LORAS,
  SAMPLERS,
  SCHEDULERS,
  defaultOptions,
  isModelFree,
  moduleDetail,
  moduleList,
  sdModelEntry,
} from './catalog.ts';
import { CONTROLNET_UNIT_KEYS, checkBody, requestFields, type Kind, type PydanticItem } from './fields.ts';
import {
  InvalidImageError,
  blankRgb,
  cloneRgb,
  cropRegion,
  decodeB64Image,
  detectedMap,
  encodePng,
  encodePreview,
  loadMask,
  loadRgb,
  repaint,
  resizeRgb,
  type Rgb,
} from './render.ts';

export type SdDoubleFault = 'none' | 'refuse' | '500' | 'stall' | 'drop' | 'slow' | 'oom' | '422' | 'busy';

export interface SdDoubleOptions {
  port?: number;
  host?: string;
  kind?: Kind;
  /** Milliseconds per simulated sampling step (default 2). */
  stepMs?: number;
  /** Simulated sampling steps per batch; default: what the payload asks (img2img: steps × denoising_strength). */
  steps?: number;
  /** Checkpoint titles "file.safetensors [hash10]"; the first is loaded at start. */
  checkpoints?: string[];
  loras?: (string | { name: string; alias?: string; metadata?: Record<string, unknown> })[];
  /** ControlNet model titles "stem [hash8]". */
  controlnetModels?: string[];
  /** Basic auth required on the core /sdapi/v1 routes (like --api-auth). */
  auth?: { username: string; password: string } | null;
  /** Step-time multiplier of the 'slow' fault (default 25). */
  slowFactor?: number;
  /** Include current_image in /progress when skip_current_image=false (default false). */
  livePreviews?: boolean;
  /** Behave like Forge before Oct 2024: override_settings.sd_model_checkpoint is ignored. */
  ignoreCheckpointOverride?: boolean;
}

export interface RecordedRequest {
  id: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (raw text if it was not JSON; null without body). */
  body: unknown;
  /** Unknown fields of this request (also collected in SdDouble.unknownFields). */
  unknownFields: string[];
  receivedAt: number;
  /** Generation only: when the job got the queue lock and when it finished. */
  startedAt: number | null;
  finishedAt: number | null;
  status: number | null;
}

export interface SdDouble {
  url: string;
  port: number;
  kind: Kind;
  payloads: RecordedRequest[];
  /** "img2img.foo", "img2img.alwayson_scripts.controlnet.args[0].low_vram", … */
  unknownFields: string[];
  /** The server's options (mutable: tests may flip e.g. img2img_fix_steps). */
  options: Record<string, unknown>;
  setFault(fault: SdDoubleFault): Promise<void>;
  fault(): SdDoubleFault;
  /** Generation requests waiting for the queue lock (not counting the running one). */
  queued(): number;
  /** Clears recorded payloads and unknown fields. */
  reset(): void;
  stop(): Promise<void>;
}

interface JobState {
  job: string;
  jobCount: number;
  jobNo: number;
  step: number;
  steps: number;
  startedAt: number;
  timestamp: string;
  interrupted: boolean;
  preview: (() => Rgb) | null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    super(`HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** The WebUI's exception handler shape. */
const apiError = (status: number, error: string, detail: string, errors: string) =>
  new HttpError(status, { error, detail, body: '', errors });

const notFound = () => new HttpError(404, { detail: 'Not Found' });

function timestamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function toInt(v: unknown, fallback: number): number {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}
function toFloat(v: unknown, fallback: number): number {
  if (v === null || v === undefined) return fallback;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : fallback;
}
function toBool(v: unknown, fallback: boolean): boolean {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return ['1', 'on', 't', 'true', 'y', 'yes'].includes(String(v).toLowerCase());
}

export async function startSdDouble(opts: SdDoubleOptions = {}): Promise<SdDouble> {
  const kind: Kind = opts.kind ?? 'a1111';
  const host = opts.host ?? '127.0.0.1';
  const stepMs = opts.stepMs ?? 2;
  const slowFactor = opts.slowFactor ?? 25;
  const checkpoints = (opts.checkpoints ?? DEFAULT_CHECKPOINTS).map(sdModelEntry);
  if (checkpoints.length === 0) throw new Error('the SD double needs at least one checkpoint');
  const loras = (opts.loras ?? DEFAULT_LORAS).map((l) => (typeof l === 'string' ? { name: l } : l)).map((l) => ({
    name: l.name,
    alias: l.alias ?? l.name,
    path: `/sd/models/Lora/${l.name}.safetensors`,
    metadata: l.metadata ?? { ss_output_name: l.alias ?? l.name },
  }));
  const cnModels = opts.controlnetModels ?? DEFAULT_CONTROLNET_MODELS;
  const options = defaultOptions(kind, checkpoints[0].title);

  const payloads: RecordedRequest[] = [];
  const unknownFields: string[] = [];
  const sockets = new Set<Socket>();
  const stalled = new Set<http.ServerResponse>();
  let fault: SdDoubleFault = 'none';
  let stopped = false;
  let nextId = 1;
  let job: JobState | null = null;
  let waiting = 0;
  let lockTail: Promise<void> = Promise.resolve();

  /** FIFO lock like the WebUI's queue_lock. */
  function withQueueLock<T>(fn: () => Promise<T>): Promise<T> {
    waiting++;
    const run = lockTail.then(() => {
      waiting--;
      return fn();
    });
    lockTail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  // ------------------------------------------------------------------------------------------------------------
  // Lists and small endpoints.

  function resolveCheckpoint(name: string) {
    const lower = name.toLowerCase();
    return checkpoints.find(
      (c) =>
        c.title === name ||
        c.model_name.toLowerCase() === lower ||
        c.filename.toLowerCase().endsWith(`/${lower}`) ||
        c.title.toLowerCase().startsWith(`${lower} [`) ||
        (c.hash && (c.hash === lower || (c.sha256 ?? '').startsWith(lower))),
    );
  }

  function progressBody(includeImage: boolean): Promise<unknown> | unknown {
    if (!job) {
      return {
        progress: 0,
        eta_relative: 0,
        state: { skipped: false, interrupted: false, stopping_generation: false, job: '', job_count: 0, job_timestamp: '0', job_no: 0, sampling_step: 0, sampling_steps: 0 },
        current_image: null,
        textinfo: null,
      };
    }
    const j = job;
    const raw = 0.01 + j.jobNo / j.jobCount + (j.steps ? j.step / j.steps / j.jobCount : 0);
    const progress = Math.min(1, raw);
    const elapsed = (Date.now() - j.startedAt) / 1000;
    const eta = progress > 0 ? elapsed / progress - elapsed : 0;
    const body = {
      progress,
      eta_relative: Math.max(0, eta),
      state: {
        skipped: false,
        interrupted: j.interrupted,
        stopping_generation: false,
        job: j.job,
        job_count: j.jobCount,
        job_timestamp: j.timestamp,
        job_no: j.jobNo,
        sampling_step: j.step,
        sampling_steps: j.steps,
      },
      current_image: null as string | null,
      textinfo: null,
    };
    if (includeImage && opts.livePreviews && j.preview && j.step > 0) {
      return encodePreview(j.preview()).then((img) => ({ ...body, current_image: img }));
    }
    return body;
  }

  // ------------------------------------------------------------------------------------------------------------
  // ControlNet evaluation.

  interface CnUnitRun {
    unit: Record<string, unknown>;
    image: Buffer | null;
  }

  async function evaluateControlNet(
    scripts: Record<string, unknown>,
    where: string,
    recordUnknown: (path: string) => void,
  ): Promise<{ runs: CnUnitRun[]; entries: Record<string, string> }> {
    const key = Object.keys(scripts).find((k) => k.toLowerCase() === 'controlnet');
    if (!key) return { runs: [], entries: {} };
    const script = scripts[key] as { args?: unknown } | null;
    const args = Array.isArray(script?.args) ? script.args : [];
    const limit = toInt(options.control_net_unit_count, 3);
    const enabled: Record<string, unknown>[] = [];
    args.forEach((raw, i) => {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return;
      const unit = raw as Record<string, unknown>;
      for (const k of Object.keys(unit)) {
        if (!CONTROLNET_UNIT_KEYS[kind].has(k)) recordUnknown(`${where}.alwayson_scripts.${key}.args[${i}].${k}`);
      }
      if (i >= limit) return; // extra units are silently dropped
      const on = unit.enabled === undefined ? kind === 'forge' : unit.enabled === true || unit.enabled === 'true';
      if (on) enabled.push(unit);
    });

    // Any invalid enabled unit makes the script raise: logged, and the image is generated without ControlNet.
    const modules = moduleList(kind);
    const runs: CnUnitRun[] = [];
    for (const unit of enabled) {
      const module = typeof unit.module === 'string' ? unit.module : kind === 'forge' ? 'None' : 'none';
      if (!modules.includes(module)) return { runs: [], entries: {} };
      const model = typeof unit.model === 'string' ? unit.model : 'None';
      if (model === 'None') {
        if (!isModelFree(kind, module)) return { runs: [], entries: {} };
      } else if (kind === 'forge') {
        if (!cnModels.includes(model)) return { runs: [], entries: {} };
      } else {
        const stem = model.replace(/\s*\[[0-9a-f]+\]\s*$/i, '').toLowerCase();
        if (!cnModels.some((m) => m === model || m.replace(/\s*\[[0-9a-f]+\]\s*$/i, '').toLowerCase() === stem)) return { runs: [], entries: {} };
      }
      const resize = unit.resize_mode;
      const resizeOk =
        resize === undefined ||
        (typeof resize === 'string' && ['Just Resize', 'Crop and Resize', 'Resize and Fill', 'Inner Fit (Scale to Fit)', 'Outer Fit (Shrink to Fit)', 'Envelope (Outer Fit)', 'Scale to Fit (Inner Fit)'].includes(resize)) ||
        (kind === 'forge' && typeof resize === 'number' && Number.isInteger(resize) && resize >= 0 && resize <= 3);
      if (!resizeOk) return { runs: [], entries: {} };
      const cm = unit.control_mode;
      const cmOk =
        cm === undefined ||
        (typeof cm === 'string' && ['Balanced', 'My prompt is more important', 'ControlNet is more important'].includes(cm)) ||
        (kind === 'forge' && typeof cm === 'number' && Number.isInteger(cm) && cm >= 0 && cm <= 2);
      if (!cmOk) return { runs: [], entries: {} };
      const gs = toFloat(unit.guidance_start, 0);
      const ge = toFloat(unit.guidance_end, 1);
      if (kind === 'a1111' && !(gs >= 0 && ge <= 1 && gs <= ge)) return { runs: [], entries: {} };
      if (unit.weight !== undefined && typeof unit.weight !== 'number') return { runs: [], entries: {} };
      let image: Buffer | null = null;
      const img = unit.image ?? (kind === 'a1111' ? unit.input_image : undefined);
      if (img !== undefined && img !== null) {
        if (typeof img === 'string') {
          try {
            image = await decodeB64Image(img);
          } catch {
            return { runs: [], entries: {} };
          }
        } else if (kind === 'forge') {
          return { runs: [], entries: {} }; // dict/list image → TypeError on Forge
        } else if (typeof img === 'object' && !Array.isArray(img) && typeof (img as { image?: unknown }).image === 'string') {
          try {
            image = await decodeB64Image((img as { image: string }).image);
          } catch {
            return { runs: [], entries: {} };
          }
        } else {
          return { runs: [], entries: {} };
        }
      }
      runs.push({ unit, image });
    }
    const entries: Record<string, string> = {};
    runs.forEach(({ unit }, i) => {
      const fields: [string, unknown][] = [
        ['Module', unit.module ?? (kind === 'forge' ? 'None' : 'none')],
        ['Model', unit.model ?? 'None'],
        ['Weight', unit.weight ?? 1.0],
        ['Resize Mode', unit.resize_mode ?? 'Crop and Resize'],
        ['Processor Res', unit.processor_res ?? -1],
        ['Threshold A', unit.threshold_a ?? -1],
        ['Threshold B', unit.threshold_b ?? -1],
        ['Guidance Start', unit.guidance_start ?? 0.0],
        ['Guidance End', unit.guidance_end ?? 1.0],
        ['Pixel Perfect', unit.pixel_perfect ? 'True' : 'False'],
        ['Control Mode', unit.control_mode ?? 'Balanced'],
        ['Hr Option', unit.hr_option ?? 'Both'],
      ];
      entries[`ControlNet ${i}`] = fields
        .filter(([, v]) => v !== -1)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
    });
    return { runs, entries };
  }

  // ------------------------------------------------------------------------------------------------------------
  // Generation.

  async function generate(endpoint: 'txt2img' | 'img2img', body: unknown, rec: RecordedRequest): Promise<unknown> {
    const recordUnknown = (p: string) => {
      rec.unknownFields.push(p);
      unknownFields.push(p);
    };
    // 1. Body validation (FastAPI, before the endpoint runs — no queue wait).
    const check = checkBody(body, requestFields(endpoint, kind), kind);
    for (const f of check.unknown) recordUnknown(`${endpoint}.${f}`);
    if (check.errors.length) throw new HttpError(422, { detail: check.errors });
    if (fault === '422') {
      const item: PydanticItem =
        kind === 'forge'
          ? { type: 'int_parsing', loc: ['body', 'steps'], msg: 'Input should be a valid integer, unable to parse string as an integer', input: 'thirty' }
          : { loc: ['body', 'steps'], msg: 'value is not a valid integer', type: 'type_error.integer' };
      throw new HttpError(422, { detail: [item] });
    }
    if (fault === 'busy') throw new HttpError(503, { detail: 'Service Unavailable' });
    const b = body as Record<string, unknown>;

    // 2. Endpoint prologue (still outside the lock): images decoded, scripts looked up.
    let init: Buffer | null = null;
    let mask: Buffer | null = null;
    if (endpoint === 'img2img') {
      const images = b.init_images;
      if (!Array.isArray(images) || images.length === 0) throw apiError(404, 'HTTPException', 'Init image not found', '404: Init image not found');
      try {
        init = await decodeB64Image(images[0]);
        for (const other of images.slice(1)) await decodeB64Image(other);
        if (b.mask !== undefined && b.mask !== null) mask = await decodeB64Image(b.mask);
      } catch (err) {
        if (err instanceof InvalidImageError) throw apiError(500, 'HTTPException', 'Invalid encoded image', '500: Invalid encoded image');
        throw err;
      }
    }
    const scripts = (b.alwayson_scripts ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(scripts)) {
      if (name.toLowerCase() !== 'controlnet') {
        throw apiError(422, 'HTTPException', `always on script ${name} not found`, `422: always on script ${name} not found`);
      }
    }
    if (b.script_name) {
      throw apiError(422, 'HTTPException', `Script '${b.script_name}' not found`, `422: Script '${b.script_name}' not found`);
    }

    // 3. The job, under the queue lock.
    return withQueueLock(async () => {
      rec.startedAt = Date.now();
      try {
        if (stopped) throw new HttpError(503, { detail: 'stopping' });
        if (fault === '500') throw apiError(500, 'RuntimeError', '', 'simulated failure inside generation (SD double)');
        if (fault === 'oom') {
          throw apiError(500, 'OutOfMemoryError', '', 'CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity; 5.10 GiB already allocated)');
        }
        return await runJob(endpoint, b, init, mask, scripts, recordUnknown);
      } finally {
        rec.finishedAt = Date.now();
      }
    });
  }

  async function runJob(
    endpoint: 'txt2img' | 'img2img',
    b: Record<string, unknown>,
    initBuf: Buffer | null,
    maskBuf: Buffer | null,
    scripts: Record<string, unknown>,
    recordUnknown: (p: string) => void,
  ): Promise<unknown> {
    // override_settings: unknown keys are a KeyError (500); the checkpoint override is applied or dropped.
    const overrides = (b.override_settings ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(overrides)) {
      if (!(k in options)) throw apiError(500, 'KeyError', '', `'${k}'`);
    }
    let model = resolveCheckpoint(String(options.sd_model_checkpoint)) ?? checkpoints[0];
    if (typeof overrides.sd_model_checkpoint === 'string' && !opts.ignoreCheckpointOverride) {
      const wanted = resolveCheckpoint(overrides.sd_model_checkpoint);
      if (wanted) {
        model = wanted;
        if (b.override_settings_restore_afterwards === false) options.sd_model_checkpoint = wanted.title;
      }
    }

    const width = toInt(b.width, 512);
    const height = toInt(b.height, 512);
    if (width < 64 || height < 64 || width > 4096 || height > 4096) {
      throw apiError(500, 'RuntimeError', '', `width/height out of range: ${width}x${height}`);
    }
    const batchSize = Math.max(1, toInt(b.batch_size, 1));
    const nIter = Math.max(1, toInt(b.n_iter, 1));
    const denoise = toFloat(b.denoising_strength, 0.75);
    const requestedSteps = Math.max(1, toInt(b.steps, 50));
    const steps =
      opts.steps ??
      (endpoint === 'img2img' && !options.img2img_fix_steps ? Math.max(1, Math.floor(requestedSteps * Math.min(1, denoise))) : requestedSteps);
    let seed = toInt(b.seed, -1);
    if (seed === -1) seed = Math.floor(Math.random() * 0xffffffff);
    const total = batchSize * nIter;
    const allSeeds = Array.from({ length: total }, (_, i) => seed + i);
    const subseed = toInt(b.subseed, -1) === -1 ? Math.floor(Math.random() * 0xffffffff) : toInt(b.subseed, -1);

    // Sampler / scheduler resolution with the server's silent fallbacks.
    let samplerName = String(b.sampler_name ?? b.sampler_index ?? 'Euler');
    let schedulerName = typeof b.scheduler === 'string' ? b.scheduler : null;
    const suffix = SCHEDULERS.find((s) => s.name !== 'automatic' && samplerName.toLowerCase().endsWith(` ${s.label.toLowerCase()}`));
    if (suffix && (!schedulerName || schedulerName.toLowerCase() === 'automatic')) {
      samplerName = samplerName.slice(0, -(suffix.label.length + 1));
      schedulerName = suffix.name;
    }
    const sampler =
      SAMPLERS.find((s) => s.name === samplerName || s.aliases.some((a) => a.toLowerCase() === samplerName.toLowerCase())) ?? SAMPLERS[0];
    const scheduler =
      SCHEDULERS.find(
        (s) =>
          schedulerName !== null &&
          (s.name === schedulerName.toLowerCase() || s.label.toLowerCase() === schedulerName.toLowerCase() || (s.aliases ?? []).includes(schedulerName)),
      ) ?? SCHEDULERS[0];

    // LoRAs: known names go into "Lora hashes", unknown ones are skipped without a word.
    const prompt = String(b.prompt ?? '');
    const usedLoras = [...prompt.matchAll(/<lora:([^:>]+)[^>]*>/gi)]
      .map((m) => m[1])
      .filter((n) => loras.some((l) => l.name === n || l.alias === n));

    const where = endpoint;
    const cn = await evaluateControlNet(scripts, where, recordUnknown);

    // Geometry.
    let base: Rgb;
    let maskArr: Uint8Array | null = null;
    let region: { x1: number; y1: number; x2: number; y2: number } | null = null;
    let onlyMasked = false;
    if (endpoint === 'img2img' && initBuf) {
      const init = await loadRgb(initBuf);
      const resizeMode = toInt(b.resize_mode, 0);
      const fullRes = toBool(b.inpaint_full_res, true);
      const blur = b.mask_blur !== undefined && b.mask_blur !== null ? toInt(b.mask_blur, 4) : null;
      const maskOpts = {
        round: toBool(b.mask_round, true),
        invert: toInt(b.inpainting_mask_invert, 0) === 1,
        blurX: blur ?? toInt(b.mask_blur_x, 4),
        blurY: blur ?? toInt(b.mask_blur_y, 4),
      };
      if (maskBuf && fullRes) {
        const m = await loadMask(maskBuf, init.width, init.height, maskOpts);
        region = cropRegion(m, init.width, init.height, toInt(b.inpaint_full_res_padding, 0), width, height);
        if (region) {
          // "Only masked": output has the init image's size; only the crop region is regenerated and pasted back.
          base = init;
          maskArr = m;
          onlyMasked = true;
        } else {
          base = await resizeRgb(init, width, height, resizeMode); // blank mask → plain img2img
        }
      } else {
        base = await resizeRgb(init, width, height, resizeMode);
        if (maskBuf) maskArr = await loadMask(maskBuf, width, height, maskOpts);
      }
    } else {
      base = blankRgb(width, height, 128);
    }
    const fill = toInt(b.inpainting_fill, 0);
    const strength = endpoint === 'txt2img' ? 1 : fill >= 2 ? 1 : Math.max(0.05, Math.min(1, denoise));
    const makeImage = (i: number, fraction: number): Rgb => {
      const img = cloneRgb(base);
      repaint(img, maskArr, allSeeds[i], strength * fraction, onlyMasked ? region : null);
      return img;
    };

    // Sampling loop with progress and interrupt.
    const state: JobState = {
      job: endpoint === 'txt2img' ? 'scripts_txt2img' : 'scripts_img2img',
      jobCount: nIter,
      jobNo: 0,
      step: 0,
      steps,
      startedAt: Date.now(),
      timestamp: timestamp(),
      interrupted: false,
      preview: null,
    };
    job = state;
    const images: string[] = [];
    try {
      for (let n = 0; n < nIter; n++) {
        state.jobNo = n;
        state.step = 0;
        state.preview = () => makeImage(n * batchSize, state.step / state.steps);
        for (let s = 1; s <= steps; s++) {
          await sleep(stepMs * (fault === 'slow' ? slowFactor : 1));
          if (state.interrupted || stopped) break;
          state.step = s;
        }
        const fraction = Math.max(0.05, state.step / steps);
        for (let k = 0; k < batchSize; k++) images.push(await encodePng(makeImage(n * batchSize + k, fraction)));
        if (state.interrupted || stopped) break;
      }
      for (const run of cn.runs) {
        if (run.unit.save_detected_map === false) continue;
        images.push(await detectedMap(run.image, width, height));
      }
    } finally {
      job = null;
    }

    const extra: Record<string, unknown> = { ...cn.entries };
    if (scheduler.name !== 'automatic') extra['Schedule type'] = scheduler.label;
    if (endpoint === 'img2img' && maskBuf) {
      extra['Mask blur'] = toInt(b.mask_blur ?? b.mask_blur_x, 4);
      if (toInt(b.inpainting_mask_invert, 0) === 1) extra['Mask mode'] = 'Inpaint not masked';
      extra['Masked content'] = ['fill', 'original', 'latent noise', 'latent nothing'][fill] ?? 'fill';
      if (onlyMasked) {
        extra['Inpaint area'] = 'Only masked';
        extra['Masked area padding'] = toInt(b.inpaint_full_res_padding, 0);
      }
    }
    if (usedLoras.length) extra['Lora hashes'] = usedLoras.map((n) => `${n}: ${n.length.toString(16).padStart(12, '0')}`).join(', ');

    const outW = onlyMasked ? base.width : width;
    const outH = onlyMasked ? base.height : height;
    const negative = String(b.negative_prompt ?? '');
    const infotexts = allSeeds.slice(0, images.length).map((s) => `${prompt}\nNegative prompt: ${negative}\nSteps: ${requestedSteps}, Sampler: ${sampler.name}, Seed: ${s}, Size: ${outW}x${outH}, Model: ${model.model_name}`);
    const info = {
      prompt,
      all_prompts: allSeeds.map(() => prompt),
      negative_prompt: negative,
      all_negative_prompts: allSeeds.map(() => negative),
      seed,
      all_seeds: allSeeds,
      subseed,
      all_subseeds: allSeeds.map((_, i) => subseed + i),
      subseed_strength: toFloat(b.subseed_strength, 0),
      width,
      height,
      sampler_name: sampler.name,
      cfg_scale: toFloat(b.cfg_scale, 7),
      steps: requestedSteps,
      batch_size: batchSize,
      restore_faces: toBool(b.restore_faces, false),
      face_restoration_model: null,
      sd_model_name: model.model_name,
      sd_model_hash: model.hash,
      sd_vae_name: null,
      sd_vae_hash: null,
      seed_resize_from_w: toInt(b.seed_resize_from_w, -1),
      seed_resize_from_h: toInt(b.seed_resize_from_h, -1),
      denoising_strength: endpoint === 'img2img' ? denoise : null,
      extra_generation_params: extra,
      index_of_first_image: 0,
      infotexts,
      styles: Array.isArray(b.styles) ? b.styles : [],
      job_timestamp: state.timestamp,
      clip_skip: toInt(options.CLIP_stop_at_last_layers, 1),
      is_using_inpainting_conditioning: false,
      version: kind === 'forge' ? 'f2.0.1v1.10.1-previous-669-gdfdcbab6' : 'v1.10.1',
    };
    const parameters: Record<string, unknown> = { ...b };
    if (endpoint === 'img2img' && !toBool(b.include_init_images, false)) {
      parameters.init_images = null;
      parameters.mask = null;
    }
    return { images, parameters, info: JSON.stringify(info) };
  }

  // ------------------------------------------------------------------------------------------------------------
  // HTTP plumbing.

  const PUBLIC_PREFIXES = ['/controlnet/', '/internal/'];
  const PUBLIC_PATHS = new Set(['/sdapi/v1/loras', '/sdapi/v1/refresh-loras']);

  function authorised(req: http.IncomingMessage, path: string): HttpError | null {
    if (!opts.auth) return null;
    if (PUBLIC_PATHS.has(path) || PUBLIC_PREFIXES.some((p) => path.startsWith(p)) || !path.startsWith('/sdapi/')) return null;
    const h = req.headers.authorization;
    if (!h?.startsWith('Basic ')) return apiError(401, 'HTTPException', 'Not authenticated', '401: Not authenticated');
    const [u, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
    if (u !== opts.auth.username || rest.join(':') !== opts.auth.password) {
      return apiError(401, 'HTTPException', 'Incorrect username or password', '401: Incorrect username or password');
    }
    return null;
  }

  async function route(method: string, path: string, query: URLSearchParams, body: unknown, rec: RecordedRequest): Promise<unknown> {
    const get = method === 'GET';
    const post = method === 'POST';
    switch (path) {
      case '/sdapi/v1/txt2img':
      case '/sdapi/v1/img2img':
        if (!post) throw new HttpError(405, { detail: 'Method Not Allowed' });
        return generate(path === '/sdapi/v1/txt2img' ? 'txt2img' : 'img2img', body, rec);
      case '/sdapi/v1/progress':
        if (!get) break;
        return progressBody(query.get('skip_current_image') === 'false');
      case '/sdapi/v1/interrupt':
        if (!post) break;
        if (job) job.interrupted = true;
        return {};
      case '/sdapi/v1/skip':
        if (!post) break;
        return {};
      case '/sdapi/v1/options':
        if (get) return options;
        if (post) return setOptions(body);
        break;
      case '/sdapi/v1/sd-models':
        if (get) return checkpoints;
        break;
      case '/sdapi/v1/loras':
        if (get) return loras;
        break;
      case '/sdapi/v1/refresh-loras':
      case '/sdapi/v1/refresh-checkpoints':
        if (post) return withQueueLock(async () => null);
        break;
      case '/sdapi/v1/samplers':
        if (get) return SAMPLERS;
        break;
      case '/sdapi/v1/schedulers':
        if (get) return SCHEDULERS;
        break;
      case '/sdapi/v1/memory':
        if (get) {
          return {
            ram: { free: 8e9, used: 8e9, total: 16e9 },
            cuda: { system: { free: 4e9, used: 4e9, total: 8e9 }, active: { current: 3e9, peak: 5e9 }, events: { retries: 0, oom: 0 } },
          };
        }
        break;
      case '/sdapi/v1/sd-vae':
        if (kind === 'a1111' && get) return [];
        break;
      case '/sdapi/v1/sd-modules':
        if (kind === 'forge' && get) return [];
        break;
      case '/controlnet/version':
        if (kind === 'a1111' && get) return { version: 3 };
        break;
      case '/controlnet/settings':
        if (kind === 'a1111' && get) return { control_net_unit_count: toInt(options.control_net_unit_count, 3) };
        break;
      case '/controlnet/model_list':
        if (get) return { model_list: ['None', ...cnModels] };
        break;
      case '/controlnet/module_list':
        if (get) return kind === 'a1111' ? { module_list: moduleList(kind), module_detail: moduleDetail() } : { module_list: moduleList(kind) };
        break;
      case '/internal/ping':
        if (get) return {};
        break;
    }
    throw notFound();
  }

  async function setOptions(body: unknown): Promise<unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(422, { detail: checkBody(body, {}, kind).errors });
    const patch = body as Record<string, unknown>;
    for (const k of Object.keys(patch)) if (!(k in options)) throw apiError(500, 'KeyError', '', `'${k}'`);
    const apply = () => {
      if ('sd_model_checkpoint' in patch) {
        const c = resolveCheckpoint(String(patch.sd_model_checkpoint));
        if (!c) throw apiError(500, 'RuntimeError', '', `model '${patch.sd_model_checkpoint}' not found`);
        options.sd_model_checkpoint = c.title;
      }
      for (const [k, v] of Object.entries(patch)) if (k !== 'sd_model_checkpoint') options[k] = v;
      return null;
    };
    // A1111 loads the checkpoint now, after waiting for the queue; Forge records it for the next job.
    if ('sd_model_checkpoint' in patch && kind === 'a1111') return withQueueLock(async () => apply());
    return apply();
  }

  function send(res: http.ServerResponse, status: number, payload: unknown, rec: RecordedRequest | null, started: number): void {
    if (res.destroyed || res.headersSent) return;
    if (rec) rec.status = status;
    const text = JSON.stringify(payload);
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-process-time': ((Date.now() - started) / 1000).toFixed(4),
    };
    if (fault === 'drop') {
      // Headers and half the body, then the connection dies.
      res.writeHead(status, headers);
      res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    res.writeHead(status, headers);
    res.end(text);
  }

  const server = http.createServer((req, res) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://double');
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = null;
        let jsonError: string | null = null;
        if (text.length) {
          try {
            body = JSON.parse(text);
          } catch (err) {
            body = text;
            jsonError = (err as Error).message;
          }
        }
        const rec: RecordedRequest = {
          id: nextId++,
          method: req.method ?? 'GET',
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          headers: req.headers,
          body,
          unknownFields: [],
          receivedAt: started,
          startedAt: null,
          finishedAt: null,
          status: null,
        };
        payloads.push(rec);
        if (fault === 'stall') {
          stalled.add(res);
          res.on('close', () => stalled.delete(res));
          return;
        }
        try {
          const denied = authorised(req, url.pathname);
          if (denied) throw denied;
          if (jsonError !== null) {
            const item: PydanticItem =
              kind === 'forge'
                ? { type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }
                : { loc: ['body', 0], msg: `Expecting value: ${jsonError}`, type: 'value_error.jsondecode' };
            throw new HttpError(422, { detail: [item] });
          }
          const out = await route(rec.method, url.pathname, url.searchParams, body, rec);
          send(res, 200, out, rec, started);
        } catch (err) {
          if (err instanceof HttpError) send(res, err.status, err.body, rec, started);
          else send(res, 500, { error: (err as Error).name ?? 'Exception', detail: '', body: '', errors: String((err as Error).message ?? err) }, rec, started);
        }
      })();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const closeListener = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });

  const port = await listen(opts.port ?? 0);

  const double: SdDouble = {
    url: `http://${host}:${port}`,
    port,
    kind,
    payloads,
    unknownFields,
    options,
    async setFault(f) {
      const previous = fault;
      fault = f;
      if (f === 'refuse') {
        await closeListener();
        await sleep(20); // let clients in this process see their keep-alive sockets close
        return;
      }
      if (previous === 'stall') for (const r of stalled) r.socket?.destroy();
      if (previous === 'refuse' && !server.listening && !stopped) await listen(port);
    },
    fault: () => fault,
    queued: () => waiting,
    reset() {
      payloads.length = 0;
      unknownFields.length = 0;
    },
    async stop() {
      stopped = true;
      fault = 'none';
      for (const r of stalled) r.socket?.destroy();
      await closeListener();
    },
  };
  return double;
}

// Manual use: `node tests/sd-double/server.ts --port 7860 [--kind forge] [--step-ms 50]`.
if (import.meta.main) {
  const args = process.argv.slice(2);
  const arg = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const kindArg = arg('--kind');
  const d = await startSdDouble({
    port: Number(arg('--port') ?? 7860),
    host: arg('--host') ?? '127.0.0.1',
    kind: kindArg === 'forge' ? 'forge' : 'a1111',
    stepMs: arg('--step-ms') ? Number(arg('--step-ms')) : 50,
  });
  console.log(
    `SD WebUI TEST DOUBLE (${d.kind}) listening on ${d.url} — a test tool that paints stripe patterns, NOT an image generator; never offer it to users.`,
  );
  const shutdown = () => void d.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
