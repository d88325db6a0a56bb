// Runs one job on one backend: plan it for the checkpoint's family, prepare the inputs, build the recipe's
// payload, generate while following our own task on the server, put the original garment back, store the results.
import sharp from 'sharp';
import { maskGrowthPx, pickSampler, resolveCheckpoint, type RecipeCommon } from '../backend/recipes.ts';
import { buildRecipe, recipeSpec, type RecipeSpec } from '../recipes/table.ts';
import { BackendError } from '../backend/errors.ts';
import { FAMILIES, OPENPOSE_EXAMPLES, checkpointFamily, pickOpenposeModel, type ControlNetChoice, type FamilyOverride, type ResolvedFamily } from '../backend/family.ts';
import { triggerWordsFromMetadata } from '../backend/prompt.ts';
import type { SdClient, GenerationResult } from '../backend/client.ts';
import type { BackendLists, Img2ImgRequest, Txt2ImgRequest } from '../backend/types.ts';
import { familySize, type GenerationSize } from '../backend/size.ts';
import { DEFAULT_LOOK_ID, DEFAULT_SCENE_ID, requireModelLook, requireScene } from '../presets/index.ts';
import { applyComposite, prepareComposite, toPhotoSize, type PreparedComposite } from '../images/composite.ts';
import { LRUCache } from 'lru-cache';
import { rgbRaw } from '../images/raw.ts';
import type { BlobStore } from '../store/blobs.ts';
import { newId } from '../ids.ts';
import { cachedInputs, dilate, prepareInputs, type GenerationInputs, type SourceImages } from './inputs.ts';
import type { ResolvedJobRequest as CreateJobRequest } from './schema.ts';
import type { JobProgress, JobRow, ResultRow } from './store.ts';

export interface JobSource extends SourceImages {
  /** Changes whenever the photo, mask or pose changes (input cache key). */
  version: string;
  width: number;
  height: number;
}

export interface RunDeps {
  blobs: BlobStore;
  generationMaxSide: number;
  familyOverrides: readonly FamilyOverride[];
  featherPx: number;
  loadSource(sessionId: string): Promise<JobSource>;
  onProgress(p: JobProgress & { preview: Buffer | null }): void;
  /** True once the merchant canceled: our task is interrupted when (and only when) it runs on the server. */
  canceled(): boolean;
}

export const resultKey = (jobId: string, resultId: string) => `results/${jobId}/${resultId}.png`;
/** Per-task polls twice a second: live previews refresh at most that often. */
const TASK_POLL_MS = 500;
/** Without per-task progress (--nowebui) the global progress is read once a second. */
const GLOBAL_POLL_MS = 1000;
/** A progress read that takes longer is given up (the next poll tries again). */
const POLL_TIMEOUT_MS = 5000;
/** After a cancel, a server that says nothing about our task for this long is left: our request is abandoned. */
const CANCEL_GIVE_UP_MS = 10_000;

function noModel(what: string): BackendError {
  return new BackendError({ kind: 'validation', code: 'unknown_name', detail: what });
}

export interface GenerationPlan {
  /** Exact title of the checkpoint the job runs on (pinned in the payload). */
  checkpoint: string;
  family: ResolvedFamily;
  size: GenerationSize;
  /** The OpenPose ControlNet model of that family, for pose-guided recipes. */
  openpose: ControlNetChoice | null;
}

/**
 * Chooses the checkpoint (the one asked for, else the one the server has loaded), learns its family, and from it
 * the generation size and the OpenPose ControlNet model. A model missing from the lists is looked for once more
 * in fresh lists before the job fails (Forge reads its ControlNet list only at its start: the message says so).
 */
