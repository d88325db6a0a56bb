// Runs one job on one backend: plan it for the checkpoint's family, prepare the inputs, build the recipe's
// payload, generate while following our own task on the server, put the original garment back, store the results.
import sharp from 'sharp';
import { maskGrowthPx, pickSampler, resolveCheckpoint, splitCount, type RecipeCommon } from '../../lib/sd/recipes.ts';
import { pickUpscaler, type UpscalerChoice } from '../../lib/sd/upscaler.ts';
import { buildRecipe, recipeSpec, type RecipeSpec } from '../../lib/recipes/table.ts';
import { BackendError } from '../../lib/sd/errors.ts';
import {
  FAMILIES,
  OPENPOSE_EXAMPLES,
  checkpointFamily,
  pickOpenposeModel,
  type ControlNetChoice,
  type FamilyOverride,
  type ResolvedFamily,
} from '../../lib/sd/family.ts';
import { triggerWordsFromMetadata } from '../../lib/sd/prompt.ts';
import type { SdClient, GenerationResult } from '../backend/client.ts';
import type { BackendLists, Img2ImgRequest, Txt2ImgRequest } from '../../lib/sd/types.ts';
import { familySize, type GenerationSize } from '../../lib/sd/size.ts';
import { DEFAULT_LOOK_ID, DEFAULT_SCENE_ID, requireModelLook, requireScene } from '../../lib/presets/index.ts';
import { toPhotoSize } from '../images/composite.ts';
import { compositeSeamless, prepareSeam, type PreparedSeam } from '../images/seam.ts';
import { measureResult, needsCheck, type ResultChecks } from '../images/checks.ts';
import { LRUCache } from 'lru-cache';
import { rgbRaw } from '../images/raw.ts';
import type { BlobStore } from '../store/blobs.ts';
import { newId } from '../ids.ts';
import { cachedInputs, dilate, prepareInputs, type GenerationInputs, type SourceImages } from './inputs.ts';
import type { ResolvedJobRequest as CreateJobRequest } from '../../lib/api/job-request.ts';
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
  /** Blend band width in generated pixels (ATELIER_FEATHER_PX). */
  featherPx: number;
  /** The operator's upscaler (ATELIER_UPSCALER), else one is picked from the server's list. */
  upscaler: string | null;
  loadSource(sessionId: string): Promise<JobSource>;
  onProgress(p: JobProgress & { preview: Buffer | null }): void;
  /** True once the merchant canceled: our task is interrupted when (and only when) it runs on the server. */
  canceled(): boolean;
  /** No progress for this long (ms): the request is given up and the job tried again (ATELIER_STALL_SECONDS). */
  stallMs: number;
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
  /** The server's upscaler for the results (null: resized here). */
  upscaler: UpscalerChoice | null;
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
  deps: Pick<RunDeps, 'generationMaxSide' | 'familyOverrides' | 'upscaler'>,
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
    const pick = (l: BackendLists) =>
      pickOpenposeModel(l.controlnetModels ?? [], family.family, { kind: l.kind, overrides: deps.familyOverrides });
    openpose = pick(lists);
    if (!openpose) {
      lists = await client.lists({ signal, refresh: true });
      openpose = pick(lists);
    }
    if (!openpose) {
      const what =
        lists.controlnetModels === null
          ? 'the ControlNet extension is not installed'
          : `no OpenPose ControlNet model for ${info.label} checkpoints is installed ` +
            `(for example ${OPENPOSE_EXAMPLES[family.family] ?? 'an OpenPose model'})`;
      const forge =
        lists.kind === 'forge' && lists.controlnetModels !== null
          ? '; Forge reads its ControlNet models only when it starts: restart Forge after adding them'
          : '';
      throw new BackendError({ kind: 'validation', code: 'controlnet_missing', retryable: false, detail: what + forge });
    }
  }
  return { checkpoint, family, size, openpose, upscaler: pickUpscaler(lists.upscalers, deps.upscaler) };
}

