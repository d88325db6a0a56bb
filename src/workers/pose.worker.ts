/// <reference lib="webworker" />
// Pose detection off the main thread: MediaPipe's PoseLandmarker (IMAGE mode, CPU delegate) on an
// ImageBitmap of the photo, then completion into the 18 OpenPose joints (src/lib/pose, pure), with
// the garment mask as a silhouette when no torso was seen. The wasm runtime and the .task model come
// from our own origin: Vite emits the ES-module build of MediaPipe's wasm loader (the only build
// that loads in a module worker; the classic one fails with "ModuleFactory not set") under /_astro/.
import { PoseLandmarker, type PoseLandmarkerResult } from '@mediapipe/tasks-vision';
import wasmLoaderUrl from '@mediapipe/tasks-vision/vision_wasm_module_internal.js?url';
import wasmBinaryUrl from '@mediapipe/tasks-vision/vision_wasm_module_internal.wasm?url';
import { fetchBytes } from '../client/fetch-progress.ts';
import { completePose, J, type BinaryMask, type Landmark, type Pose } from '../lib/pose/index.ts';
import type {
  CompleteRequest,
  DetectRequest,
  Detection,
  DetectTimings,
  InitRequest,
  WorkerReply,
  WorkerRequest,
} from '../lib/pose/protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

/** Masks are analysed on a grid of at most 256 cells per side (silhouette.ts): larger decodes are wasted. */
const MASK_MAX_SIDE = 1024;
const TORSO: readonly number[] = [J.rShoulder, J.lShoulder, J.rHip, J.lHip];

// MediaPipe posts usage statistics to a Google endpoint once a minute. The studio talks to its own
// server only (and must work offline): this worker refuses cross-origin requests.
const ownFetch = self.fetch.bind(self);
self.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input), self.location.href);
  if (url.origin !== self.location.origin) return Promise.reject(new TypeError(`cross-origin request to ${url.origin} refused`));
  return ownFetch(input, init);
};

type Size = { width: number; height: number };

let landmarker: Promise<PoseLandmarker> | null = null;
/** The last detection, so a mask saved later can complete it again without detecting again. */
let last: { landmarks: Landmark[] | null; photo: Size; input: Size; timings: DetectTimings } | null = null;

const post = (msg: WorkerReply) => self.postMessage(msg);
const now = () => performance.now();
const message = (err: unknown) => String((err as Error)?.message ?? err);

// ---- model -------------------------------------------------------------------------------------

function init(req: InitRequest & { seq: number }) {
  landmarker = (async () => {
    const started = now();
    const fileset: Parameters<typeof PoseLandmarker.createFromOptions>[0] = {
      wasmLoaderPath: new URL(wasmLoaderUrl, self.location.href).href,
      wasmBinaryPath: new URL(wasmBinaryUrl, self.location.href).href,
    };
    const progress = (loaded: number, total: number) => post({ type: 'progress', seq: req.seq, stage: 'model', loaded, total });
    const bytes = new Uint8Array(await fetchBytes(req.modelUrl, progress));
    const lm = await PoseLandmarker.createFromOptions(fileset, {
      baseOptions: { modelAssetBuffer: bytes, delegate: 'CPU' },
      runningMode: 'IMAGE',
      numPoses: 1,
      outputSegmentationMasks: false,
    });
    post({ type: 'ready', seq: req.seq, loadMs: now() - started, modelBytes: bytes.byteLength });
    return lm;
  })();
  landmarker.catch((err) => post({ type: 'error', seq: req.seq, code: 'load_failed', message: message(err) }));
}

// ---- images ------------------------------------------------------------------------------------

async function fetchBlob(url: string): Promise<Blob> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.blob();
}

function fitInside(w: number, h: number, maxSide: number | undefined): Size | null {
  if (!maxSide || Math.max(w, h) <= maxSide) return null;
  const k = maxSide / Math.max(w, h);
  return { width: Math.max(1, Math.round(w * k)), height: Math.max(1, Math.round(h * k)) };
}

/** Decodes an image, downscaled so its longer side is at most maxSide. */
async function decode(blob: Blob, maxSide: number | undefined, quality: ResizeQuality): Promise<ImageBitmap> {
  const full = await createImageBitmap(blob);
  const small = fitInside(full.width, full.height, maxSide);
  if (!small) return full;
  const scaled = await createImageBitmap(full, { resizeWidth: small.width, resizeHeight: small.height, resizeQuality: quality });
  full.close();
  return scaled;
}

/** The saved garment mask as a binary mask (value > 0 = garment), at most MASK_MAX_SIDE per side. */
async function loadMask(url: string): Promise<BinaryMask> {
  const bitmap = await decode(await fetchBlob(url), MASK_MAX_SIDE, 'low');
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) mask[i] = rgba[i * 4]! >= 128 ? 1 : 0;
  return { mask, width, height };
}