export async function planGeneration(
  req: CreateJobRequest,
  client: SdClient,
  lists: BackendLists,
  photo: { width: number; height: number },
  deps: Pick<RunDeps, 'generationMaxSide' | 'familyOverrides'>,
  signal?: AbortSignal,
): Promise<GenerationPlan> {
  const wanted = req.checkpoint ?? lists.currentCheckpoint ?? lists.checkpoints[0]?.title;
  if (!wanted) throw noModel('the generation server lists no checkpoint');
  let checkpoint = resolveCheckpoint(wanted, lists.checkpoints);
  if (!checkpoint) {
    lists = await client.lists({ signal, refresh: true });
    checkpoint = resolveCheckpoint(wanted, lists.checkpoints);
  }
  if (!checkpoint) throw noModel(`checkpoint "${wanted}" is not installed`);
  const metadata = await client.checkpointMetadata(checkpoint, { signal }).catch(() => null);
  const family = checkpointFamily(checkpoint, { overrides: deps.familyOverrides, metadata });
  const info = FAMILIES[family.family];
  const size = familySize(photo.width, photo.height, info, deps.generationMaxSide);
  let openpose: ControlNetChoice | null = null;
  if (recipeSpec(req.recipe).poseGuide !== 'none') {
    if (!info.controlnet) {
      throw new BackendError({
        kind: 'validation',
        code: 'family_unsupported',
        retryable: false,
        detail: `${checkpoint} is a ${info.label} model`,
      });
    }
    const pick = (l: BackendLists) => pickOpenposeModel(l.controlnetModels ?? [], family.family, { kind: l.kind, overrides: deps.familyOverrides });
    openpose = pick(lists);
    if (!openpose) {
      lists = await client.lists({ signal, refresh: true });
      openpose = pick(lists);
    }
    if (!openpose) {
      const what =
        lists.controlnetModels === null
          ? 'the ControlNet extension is not installed'
          : `no OpenPose ControlNet model for ${info.label} checkpoints is installed (for example ${OPENPOSE_EXAMPLES[family.family] ?? 'an OpenPose model'})`;
      const forge = lists.kind === 'forge' && lists.controlnetModels !== null ? '; Forge reads its ControlNet models only when it starts: restart Forge after adding them' : '';
      throw new BackendError({ kind: 'validation', code: 'controlnet_missing', retryable: false, detail: what + forge });
    }
  }
  return { checkpoint, family, size, openpose };
}

function buildPayload(req: CreateJobRequest, lists: BackendLists, plan: GenerationPlan, inputs: GenerationInputs): Img2ImgRequest | Txt2ImgRequest {
  const common: RecipeCommon = {
    size: inputs.size,
    backendKind: lists.kind,
    sampler: pickSampler(lists),
    count: req.count,
    seed: req.seed,
    // Always pinned: the family (size, ControlNet) was chosen for this checkpoint, whatever another client loads.
    checkpoint: plan.checkpoint,
    prompt: req.prompt,
    negativePrompt: req.negativePrompt,
    loras: req.loras,
  };
  try {
    return buildRecipe(req.recipe, {
      common,
      inputs: { initB64: inputs.initB64, maskB64: inputs.maskB64, grownMaskB64: inputs.grownMaskB64, skeletonB64: inputs.skeletonB64 },
      look: requireModelLook(req.modelPreset ?? DEFAULT_LOOK_ID),
      scene: requireScene(req.scenePreset ?? DEFAULT_SCENE_ID),
      openpose: plan.openpose,
    });
  } catch (err) {
    // A missing input (mask, pose) the service let through: the merchant's words, not an internal error.
    if (err instanceof RangeError) throw new BackendError({ kind: 'validation', code: 'validation', detail: err.message, retryable: false });
    throw err;
  }
}

/** Which photo pixels the composite keeps exactly, as the recipe's table entry says (src/lib/recipes/table.ts). */
function keepMask(keeps: RecipeSpec['keeps'], src: JobSource, size: { width: number; height: number }): Buffer | null {
  if (keeps === 'nothing' || !src.mask) return null;
  if (keeps === 'garment') return src.mask.data;
  // All but the region the backend repainted, in photo pixels: the growth prepareInputs applied, scaled up.
  const px = Math.max(1, Math.round((Math.max(src.width, src.height) / Math.max(size.width, size.height)) * maskGrowthPx(size)));
  const grown = dilate(src.mask.data, src.width, src.height, px);
  for (let i = 0; i < grown.length; i++) grown[i] = grown[i] ? 0 : 255;
  return grown;
}

