// Photo frame → generation frame. Kept apart from openpose.ts so the renderer needs no zod.
import type { Pose } from './types.ts';

/** Maps a pose to another frame of the same photo (photo → generation size); axes scale independently. */
export function scalePose(pose: Pose, width: number, height: number): Pose {
  assertFrameSize(width, height);
  const sx = width / pose.width;
  const sy = height / pose.height;
  return { ...pose, width, height, keypoints: pose.keypoints.map((k) => ({ ...k, x: k.x * sx, y: k.y * sy })) };
}

export function assertFrameSize(width: number, height: number): void {
  if (!(Number.isFinite(width) && Number.isFinite(height) && width > 0 && height > 0)) {
    throw new RangeError(`invalid frame size ${width}×${height}`);
  }
}