// ---- detection ---------------------------------------------------------------------------------

function torsoSeen(pose: Pose | null): number {
  return pose ? TORSO.filter((j) => pose.keypoints[j]!.source === 'detected').length : 0;
}

/**
 * MediaPipe reports joints beyond the photo's edge with high visibility (the head above a headless
 * crop, feet below a half-body photo): they are its guesses, not something seen. Their positions
 * are kept, but they are marked as completed so the editor draws them as such.
 */
function markUnseen(pose: Pose | null, photo: Size): Pose | null {
  if (!pose) return null;
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x <= photo.width && y <= photo.height;
  return {
    ...pose,
    keypoints: pose.keypoints.map((k) => (k.source === 'detected' && !inside(k.x, k.y) ? { ...k, source: 'completed' as const } : k)),
  };
}

/** Completion of the landmarks, with the mask as a silhouette when fewer than two torso joints were seen. */
async function complete(landmarks: Landmark[] | null, photo: Size, maskUrl: string | null) {
  let started = now();
  let pose = completePose(landmarks, photo);
  let completeMs = now() - started;
  let maskMs = 0;
  if (torsoSeen(pose) < 2 && maskUrl) {
    started = now();
    const silhouette = await loadMask(maskUrl);
    maskMs = now() - started;
    started = now();
    pose = completePose(landmarks, { ...photo, silhouette });
    completeMs += now() - started;
  }
  return { pose: markUnseen(pose, photo), completeMs, maskMs };
}

function reply(seq: number, pose: Pose | null, timings: DetectTimings): Extract<WorkerReply, { type: 'detected' }> {
  const detection: Detection = {
    pose,
    person: !!last?.landmarks,
    landmarks: last?.landmarks ?? null,
    detectedJoints: pose ? pose.keypoints.filter((k) => k.source === 'detected').length : 0,
    usedSilhouette: pose?.origin === 'silhouette',
    input: last!.input,
    timings,
  };
  return { type: 'detected', seq, ...detection };
}

async function detect(req: DetectRequest & { seq: number }, image: Promise<{ bitmap: ImageBitmap; fetchMs: number; decodeMs: number }>) {
  if (!landmarker) throw new Error('the pose model was not loaded (init first)');
  const lm = await landmarker;
  const { bitmap, fetchMs, decodeMs } = await image;
  const input = { width: bitmap.width, height: bitmap.height };
  const started = now();
  let result: PoseLandmarkerResult;
  try {
    result = lm.detect(bitmap);
  } finally {
    bitmap.close();
  }
  const detectMs = now() - started;
  const found = result.landmarks[0];
  const landmarks: Landmark[] | null = found?.length
    ? found.map((l) => ({
        x: l.x,
        y: l.y,
        z: l.z,
        visibility: l.visibility,
        ...(l.presence !== undefined ? { presence: l.presence } : {}),
      }))
    : null;
  last = { landmarks, photo: req.photo, input, timings: { fetchMs, decodeMs, detectMs, maskMs: 0, completeMs: 0 } };
  const { pose, completeMs, maskMs } = await complete(landmarks, req.photo, req.maskUrl);
  last.timings = { ...last.timings, completeMs, maskMs };
  post(reply(req.seq, pose, last.timings));
}

async function completeAgain(req: CompleteRequest & { seq: number }) {
  if (!last) throw new Error('nothing was detected yet');
  const { pose, completeMs, maskMs } = await complete(last.landmarks, last.photo, req.maskUrl);
  post(reply(req.seq, pose, { ...last.timings, completeMs, maskMs }));
}

// ---- scheduling --------------------------------------------------------------------------------

let chain: Promise<void> = Promise.resolve();
function enqueue(task: () => Promise<void>) {
  chain = chain.then(task, task);
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  const req = event.data;
  switch (req.type) {
    case 'init':
      init(req);
      return;
    case 'detect': {
      // Fetch and decode the photo while the model is still loading.
      const image = (async () => {
        const t0 = now();
        const blob = await fetchBlob(req.imageUrl);
        const t1 = now();
        const bitmap = await decode(blob, req.maxSide, 'medium');
        return { bitmap, fetchMs: t1 - t0, decodeMs: now() - t1 };
      })();
      image.catch(() => {}); // reported by detect()
      enqueue(() => detect(req, image).catch((err) => post({ type: 'error', seq: req.seq, code: 'detect_failed', message: message(err) })));
      return;
    }
    case 'complete':
      enqueue(() => completeAgain(req).catch((err) => post({ type: 'error', seq: req.seq, code: 'detect_failed', message: message(err) })));
      return;
  }
};