// The decoded photo and the blend weights depend on the session's state only: reused across jobs.
const composites = new LRUCache<string, Promise<PreparedComposite | null>>({ max: 4 });

function compositeFor(req: CreateJobRequest, src: JobSource, size: { width: number; height: number }, featherPx: number): Promise<PreparedComposite | null> {
  const keeps = recipeSpec(req.recipe).keeps;
  const key = `${src.version}:${size.width}x${size.height}:${featherPx}:${keeps}`;
  let p = composites.get(key);
  if (!p) {
    p = (async () => {
      const keep = keepMask(keeps, src, size);
      if (!keep) return null;
      const original = await rgbRaw(sharp(src.originalPng));
      return prepareComposite(original, keep, featherPx);
    })();
    p.catch(() => composites.delete(key));
    composites.set(key, p);
  }
  return p;
}

/** "In queue: 2/3" → 2. */
function queuePlace(textinfo: string | null): number {
  const m = /(\d+)\s*\/\s*\d+/.exec(textinfo ?? '');
  return m ? Math.max(1, Number(m[1])) : 1;
}

function dataUrlBytes(url: string): Buffer | null {
  const i = url.indexOf(',');
  return url.startsWith('data:') && i > 0 ? Buffer.from(url.slice(i + 1), 'base64') : null;
}

/**
 * Follows our own task on the server until `done()` says the generation call returned: per task through
 * `POST /internal/progress` (queued behind someone else → "waiting"; active → ours), or, when the server has no
 * such route (--nowebui), through the global progress. Interrupts our task after a cancel — only when the
 * server says it is ours that runs (interrupt is global: sd_webui shared_state.py interrupt() has no task id).
 * Returns how the server was followed ('task' or 'global').
 */
