// Recipes: pure payload builders for /sdapi/v1/img2img and /sdapi/v1/txt2img. They take already-encoded base64
// images and plain data and return the exact JSON body. No network, no node: imports.
//
// The API defaults differ from the web UI's (inpaint_full_res true + padding 0 = "Only masked", 50 steps, Euler),
// so every field a recipe depends on is set explicitly. Fields where the server takes 0 literally (eta, s_*,
// initial_noise_multiplier) are never sent. Names the server would silently replace or skip (sampler, scheduler,
// LoRA, checkpoint, ControlNet model/module) are checked with validateAgainstBackend before sending.
//
// Inpainting geometry: the init image and mask are sent at exactly width×height (see size.ts) with
// inpaint_full_res false ("Whole picture"), so the result is width×height and maps back onto the photo by a plain
// resize. Mask convention of the inputs: white = the region named by the recipe (garment, person), black = rest.

import { controlnetScripts, edgesUnit, modelStem, openposeUnit, type EdgeModule } from './controlnet.ts';
import { BackendError } from './errors.ts';
import { buildNegativePrompt, buildPrompt, parseLoraTags, type LoraUse, type PromptFragment } from './prompt.ts';
import type { BackendKind, BackendLists, ControlNetUnitPayload, Img2ImgRequest, InpaintingFill, Txt2ImgRequest } from './types.ts';

export interface SamplerChoice {
  /** Exact name from /sdapi/v1/samplers. */
  sampler: string;
  /** Name from /sdapi/v1/schedulers, or null when the backend has no scheduler list (then it is not sent). */
  scheduler: string | null;
}

export interface RecipeCommon {
  /** From generationSize(): multiples of 8. */
  size: { width: number; height: number };
  backendKind: BackendKind;
  /** Chosen from what the backend offers (pickSampler). */
  sampler: SamplerChoice;
  /** Number of images (1–16); split into batch_size × n_iter. */
  count: number;
  /** -1 or omitted = random. Image i uses seed + i. */
  seed?: number;
  /** Variation strength (0–1): the seed's image varied by a random variation seed ("make more like this"). */
  variation?: number;
  /** Exact checkpoint title from /sdapi/v1/sd-models ("name.safetensors [hash]"). */
  checkpoint?: string;
  /** Merchant free text added to the positive prompt (LoRA tags in it are dropped). */
  prompt?: string;
  /** Merchant free text added to the negative prompt. */
  negativePrompt?: string;
  loras?: readonly LoraUse[];
  steps?: number;
  cfgScale?: number;
  /** Images per forward pass at most (VRAM); the rest runs as sequential batches. Default 1. */
  maxBatchSize?: number;
}

export const RECIPE_DEFAULTS = {
  steps: 30,
  cfgScale: 6,
  maxBatchSize: 1,
  maxCount: 16,
  /** Padding for "Only masked"; sent even though every recipe uses "Whole picture" (the API default 0 is a trap). */
  inpaintPadding: 32,
} as const;

/** Per-recipe inpainting settings; each recipe's values sit in its entry of src/lib/recipes/table.ts. */
export interface InpaintDefaults {
  denoisingStrength: number;
  inpaintingFill: InpaintingFill;
  maskBlur: number;
}
export interface ShotDefaults extends InpaintDefaults {
  openposeWeight: number;
  /** How the OpenPose unit weighs against the prompt (default Balanced). */
  controlMode?: ControlNetUnitPayload['control_mode'];
  /** Recipe-specific negative prompt parts. */
  negatives?: readonly string[];
}

/** How far (px at generation size) a recipe with `growMask` grows the garment mask: ~1.2 % of the long side. */
export function maskGrowthPx(size: { width: number; height: number }): number {
  return Math.max(4, Math.round(Math.max(size.width, size.height) * 0.012));
}

