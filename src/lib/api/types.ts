// What the JSON API answers, as the browser reads it (src/client/api.ts). Declared here rather than
// derived from the server's functions so that browser code never depends on server modules;
// types.test.ts checks at type-check time (astro check) that these match what the routes return.
import type { z } from 'zod';
import type { CreateJobRequest, CreateJobSchema } from './job-request.ts';
import type { JobState } from './job-states.ts';
import type { Recipe } from '../recipes/table.ts';
import type { ResultChecksJson } from '../../server/jobs/service.ts';
import type { BackendStatus } from '../../server/jobs/backend-status.ts';
import type { Pose } from '../pose/types.ts';

export type { BackendStatus, CheckpointStatus } from '../../server/jobs/backend-status.ts';
export type { CreateJobRequest } from './job-request.ts';
export type { ResultChecksJson } from '../../server/jobs/service.ts';

/** GET /api/sessions: a page, newest first; `nextCursor` asks for the next one (null on the last). */
export interface SessionPageJson {
  sessions: SessionJson[];
  nextCursor: string | null;
}

/** The body of an error answer: `{error: {code, message}}`. */
export interface ErrorJson {
  error: { code: string; message: string };
}

export interface ImageJson {
  id: string;
  width: number;
  height: number;
  /** The display JPEG; `originalUrl` is the full-resolution PNG. */
  url: string;
  originalUrl: string;
  thumbUrl: string;
}

export interface EmbeddingJson {
  url: string;
  dtype: string;
  shape: number[];
}

export interface MaskJson {
  rev: number;
  area: number | null;
  /** Names one immutable version (`?rev=`). */
  url: string;
  updatedAt: string | null;
}

/** A session in the list (GET /api/sessions). */
export interface SessionJson {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  image: ImageJson;
  embedding: EmbeddingJson;
  mask: MaskJson | null;
}

/** A version set aside by offline sync: the edit lost to a newer one (device), or the one it replaced (server). */
export interface ConflictJson {
  id: string;
  kind: 'mask' | 'pose';
  source: 'device' | 'server';
  rev: number;
  editedAt: string;
  createdAt: string;
  area: number | null;
  url: string;
}

/** One session (GET /api/sessions/:id), with its conflict copies, newest first. */
export interface SessionDetailJson extends SessionJson {
  conflicts: ConflictJson[];
}

/** GET /api/sessions/:id/pose. */
export interface SavedPoseJson {
  pose: Pose;
  /** 1 on the first save, +1 per save. */
  rev: number;
  updatedAt: string;
}

/** What a save sent with `x-base-rev` answers besides the new state: whether it became current. */
export interface SyncAnswer {
  /** False when the server kept a newer version and this edit became a conflict copy. */
  applied: boolean;
  /** The version set aside when the edit's base revision was not the current one. */
  conflict: ConflictJson | null;
}

/** PUT /api/sessions/:id/mask with `x-base-rev`. */
export interface MaskSaveJson extends SyncAnswer {
  session: SessionDetailJson;
}

/** PUT /api/sessions/:id/pose with `x-base-rev`. */
export interface PoseSaveJson extends SavedPoseJson, SyncAnswer {}

/** POST /api/images → 201. */
export interface UploadJson {
  session: SessionDetailJson;
  image: ImageJson;
  embedding: EmbeddingJson;
}

export interface ResultJson {
  id: string;
  jobId: string;
  /** The PNG at the photo's full resolution (`?download=1` to save it). */
  url: string;
  width: number;
  height: number;
  seed: number | null;
  /** How much the generator had changed the garment (before) and what is left after compositing. */
  fidelity: { before: number | null; after: number; pixels: number | null } | null;
  /** Measured figures (garment core exact, seam, sharpness, upscaler, "check this one"); null for older results. */
  checks: ResultChecksJson | null;
  params: Record<string, unknown>;
  createdAt: string;
}

/** The body of POST /api/jobs (defaults, e.g. `count`, may be left out). */
export type JobRequestBody = z.input<typeof CreateJobSchema>;

export interface JobJson {
  id: string;
  sessionId: string;
  recipe: Recipe;
  state: JobState;
  progress: { fraction: number; step: number | null; steps: number | null; etaSeconds: number | null };
  /** The generation server runs another client's work first; our place in its queue. */
  serverQueue: number | null;
  cancelRequested: boolean;
  attempts: number;
  error: { code: string; message: string } | null;
  previewUrl: string | null;
  results: ResultJson[];
  params: CreateJobRequest;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** GET /api/sessions/:id/results: the gallery, newest first, and recent jobs (to resume watching). */
export interface SessionResultsJson {
  results: ResultJson[];
  /** The next page of results (null on the last). */
  nextCursor: string | null;
  jobs: JobJson[];
}

/** GET /api/backend. */
export interface BackendStatusJson {
  configured: boolean;
  queued: number;
  backends: BackendStatus[];
  /** Set when no generation server is configured. */
  message?: string;
}
