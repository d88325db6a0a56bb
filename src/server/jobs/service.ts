// Generation jobs as the API sees them: validation before queueing, the scheduler singleton over the
// configured backends, the JSON shape of a job and its results, live previews.
import sharp from 'sharp';
import { LRUCache } from 'lru-cache';
import { greyRaw } from '../images/raw.ts';
import { readUprightPhoto } from '../images/original.ts';
import { app, assertDiskRoom } from '../app/context.ts';
import { createSdClients } from '../backend/client.ts';
import { ApiError, notFound } from '../http/errors.ts';
import { newId } from '../ids.ts';
import { getModelLook, getScene } from '../../lib/presets/index.ts';
import { getImage, getSession, maskBlobKey } from '../sessions/service.ts';
import { getPose } from '../sessions/pose.ts';
import { publishJob } from './events.ts';
import { JobScheduler } from './scheduler.ts';
import { resultKey, type JobSource } from './runner.ts';
import { CreateJobSchema, isTerminal, type CreateJobRequest } from '../../lib/api/job-request.ts';
import { recipeSpec } from '../../lib/recipes/table.ts';
import {
  getJob,
  getResult,
  insertJob,
  jobsForSession,
  jobsPage,
  resultsForJob,
  resultsForSession,
  resultsPage,
  type JobRow,
  type ResultRow,
} from './store.ts';
import type { Page } from '../store/page.ts';
import { POSE_ERROR_LIMIT } from '../../lib/pose/error.ts';

let scheduler: JobScheduler | null = null;
const previews = new Map<string, { png: Buffer; version: number }>();

export const NO_BACKEND_MESSAGE =
  'No image generation server is configured. ' +
  'Set SD_WEBUI_URL to your Stable Diffusion WebUI address (started with --api) and restart the studio.';

/** Starts the job loops once per process (also re-queues jobs a restart interrupted). */
export function startJobs(): JobScheduler | null {
  if (scheduler) return scheduler;
  const { config, db, blobs } = app();
  if (config.backends.length === 0) return null;
  scheduler = new JobScheduler(
    {
      db,
      blobs,
      generationMaxSide: config.generationMaxSide,
      familyOverrides: config.modelFamilies,
      upscaler: config.upscaler,
      stallMs: config.stallMs,
      featherPx: config.featherPx,
      loadSource,
      publish: (id) => {
        const row = getJob(db, id);
        if (row) publishJob({ jobId: id, job: jobJson(row), terminal: isTerminal(row.state) });
      },
      setPreview: (id, png) => {
        if (png) previews.set(id, { png, version: (previews.get(id)?.version ?? 0) + 1 });
        else previews.delete(id);
      },
    },
    createSdClients(config.backends),
  );
  scheduler.start();
  return scheduler;
}

// A session's photo, mask and pose, decoded once per version (they change only when edited).
const sources = new LRUCache<string, Promise<JobSource>>({ max: 4 });

function loadSource(sessionId: string): Promise<JobSource> {
  const session = getSession(sessionId);
  const pose = getPose(sessionId);
  const version = `${sessionId}:${session.image.id}:${session.mask?.rev ?? 0}:${pose?.rev ?? 0}`;
  let p = sources.get(version);
  if (!p) {
    p = (async () => {
      const { blobs } = app();
      const image = getImage(session.image.id);
      const maskKey = maskBlobKey(sessionId);
      const [originalPng, maskPng] = await Promise.all([readUprightPhoto(blobs, image), maskKey ? blobs.get(maskKey) : null]);
      const mask = maskPng ? await greyRaw(sharp(maskPng)) : null;
      return { originalPng, mask, pose: pose?.pose ?? null, width: image.width, height: image.height, version };
    })();
    p.catch(() => sources.delete(version));
    sources.set(version, p);
  }
  return p;
}

/** Queues a generation; `batchId` puts it in that batch's lane of the queue (src/server/jobs/store.ts). */
export function createJob(body: unknown, batchId: string | null = null) {
  const req: CreateJobRequest = CreateJobSchema.parse(body);
  if (req.variation !== undefined && !(req.seed !== undefined && req.seed >= 0)) {
    throw new ApiError(400, 'seed_required', 'A variation needs the seed of the result it varies.');
  }
  const session = getSession(req.sessionId);
  const needs = recipeSpec(req.recipe).needs;
  if (needs.mask && !session.mask) {
    throw new ApiError(409, 'mask_required', 'Select the garment first (step 1) and save the selection.');
  }
  if (needs.pose && !getPose(req.sessionId)) {
    throw new ApiError(409, 'pose_required', 'Check and save the pose first (step 2).');
  }
  if (req.modelPreset && !getModelLook(req.modelPreset))
    throw new ApiError(400, 'unknown_preset', `Unknown model look "${req.modelPreset}".`);
  if (req.scenePreset && !getScene(req.scenePreset)) throw new ApiError(400, 'unknown_preset', `Unknown scene "${req.scenePreset}".`);
  if (needs.lora && !req.loras?.length) {
    throw new ApiError(400, 'lora_required', 'This recipe needs a clothing LoRA: choose one from the list.');
  }
  const sched = startJobs();
  if (!sched) throw new ApiError(503, 'no_backend', NO_BACKEND_MESSAGE);
  // Results need room: refused now rather than failing after minutes of generation.
  assertDiskRoom();
  const row = insertJob(app().db, newId(), req, batchId);
  sched.wake();
  return jobJson(row);
}