/** count → batch_size × n_iter with batch_size the largest divisor of count not above maxBatchSize. */
export function splitCount(count: number, maxBatchSize: number = RECIPE_DEFAULTS.maxBatchSize): { batch_size: number; n_iter: number } {
  if (!Number.isInteger(count) || count < 1 || count > RECIPE_DEFAULTS.maxCount) {
    throw new RangeError(`count must be an integer 1–${RECIPE_DEFAULTS.maxCount}, got ${count}`);
  }
  if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)
    throw new RangeError(`maxBatchSize must be a positive integer, got ${maxBatchSize}`);
  let batch = Math.min(count, maxBatchSize);
  while (count % batch !== 0) batch--;
  return { batch_size: batch, n_iter: count / batch };
}

function checkSize(size: { width: number; height: number }): void {
  for (const [k, v] of Object.entries({ width: size.width, height: size.height })) {
    if (!Number.isInteger(v) || v < 64 || v % 8 !== 0) throw new RangeError(`${k} must be a multiple of 8 and ≥ 64, got ${v}`);
  }
}

function checkSeed(seed: number | undefined): number {
  const s = seed ?? -1;
  if (!Number.isInteger(s) || s < -1 || s > 0xffffffff) throw new RangeError(`seed must be -1 or an integer 0…2^32-1, got ${seed}`);
  return s;
}

function checkB64(name: string, v: string | undefined): string {
  if (typeof v !== 'string' || v.length === 0) throw new RangeError(`${name} must be a non-empty base64 string`);
  if (/^https?:/i.test(v)) throw new RangeError(`${name} must be base64 image data, not a URL`);
  return v;
}

function checkStrength(v: number): number {
  if (!(v > 0 && v <= 1)) throw new RangeError(`denoising strength must be in (0, 1], got ${v}`);
  return v;
}

/** Fields shared by txt2img and img2img: sampling, size, seed, batch, model, output handling. */
function commonFields(c: RecipeCommon, prompt: string, negative: string): Txt2ImgRequest {
  checkSize(c.size);
  if (!c.sampler?.sampler) throw new RangeError('a sampler chosen from the backend list is required');
  const steps = c.steps ?? RECIPE_DEFAULTS.steps;
  const cfg = c.cfgScale ?? RECIPE_DEFAULTS.cfgScale;
  if (!Number.isInteger(steps) || steps < 1 || steps > 150) throw new RangeError(`steps must be an integer 1–150, got ${steps}`);
  if (!(cfg >= 1 && cfg <= 30)) throw new RangeError(`cfgScale must be in [1, 30], got ${cfg}`);
  const body: Txt2ImgRequest = {
    prompt,
    negative_prompt: negative,
    width: c.size.width,
    height: c.size.height,
    steps,
    cfg_scale: cfg,
    sampler_name: c.sampler.sampler,
  };
  if (c.sampler.scheduler) body.scheduler = c.sampler.scheduler;
  body.seed = checkSeed(c.seed);
  if (c.variation !== undefined) {
    if (!(c.variation > 0 && c.variation <= 1)) throw new RangeError(`variation must be in (0, 1], got ${c.variation}`);
    // Each image of the batch gets its own variation seed (subseed + i), all near the seed's image.
    body.subseed = -1;
    body.subseed_strength = c.variation;
  }
  Object.assign(body, splitCount(c.count, c.maxBatchSize));
  body.restore_faces = false;
  body.tiling = false;
  if (c.checkpoint) {
    // Works on A1111 and on Forge since Oct 2024; older Forge ignores it — the client verifies the model used
    // (info.sd_model_name/hash) and offers ensureCheckpoint() (POST options) for those.
    // Restored afterwards (the default): the server swaps the model back lazily at the next job's start, so
    // consecutive jobs on this checkpoint load it once, and the operator's own setting is left as it was.
    body.override_settings = { sd_model_checkpoint: c.checkpoint };
  }
  body.send_images = true;
  body.save_images = false;
  return body;
}

