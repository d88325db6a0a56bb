// Runs one job on one backend: prepare the inputs, build the recipe's payload, generate while
// polling progress, put the original garment back, store the results.
import sharp from 'sharp';
import {
  buildModelShot,
  buildOutfitSwap,
  buildPoseChange,
  buildPortrait,
  buildSceneSwap,
  pickControlNetModel,
  pickSampler,
  outfitSwapDilatePx,
  resolveCheckpoint,
  type RecipeCommon,
} from '../backend/recipes.ts';
import { BackendError } from '../backend/errors.ts';
import { triggerWordsFromMetadata } from '../backend/prompt.ts';
import type { SdClient, GenerationResult } from '../backend/client.ts';
import type { BackendLists, Img2ImgRequest, Txt2ImgRequest } from '../backend/types.ts';
import { generationSize } from '../backend/size.ts';
import { DEFAULT_LOOK_ID, DEFAULT_SCENE_ID, requireModelLook, requireScene } from '../presets/index.ts';
import { applyComposite, prepareComposite, toPhotoSize, type PreparedComposite } from '../images/composite.ts';
import { LRUCache } from 'lru-cache';
import { rgbRaw } from '../images/raw.ts';
import type { BlobStore } from '../store/blobs.ts';
import { newId } from '../ids.ts';
import { cachedInputs, dilate, prepareInputs, type SourceImages } from './inputs.ts';
import type { ResolvedJobRequest as CreateJobRequest } from './schema.ts';
import type { JobRow, ResultRow } from './store.ts';

export interface JobSource extends SourceImages {
  /** Changes whenever the photo, mask or pose changes (input cache key). */
  version: string;
  width: number;
  height: number;
}

export interface RunDeps {
  blobs: BlobStore;
  generationMaxSide: number;
  featherPx: number;
  loadSource(sessionId: string): Promise<JobSource>;
  onProgress(p: { progress: number; step: number | null; steps: number | null; etaSeconds: number | null; preview: Buffer | null }): void;
}

export const resultKey = (jobId: string, resultId: string) => `results/${jobId}/${resultId}.png`;
const PROGRESS_EVERY_MS = 1000;
const PREVIEW_EVERY = 3; // polls

function noModel(what: string): BackendError {
  return new BackendError({ kind: 'validation', code: 'unknown_name', detail: what });
}

function buildPayload(req: CreateJobRequest, lists: BackendLists, src: JobSource, inputs: Awaited<ReturnType<typeof prepareInputs>>): Img2ImgRequest | Txt2ImgRequest {
  const look = requireModelLook(req.modelPreset ?? DEFAULT_LOOK_ID);
  const scene = requireScene(req.scenePreset ?? DEFAULT_SCENE_ID);
  let checkpoint: string | undefined;
  if (req.checkpoint) {
    checkpoint = resolveCheckpoint(req.checkpoint, lists.checkpoints) ?? undefined;
    if (!checkpoint) throw noModel(`checkpoint "${req.checkpoint}" is not installed`);
  }
  const common: RecipeCommon = {
    size: inputs.size,
    backendKind: lists.kind,
    sampler: pickSampler(lists),
    count: req.count,
    seed: req.seed,
    checkpoint,
    prompt: req.prompt,
    negativePrompt: req.negativePrompt,
    loras: req.loras,
  };
  const openpose = () => {
    const m = pickControlNetModel(lists.controlnetModels ?? [], 'openpose');
    if (!m) throw noModel('the generation server has no OpenPose ControlNet model');
    return m;
  };
  const need = <T,>(v: T | null, what: string): T => {
    if (v === null) throw new BackendError({ kind: 'validation', code: 'validation', detail: what, retryable: false });
    return v;
  };
  switch (req.recipe) {
    case 'model-shot':
      return buildModelShot({ ...common, initImageB64: inputs.initB64, maskB64: need(inputs.maskB64, 'no garment mask'), skeletonB64: need(inputs.skeletonB64, 'no pose'), look, scene, controlnetModels: { openpose: openpose() } });
    case 'pose-change':
      return buildPoseChange({ ...common, initImageB64: inputs.initB64, maskB64: need(inputs.maskB64, 'no garment mask'), skeletonB64: need(inputs.skeletonB64, 'no pose'), look, scene, controlnetModels: { openpose: openpose() } });
    case 'scene-swap':
      return buildSceneSwap({ ...common, initImageB64: inputs.initB64, maskB64: need(inputs.maskB64, 'no subject mask'), scene, look });
    case 'outfit-swap':
      return buildOutfitSwap({
        ...common,
        loras: req.loras ?? [],
        initImageB64: inputs.initB64,
        maskB64: need(inputs.dilatedMaskB64, 'no garment mask'),
        skeletonB64: inputs.skeletonB64 ?? undefined,
        controlnetModels: { openpose: openpose() },
        look,
        scene,
      });
    case 'portrait':
      return buildPortrait({ ...common, look, scene });
  }
}

/**
 * Which photo pixels the composite keeps exactly: the garment for the recipes that must not change it,
 * everything but the (dilated) garment for an outfit swap, nothing for a portrait.
 */
function keepMask(req: CreateJobRequest, src: JobSource, size: { width: number; height: number }): Buffer | null {
  if (req.recipe === 'portrait' || !src.mask) return null;
  if (req.recipe !== 'outfit-swap') return src.mask.data;
  // The region the backend repainted, in photo pixels: the dilation prepareInputs applied, scaled up.
  const px = Math.max(1, Math.round((Math.max(src.width, src.height) / Math.max(size.width, size.height)) * outfitSwapDilatePx(size)));
  const grown = dilate(src.mask.data, src.width, src.height, px);
  for (let i = 0; i < grown.length; i++) grown[i] = grown[i] ? 0 : 255;
  return grown;
}

