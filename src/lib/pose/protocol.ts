// Typed messages between the pose editor island and the pose worker. The worker owns MediaPipe's
// PoseLandmarker (wasm + .task model, both from our own origin), decodes the photo, detects the 33
// landmarks and completes them into the 18 OpenPose joints (with the garment mask as a silhouette
// when no torso was seen). The island owns editing; it never blocks on any of this.
import type { Landmark, Pose } from './types.ts';

export interface InitRequest {
  type: 'init';
  /** The PoseLandmarker .task bundle (`/models/<file>?v=<version>`). */
  modelUrl: string;
}

export interface DetectRequest {
  type: 'detect';
  /** The photo to detect on (same origin); its pixels are mapped onto `photo`'s frame. */
  imageUrl: string;
  /** The session photo's full-resolution size: the frame of the returned pose. */
  photo: { width: number; height: number };
  /** Saved garment mask (PNG, photo-sized), used as a silhouette when no torso is detected. */
  maskUrl: string | null;
  /**
   * Longest side the image is decoded to before detection (the detector itself looks at 224–256 px
   * crops, so a phone photo's 12 MP add nothing but decode time). Omit to detect at the file's size.
   */
  maxSide?: number;
}

/** Completion again on the last detection's landmarks, e.g. with a mask saved since. */
export interface CompleteRequest {
  type: 'complete';
  maskUrl: string | null;
}

/** Every request carries a sequence number; replies name the one they answer. */
export type WorkerRequest = (InitRequest | DetectRequest | CompleteRequest) & { seq: number };

export interface DetectTimings {
  /** Fetching the photo bytes (usually from the HTTP cache). */
  fetchMs: number;
  /** Decoding (and downscaling) the photo to an ImageBitmap. */
  decodeMs: number;
  /** PoseLandmarker.detect. */
  detectMs: number;
  /** Fetching and decoding the mask (0 when not needed). */
  maskMs: number;
  /** completePose (MediaPipe → OpenPose-18, completion, silhouette). */
  completeMs: number;
}

export interface Detection {
  /** All 18 joints, or null: no person and no usable silhouette (the UI offers presets). */
  pose: Pose | null;
  /** Whether MediaPipe found a person at all (landmarks returned). */
  person: boolean;
  /** MediaPipe's 33 landmarks (normalised to the image), null when no person was found. */
  landmarks: Landmark[] | null;
  /** OpenPose joints MediaPipe saw well enough to keep (the rest were completed). */
  detectedJoints: number;
  /** The garment mask was used to place shoulders / hips. */
  usedSilhouette: boolean;
  /** Size of the bitmap detection ran on. */
  input: { width: number; height: number };
  timings: DetectTimings;
}

export type WorkerReply =
  | { type: 'progress'; seq: number; stage: 'model'; loaded: number; total: number }
  | { type: 'ready'; seq: number; loadMs: number; modelBytes: number }
  | ({ type: 'detected'; seq: number } & Detection)
  | { type: 'error'; seq: number; code: 'load_failed' | 'detect_failed'; message: string };