function buildPayload(
  req: CreateJobRequest,
  lists: BackendLists,
  plan: GenerationPlan,
  inputs: GenerationInputs,
): Img2ImgRequest | Txt2ImgRequest {
  const common: RecipeCommon = {
    size: inputs.size,
    backendKind: lists.kind,
    sampler: pickSampler(lists),
    count: req.count,
    seed: req.seed,
    variation: req.variation,
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
    if (err instanceof RangeError)
      throw new BackendError({ kind: 'validation', code: 'validation', detail: err.message, retryable: false });
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
const seams = new LRUCache<string, Promise<PreparedSeam | null>>({ max: 4 });

function seamFor(
  req: CreateJobRequest,
  src: JobSource,
  size: { width: number; height: number },
  bandGeneratedPx: number,
): Promise<PreparedSeam | null> {
  const keeps = recipeSpec(req.recipe).keeps;
  const upscale = Math.max(src.width, src.height) / Math.max(size.width, size.height);
  const key = `${src.version}:${size.width}x${size.height}:${bandGeneratedPx}:${keeps}`;
  let p = seams.get(key);
  if (!p) {
    p = (async () => {
      const keep = keepMask(keeps, src, size);
      if (!keep) return null;
      const original = await rgbRaw(sharp(src.originalPng));
      return prepareSeam(original, keep, { bandGeneratedPx, upscale });
    })();
    p.catch(() => seams.delete(key));
    seams.set(key, p);
  }
  return p;
}

/** Mean absolute difference (0–255) between the generation and the photo over the kept core: how much the
 * generator itself changed the garment before it was put back. */
function generatorChange(prepared: PreparedSeam, generated: { data: Buffer | Uint8Array }): { mad: number; pixels: number } {
  const o = prepared.original.data;
  const g = generated.data;
  let sum = 0;
  let n = 0;
  for (let i = 0, p = 0; i < prepared.alpha.length; i++, p += 3) {
    if (prepared.alpha[i] !== 255) continue;
    sum += Math.abs(o[p] - g[p]) + Math.abs(o[p + 1] - g[p + 1]) + Math.abs(o[p + 2] - g[p + 2]);
    n++;
  }
  return { mad: n ? sum / (3 * n) : 0, pixels: n };
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
async function followTask(
  client: SdClient,
  taskId: string,
  deps: RunDeps,
  signal: AbortSignal,
  running: () => boolean,
  abandon: (reason?: Error) => void,
): Promise<void> {
  let mode: 'task' | 'global' = 'task';
  // Stall watch: the last time anything moved (our progress, our place in the queue, the server's own job).
  let lastMove = Date.now();
  let lastSignature = '';
  let active = false;
  const moved = (signature: string) => {
    if (signature !== lastSignature) {
      lastSignature = signature;
      lastMove = Date.now();
    }
  };
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
      if (Date.now() - lastMove > deps.stallMs) {
        // Nothing moved for the stall time: stop waiting (our own task is interrupted if it is the one running),
        // and let the scheduler try again, elsewhere when another server answers.
        if (active) await client.interrupt({ signal: AbortSignal.timeout(5000) }).catch(() => {});
        abandon(
          new BackendError({
            kind: 'timeout',
            code: 'stalled',
            retryable: true,
            detail: `nothing for ${Math.round(deps.stallMs / 1000)} s`,
          }),
        );
        break;
      }
      const pollSignal = AbortSignal.any([signal, AbortSignal.timeout(POLL_TIMEOUT_MS)]);
      try {
        if (mode === 'task') {
          const t = await client.taskProgress(taskId, { signal: pollSignal, livePreview: true, lastPreviewId });
          if (canceledAt && t) heardSinceCancel = true;
          active = t?.active ?? false;
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
            // Waiting behind someone else's job is not a stall while that job moves.
            const g = await client.progress({ signal: pollSignal, skipCurrentImage: true }).catch(() => null);
            moved(`queued ${t.textinfo} ${g?.state.job_no}:${g?.state.sampling_step}:${g?.progress}`);
          } else if (t.active) {
            // Ours runs: the global state is ours too, and says which step.
            const g = await client.progress({ signal: pollSignal, skipCurrentImage: true }).catch(() => null);
            moved(`active ${t.progress} ${g?.state.job_no}:${g?.state.sampling_step}`);
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
          moved(`global ${p.state.job_count}:${p.state.job_no}:${p.state.sampling_step}:${p.progress}`);
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

  const generate = async (body: Img2ImgRequest | Txt2ImgRequest, task: string): Promise<GenerationResult> => {
    // The generation call and its follower share one abort: a cancel on a server that cannot tell tasks apart
    // abandons our request (it still runs there, we discard it) rather than interrupting someone else.
    body.force_task_id = task;
    const call = new AbortController();
    const onAbort = () => call.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    let running = true;
    const follower = followTask(
      client,
      task,
      deps,
      call.signal,
      () => running,
      (reason) => call.abort(reason ?? new Error('canceled')),
    );
    try {
      const validate = await client.lists({ signal: call.signal });
      return 'init_images' in body
        ? await client.img2img(body, { signal: call.signal, validate })
        : await client.txt2img(body, { signal: call.signal, validate });
    } finally {
      running = false;
      signal.removeEventListener('abort', onAbort);
      call.abort(new Error('done'));
      await follower;
    }
  };
  const checkCanceled = () => {
    if (signal.aborted || deps.canceled()) throw signal.reason ?? new Error('canceled');
  };

  const result = await generate(payload, taskId);
  checkCanceled();
  if (result.images.length === 0) throw new BackendError({ kind: 'bad-response', detail: 'the server returned no image' });

  // The band also covers the server's own soft edge (mask_blur, in generated pixels): at the core's boundary the
  // generation then shows the garment, not a blend of it with the new body.
  const maskBlur = (recipeSpec(req.recipe).defaults as { maskBlur?: number } | null)?.maskBlur ?? 0;
  const seam = await seamFor(req, src, size, deps.featherPx + maskBlur);
  const candidates: Finished[] = [];
  for (const [i, b64] of result.images.entries()) {
    candidates.push(await finish(b64, result.seeds[i] ?? null, plan, seam, src, client, signal));
  }

  // "Check this one" results are made once more with a new seed when the merchant asked; the better one stays.
  const flagged = candidates.map((c, i) => (c.check ? i : -1)).filter((i) => i >= 0);
  if (req.reroll && flagged.length) {
    const again = await generate({ ...payload, seed: -1, ...splitCount(flagged.length) }, `${taskId}-again`);
    checkCanceled();
    for (const [k, b64] of again.images.slice(0, flagged.length).entries()) {
      const fresh = await finish(b64, again.seeds[k] ?? null, plan, seam, src, client, signal);
      const i = flagged[k];
      if (!fresh.check || (fresh.checks?.seamColour ?? Infinity) < (candidates[i].checks?.seamColour ?? Infinity)) {
        candidates[i] = { ...fresh, rerolled: true };
      }
    }
  }

  const rows: ResultRow[] = [];
  const written: string[] = [];
  const createdAt = new Date().toISOString();
  try {
    for (const [i, c] of candidates.entries()) {
      const id = newId();
      await deps.blobs.put(resultKey(job.id, id), c.png);
      written.push(resultKey(job.id, id));
      rows.push({
        id,
        job_id: job.id,
        session_id: req.sessionId,
        idx: i,
        seed: c.seed,
        width: src.width,
        height: src.height,
        fidelity_before: c.generatorChange?.mad ?? null,
        fidelity_after: c.checks ? (c.checks.coreChanged === 0 ? 0 : c.checks.coreChanged / Math.max(1, c.checks.corePixels)) : null,
        fidelity_pixels: c.checks?.corePixels ?? null,
        checks: JSON.stringify({
          ...(c.checks ?? {}),
          check: c.check,
          upscaler: c.upscaler,
          upscaleNote: c.upscaleNote,
          bandPx: seam?.bandPx ?? null,
          upscaleFactor: Math.round((Math.max(src.width, src.height) / Math.max(size.width, size.height)) * 100) / 100,
          rerolled: c.rerolled ?? false,
          timings: c.timings,
        }),
        params: JSON.stringify({
          recipe: req.recipe,
          modelPreset: req.modelPreset ?? (recipeSpec(req.recipe).needs.look ? DEFAULT_LOOK_ID : undefined),
          scenePreset: req.scenePreset ?? DEFAULT_SCENE_ID,
          prompt: payload.prompt,
          negativePrompt: payload.negative_prompt,
          seed: c.seed,
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
          upscaler: c.upscaler,
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

interface Finished {
  png: Buffer;
  seed: number | null;
  checks: ResultChecks | null;
  check: boolean;
  generatorChange: { mad: number; pixels: number } | null;
  /** The server's upscaler that brought it to the photo's size, or null (resized here). */
  upscaler: string | null;
  /** Why it was resized here instead (no upscaler on the server, or it failed). */
  upscaleNote: string | null;
  timings: { upscaleMs: number; compositeMs: number };
  /** Made again with a new seed because the first one needed a look. */
  rerolled?: boolean;
}

/**
 * One generated image to a finished result: brought to the photo's resolution by the server's upscaler (else
 * resized here), the garment put back without a seam, measured.
 */
async function finish(
  b64: string,
  seed: number | null,
  plan: GenerationPlan,
  seam: PreparedSeam | null,
  src: JobSource,
  client: SdClient,
  signal: AbortSignal,
): Promise<Finished> {
  const t0 = performance.now();
  let bytes = Buffer.from(b64, 'base64');
  let upscaler: string | null = null;
  let upscaleNote: string | null = plan.upscaler ? null : 'the generation server has no upscaler model: resized';
  if (plan.upscaler) {
    try {
      bytes = Buffer.from(
        await client.upscale(b64, { upscaler: plan.upscaler.name, width: src.width, height: src.height, signal }),
        'base64',
      );
      upscaler = plan.upscaler.name;
    } catch (err) {
      if (signal.aborted) throw err;
      upscaleNote = `the generation server's upscaler failed (${(err as Error).message}): resized`;
    }
  }
  // Exactly the photo's size (the server rounds each side down to a multiple of 8).
  const generated = await toPhotoSize(bytes, src.width, src.height);
  const t1 = performance.now();
  let image: { data: Buffer | Uint8Array; width: number; height: number } = generated;
  let checks: ResultChecks | null = null;
  let change: Finished['generatorChange'] = null;
  if (seam) {
    change = generatorChange(seam, generated);
    image = compositeSeamless(seam, generated, seed ?? 0);
    checks = measureResult(seam, image);
  }
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png({ compressionLevel: 2 })
    .toBuffer();
  const t2 = performance.now();
  return {
    png,
    seed,
    checks,
    check: checks ? needsCheck(checks) : false,
    generatorChange: change,
    upscaler,
    upscaleNote,
    timings: { upscaleMs: Math.round(t1 - t0), compositeMs: Math.round(t2 - t1) },
  };
}