async function followTask(client: SdClient, taskId: string, deps: RunDeps, signal: AbortSignal, running: () => boolean, abandon: () => void): Promise<void> {
  let mode: 'task' | 'global' = 'task';
  let lastPreviewId = -1;
  let interrupted = false;
  let polls = 0;
  let canceledAt = 0;
  let heardSinceCancel = false;
  let wake = () => {};
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  const stop = () => wake();
  signal.addEventListener('abort', stop, { once: true });
  try {
    while (running() && !signal.aborted) {
      await pause(mode === 'task' ? TASK_POLL_MS : GLOBAL_POLL_MS);
      if (!running()) break;
      if (deps.canceled() && !canceledAt) canceledAt = Date.now();
      if (canceledAt && !heardSinceCancel && Date.now() - canceledAt > CANCEL_GIVE_UP_MS) {
        abandon(); // the server does not answer about our task (stalled): stop waiting for it
        break;
      }
      const pollSignal = AbortSignal.any([signal, AbortSignal.timeout(POLL_TIMEOUT_MS)]);
      try {
        if (mode === 'task') {
          const t = await client.taskProgress(taskId, { signal: pollSignal, livePreview: true, lastPreviewId });
          if (canceledAt && t) heardSinceCancel = true;
          if (t === null) {
            mode = 'global';
            // The server cannot tell whose job runs: a cancel abandons our request instead of interrupting.
            if (deps.canceled()) abandon();
            continue;
          }
          if (!running()) break;
          if (deps.canceled() && t.active && !interrupted) {
            interrupted = true;
            await client.interrupt({ signal: AbortSignal.timeout(5000) }).catch(() => {});
          }
          if (t.queued) {
            deps.onProgress({ progress: 0, step: null, steps: null, etaSeconds: null, serverQueue: queuePlace(t.textinfo), preview: null });
          } else if (t.active) {
            // Ours runs: the global state is ours too, and says which step.
            const g = await client.progress({ signal: pollSignal, skipCurrentImage: true }).catch(() => null);
            const steps = g && g.state.sampling_steps > 0 ? g.state.sampling_steps : null;
            let preview: Buffer | null = null;
            if (t.live_preview && t.id_live_preview !== null) {
              preview = dataUrlBytes(t.live_preview);
              lastPreviewId = t.id_live_preview;
            }
            deps.onProgress({
              progress: Math.max(0, Math.min(0.99, t.progress ?? 0)),
              step: steps === null ? null : g!.state.sampling_step,
              steps,
              etaSeconds: t.eta !== null && Number.isFinite(t.eta) && t.eta > 0 ? t.eta : null,
              serverQueue: null,
              preview,
            });
          }
        } else {
          if (deps.canceled()) {
            abandon();
            break;
          }
          const withPreview = ++polls % 2 === 0;
          const p = await client.progress({ signal: pollSignal, skipCurrentImage: !withPreview });
          if (!running() || p.state.job_count === 0) continue;
          deps.onProgress({
            progress: Math.max(0, Math.min(0.99, p.progress)),
            step: p.state.sampling_steps ? p.state.sampling_step : null,
            steps: p.state.sampling_steps || null,
            etaSeconds: Number.isFinite(p.eta_relative) && p.eta_relative > 0 ? p.eta_relative : null,
            serverQueue: null,
            preview: withPreview && p.current_image ? Buffer.from(p.current_image, 'base64') : null,
          });
        }
      } catch {
        // A missed poll only delays the progress bar; the generation call reports real failures.
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

export async function runJob(job: JobRow, client: SdClient, deps: RunDeps, signal: AbortSignal): Promise<ResultRow[]> {
  const req = JSON.parse(job.params) as CreateJobRequest;
  const src = await deps.loadSource(req.sessionId);
  const lists = await client.lists({ signal });
  const plan = await planGeneration(req, client, lists, src, deps, signal);
  const size = plan.size;
  const grown = recipeSpec(req.recipe).growMask;
  const inputs = await cachedInputs(`${src.version}:${size.width}x${size.height}:${grown}`, () => prepareInputs(src, size, { grown }));
  if (req.loras?.length) {
    // Clothing LoRAs need their trigger words in the prompt; they come from the LoRA's metadata.
    const installed = await client.loras({ signal });
    req.loras = req.loras.map((l) => {
      const meta = installed.find((i) => i.name === l.name || i.alias === l.name)?.metadata;
      return { ...l, triggerWords: triggerWordsFromMetadata(meta) };
    });
  }
  const payload = buildPayload(req, lists, plan, inputs);
  // Our own task id: progress, live preview and cancel act on this task only, never on another client's.
  const taskId = `atelier-${job.id}-${job.attempts}`;
  payload.force_task_id = taskId;

  // The generation call and its follower share one abort: a cancel on a server that cannot tell tasks apart
  // abandons our request (it still runs there, we discard it) rather than interrupting someone else.
  const call = new AbortController();
  const onAbort = () => call.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  let running = true;
  const follower = followTask(client, taskId, deps, call.signal, () => running, () => call.abort(new Error('canceled')));
  let result: GenerationResult;
  try {
    const validate = await client.lists({ signal: call.signal });
    result = 'init_images' in payload ? await client.img2img(payload, { signal: call.signal, validate }) : await client.txt2img(payload, { signal: call.signal, validate });
  } finally {
    running = false;
    signal.removeEventListener('abort', onAbort);
    call.abort(new Error('done'));
    await follower;
  }
  if (signal.aborted || deps.canceled()) throw signal.reason ?? new Error('canceled');
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
          modelPreset: req.modelPreset ?? (recipeSpec(req.recipe).needs.look ? DEFAULT_LOOK_ID : undefined),
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
          checkpoint: plan.checkpoint,
          family: plan.family.family,
          controlnet: plan.openpose?.model ?? null,
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
