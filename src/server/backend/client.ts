// Typed client for one SD WebUI backend (AUTOMATIC1111 or Forge). Server-only.
//
// Timeouts: a generation request waiting for the server's global queue_lock gets no bytes — not even headers —
// until its turn ends, so Node's built-in fetch (undici, 300 s headersTimeout) would give up on a busy server.
// Generation calls (and anything that takes queue_lock: POST options, refresh routes) go through an undici Agent
// with long header/body timeouts; lists, progress and interrupt (answered from the thread pool while a job runs)
// go through a second Agent with short ones.

import { Agent, request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { expectedUnits, modelStem, verifyControlNetRan, verifyDetectedMaps } from '../../lib/sd/controlnet.ts';
import { BackendError, errorFromNetwork, errorFromResponse } from '../../lib/sd/errors.ts';
import { assertValidForBackend, validateAgainstBackend } from '../../lib/sd/recipes.ts';
import { sortImages } from './response.ts';
import type {
  BackendKind,
  BackendLists,
  ControlNetModuleList,
  GenerationInfo,
  Img2ImgRequest,
  ProgressResponse,
  SdLora,
  SdModel,
  SdOptions,
  SdSampler,
  SdScheduler,
  SdUpscaler,
  TaskProgress,
  Txt2ImgRequest,
} from '../../lib/sd/types.ts';

export interface SdEndpoint {
  url: string;
  auth: { username: string; password: string } | null;
}

export interface TimeoutPair {
  /** Time to wait for the response headers (ms). */
  headersMs: number;
  /** Longest silence while the body streams (ms). */
  bodyMs: number;
}

export interface SdClientOptions {
  timeouts?: {
    /** Generation, POST options, refreshes. Default 30 min headers (queue wait + generation), 5 min body. */
    generation?: Partial<TimeoutPair>;
    /** Lists, progress, interrupt, GET options. Default 20 s / 20 s. */
    quick?: Partial<TimeoutPair>;
    /** TCP connect timeout for both (ms). Default 10 s. */
    connectMs?: number;
  };
  /** How long lists() answers from cache (ms). Default 60 s. */
  listsTtlMs?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface GenerateOptions extends CallOptions {
  /**
   * Check sampler, scheduler, LoRA, checkpoint and ControlNet names against the backend's lists before sending
   * (they are replaced or skipped silently otherwise). true (default) = use lists() (cached); false = skip; or
   * pass the lists to use.
   */
  validate?: boolean | BackendLists;
  /** Fail unless every ControlNet unit of the payload came back with its detected map. Default true. */
  verifyControlNet?: boolean;
  /** Fail when the override checkpoint was not the model used (old Forge ignores the override). Default true. */
  verifyCheckpoint?: boolean;
}

export interface GenerationResult {
  /** The generated images only (grid, masks and detected maps removed), raw base64 (PNG by default). */
  images: string[];
  /** Anything else the server returned (ControlNet detected maps, masks, composites). */
  extraImages: string[];
  /** Per ControlNet unit of the payload, its detected map (null without units). */
  controlMaps: string[];
  /** Seed of each image in `images` (from info.all_seeds; empty if the server did not say). */
  seeds: number[];
  info: GenerationInfo;
  /** The raw `info` JSON string. */
  infoText: string;
}

export interface SdClient {
  readonly url: string;
  txt2img(payload: Txt2ImgRequest, opts?: GenerateOptions): Promise<GenerationResult>;
  img2img(payload: Img2ImgRequest, opts?: GenerateOptions): Promise<GenerationResult>;
  /** Global progress of whatever job the server runs. `skipCurrentImage` defaults to true (no PNG encoding). */
  progress(opts?: CallOptions & { skipCurrentImage?: boolean }): Promise<ProgressResponse>;
  /**
   * One task's progress (`POST /internal/progress`), for a request sent with `force_task_id`. null when the
   * server has no such route (started with --nowebui).
   */
  taskProgress(taskId: string, opts?: CallOptions & { livePreview?: boolean; lastPreviewId?: number }): Promise<TaskProgress | null>;
  /** `/sdapi/v1/upscalers`: the server's upscalers (ESRGAN-class models and plain resamplers). */
  upscalers(opts?: CallOptions): Promise<SdUpscaler[]>;
  /**
   * Upscales an image to (about) width×height with a named upscaler through `/sdapi/v1/extra-single-image`
   * ("scale to", no crop: the server scales by max(width/w, height/h) and rounds each side down to a multiple of
   * 8, modules/upscaler.py). Takes the server's queue like a generation. Returns the image (base64).
   */
  upscale(imageB64: string, o: CallOptions & { upscaler: string; width: number; height: number }): Promise<string>;
  /** A checkpoint's safetensors metadata as the server shows it (webui mode), or null. */
  checkpointMetadata(title: string, opts?: CallOptions): Promise<Record<string, unknown> | null>;
  /** Stops the running job at the next step; its request returns 200 with a partial image. */
  interrupt(opts?: CallOptions): Promise<void>;
  options(opts?: CallOptions): Promise<SdOptions>;
  /** POST options (global, persisted). A1111 waits for the queue to load a checkpoint, hence the long timeouts. */
  setOptions(patch: SdOptions, opts?: CallOptions): Promise<void>;
  /** Makes `title` the loaded checkpoint unless it already is (for Forge builds that ignore override_settings). */
  ensureCheckpoint(title: string, opts?: CallOptions): Promise<void>;
  /** POST refresh-loras / refresh-checkpoints: rescan the server's folders (they wait for the queue). */
  refreshLoras(opts?: CallOptions): Promise<void>;
  refreshCheckpoints(opts?: CallOptions): Promise<void>;
  sdModels(opts?: CallOptions): Promise<SdModel[]>;
  loras(opts?: CallOptions): Promise<SdLora[]>;
  samplers(opts?: CallOptions): Promise<SdSampler[]>;
  /** null when the backend has no scheduler list (A1111 < 1.9). */
  schedulers(opts?: CallOptions): Promise<SdScheduler[] | null>;
  /** null when no ControlNet extension answers. */
  controlnetModels(opts?: CallOptions): Promise<string[] | null>;
  controlnetModules(opts?: CallOptions): Promise<ControlNetModuleList | null>;
  /** 'a1111' or 'forge' (cached); see detectKind in this file for the heuristic. */
  detectKind(opts?: CallOptions): Promise<BackendKind>;
  /** Everything validateAgainstBackend needs, cached for listsTtlMs. */
  lists(opts?: CallOptions & { refresh?: boolean }): Promise<BackendLists>;
  /** Closes both agents; `force` aborts requests in flight. */
  close(opts?: { force?: boolean }): Promise<void>;
}

export const DEFAULT_TIMEOUTS = {
  generation: { headersMs: 30 * 60_000, bodyMs: 5 * 60_000 },
  quick: { headersMs: 20_000, bodyMs: 20_000 },
  connectMs: 10_000,
} as const;

// Response shapes (loose: unknown keys pass; only what we read is required).
const GenerationResponseSchema = z.looseObject({
  images: z.array(z.string()).nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  info: z.string(),
});
const ProgressSchema = z.looseObject({
  progress: z.number(),
  eta_relative: z.number(),
  state: z.looseObject({
    skipped: z.boolean().optional(),
    interrupted: z.boolean().optional(),
    job: z.string().optional(),
    job_count: z.number(),
    job_timestamp: z.string().optional(),
    job_no: z.number(),
    sampling_step: z.number(),
    sampling_steps: z.number(),
  }),
  current_image: z.string().nullable().optional(),
  textinfo: z.string().nullable().optional(),
});
const SdModelSchema = z.looseObject({
  title: z.string(),
  model_name: z.string(),
  hash: z.string().nullable().optional(),
  sha256: z.string().nullable().optional(),
  filename: z.string(),
  config: z.string().nullable().optional(),
});
const LoraSchema = z.looseObject({
  name: z.string(),
  alias: z.string().nullable().optional(),
  path: z.string().nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});
const SamplerSchema = z.looseObject({
  name: z.string(),
  aliases: z.array(z.string()).nullable().optional(),
  options: z.record(z.string(), z.unknown()).nullable().optional(),
});
const SchedulerSchema = z.looseObject({
  name: z.string(),
  label: z.string(),
  aliases: z.array(z.string()).nullable().optional(),
  default_rho: z.number().nullable().optional(),
  need_inner_model: z.boolean().nullable().optional(),
});
const TaskProgressSchema = z.looseObject({
  active: z.boolean(),
  queued: z.boolean(),
  completed: z.boolean(),
  progress: z.number().nullable().optional(),
  eta: z.number().nullable().optional(),
  live_preview: z.string().nullable().optional(),
  id_live_preview: z.number().nullable().optional(),
  textinfo: z.string().nullable().optional(),
});
const MetadataSchema = z.looseObject({ metadata: z.string().optional() });
const UpscalerSchema = z.looseObject({
  name: z.string(),
  model_name: z.string().nullable().optional(),
  scale: z.number().nullable().optional(),
});
const ExtrasSchema = z.looseObject({ image: z.string().nullable().optional(), html_info: z.string().nullable().optional() });
const ModelListSchema = z.looseObject({ model_list: z.array(z.string()) });
const ModuleListSchema = z.looseObject({
  module_list: z.array(z.string()),
  module_detail: z.record(z.string(), z.unknown()).optional(),
});
const OptionsSchema = z.record(z.string(), z.unknown());

type AgentKind = 'generation' | 'quick';

interface RawOptions {
  agent: AgentKind;
  body?: unknown;
  signal?: AbortSignal;
  /** Return null instead of throwing on 404 (optional endpoints). */
  allow404?: boolean;
}

function authHeader(auth: SdEndpoint['auth']): Record<string, string> {
  if (!auth) return {};
  return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}` };
}

function parseShape<T>(schema: z.ZodType<T>, value: unknown, what: string, backend: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BackendError({
      kind: 'bad-response',
      backend,
      detail: `${what}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'unexpected shape'}`,
    });
  }
  return r.data;
}

/** Number of generated images a payload asks for. */
function requestedCount(payload: Txt2ImgRequest | Img2ImgRequest): number {
  return Math.max(1, payload.batch_size ?? 1) * Math.max(1, payload.n_iter ?? 1);
}

/**
 * True when the model the server reports in `info` is the checkpoint `title` ("name.safetensors [hash]").
 * Compares the short hash when both sides have one, else the file stem (A1111 replaces "/" by "_" in model_name).
 * Unknown (no model in info) counts as a match.
 */
export function checkpointMatches(info: GenerationInfo, title: string): boolean {
  const wantHash = /\[([0-9a-f]{6,})\]\s*$/i.exec(title)?.[1]?.toLowerCase();
  const gotHash = typeof info.sd_model_hash === 'string' ? info.sd_model_hash.toLowerCase() : '';
  if (wantHash && gotHash) return gotHash.startsWith(wantHash) || wantHash.startsWith(gotHash);
  const gotName = typeof info.sd_model_name === 'string' ? info.sd_model_name.toLowerCase() : '';
  if (!gotName) return true;
  const stemWithFolder = title
    .replace(/\s*\[[0-9a-f]+\]\s*$/i, '')
    .replace(/\.(safetensors|ckpt)$/i, '')
    .replace(/[\\/]/g, '_')
    .toLowerCase();
  return gotName === stemWithFolder || gotName === modelStem(title);
}

export function createSdClient(endpoint: SdEndpoint, options: SdClientOptions = {}): SdClient {
  const base = endpoint.url.replace(/\/+$/, '');
  const connectMs = options.timeouts?.connectMs ?? DEFAULT_TIMEOUTS.connectMs;
  const genT = { ...DEFAULT_TIMEOUTS.generation, ...options.timeouts?.generation };
  const quickT = { ...DEFAULT_TIMEOUTS.quick, ...options.timeouts?.quick };
  const agents: Record<AgentKind, Agent> = {
    generation: new Agent({ headersTimeout: genT.headersMs, bodyTimeout: genT.bodyMs, connect: { timeout: connectMs } }),
    quick: new Agent({ headersTimeout: quickT.headersMs, bodyTimeout: quickT.bodyMs, connect: { timeout: connectMs } }),
  };
  const headers = { accept: 'application/json', ...authHeader(endpoint.auth) };
  const listsTtl = options.listsTtlMs ?? 60_000;
  let kindCache: Promise<BackendKind> | null = null;
  // A checkpoint's metadata does not change while its file does not; forgotten when the lists are re-read.
  const metadataCache = new Map<string, Promise<Record<string, unknown> | null>>();
  let listsCache: { at: number; value: Promise<BackendLists> } | null = null;

  async function send(method: 'GET' | 'POST', path: string, o: RawOptions): Promise<Dispatcher.ResponseData> {
    // A GET that dies before any response byte is retried once: it is usually a keep-alive socket the server
    // closed while idle. POSTs are never retried here (a generation might run twice); the job layer decides.
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(`${base}${path}`, {
          method,
          dispatcher: agents[o.agent],
          signal: o.signal,
          headers: o.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
          body: o.body === undefined ? undefined : JSON.stringify(o.body),
        });
      } catch (err) {
        if (o.signal?.aborted) throw o.signal.reason ?? err;
        const mapped = errorFromNetwork(err, 'request', base);
        if (method === 'GET' && attempt === 0 && mapped.kind === 'dropped') continue;
        throw mapped;
      }
    }
  }

  async function raw(method: 'GET' | 'POST', path: string, o: RawOptions): Promise<unknown> {
    const res = await send(method, path, o);
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      if (o.signal?.aborted) throw o.signal.reason ?? err;
      throw errorFromNetwork(err, 'body', base);
    }
    if (res.statusCode === 404 && o.allow404) return null;
    if (res.statusCode < 200 || res.statusCode >= 300) throw errorFromResponse(res.statusCode, text, base);
    if (text.trim() === '') return null;
    try {
      return JSON.parse(text);
    } catch {
      throw new BackendError({
        kind: 'bad-response',
        backend: base,
        status: res.statusCode,
        detail: `${path} answered with non-JSON text`,
      });
    }
  }

  async function generate(path: string, payload: Txt2ImgRequest | Img2ImgRequest, o: GenerateOptions = {}): Promise<GenerationResult> {
    let lists: BackendLists | null = null;
    if (typeof o.validate === 'object') {
      lists = o.validate;
      assertValidForBackend(payload, lists);
    } else if (o.validate !== false) {
      lists = await client.lists({ signal: o.signal });
      if (validateAgainstBackend(payload, lists).length) {
        // A LoRA or model installed since the lists were cached: look again before refusing.
        lists = await client.lists({ signal: o.signal, refresh: true });
        assertValidForBackend(payload, lists);
      }
    }
    const body = parseShape(
      GenerationResponseSchema,
      await raw('POST', path, { agent: 'generation', body: payload, signal: o.signal }),
      path,
      base,
    );
    let info: GenerationInfo;
    try {
      info = JSON.parse(body.info) as GenerationInfo;
    } catch {
      throw new BackendError({ kind: 'bad-response', backend: base, detail: `${path}: info is not JSON` });
    }
    if (!info || typeof info !== 'object')
      throw new BackendError({ kind: 'bad-response', backend: base, detail: `${path}: info is not an object` });
    const ckpt = payload.override_settings?.sd_model_checkpoint;
    if (o.verifyCheckpoint !== false && typeof ckpt === 'string' && !checkpointMatches(info, ckpt)) {
      throw new BackendError({
        kind: 'server',
        code: 'checkpoint_not_applied',
        retryable: false,
        backend: base,
        detail: `asked for ${ckpt}, got ${info.sd_model_name ?? '?'} [${info.sd_model_hash ?? '?'}]`,
      });
    }
    const all = body.images ?? [];
    const first = Number.isInteger(info.index_of_first_image) ? (info.index_of_first_image as number) : 0;
    const count = requestedCount(payload);
    const units = expectedUnits(payload as { alwayson_scripts?: Record<string, unknown> });
    // Read by content: masks interleaved by return_mask, maps appended by ControlNet (response.ts).
    const sorted = await sortImages(all.slice(first), {
      count,
      controlImages: units.map((u) => u.image ?? (payload as Img2ImgRequest).init_images?.[0] ?? null),
    });
    const images = sorted.results;
    const extraImages = [...all.slice(0, first), ...all.slice(first).filter((_, i) => sorted.roles[i] !== 'result')];
    if (images.length === 0 && payload.send_images !== false) {
      throw new BackendError({ kind: 'bad-response', backend: base, detail: `${path} returned no images` });
    }
    if (o.verifyControlNet !== false && units.length) {
      // The "ControlNet i" entries name the models that were asked for (sd-webui-controlnet picks the closest
      // name); they are written before anything is checked, so the maps are what proves the units ran.
      verifyControlNetRan(info, units);
      verifyDetectedMaps(lists?.kind ?? (await client.detectKind({ signal: o.signal })), units, sorted.maps);
    }
    const controlMaps = sorted.maps.map((i) => (i === null ? '' : all[first + i]));
    const seeds = Array.isArray(info.all_seeds) ? info.all_seeds.slice(0, images.length) : [];
    return { images, extraImages, controlMaps, seeds, info, infoText: body.info };
  }

  /** Safetensors metadata from the extra-networks page, keyed by file stem (sd_models.py name_for_extra). */
  async function readMetadata(title: string, o: CallOptions): Promise<Record<string, unknown> | null> {
    const entry = (await client.lists(o)).checkpoints.find((c) => c.title === title);
    const file = (entry?.filename ?? title.replace(/\s*\[[0-9a-f]+\]\s*$/i, '')).split(/[\\/]/).pop() ?? '';
    const item = file.replace(/\.(safetensors|ckpt)$/i, '');
    const v = await raw('GET', `/sd_extra_networks/metadata?page=checkpoints&item=${encodeURIComponent(item)}`, {
      agent: 'quick',
      signal: o.signal,
      allow404: true,
    });
    const m = v === null ? null : MetadataSchema.safeParse(v);
    if (!m?.success || !m.data.metadata) return null;
    try {
      const parsed = JSON.parse(m.data.metadata) as unknown;
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  const client: SdClient = {
    url: base,
    txt2img: (payload, o) => generate('/sdapi/v1/txt2img', payload, o),
    img2img: (payload, o) => generate('/sdapi/v1/img2img', payload, o),

    async progress(o = {}) {
      const skip = o.skipCurrentImage ?? true;
      const v = await raw('GET', `/sdapi/v1/progress?skip_current_image=${skip}`, { agent: 'quick', signal: o.signal });
      const p = parseShape(ProgressSchema, v, 'progress', base);
      return p as ProgressResponse;
    },

    async taskProgress(taskId, o = {}) {
      const body = { id_task: taskId, id_live_preview: o.lastPreviewId ?? -1, live_preview: o.livePreview ?? false };
      const v = await raw('POST', '/internal/progress', { agent: 'quick', body, signal: o.signal, allow404: true });
      if (v === null) return null;
      const p = parseShape(TaskProgressSchema, v, 'internal progress', base);
      return {
        active: p.active,
        queued: p.queued,
        completed: p.completed,
        progress: p.progress ?? null,
        eta: p.eta ?? null,
        live_preview: p.live_preview ?? null,
        id_live_preview: p.id_live_preview ?? null,
        textinfo: p.textinfo ?? null,
      };
    },

    async upscalers(o = {}) {
      const v = await raw('GET', '/sdapi/v1/upscalers', { agent: 'quick', signal: o.signal });
      return parseShape(z.array(UpscalerSchema), v, 'upscalers', base).map((u) => ({
        name: u.name,
        model_name: u.model_name ?? null,
        scale: u.scale ?? null,
      }));
    },

    async upscale(imageB64, o) {
      const body = {
        image: imageB64,
        resize_mode: 1,
        upscaling_resize_w: o.width,
        upscaling_resize_h: o.height,
        upscaling_crop: false,
        upscaler_1: o.upscaler,
        upscaler_2: 'None',
        extras_upscaler_2_visibility: 0,
        gfpgan_visibility: 0,
        codeformer_visibility: 0,
        show_extras_results: true,
      };
      const v = parseShape(
        ExtrasSchema,
        await raw('POST', '/sdapi/v1/extra-single-image', { agent: 'generation', body, signal: o.signal }),
        'extra-single-image',
        base,
      );
      if (!v.image) throw new BackendError({ kind: 'bad-response', backend: base, detail: 'extra-single-image returned no image' });
      return v.image;
    },

    checkpointMetadata(title, o = {}) {
      let p = metadataCache.get(title);
      if (!p) {
        p = readMetadata(title, o);
        p.catch(() => metadataCache.delete(title));
        metadataCache.set(title, p);
      }
      return p;
    },

    async interrupt(o = {}) {
      await raw('POST', '/sdapi/v1/interrupt', { agent: 'quick', signal: o.signal });
    },

    async options(o = {}) {
      return parseShape(OptionsSchema, await raw('GET', '/sdapi/v1/options', { agent: 'quick', signal: o.signal }), 'options', base);
    },

    async setOptions(patch, o = {}) {
      await raw('POST', '/sdapi/v1/options', { agent: 'generation', body: patch, signal: o.signal });
    },

    async ensureCheckpoint(title, o = {}) {
      const current = await client.options(o);
      if (current.sd_model_checkpoint === title) return;
      await client.setOptions({ sd_model_checkpoint: title }, o);
    },

    async refreshLoras(o = {}) {
      await raw('POST', '/sdapi/v1/refresh-loras', { agent: 'generation', signal: o.signal });
      listsCache = null;
    },

    async refreshCheckpoints(o = {}) {
      await raw('POST', '/sdapi/v1/refresh-checkpoints', { agent: 'generation', signal: o.signal });
      listsCache = null;
    },

    async sdModels(o = {}) {
      const v = await raw('GET', '/sdapi/v1/sd-models', { agent: 'quick', signal: o.signal });
      return parseShape(z.array(SdModelSchema), v, 'sd-models', base).map((m) => ({
        title: m.title,
        model_name: m.model_name,
        hash: m.hash ?? null,
        sha256: m.sha256 ?? null,
        filename: m.filename,
        config: m.config ?? null,
      }));
    },

    async loras(o = {}) {
      const v = await raw('GET', '/sdapi/v1/loras', { agent: 'quick', signal: o.signal });
      return parseShape(z.array(LoraSchema), v, 'loras', base).map((l) => ({
        name: l.name,
        alias: l.alias ?? l.name,
        path: l.path ?? '',
        metadata: l.metadata ?? {},
      }));
    },

    async samplers(o = {}) {
      const v = await raw('GET', '/sdapi/v1/samplers', { agent: 'quick', signal: o.signal });
      return parseShape(z.array(SamplerSchema), v, 'samplers', base).map((s) => ({
        name: s.name,
        aliases: s.aliases ?? [],
        options: s.options ?? {},
      }));
    },

    async schedulers(o = {}) {
      const v = await raw('GET', '/sdapi/v1/schedulers', { agent: 'quick', signal: o.signal, allow404: true });
      if (v === null) return null;
      return parseShape(z.array(SchedulerSchema), v, 'schedulers', base).map((s) => ({
        name: s.name,
        label: s.label,
        aliases: s.aliases ?? null,
        default_rho: s.default_rho ?? -1,
        need_inner_model: s.need_inner_model ?? false,
      }));
    },

    async controlnetModels(o = {}) {
      const v = await raw('GET', '/controlnet/model_list?update=true', { agent: 'quick', signal: o.signal, allow404: true });
      if (v === null) return null;
      return parseShape(ModelListSchema, v, 'controlnet model_list', base).model_list;
    },

    async controlnetModules(o = {}) {
      const v = await raw('GET', '/controlnet/module_list?alias_names=false', { agent: 'quick', signal: o.signal, allow404: true });
      if (v === null) return null;
      const m = parseShape(ModuleListSchema, v, 'controlnet module_list', base);
      return m.module_detail ? { module_list: m.module_list, module_detail: m.module_detail } : { module_list: m.module_list };
    },

    /**
     * Heuristic, in order:
     *  1. `GET /controlnet/version` answers → A1111 (only the Mikubill extension has it; Forge's built-in
     *     ControlNet does not).
     *  2. `GET /sdapi/v1/sd-modules` answers, or the options carry Forge keys (`forge_preset`,
     *     `forge_additional_modules`) → Forge.
     *  3. Otherwise A1111 (e.g. A1111 without the ControlNet extension).
     * A failed detection (network error) is not cached.
     */
    detectKind(o = {}) {
      kindCache ??= (async (): Promise<BackendKind> => {
        const version = await raw('GET', '/controlnet/version', { agent: 'quick', signal: o.signal, allow404: true });
        if (version && typeof version === 'object' && 'version' in version) return 'a1111';
        const modules = await raw('GET', '/sdapi/v1/sd-modules', { agent: 'quick', signal: o.signal, allow404: true });
        if (modules !== null) return 'forge';
        const opts = await client.options(o);
        if ('forge_preset' in opts || 'forge_additional_modules' in opts) return 'forge';
        return 'a1111';
      })();
      const pending = kindCache;
      pending.catch(() => {
        if (kindCache === pending) kindCache = null;
      });
      return pending;
    },

    lists(o = {}) {
      if (!o.refresh && listsCache && Date.now() - listsCache.at < listsTtl) return listsCache.value;
      const value = (async (): Promise<BackendLists> => {
        const sig = { signal: o.signal };
        const [kind, samplers, schedulers, loras, checkpoints, cnModels, cnModules, options, upscalers] = await Promise.all([
          client.detectKind(sig),
          client.samplers(sig),
          client.schedulers(sig),
          client.loras(sig),
          client.sdModels(sig),
          client.controlnetModels(sig),
          client.controlnetModules(sig),
          client.options(sig),
          client.upscalers(sig),
        ]);
        return {
          kind,
          samplers: samplers.map((s) => ({ name: s.name, aliases: s.aliases })),
          schedulers: schedulers?.map((s) => ({ name: s.name, label: s.label, aliases: s.aliases })) ?? null,
          loras: loras.map((l) => ({ name: l.name, alias: l.alias })),
          checkpoints: checkpoints.map((c) => ({ title: c.title, model_name: c.model_name, hash: c.hash, filename: c.filename })),
          currentCheckpoint: typeof options.sd_model_checkpoint === 'string' ? options.sd_model_checkpoint : null,
          upscalers: upscalers.map((u) => u.name),
          // Forge lists "None" first; it is not a model.
          controlnetModels: cnModels?.filter((m) => m !== 'None') ?? null,
          controlnetModules: cnModules?.module_list ?? null,
        };
      })();
      const entry = { at: Date.now(), value };
      listsCache = entry;
      if (o.refresh) metadataCache.clear();
      value.catch(() => {
        if (listsCache === entry) listsCache = null;
      });
      return value;
    },

    async close(o = {}) {
      if (o.force) await Promise.all([agents.generation.destroy(), agents.quick.destroy()]);
      else await Promise.all([agents.generation.close(), agents.quick.close()]);
    },
  };
  return client;
}

/** One client per configured backend (config.backends), in configuration order. */
export function createSdClients(endpoints: readonly SdEndpoint[], options: SdClientOptions = {}): SdClient[] {
  return endpoints.map((e) => createSdClient(e, options));
}
