// The Batch page's work in this browser: uploads with bounded concurrency, then, one photo after another, the
// pose (pose worker) and the garment proposal (SAM worker) saved to the session, so that Generate all can run
// without visiting every photo. The batch id is kept on this device: closing the tab and coming back resumes.
import type { PoseClient } from './pose-client.ts';
import type { Pose } from '../lib/pose/types.ts';
import type { SamClient } from './sam-client.ts';
import { ApiRequestError, uploadPhoto } from './api.ts';
import { retryDelayMs, type UploadFailure } from '../lib/batch/retry.ts';
import { autoPrompt, CONFIDENCE_THRESHOLD, type GarmentKind } from '../lib/sam/auto-select.ts';
import type { UploadJson } from '../lib/api/types.ts';
import { type Ledger, parseLedger } from '../lib/batch/ledger.ts';

export const BATCH_KEY = 'atelier-batch';
export const LEDGER_KEY = 'atelier-batch-files';
export const UPLOADS_AT_ONCE = 3;
const ACCEPTED = /^image\/(jpeg|png|webp)$/;

export type ItemState = 'uploading' | 'preparing' | 'ready' | 'check' | 'skipped' | 'generating' | 'done' | 'failed';

/** Why a file is not taken, or null. */
export function skipReason(file: File, maxBytes: number): string | null {
  if (!ACCEPTED.test(file.type)) return 'not a JPEG, PNG or WebP photo';
  if (file.size > maxBytes) return `larger than ${Math.round(maxBytes / 1024 / 1024)} MB`;
  return null;
}

/** Runs `task` over `items` with at most `limit` at once. */
export async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export const loadLedger = (): Ledger => parseLedger(localStorage.getItem(LEDGER_KEY));
export function saveLedger(ledger: Ledger): void {
  try {
    localStorage.setItem(LEDGER_KEY, JSON.stringify(ledger));
  } catch {
    // A full storage only costs the resume; the batch itself is on the server.
  }
}

/**
 * Stages are recorded as performance measures (`atelier:upload`, `:server`, `:pose`, `:select`, detail = file or
 * session): invisible on the page, read by bench/batch-drop.ts to split drop → ready into its parts.
 */
function measure(stage: string, start: number, detail: string, end = performance.now()) {
  performance.measure(`atelier:${stage}`, { start, end, detail });
}

/**
 * Uploads one photo; waits out the workspace's uploads-per-minute limit and retries dropped connections
 * (`waiting` says for how long, so the grid can show it), and throws only when the photo cannot go through.
 */
export async function upload(
  file: File,
  progress: (pct: number) => void,
  waiting: (seconds: number | null) => void = () => {},
): Promise<UploadJson> {
  for (let attempt = 1; ; attempt++) {
    const start = performance.now();
    let sent = start;
    try {
      const up = await uploadPhoto(file, {
        progress,
        sent: () => {
          sent = performance.now();
          progress(100);
        },
      });
      measure('upload', start, file.name, sent);
      measure('server', sent, file.name);
      return up;
    } catch (err) {
      const failure: UploadFailure =
        err instanceof ApiRequestError ? { kind: 'answer', status: err.status, retryAfterS: err.retryAfterS } : { kind: 'network' };
      const delay = retryDelayMs(failure, attempt);
      if (delay == null) throw err;
      progress(0);
      waiting(Math.ceil(delay / 1000));
      await new Promise((r) => setTimeout(r, delay));
      waiting(null);
    }
  }
}

async function put(url: string, body: Blob | string, type: string): Promise<void> {
  const res = await fetch(url, { method: 'PUT', headers: { 'content-type': type }, body });
  if (!res.ok) {
    const answer = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(answer?.error?.message ?? `HTTP ${res.status}`);
  }
}

export interface UploadedPhoto {
  sessionId: string;
  photoUrl: string;
  embeddingUrl: string;
  width: number;
  height: number;
}

export interface DetectedBody {
  body: Pose | null;
  person: boolean;
}

/** The pose detector's look at one photo (in the pose worker; the SAM worker can work on another photo meanwhile). */
export async function detectBody(up: UploadedPhoto, pose: PoseClient | null): Promise<DetectedBody> {
  if (!pose) return { body: null, person: false };
  const t = performance.now();
  const d = await pose
    .detect({ imageUrl: up.photoUrl, photo: { width: up.width, height: up.height }, maskUrl: null, maxSide: 1024 })
    .catch(() => null);
  measure('pose', t, up.sessionId);
  return { body: d?.pose ?? null, person: !!d?.person };
}

/**
 * Garment proposal for one uploaded photo from its detected body, saved on the server with the pose. 'check' when no
 * body was found or the proposal's confidence is low (the merchant should look); never throws for a photo that
 * merely needs a look. `sam` is one SAM worker for the whole batch, initialised again per photo (it keeps its
 * decoder sessions).
 */
export async function selectAndSave(
  up: UploadedPhoto,
  detected: DetectedBody,
  o: { pose: PoseClient | null; sam: SamClient; decoderUrl: string; multiDecoderUrl: string | null; kind: GarmentKind },
): Promise<{ state: 'ready' | 'check'; confidence: number; person: boolean }> {
  const photo = { width: up.width, height: up.height };
  let { body } = detected;
  const { person } = detected;
  const t = performance.now();
  await o.sam.init({
    decoderUrl: o.decoderUrl,
    multiDecoderUrl: o.multiDecoderUrl,
    embeddingUrl: up.embeddingUrl,
    maskUrl: null,
    photo,
    overlay: new OffscreenCanvas(1, 1),
  });
  const tAuto = performance.now();
  measure('select-load', t, up.sessionId, tAuto);
  const r = await o.sam.autoSelect(autoPrompt(body, o.kind, photo));
  const tExport = performance.now();
  measure('select-propose', tAuto, up.sessionId, tExport);
  if (r.state.area > 0) {
    const { png } = await o.sam.exportPng();
    const tSave = performance.now();
    measure('select-export', tExport, up.sessionId, tSave);
    await put(`/api/sessions/${up.sessionId}/mask`, png, 'image/png');
    measure('select-save', tSave, up.sessionId);
  }
  measure('select', t, up.sessionId);
  // No body seen (a flat-lay, a mannequin): one is placed from the garment's silhouette, as the studio does.
  if (!body && o.pose && r.state.area > 0) {
    const tc = performance.now();
    body = (await o.pose.complete({ maskUrl: `/api/sessions/${up.sessionId}/mask.png` }).catch(() => null))?.pose ?? null;
    measure('pose', tc, up.sessionId);
  }
  if (body) await put(`/api/sessions/${up.sessionId}/pose`, JSON.stringify(body), 'application/json');
  const fine = r.state.area > 0 && r.confidence >= CONFIDENCE_THRESHOLD && person;
  return { state: fine ? 'ready' : 'check', confidence: r.confidence, person };
}
