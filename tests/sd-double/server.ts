// SD WebUI TEST DOUBLE — a test tool, never an image generator offered to users.
//
// A small node:http server that behaves like AUTOMATIC1111 (+ Mikubill sd-webui-controlnet) or Forge as far as
// Atelier can observe, each behaviour copied from the upstream source named beside it (A1111 v1.10.1 /
// 6685e53, Forge dfdcbab, sd-webui-controlnet 56cec5b; see shared/reference/sd-webui-api.md §11):
// - request validation: 422 with pydantic `detail` (v1 for A1111, v2 for Forge) for mistyped known fields;
//   unknown fields ignored but recorded (`unknownFields`) so tests can assert none are sent.
// - error bodies per fork: A1111 `{error, detail, body, errors}` (modules/api/api.py api_middleware), Forge
//   `{detail}` for HTTPExceptions and `{error, detail, body, message}` otherwise (api_middleware commented out,
//   webui.py _handle_exception).
// - img2img: no `init_images` → 404 "Init image not found"; `init_images: []` passes validation and fails inside
//   processing with 500 (api.py only checks `is None`); undecodable images → 500 "Invalid encoded image".
// - tasks (modules/progress.py): `force_task_id` or a generated id is queued before queue_lock, started inside it,
//   finished only on success (a failed task stays "active"); `POST /internal/progress` answers per task with
//   queue position and live preview (data URL, only when `id_live_preview` changed); `/internal/*` exists only in
//   webui mode (not --nowebui) and is not behind --api-auth.
// - one generation at a time (FIFO queue_lock): waiting requests get no bytes; another client's job can hold the
//   server (`occupy`). `/sdapi/v1/progress` is global; `state.job_count` is -1 between begin() and the first batch
//   (shared_state.py begin, processing.py process_images_inner).
// - names are exact (sd_samplers.py, sd_schedulers.py): an unknown sampler silently becomes "DPM++ 2M", an
//   omitted one "Euler" (sampler_index default), an unknown scheduler "Automatic"; an unknown checkpoint title in
//   override_settings is dropped (processing.py); an unknown override key is a KeyError (500).
// - return_mask / return_mask_composite (operator options, overridable per request): a mask and a composite after
//   EACH image (processing.py ~:1101–1113), so results are not contiguous.
// - ControlNet per implementation (./controlnet.ts): the "ControlNet i" entry written before the model is checked;
//   an SD-version mismatch refused inside (A1111: 200, no pose, no map; Forge: 500 at sampling); weight > 2
//   rejected by sd-webui-controlnet; detected maps appended after the results; Forge's model list read only at
//   its start (`addControlNetModel` then `restartForge`).
// - checkpoints have a real family the API does not report; `/sd_extra_networks/metadata` shows safetensors
//   metadata in webui mode.
// - real PNGs of the requested size derived from the inputs: the init image with the mask region repainted by a
//   seed-derived stripe pattern, honouring inpainting_mask_invert, mask_blur and inpaint_full_res; results carry
//   their infotext in a PNG `parameters` chunk like the WebUI's.
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
  checkpointSpec,
  defaultOptions,
  moduleDetail,
  moduleList,
  sdModelEntry,
  type CheckpointSpec,
  type Family,
} from './catalog.ts';
import { runControlNet } from './controlnet.ts';
import { CONTROLNET_UNIT_KEYS, EXTRAS_FIELDS, checkBody, requestFields, type Kind, type PydanticItem } from './fields.ts';
import {
  InvalidImageError,
  blankRgb,
  cloneRgb,
  cropRegion,
  decodeB64Image,
  encodeMaskComposite,
  encodePng,
  encodePngWithParameters,
  encodePreview,
  loadMask,
  loadRgb,
  maskAsRgb,
  repaint,
  resizeRgb,
  upscaleRgb,
  blurRgb,
  type Rgb,
} from './render.ts';
import { createTaskRegistry } from './tasks.ts';