// The decoded photo and the blend weights depend on the session's state only: reused across jobs.
const composites = new LRUCache<string, Promise<PreparedComposite | null>>({ max: 4 });

function compositeFor(req: CreateJobRequest, src: JobSource, size: { width: number; height: number }, featherPx: number): Promise<PreparedComposite | null> {
  const key = `${src.version}:${size.width}x${size.height}:${featherPx}:${req.recipe === 'outfit-swap' ? 'outside' : req.recipe === 'portrait' ? 'none' : 'garment'}`;
  let p = composites.get(key);
  if (!p) {
    p = (async () => {
      const keep = keepMask(req, src, size);
      if (!keep) return null;
      const original = await rgbRaw(sharp(src.originalPng));
      return prepareComposite(original, keep, featherPx);
    })();
    p.catch(() => composites.delete(key));
    composites.set(key, p);
  }
  return p;
}

export async function runJob(job: JobRow, client: SdClient, deps: RunDeps, signal: AbortSignal): Promise<ResultRow[]> {
  const req = JSON.parse(job.params) as CreateJobRequest;
  const src = await deps.loadSource(req.sessionId);
  const size = generationSize(src.width, src.height, deps.generationMaxSide);
  const inputs = await cachedInputs(`${src.version}:${size.width}x${size.height}:${req.recipe === 'outfit-swap'}`, () =>
    prepareInputs(src, size, { dilated: req.recipe === 'outfit-swap' }),
  );
  const lists = await client.lists({ signal });
  if (req.loras?.length) {
    // Clothing LoRAs need their trigger words in the prompt; they come from the LoRA's metadata.
    const installed = await client.loras({ signal });
    req.loras = req.loras.map((l) => {
      const meta = installed.find((i) => i.name === l.name || i.alias === l.name)?.metadata;
      return { ...l, triggerWords: triggerWordsFromMetadata(meta) };
    });
  }
  const payload = buildPayload(req, lists, src, inputs);

  // One progress poll per running job, whoever watches it. The pause between polls ends at once
  // when the generation returns, so the poller never delays the job's completion.
  let polls = 0;
  let polling = true;
  let stopPause = () => {};
  const pause = () =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, PROGRESS_EVERY_MS);
      stopPause = () => {
        clearTimeout(t);
        resolve();
      };
    });
  const poll = async () => {
    while (polling && !signal.aborted) {
      await pause();
      if (!polling) break;
      try {
        const withPreview = ++polls % PREVIEW_EVERY === 0;
        const p = await client.progress({ signal, skipCurrentImage: !withPreview });
        if (!polling || p.state.job_count === 0) continue;
        deps.onProgress({
          progress: Math.max(0, Math.min(0.99, p.progress)),
          step: p.state.sampling_steps ? p.state.sampling_step : null,
          steps: p.state.sampling_steps || null,
          etaSeconds: Number.isFinite(p.eta_relative) && p.eta_relative > 0 ? p.eta_relative : null,
          preview: withPreview && p.current_image ? Buffer.from(p.current_image, 'base64') : null,
        });
      } catch {
        // A missed poll only delays the progress bar; the generation call reports real failures.
      }
    }
  };
  const poller = poll();
  let result: GenerationResult;
  try {
    result = 'init_images' in payload ? await client.img2img(payload, { signal, validate: lists }) : await client.txt2img(payload, { signal, validate: lists });
  } finally {
    polling = false;
    stopPause();
    await poller;
  }
  if (signal.aborted) throw signal.reason ?? new Error('canceled');
  if (result.images.length === 0) throw new BackendError({ kind: 'bad-response', detail: 'the server returned no image' });

  const composite = await compositeFor(req, src, size, deps.featherPx);
  const rows: ResultRow[] = [];
  const written: string[] = [];
  const createdAt = new Date().toISOString();
  try {
    for (const [i, b64] of result.images.entries()) {
      const generated = await toPhotoSize(Buffer.from(b64, 'base64'), src.width, src.height);
      let image = generated;
      let fidelity: { before: number; after: number; pixels: number } | null = null;
      if (composite) {
        const c = applyComposite(composite, generated);
        image = c.image;
        fidelity = c.fidelity;
      }
      const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png({ compressionLevel: 2 }).toBuffer();
      const id = newId();
      const seed = result.seeds[i] ?? null;
      await deps.blobs.put(resultKey(job.id, id), png);
      written.push(resultKey(job.id, id));
      rows.push({
        id,
        job_id: job.id,
        session_id: req.sessionId,
        idx: i,
        seed,
        width: image.width,
        height: image.height,
        fidelity_before: fidelity?.before ?? null,
        fidelity_after: fidelity?.after ?? null,
        fidelity_pixels: fidelity?.pixels ?? null,
        params: JSON.stringify({
          recipe: req.recipe,
          modelPreset: req.modelPreset ?? (req.recipe === 'scene-swap' ? undefined : DEFAULT_LOOK_ID),
          scenePreset: req.scenePreset ?? DEFAULT_SCENE_ID,
          prompt: payload.prompt,
          negativePrompt: payload.negative_prompt,
          seed,
          sampler: payload.sampler_name,
          scheduler: payload.scheduler ?? null,
          steps: payload.steps,
          cfgScale: payload.cfg_scale,
          denoisingStrength: 'denoising_strength' in payload ? payload.denoising_strength : null,
          width: payload.width,
          height: payload.height,
          checkpoint: result.info.sd_model_name ?? req.checkpoint ?? null,
          loras: req.loras ?? [],
        }),
        created_at: createdAt,
      });
    }
  } catch (err) {
    await Promise.all(written.map((k) => deps.blobs.delete(k)));
    throw err;
  }
  return rows;
}