interface InpaintFields {
  initImageB64: string;
  maskB64: string;
  invert: boolean;
  fill: InpaintingFill;
  denoisingStrength: number;
  maskBlur: number;
}

function img2imgBody(c: RecipeCommon, prompt: string, negative: string, f: InpaintFields, units: ControlNetUnitPayload[]): Img2ImgRequest {
  const common = commonFields(c, prompt, negative);
  const body: Img2ImgRequest = {
    ...common,
    init_images: [checkB64('initImageB64', f.initImageB64)],
    resize_mode: 0,
    mask: checkB64('maskB64', f.maskB64),
    inpainting_mask_invert: f.invert ? 1 : 0,
    inpainting_fill: f.fill,
    // "Whole picture": the init image is already width×height, the output is width×height.
    inpaint_full_res: false,
    inpaint_full_res_padding: RECIPE_DEFAULTS.inpaintPadding,
    mask_blur: f.maskBlur,
    denoising_strength: checkStrength(f.denoisingStrength),
    include_init_images: false,
  };
  // Operator options that would add images to the answer: masks after each result (processing.py), and no
  // detected maps (sd-webui-controlnet control_net_no_detectmap) — the maps prove the units ran.
  body.override_settings = { ...body.override_settings, return_mask: false, return_mask_composite: false };
  if (units.length) {
    body.alwayson_scripts = controlnetScripts(units);
    body.override_settings.control_net_no_detectmap = false;
  }
  return body;
}

// ---------------------------------------------------------------------------------------------------------------

export interface ModelShotInput extends RecipeCommon {
  /** Photo of the garment on a mannequin/person, at size.width × size.height. */
  initImageB64: string;
  /** White = garment (kept), black = everything repainted. */
  maskB64: string;
  /** Completed OpenPose skeleton rendered at size.width × size.height. */
  skeletonB64: string;
  look: PromptFragment;
  scene: PromptFragment;
  /** Short garment description, e.g. "a red silk qipao". */
  garment?: string;
  controlnetModels: { openpose: string; edges?: string };
  /** The OpenPose model is a ControlNet union model (sd-webui-controlnet needs its control type named). */
  controlnetUnion?: boolean;
  /** Garment cut out on black, for the optional edge unit (used only with controlnetModels.edges). */
  edgesImageB64?: string;
  edgesModule?: EdgeModule;
  denoisingStrength?: number;
}

/**
 * The shape of the recipes that keep the photographed garment and repaint the person and scene around it
 * (model shot, pose change): the garment mask inverted, an OpenPose unit with the skeleton (no preprocessor),
 * optionally an edge unit holding the garment's outline, and a prompt from the model look, the scene and the
 * garment.
 */
export function garmentShot(input: ModelShotInput, d: ShotDefaults): Img2ImgRequest {
  const units = [
    openposeUnit({
      kind: input.backendKind,
      model: input.controlnetModels.openpose,
      skeletonB64: checkB64('skeletonB64', input.skeletonB64),
      weight: d.openposeWeight,
      union: input.controlnetUnion,
      ...(d.controlMode ? { controlMode: d.controlMode } : {}),
    }),
  ];
  if (input.controlnetModels.edges) {
    units.push(
      edgesUnit({
        kind: input.backendKind,
        model: input.controlnetModels.edges,
        imageB64: checkB64('edgesImageB64', input.edgesImageB64),
        module: input.edgesModule,
      }),
    );
  }
  const prompt = buildPrompt({
    subject: 'full body fashion photo of',
    look: input.look,
    garment: input.garment ? `wearing ${input.garment}` : 'wearing the garment',
    scene: input.scene,
    loras: input.loras,
    extra: input.prompt,
  });
  const negative = buildNegativePrompt({
    look: input.look,
    scene: input.scene,
    recipe: [...(d.negatives ?? [])],
    extra: input.negativePrompt,
  });
  return img2imgBody(
    input,
    prompt,
    negative,
    {
      initImageB64: input.initImageB64,
      maskB64: input.maskB64,
      invert: true,
      fill: d.inpaintingFill,
      denoisingStrength: input.denoisingStrength ?? d.denoisingStrength,
      maskBlur: d.maskBlur,
    },
    units,
  );
}