export interface ResultChecksJson {
  coreChanged?: number;
  corePixels?: number;
  seamColour?: number | null;
  seamGradient?: number | null;
  sharpness?: number | null;
  /** Worth a look before it goes in a catalogue. */
  check: boolean;
  upscaler: string | null;
  upscaleNote: string | null;
  bandPx: number | null;
  upscaleFactor: number;
  rerolled: boolean;
  timings: { upscaleMs: number; compositeMs: number };
  /** Measured in the browser with its pose model (PUT /api/results/:id/pose-check), in shoulder widths. */
  poseError?: number;
  poseJoints?: number;
}

function resultJson(r: ResultRow) {
  return {
    id: r.id,
    jobId: r.job_id,
    url: `/api/results/${r.id}.png`,
    width: r.width,
    height: r.height,
    seed: r.seed,
    fidelity: r.fidelity_after === null ? null : { before: r.fidelity_before, after: r.fidelity_after, pixels: r.fidelity_pixels },
    /** Measured figures: garment core exact, seam, sharpness, upscaler, "check this one". */
    checks: r.checks ? (JSON.parse(r.checks) as ResultChecksJson) : null,
    params: JSON.parse(r.params) as Record<string, unknown>,
    createdAt: r.created_at,
  };
}
export type ResultJson = ReturnType<typeof resultJson>;

export function jobJson(row: JobRow) {
  const preview = previews.get(row.id);
  return {
    id: row.id,
    sessionId: row.session_id,
    recipe: row.recipe,
    state: row.state,
    progress: { fraction: row.progress, step: row.step, steps: row.steps, etaSeconds: row.eta_seconds },
    /** The generation server runs another client's work first; our place in its queue. */
    serverQueue: row.state === 'running' ? row.server_queue : null,
    cancelRequested: row.cancel_requested === 1 && row.state === 'running',
    attempts: row.attempts,
    error: row.error_code && row.state !== 'succeeded' ? { code: row.error_code, message: row.error_message ?? '' } : null,
    previewUrl: preview && row.state === 'running' ? `/api/jobs/${row.id}/preview.png?v=${preview.version}` : null,
    results: row.state === 'succeeded' ? resultsForJob(app().db, row.id).map(resultJson) : [],
    params: JSON.parse(row.params) as CreateJobRequest,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}
export type JobJson = ReturnType<typeof jobJson>;

export function getJobJson(id: string): JobJson {
  const row = getJob(app().db, id);
  if (!row) throw notFound('The job');
  return jobJson(row);
}

export async function cancelJob(id: string): Promise<JobJson> {
  const row = getJob(app().db, id);
  if (!row) throw notFound('The job');
  if (!isTerminal(row.state)) await startJobs()?.cancel(id);
  return getJobJson(id);
}

export function jobPreview(id: string): Buffer | null {
  return previews.get(id)?.png ?? null;
}

export function sessionResults(sessionId: string) {
  getSession(sessionId);
  return resultsForSession(app().db, sessionId).map(resultJson);
}

/** A page of a session's results (GET /api/sessions/:id/results?limit=&cursor=). */
export function sessionResultsPage(sessionId: string, page: Page) {
  getSession(sessionId);
  const { rows, nextCursor } = resultsPage(app().db, sessionId, page);
  return { results: rows.map(resultJson), nextCursor };
}

/** A page of a session's jobs, newest first (GET /api/jobs?sessionId=&limit=&cursor=). */
export function sessionJobsPage(sessionId: string, page: Page) {
  getSession(sessionId);
  const { rows, nextCursor } = jobsPage(app().db, sessionId, page);
  return { jobs: rows.map(jobJson), nextCursor };
}

export function sessionJobs(sessionId: string) {
  getSession(sessionId);
  return jobsForSession(app().db, sessionId).map(jobJson);
}

/** Stores the pose error a browser measured on a result; a result far from its pose is marked "check this one". */
export function recordPoseCheck(id: string, m: { error: number; joints: number }) {
  const { db } = app();
  const row = getResult(db, id);
  if (!row) throw notFound('The result');
  const checks: ResultChecksJson = row.checks ? (JSON.parse(row.checks) as ResultChecksJson) : ({ check: false } as ResultChecksJson);
  const next = { ...checks, poseError: Math.round(m.error * 1000) / 1000, poseJoints: m.joints };
  next.check = checks.check || m.error > POSE_ERROR_LIMIT;
  db.prepare('UPDATE results SET checks = ? WHERE id = ?').run(JSON.stringify(next), id);
  return resultJson({ ...row, checks: JSON.stringify(next) });
}

export function resultFile(id: string): { key: string; row: ResultRow } {
  const row = getResult(app().db, id);
  if (!row) throw notFound('The result');
  return { key: resultKey(row.job_id, row.id), row };
}