/** 'freeze': the server answers everything but its job stops advancing (a hung GPU); 'stall': it answers nothing. */
export type SdDoubleFault = 'none' | 'refuse' | '500' | 'stall' | 'freeze' | 'drop' | 'slow' | 'oom' | '422' | 'busy';

export interface SdDoubleOptions {
  port?: number;
  host?: string;
  kind?: Kind;
  /** Milliseconds per simulated sampling step (default 2). */
  stepMs?: number;
  /** Simulated sampling steps per batch; default: what the payload asks (img2img: steps × denoising_strength). */
  steps?: number;
  /** Checkpoints ("file.safetensors [hash10]" or with their real family); the first is loaded at start. */
  checkpoints?: (string | CheckpointSpec)[];
  loras?: (string | { name: string; alias?: string; metadata?: Record<string, unknown> })[];
  /** ControlNet model titles "stem [hash8]" on the server's disk. */
  controlnetModels?: string[];
  /** false = started with --nowebui: no /internal/* routes, no extra-networks metadata. Default true. */
  webui?: boolean;
  /** Basic auth required on the core /sdapi/v1 routes (like --api-auth). */
  auth?: { username: string; password: string } | null;
  /** Step-time multiplier of the 'slow' fault (default 25). */
  slowFactor?: number;
  /** Live previews on (/sdapi/v1/progress current_image, /internal/progress live_preview). Default false. */
  livePreviews?: boolean;
  /** Upscaler models installed besides the resamplers "None", "Lanczos", "Nearest" (default: R-ESRGAN 4x+). */
  upscalers?: string[];
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

/** What one generation did inside the server (what a client cannot see directly). */
export interface GenerationRecord {
  taskId: string;
  endpoint: 'txt2img' | 'img2img';
  checkpoint: string;
  family: Family;
  /** ControlNet models that really steered the image. */
  controlnetApplied: string[];
  /** Server log lines (swallowed script errors). */
  log: string[];
  /** Set when the job failed (the HTTP status it answered). */
  failed: number | null;
  /** Stopped early by /sdapi/v1/interrupt. */
  interrupted: boolean;
}

export interface SdDouble {
  url: string;
  port: number;
  kind: Kind;
  payloads: RecordedRequest[];
  generations: GenerationRecord[];
  /** "img2img.foo", "img2img.alwayson_scripts.controlnet.args[0].low_vram", … */
  unknownFields: string[];
  /** The server's options (mutable: tests may flip e.g. img2img_fix_steps). */
  options: Record<string, unknown>;
  setFault(fault: SdDoubleFault): Promise<void>;
  fault(): SdDoubleFault;
  /** Generation requests waiting for the queue lock (not counting the running one). */
  queued(): number;
  /** Clears recorded payloads, generations and unknown fields. */
  reset(): void;
  /** Another client's job: holds the queue for `steps` steps (default 20). Resolves when it ends. */
  occupy(o?: { steps?: number }): { taskId: string; done: Promise<{ interrupted: boolean; steps: number }> };
  /** Puts a ControlNet model file on the server's disk (A1111 sees it at once; Forge after restartForge()). */
  addControlNetModel(title: string): void;
  /** Forge re-reads its ControlNet model list only when it starts. */
  restartForge(): void;
  /** Task ids waiting for the queue lock (modules/progress.py pending_tasks). */
  pendingTasks(): string[];
  /** Draws soft images (Gaussian sigma in pixels; 0 = as usual), like a weak model or too few steps. */
  setSoftness(sigma: number): void;
  stop(): Promise<void>;
}

interface JobState {
  job: string;
  /** -1 from begin() until the batch count is known. */
  jobCount: number;
  jobNo: number;
  step: number;
  steps: number;
  startedAt: number;
  timestamp: string;
  interrupted: boolean;
  preview: (() => Rgb) | null;
  /** shared_state.py id_live_preview: bumped each time a preview is assigned. */
  idLivePreview: number;
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

/**
 * An exception answered by the server. A1111's api_middleware: {error, detail, body, errors}; Forge (middleware
 * commented out): FastAPI's {detail} for HTTPException, webui.py _handle_exception {error, detail, body, message}.
 */
function serverError(kind: Kind, status: number, error: string, message: string, detail = ''): HttpError {
  if (kind === 'forge') return new HttpError(status, error === 'HTTPException' ? { detail } : { error, detail, body: '', message });
  return new HttpError(status, { error, detail, body: '', errors: message });
}

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
  const specs = (opts.checkpoints ?? DEFAULT_CHECKPOINTS).map(checkpointSpec);
  if (specs.length === 0) throw new Error('the SD double needs at least one checkpoint');
  const checkpoints = specs.map((c) => sdModelEntry(c.title));
  const familyOf = (title: string): Family => specs.find((c) => c.title === title)?.family ?? 'sd15';
  const webui = opts.webui ?? true;
  const apiError = (status: number, error: string, detail: string, errors: string) => serverError(kind, status, error, errors, detail);
  const loras = (opts.loras ?? DEFAULT_LORAS)
    .map((l) => (typeof l === 'string' ? { name: l } : l))
    .map((l) => ({
      name: l.name,
      alias: l.alias ?? l.name,
      path: `/sd/models/Lora/${l.name}.safetensors`,
      metadata: l.metadata ?? { ss_output_name: l.alias ?? l.name },
    }));
  // Models on disk; Forge keeps the list it read at start (lib_controlnet/global_state.py update_controlnet_filenames).
  const cnModels = [...(opts.controlnetModels ?? DEFAULT_CONTROLNET_MODELS)];
  let forgeCnList = [...cnModels];
  const listedCnModels = () => (kind === 'forge' ? forgeCnList : cnModels);
  const tasks = createTaskRegistry();
  const generations: GenerationRecord[] = [];
  let softness = 0;
  // modules/api/api.py get_upscalers over shared.sd_upscalers: the resamplers first, then the models.
  const upscalers = [
    { name: 'None', model_name: null, model_path: null, model_url: null, scale: 4 },
    { name: 'Lanczos', model_name: null, model_path: null, model_url: null, scale: 4 },
    { name: 'Nearest', model_name: null, model_path: null, model_url: null, scale: 4 },
    ...(opts.upscalers ?? ['R-ESRGAN 4x+']).map((name) => ({
      name,
      model_name: name.replace(/\W+/g, '_'),
      model_path: `/sd/models/ESRGAN/${name}.pth`,
      model_url: null,
      scale: 4,
    })),
  ];
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
        state: {
          skipped: false,
          interrupted: false,
          stopping_generation: false,
          job: '',
          job_count: 0,
          job_timestamp: '0',
          job_no: 0,
          sampling_step: 0,
          sampling_steps: 0,
        },
        current_image: null,
        textinfo: null,
      };
    }
    const j = job;
    // api.py progressapi: 0.01 + job_no/job_count (if > 0) + step/steps/job_count (if steps > 0).
    let raw = 0.01;
    if (j.jobCount > 0) raw += j.jobNo / j.jobCount;
    if (j.jobCount > 0 && j.steps > 0) raw += j.step / j.steps / j.jobCount;
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

  /** POST /internal/progress (modules/progress.py progressapi). */
  async function internalProgress(body: unknown): Promise<unknown> {
    const req = (body && typeof body === 'object' ? body : {}) as { id_task?: unknown; id_live_preview?: unknown; live_preview?: unknown };
    const id = typeof req.id_task === 'string' ? req.id_task : undefined;
    const lastPreview = toInt(req.id_live_preview, -1);
    const f = tasks.flags(id);
    if (!f.active) {
      return {
        active: false,
        queued: f.queued,
        completed: f.completed,
        progress: null,
        eta: null,
        live_preview: null,
        id_live_preview: -1,
        textinfo: f.queued ? `In queue: ${f.position}/${f.waiting}` : 'Waiting...',
      };
    }
    // Active: computed from the global state (a failed task stays active with an idle state).
    const j = job;
    let progress = 0;
    if (j && j.jobCount > 0) progress += j.jobNo / j.jobCount;
    if (j && j.jobCount > 0 && j.steps > 0) progress += (1 / j.jobCount) * (j.step / j.steps);
    progress = Math.min(progress, 1);
    const elapsed = j ? (Date.now() - j.startedAt) / 1000 : 0;
    const eta = progress > 0 ? elapsed / progress - elapsed : null;
    let livePreview: string | null = null;
    let idLive = lastPreview;
    const wantPreview = req.live_preview === undefined ? true : toBool(req.live_preview, true);
    if (
      opts.livePreviews &&
      options.live_previews_enable &&
      wantPreview &&
      j?.preview &&
      j.idLivePreview > 0 &&
      j.idLivePreview !== lastPreview
    ) {
      livePreview = `data:image/png;base64,${await encodePreview(j.preview())}`;
      idLive = j.idLivePreview;
    }
    return {
      active: true,
      queued: false,
      completed: false,
      progress,
      eta,
      live_preview: livePreview,
      id_live_preview: idLive,
      textinfo: null,
    };
  }

  /** Another client's generation holding the queue lock (a UI user, another program). */
  function occupy(o: { steps?: number } = {}): { taskId: string; done: Promise<{ interrupted: boolean; steps: number }> } {
    const taskId = tasks.idFor(undefined, 'txt2img');
    tasks.add(taskId);
    const done = withQueueLock(async () => {
      const state: JobState = {
        job: 'txt2img',
        jobCount: -1,
        jobNo: 0,
        step: 0,
        steps: o.steps ?? 20,
        startedAt: Date.now(),
        timestamp: timestamp(),
        interrupted: false,
        preview: null,
        idLivePreview: 0,
      };
      job = state;
      tasks.start(taskId);
      try {
        await sleep(stepMs);
        state.jobCount = 1;
        for (let s = 1; s <= state.steps && !state.interrupted && !stopped; s++) {
          await sleep(stepMs * (fault === 'slow' ? slowFactor : 1));
          state.step = s;
        }
        tasks.finish(taskId);
        return { interrupted: state.interrupted, steps: state.step };
      } finally {
        job = null;
      }
    });
    return { taskId, done };
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
          ? {
              type: 'int_parsing',
              loc: ['body', 'steps'],
              msg: 'Input should be a valid integer, unable to parse string as an integer',
              input: 'thirty',
            }
          : { loc: ['body', 'steps'], msg: 'value is not a valid integer', type: 'type_error.integer' };
      throw new HttpError(422, { detail: [item] });
    }
    if (fault === 'busy') throw new HttpError(503, { detail: 'Service Unavailable' });
    const b = body as Record<string, unknown>;

    // 2. Endpoint prologue (outside the lock): the mask decoded, scripts looked up (api.py img2imgapi).
    let mask: Buffer | null = null;
    if (endpoint === 'img2img') {
      if (b.init_images === undefined || b.init_images === null) throw apiError(404, 'HTTPException', 'Init image not found', '');
      try {
        if (b.mask !== undefined && b.mask !== null) mask = await decodeB64Image(b.mask);
      } catch (err) {
        if (err instanceof InvalidImageError) throw apiError(500, 'HTTPException', 'Invalid encoded image', '');
        throw err;
      }
    }
    const scripts = (b.alwayson_scripts ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(scripts)) {
      if (name.toLowerCase() !== 'controlnet') throw apiError(422, 'HTTPException', `always on script ${name} not found`, '');
    }
    if (b.script_name) throw apiError(422, 'HTTPException', `Script '${b.script_name}' not found`, '');

    // 3. The task is queued before the lock, started inside it, finished only on success (progress.py).
    const taskId = tasks.idFor(b.force_task_id, endpoint);
    tasks.add(taskId);
    return withQueueLock(async () => {
      rec.startedAt = Date.now();
      const record: GenerationRecord = {
        taskId,
        endpoint,
        checkpoint: '',
        family: 'sd15',
        controlnetApplied: [],
        log: [],
        failed: null,
        interrupted: false,
      };
      try {
        if (stopped) throw new HttpError(503, { detail: 'stopping' });
        // Init images are decoded inside the lock, before start_task: a bad one leaves the task queued for ever.
        let init: Buffer | null = null;
        if (endpoint === 'img2img') {
          const images = Array.isArray(b.init_images) ? b.init_images : [];
          try {
            for (const [i, v] of images.entries()) {
              const buf = await decodeB64Image(v);
              if (i === 0) init = buf;
            }
          } catch (err) {
            if (err instanceof InvalidImageError) throw apiError(500, 'HTTPException', 'Invalid encoded image', '');
            throw err;
          }
        }
        tasks.start(taskId);
        generations.push(record);
        if (endpoint === 'img2img' && !init) {
          // `init_images: []`: an empty batch reaches the VAE (processing.py) and fails there.
          throw apiError(500, 'RuntimeError', '', 'torch.cat(): expected a non-empty list of Tensors');
        }
        if (fault === '500') throw apiError(500, 'RuntimeError', '', 'simulated failure inside generation (SD double)');
        if (fault === 'oom') {
          throw apiError(
            500,
            'OutOfMemoryError',
            '',
            'CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity; 5.10 GiB already allocated)',
          );
        }
        const out = await runJob(endpoint, b, init, mask, scripts, recordUnknown, record);
        tasks.finish(taskId);
        return out;
      } catch (err) {
        record.failed = err instanceof HttpError ? err.status : 500;
        throw err;
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
    record: GenerationRecord,
  ): Promise<unknown> {
    // override_settings (processing.py): unknown keys are a KeyError (500); an unknown checkpoint is dropped;
    // the other values hold for this job, and stay afterwards when restore is off.
    const overrides = (b.override_settings ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(overrides)) {
      if (!(k in options)) throw apiError(500, 'KeyError', '', `'${k}'`);
    }
    const jobOptions: Record<string, unknown> = { ...options };
    for (const [k, v] of Object.entries(overrides)) if (k !== 'sd_model_checkpoint') jobOptions[k] = v;
    if (b.override_settings_restore_afterwards === false)
      for (const [k, v] of Object.entries(overrides)) if (k !== 'sd_model_checkpoint') options[k] = v;
    let model = resolveCheckpoint(String(options.sd_model_checkpoint)) ?? checkpoints[0];
    if (typeof overrides.sd_model_checkpoint === 'string' && !opts.ignoreCheckpointOverride) {
      const wanted = resolveCheckpoint(overrides.sd_model_checkpoint);
      if (wanted) {
        model = wanted;
        if (b.override_settings_restore_afterwards === false) options.sd_model_checkpoint = wanted.title;
      }
    }
    record.checkpoint = model.title;
    record.family = familyOf(model.title);

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
      (endpoint === 'img2img' && !options.img2img_fix_steps
        ? Math.max(1, Math.floor(requestedSteps * Math.min(1, denoise)))
        : requestedSteps);
    let seed = toInt(b.seed, -1);
    if (seed === -1) seed = Math.floor(Math.random() * 0xffffffff);
    const total = batchSize * nIter;
    const subseedStrength = toFloat(b.subseed_strength, 0);
    // processing.py: with a variation seed every image keeps the seed and the variation seeds count up.
    const allSeeds = Array.from({ length: total }, (_, i) => seed + (subseedStrength === 0 ? i : 0));
    const subseed = toInt(b.subseed, -1) === -1 ? Math.floor(Math.random() * 0xffffffff) : toInt(b.subseed, -1);

    // Sampler / scheduler (sd_samplers.py get_sampler_and_scheduler): `sampler_name or sampler_index` ("Euler" by
    // default); a trailing scheduler label/name is split off; then exact, case-sensitive lookups with silent
    // fallbacks — an unknown sampler runs as samplers[0] ("DPM++ 2M"), an unknown scheduler as "Automatic".
    let samplerName = String(b.sampler_name || b.sampler_index || 'Euler');
    let schedulerName = typeof b.scheduler === 'string' ? b.scheduler : null;
    const suffix = SCHEDULERS.find(
      (s) => s.name !== 'automatic' && [s.label, s.name, ...(s.aliases ?? [])].some((n) => samplerName.endsWith(` ${n}`)),
    );
    if (suffix) {
      const n = [suffix.label, suffix.name, ...(suffix.aliases ?? [])].find((x) => samplerName.endsWith(` ${x}`))!;
      samplerName = samplerName.slice(0, -(n.length + 1));
      if (!schedulerName || schedulerName === 'Automatic' || schedulerName === 'automatic') schedulerName = suffix.name;
    }
    const sampler = SAMPLERS.find((s) => s.name === samplerName) ?? SAMPLERS[0];
    const scheduler =
      SCHEDULERS.find((s) => schedulerName !== null && (s.name === schedulerName || s.label === schedulerName)) ?? SCHEDULERS[0];

    // LoRAs: known names go into "Lora hashes", unknown ones are skipped without a word.
    const prompt = String(b.prompt ?? '');
    const usedLoras = [...prompt.matchAll(/<lora:([^:>]+)[^>]*>/gi)]
      .map((m) => m[1])
      .filter((n) => loras.some((l) => l.name === n || l.alias === n));

    const cnKey = Object.keys(scripts).find((k) => k.toLowerCase() === 'controlnet');
    const cnArgs =
      cnKey && Array.isArray((scripts[cnKey] as { args?: unknown } | null)?.args) ? (scripts[cnKey] as { args: unknown[] }).args : [];
    cnArgs.forEach((raw, i) => {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return;
      for (const k of Object.keys(raw))
        if (!CONTROLNET_UNIT_KEYS[kind].has(k)) recordUnknown(`${endpoint}.alwayson_scripts.${cnKey}.args[${i}].${k}`);
    });

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
    const cn = await runControlNet({
      kind,
      args: cnArgs,
      options: jobOptions,
      checkpointFamily: record.family,
      models: listedCnModels(),
      width,
      height,
      init: endpoint === 'img2img' && initBuf ? await loadRgb(initBuf) : null,
      decode: decodeB64Image,
    });
    record.log.push(...cn.log);
    record.controlnetApplied = cn.applied.map((a) => String(a.unit.model));
    const fill = toInt(b.inpainting_fill, 0);
    const strength = endpoint === 'txt2img' ? 1 : fill >= 2 ? 1 : Math.max(0.05, Math.min(1, denoise));
    const makeImage = (i: number, fraction: number): Rgb => {
      const img = cloneRgb(base);
      repaint(img, maskArr, allSeeds[i], strength * fraction, onlyMasked ? region : null, {
        subseed: subseed + i,
        strength: subseedStrength,
      });
      return img;
    };

    // Sampling loop with progress and interrupt.
    const state: JobState = {
      job: endpoint === 'txt2img' ? 'scripts_txt2img' : 'scripts_img2img',
      jobCount: -1,
      jobNo: 0,
      step: 0,
      steps,
      startedAt: Date.now(),
      timestamp: timestamp(),
      interrupted: false,
      preview: null,
      idLivePreview: 0,
    };
    job = state;
    const images: string[] = [];
    const infotexts: string[] = [];
    const negative = String(b.negative_prompt ?? '');
    const outW = onlyMasked ? base.width : width;
    const outH = onlyMasked ? base.height : height;
    const infotextFor = (s: number) =>
      `${prompt}\nNegative prompt: ${negative}\n` +
      `Steps: ${requestedSteps}, Sampler: ${sampler.name}, Seed: ${s}, Size: ${outW}x${outH}, Model: ${model.model_name}`;
    // The mask as processing.py keeps it for the overlay (inverted and blurred), at the output size.
    const overlayMask = maskArr;
    const previewEvery = Math.max(1, toInt(jobOptions.show_progress_every_n_steps, 10));
    try {
      // Model load / setup before the batch count is known (job_count stays -1 meanwhile).
      await sleep(stepMs);
      state.jobCount = nIter;
      if (cn.samplingError) throw apiError(500, 'RuntimeError', '', cn.samplingError);
      for (let n = 0; n < nIter; n++) {
        state.jobNo = n;
        state.step = 0;
        state.preview = () => makeImage(n * batchSize, state.step / state.steps);
        for (let s = 1; s <= steps; s++) {
          await sleep(stepMs * (fault === 'slow' ? slowFactor : 1));
          while (fault === 'freeze' && !state.interrupted && !stopped) await sleep(20);
          if (state.interrupted || stopped) break;
          state.step = s;
          if (s % previewEvery === 0) state.idLivePreview++;
        }
        const fraction = Math.max(0.05, state.step / steps);
        for (let k = 0; k < batchSize; k++) {
          const i = n * batchSize + k;
          const img = softness > 0 ? await blurRgb(makeImage(i, fraction), softness) : makeImage(i, fraction);
          infotexts.push(infotextFor(allSeeds[i]));
          images.push(await encodePngWithParameters(img, infotexts[infotexts.length - 1]));
          // processing.py: a mask and a composite after each image when the operator asked for them.
          if (overlayMask && toBool(jobOptions.return_mask, false))
            images.push(await encodePng(maskAsRgb(overlayMask, img.width, img.height)));
          if (overlayMask && toBool(jobOptions.return_mask_composite, false)) images.push(await encodeMaskComposite(img, overlayMask));
        }
        if (state.interrupted || stopped) break;
      }
      // ControlNet's detected maps come after everything (A1111 postprocess; Forge extra_images).
      for (const map of cn.maps) images.push(await encodePng(map));
    } finally {
      record.interrupted = state.interrupted;
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

    const info = {
      prompt,
      all_prompts: allSeeds.map(() => prompt),
      negative_prompt: negative,
      all_negative_prompts: allSeeds.map(() => negative),
      seed,
      all_seeds: allSeeds,
      subseed,
      all_subseeds: allSeeds.map((_, i) => subseed + i),
      subseed_strength: subseedStrength,
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
        // shared_state.py interrupt(): global, no task id; lost when idle (begin() resets it).
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
      case '/sdapi/v1/upscalers':
        if (get) return upscalers;
        break;
      case '/sdapi/v1/extra-single-image':
        if (post) return extraSingleImage(body, rec);
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
        // Mikubill rescans (update defaults to true) and leaves "None" out; Forge lists "None" first and answers
        // from the list it read at start (lib_controlnet/api.py has no update parameter).
        if (get) return { model_list: kind === 'forge' ? ['None', ...forgeCnList] : [...cnModels] };
        break;
      case '/controlnet/module_list':
        if (get)
          return kind === 'a1111' ? { module_list: moduleList(kind), module_detail: moduleDetail() } : { module_list: moduleList(kind) };
        break;
      case '/internal/ping':
        if (webui && get) return {};
        break;
      case '/internal/progress':
        if (webui && post) return internalProgress(body);
        break;
      case '/internal/pending-tasks':
        if (webui && get) return { size: tasks.pending().length, tasks: tasks.pending() };
        break;
      case '/sd_extra_networks/metadata': {
        // ui_extra_networks.py get_metadata: {} when unknown or without metadata, else {metadata: JSON text}.
        if (!webui || !get) break;
        if (query.get('page') !== 'checkpoints') return {};
        const spec = specs.find(
          (c) =>
            sdModelEntry(c.title)
              .filename.split('/')
              .pop()!
              .replace(/\.(safetensors|ckpt)$/i, '') === query.get('item'),
        );
        return spec?.metadata ? { metadata: JSON.stringify(spec.metadata, null, 4) } : {};
      }
    }
    throw notFound();
  }

  /**
   * POST /sdapi/v1/extra-single-image (api.py extras_single_image_api → postprocessing.run_extras, under
   * queue_lock): "scale to" upscales by max(w/iw, h/ih) with each side rounded down to a multiple of 8
   * (modules/upscaler.py Upscaler.upscale), then crops to w×h only with upscaling_crop. An unknown upscaler name
   * fails an assert (scripts/postprocessing_upscale.py) → 500 AssertionError. The double's "model" is a Lanczos
   * resize plus sharpening — crisper than a plain resize, as a real ESRGAN is.
   */
  async function extraSingleImage(body: unknown, rec: RecordedRequest): Promise<unknown> {
    const check = checkBody(body, EXTRAS_FIELDS, kind);
    for (const f of check.unknown) {
      rec.unknownFields.push(`extra-single-image.${f}`);
      unknownFields.push(`extra-single-image.${f}`);
    }
    const b = (body ?? {}) as Record<string, unknown>;
    const rangeErrors = (['gfpgan_visibility', 'codeformer_visibility', 'codeformer_weight', 'extras_upscaler_2_visibility'] as const)
      .filter((k) => b[k] !== undefined && !(toFloat(b[k], 0) >= 0 && toFloat(b[k], 0) <= 1))
      .map((k) => ({ loc: ['body', k], msg: 'ensure this value is less than or equal to 1', type: 'value_error.number.not_le' }));
    if (b.resize_mode !== undefined && b.resize_mode !== 0 && b.resize_mode !== 1) {
      rangeErrors.push({ loc: ['body', 'resize_mode'], msg: 'unexpected value; permitted: 0, 1', type: 'value_error.const' });
    }
    for (const k of ['upscaling_resize_w', 'upscaling_resize_h'] as const) {
      if (b[k] !== undefined && !(toInt(b[k], 1) >= 1))
        rangeErrors.push({ loc: ['body', k], msg: 'ensure this value is greater than or equal to 1', type: 'value_error.number.not_ge' });
    }
    if (check.errors.length || rangeErrors.length) throw new HttpError(422, { detail: [...check.errors, ...rangeErrors] });
    let image: Buffer;
    try {
      image = await decodeB64Image(b.image);
    } catch {
      throw apiError(500, 'HTTPException', 'Invalid encoded image', '');
    }
    return withQueueLock(async () => {
      rec.startedAt = Date.now();
      try {
        if (fault === '500') throw apiError(500, 'RuntimeError', '', 'simulated failure inside extras (SD double)');
        const name = String(b.upscaler_1 ?? 'None');
        const upscaler = upscalers.find((u) => u.name === name);
        if (!upscaler) throw apiError(500, 'AssertionError', '', `could not find upscaler named ${name}`);
        const src = await loadRgb(image);
        let out = src;
        if (name !== 'None') {
          const mode = toInt(b.resize_mode, 0);
          const scale =
            mode === 1
              ? Math.max(toInt(b.upscaling_resize_w, 512) / src.width, toInt(b.upscaling_resize_h, 512) / src.height)
              : toFloat(b.upscaling_resize, 2);
          const w = Math.floor((src.width * scale) / 8) * 8;
          const h = Math.floor((src.height * scale) / 8) * 8;
          await sleep(stepMs * 4);
          out = await upscaleRgb(src, w, h, upscaler.model_name !== null);
          if (mode === 1 && toBool(b.upscaling_crop, true))
            out = await resizeRgb(out, toInt(b.upscaling_resize_w, 512), toInt(b.upscaling_resize_h, 512), 2);
        }
        return { html_info: '<p>Postprocess upscale to …</p>', image: await encodePng(out) };
      } finally {
        rec.finishedAt = Date.now();
      }
    });
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
          else
            send(
              res,
              500,
              { error: (err as Error).name ?? 'Exception', detail: '', body: '', errors: String((err as Error).message ?? err) },
              rec,
              started,
            );
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
    generations,
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
      generations.length = 0;
    },
    occupy,
    addControlNetModel(title) {
      if (!cnModels.includes(title)) cnModels.push(title);
    },
    restartForge() {
      forgeCnList = [...cnModels];
    },
    pendingTasks: () => tasks.pending(),
    setSoftness(sigma) {
      softness = sigma;
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
    `SD WebUI TEST DOUBLE (${d.kind}) listening on ${d.url} — ` +
      'a test tool that paints stripe patterns, NOT an image generator; never offer it to users.',
  );
  const shutdown = () => void d.stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