export interface OutfitSwapInput extends RecipeCommon {
  /** Photo of a real model at size.width × size.height. */
  initImageB64: string;
  /** White = the garment region to replace, already grown by maskGrowthPx. */
  maskB64: string;
  /** The clothing LoRA(s) with trigger words: at least one. */
  loras: readonly LoraUse[];
  /** OpenPose skeleton of the detected pose; without it the server detects the pose from the init image. */
  skeletonB64?: string;
  controlnetModels: { openpose: string };
  controlnetUnion?: boolean;
  /** Optional description of the person (keeps the prompt coherent with the unmasked body). */
  look?: PromptFragment;
  scene?: PromptFragment;
  garment?: string;
  denoisingStrength?: number;
}

/** Outfit swap: inpaint the garment region with the clothing LoRA; OpenPose from the detected pose keeps the body. */
export function outfitSwap(input: OutfitSwapInput, d: ShotDefaults): Img2ImgRequest {
  if (!input.loras?.length) throw new RangeError('outfit swap needs at least one clothing LoRA');
  const units = [
    openposeUnit({
      kind: input.backendKind,
      model: input.controlnetModels.openpose,
      skeletonB64: input.skeletonB64 === undefined ? undefined : checkB64('skeletonB64', input.skeletonB64),
      weight: d.openposeWeight,
      union: input.controlnetUnion,
    }),
  ];
  const prompt = buildPrompt({
    subject: 'fashion photo of',
    look: input.look ?? { prompt: 'a model' },
    garment: input.garment ? `wearing ${input.garment}` : undefined,
    scene: input.scene,
    loras: input.loras,
    extra: input.prompt,
  });
  const negative = buildNegativePrompt({ look: input.look, scene: input.scene, extra: input.negativePrompt });
  return img2imgBody(
    input,
    prompt,
    negative,
    {
      initImageB64: input.initImageB64,
      maskB64: input.maskB64,
      invert: false,
      fill: d.inpaintingFill,
      denoisingStrength: input.denoisingStrength ?? d.denoisingStrength,
      maskBlur: d.maskBlur,
    },
    units,
  );
}

export interface SceneSwapInput extends RecipeCommon {
  initImageB64: string;
  /** White = person and garment (kept), black = background (repainted). */
  maskB64: string;
  scene: PromptFragment;
  /** Optional description of the person, so the prompt matches the kept subject. */
  look?: PromptFragment;
  denoisingStrength?: number;
}

/** Scene swap: repaint the background only (subject mask inverted, latent noise so the old scene does not leak). */
export function sceneSwap(input: SceneSwapInput, d: InpaintDefaults): Img2ImgRequest {
  const prompt = buildPrompt({
    subject: 'fashion photo of',
    look: input.look ?? { prompt: 'a model' },
    scene: input.scene,
    loras: input.loras,
    extra: input.prompt,
  });
  const negative = buildNegativePrompt({ scene: input.scene, recipe: ['halo, outline around person'], extra: input.negativePrompt });
  return img2imgBody(
    input,
    prompt,
    negative,
    {
      initImageB64: input.initImageB64,
      maskB64: input.maskB64,
      invert: true,
      fill: d.inpaintingFill,
      denoisingStrength: input.denoisingStrength ?? d.denoisingStrength,
      maskBlur: d.maskBlur,
    },
    [],
  );
}

export interface PortraitInput extends RecipeCommon {
  look: PromptFragment;
  /** Default: plain studio backdrop. */
  scene?: PromptFragment;
  /** Default "head and shoulders". */
  framing?: 'head and shoulders' | 'half body' | 'full body';
}

