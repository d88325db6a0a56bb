// How far a result's body is from the pose it was asked for: the mean distance between the joints MediaPipe
// finds in the result and the target skeleton's, in shoulder widths (so it reads the same at any photo size).
// Pure. Only joints the detector saw are compared; fewer than 4 is not a measure.
import { J, type Landmark, type Pose } from './types.ts';
import { observeMediaPipe } from './mediapipe.ts';

export interface PoseError {
  /** Mean joint distance ÷ the target's shoulder width. */
  error: number;
  /** Joints compared. */
  joints: number;
}

/** A result worth a look when its body is this far from the asked pose. */
export const POSE_ERROR_LIMIT = 0.5;

export function poseError(target: Pose, landmarks: readonly Landmark[] | null): PoseError | null {
  if (!landmarks) return null;
  const seen = observeMediaPipe(landmarks, target.width, target.height);
  const rs = target.keypoints[J.rShoulder];
  const ls = target.keypoints[J.lShoulder];
  const shoulders = Math.hypot(rs.x - ls.x, rs.y - ls.y);
  if (!(shoulders > 0)) return null;
  let sum = 0;
  let joints = 0;
  seen.forEach((p, i) => {
    if (!p) return;
    const t = target.keypoints[i];
    sum += Math.hypot(p.x - t.x, p.y - t.y);
    joints++;
  });
  return joints >= 4 ? { error: sum / joints / shoulders, joints } : null;
}
