// MediaPipe Pose (33 landmarks) → OpenPose-18 observations (reference §5 mapping table).
import type { Landmark, Point } from './types.ts';
import { J, JOINT_COUNT } from './types.ts';
import { mid } from './geometry.ts';
import { inBand } from './band.ts';

/** MediaPipe's own drawing utilities skip landmarks below 0.5 visibility / presence. */
export const VISIBILITY_THRESHOLD = 0.5;
export const PRESENCE_THRESHOLD = 0.5;

export const MEDIAPIPE_LANDMARK_COUNT = 33;

/** MediaPipe landmark index for each OpenPose joint; the neck (−1) is the shoulders' midpoint. */
export const MEDIAPIPE_INDEX: readonly number[] = [0, -1, 12, 14, 16, 11, 13, 15, 24, 26, 28, 23, 25, 27, 5, 2, 8, 7];

/** Left/right partner of each MediaPipe landmark, for mirroring a landmark set. */
export const MEDIAPIPE_MIRROR: readonly number[] = [
  0, 4, 5, 6, 1, 2, 3, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 18, 17, 20, 19, 22, 21, 24, 23, 26, 25, 28, 27, 30, 29, 32, 31,
];

export function isSeen(l: Landmark | undefined): l is Landmark {
  if (!l || !Number.isFinite(l.x) || !Number.isFinite(l.y)) return false;
  // A detector that reports no score at all is trusted.
  if (l.visibility !== undefined && !(l.visibility >= VISIBILITY_THRESHOLD)) return false;
  if (l.presence !== undefined && !(l.presence >= PRESENCE_THRESHOLD)) return false;
  return true;
}

/** The OpenPose-18 joints MediaPipe saw, in photo pixels; null where unseen. */
export function observeMediaPipe(landmarks: readonly Landmark[], width: number, height: number): (Point | null)[] {
  if (landmarks.length !== MEDIAPIPE_LANDMARK_COUNT) {
    throw new RangeError(`MediaPipe Pose gives ${MEDIAPIPE_LANDMARK_COUNT} landmarks, got ${landmarks.length}.`);
  }
  const seen: (Point | null)[] = new Array(JOINT_COUNT).fill(null);
  MEDIAPIPE_INDEX.forEach((mp, i) => {
    const l = mp >= 0 ? landmarks[mp] : undefined;
    if (!isSeen(l)) return;
    const p = { x: l.x * width, y: l.y * height };
    // A landmark far beyond the photo is a runaway guess, not something seen.
    if (inBand(p, width, height)) seen[i] = p;
  });
  const rs = seen[J.rShoulder];
  const ls = seen[J.lShoulder];
  if (rs && ls) seen[J.neck] = mid(rs, ls);
  return seen;
}