/** txt2img portrait of a model look (to preview or fix a face before shooting). */
export function portrait(input: PortraitInput): Txt2ImgRequest {
  const framing = input.framing ?? 'head and shoulders';
  const prompt = buildPrompt({
    subject: `${framing} portrait photo of`,
    look: input.look,
    garment: 'looking at the camera',
    scene: input.scene ?? { prompt: 'plain light grey studio backdrop, soft even studio lighting' },
    loras: input.loras,
    extra: input.prompt,
  });
  const negative = buildNegativePrompt({ look: input.look, scene: input.scene, extra: input.negativePrompt });
  return { ...commonFields(input, prompt, negative), enable_hr: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Choosing and checking names against what the backend offers.

export const PREFERRED_SAMPLERS = ['DPM++ 2M', 'DPM++ 2M SDE', 'Euler a', 'Euler', 'DDIM'] as const;
export const PREFERRED_SCHEDULERS = ['karras', 'exponential', 'automatic'] as const;

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Picks the first preferred sampler (and scheduler) the backend lists; falls back to the backend's first entries. */
export function pickSampler(
  lists: Pick<BackendLists, 'samplers' | 'schedulers'>,
  prefer: { samplers?: readonly string[]; schedulers?: readonly string[] } = {},
): SamplerChoice {
  const samplers = lists.samplers ?? [];
  if (samplers.length === 0) throw new BackendError({ kind: 'validation', code: 'unknown_name', detail: 'the backend lists no samplers' });
  const wanted = prefer.samplers ?? PREFERRED_SAMPLERS;
  if (lists.schedulers === null) {
    // Pre-1.9 A1111: the schedule is part of the sampler name ("DPM++ 2M Karras").
    for (const w of wanted) {
      const hit = samplers.find((s) => eq(s.name, `${w} Karras`)) ?? samplers.find((s) => eq(s.name, w));
      if (hit) return { sampler: hit.name, scheduler: null };
    }
    return { sampler: samplers[0].name, scheduler: null };
  }
  const sampler = wanted.map((w) => samplers.find((s) => eq(s.name, w))).find(Boolean) ?? samplers[0];
  const schedulers = lists.schedulers;
  const wantedSched = prefer.schedulers ?? PREFERRED_SCHEDULERS;
  const scheduler = wantedSched.map((w) => schedulers.find((s) => eq(s.name, w) || eq(s.label, w))).find(Boolean) ?? schedulers[0] ?? null;
  return { sampler: sampler.name, scheduler: scheduler ? scheduler.name : null };
}

/** Exact checkpoint title for a title, file name, stem or short hash; null when not installed. */
export function resolveCheckpoint(name: string, checkpoints: BackendLists['checkpoints']): string | null {
  const exact = checkpoints.find((c) => c.title === name);
  if (exact) return exact.title;
  const stem = modelStem(name);
  const hit = checkpoints.find(
    (c) => modelStem(c.title) === stem || (c.model_name && c.model_name.toLowerCase() === stem) || (c.hash && eq(c.hash, name)),
  );
  return hit?.title ?? null;
}

/** Exact ControlNet model title ("stem [hash]", required by Forge) for a title or stem; null when not installed. */
export function resolveControlNetModel(name: string, models: readonly string[]): string | null {
  if (models.includes(name)) return name;
  const stem = modelStem(name);
  return models.find((m) => modelStem(m) === stem) ?? null;
}

export interface PayloadIssue {
  /** JSON path of the offending field, e.g. "sampler_name", "alwayson_scripts.controlnet.args[0].model", "prompt <lora:x>". */
  field: string;
  value: string;
  message: string;
}

/**
 * Checks every name the server would silently replace or skip against the backend's lists: sampler, scheduler,
 * LoRAs in both prompts, override checkpoint, ControlNet unit models and modules. Returns the problems found
 * (empty = fine).
 */
export function validateAgainstBackend(payload: Txt2ImgRequest | Img2ImgRequest, lists: BackendLists): PayloadIssue[] {
  const issues: PayloadIssue[] = [];
  const add = (field: string, value: string, message: string) => issues.push({ field, value, message });

  const sampler = payload.sampler_name;
  if (!sampler) add('sampler_name', '', 'no sampler set: the server would fall back to Euler');
  else if (!lists.samplers.some((s) => s.name === sampler)) {
    // sd_samplers.py maps exact names only; anything else silently runs as the first sampler.
    add('sampler_name', sampler, `sampler "${sampler}" is not offered by the backend`);
  }

  if (payload.scheduler !== undefined) {
    const sched = payload.scheduler;
    if (lists.schedulers === null) add('scheduler', sched, 'the backend has no scheduler support');
    // sd_schedulers.py maps the exact name or label; anything else silently becomes "Automatic".
    else if (!lists.schedulers.some((s) => s.name === sched || s.label === sched)) {
      add('scheduler', sched, `scheduler "${sched}" is not offered by the backend`);
    }
  }

  for (const field of ['prompt', 'negative_prompt'] as const) {
    for (const tag of parseLoraTags(payload[field] ?? '')) {
      if (!lists.loras.some((l) => l.name === tag.name || l.alias === tag.name)) {
        add(field, `<lora:${tag.name}>`, `LoRA "${tag.name}" is not installed on the backend`);
      }
    }
  }

  const ckpt = payload.override_settings?.sd_model_checkpoint;
  if (ckpt !== undefined && !lists.checkpoints.some((c) => c.title === ckpt)) {
    add('override_settings.sd_model_checkpoint', String(ckpt), `checkpoint "${ckpt}" is not an exact title from the backend's model list`);
  }

  const scripts = (payload.alwayson_scripts ?? {}) as Record<string, { args?: unknown[] } | undefined>;
  for (const [key, script] of Object.entries(scripts)) {
    if (key.toLowerCase() !== 'controlnet') continue;
    const args = script?.args ?? [];
    if (args.length && lists.controlnetModels === null) {
      add(`alwayson_scripts.${key}`, key, 'the backend has no ControlNet');
      continue;
    }
    args.forEach((raw, i) => {
      const u = raw as Partial<ControlNetUnitPayload>;
      const at = `alwayson_scripts.${key}.args[${i}]`;
      if (u.enabled !== true) add(`${at}.enabled`, String(u.enabled), 'units must be sent with enabled: true');
      if (typeof u.model !== 'string' || !(lists.controlnetModels ?? []).includes(u.model)) {
        add(`${at}.model`, String(u.model), `ControlNet model "${u.model}" is not an exact title from the backend's model list`);
      }
      if (typeof u.module !== 'string' || (lists.controlnetModules && !lists.controlnetModules.includes(u.module))) {
        add(`${at}.module`, String(u.module), `ControlNet module "${u.module}" is not offered by this ${lists.kind} backend`);
      }
      if (typeof u.resize_mode !== 'string') add(`${at}.resize_mode`, String(u.resize_mode), 'resize_mode must be a string');
      if (typeof u.control_mode !== 'string') add(`${at}.control_mode`, String(u.control_mode), 'control_mode must be a string');
      if (u.image !== undefined && typeof u.image !== 'string') add(`${at}.image`, typeof u.image, 'image must be a plain base64 string');
    });
  }
  return issues;
}

/** validateAgainstBackend that throws a BackendError ('validation', code 'unknown_name') listing the problems. */
export function assertValidForBackend(payload: Txt2ImgRequest | Img2ImgRequest, lists: BackendLists): void {
  const issues = validateAgainstBackend(payload, lists);
  if (issues.length) {
    throw new BackendError({ kind: 'validation', code: 'unknown_name', detail: issues.map((i) => i.message).join('; ') });
  }
}
