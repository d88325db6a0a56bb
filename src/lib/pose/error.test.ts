import { describe, expect, it } from 'vitest';
import { poseError } from './error.ts';
import { placePreset } from './presets.ts';
import { MEDIAPIPE_INDEX } from './mediapipe.ts';
import type { Landmark, Pose } from './types.ts';

/** MediaPipe landmarks that put the OpenPose joints exactly where `pose` has them (shifted by dx px). */
function landmarksOf(pose: Pose, dx = 0): Landmark[] {
  const out: Landmark[] = Array.from({ length: 33 }, () => ({ x: 0, y: 0, visibility: 0 }));
  MEDIAPIPE_INDEX.forEach((mp, i) => {
    if (mp < 0) return;
    const k = pose.keypoints[i];
    out[mp] = { x: (k.x + dx) / pose.width, y: k.y / pose.height, visibility: 1 };
  });
  return out;
}

describe('poseError', () => {
  const target = placePreset('front', 600, 800);
  const shoulders = Math.hypot(target.keypoints[2].x - target.keypoints[5].x, target.keypoints[2].y - target.keypoints[5].y);
  it('is 0 for the same pose and grows with the distance, in shoulder widths', () => {
    expect(poseError(target, landmarksOf(target))!.error).toBeCloseTo(0, 6);
    expect(poseError(target, landmarksOf(target, shoulders / 2))!.error).toBeCloseTo(0.5, 2);
  });
  it('is no measure without a person or with too few joints seen', () => {
    expect(poseError(target, null)).toBeNull();
    const few = landmarksOf(target).map((l, i) => (i > 12 ? { ...l, visibility: 0 } : l));
    expect(
      poseError(
        target,
        few.map((l, i) => (i === 11 || i === 12 ? l : { ...l, visibility: 0 })),
      ),
    ).toBeNull();
  });
});
