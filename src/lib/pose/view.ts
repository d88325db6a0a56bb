// What the pose editor shows of a pose: the part of the plane around the photo that holds every joint,
// what the pose is (detected, from the silhouette, a preset, edited), and a joint moved within the view.
import { COORDINATE_BAND } from './band.ts';
import type { Pose } from './types.ts';

/** A rectangle of the photo's pixel plane (may reach outside the photo). */
export interface ViewFrame {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/** Margin around joints outside the photo, as a fraction of the photo's longer side. */
const FRAME_PAD = 0.05;

/** The part of the plane shown: the photo, grown to hold every joint (within the API's band). */
export function viewFrame(pose: Pose | null, width: number, height: number): ViewFrame {
  let x0 = 0;
  let y0 = 0;
  let x1 = width;
  let y1 = height;
  if (pose) {
    const pad = FRAME_PAD * Math.max(width, height);
    for (const k of pose.keypoints) {
      x0 = Math.min(x0, k.x - pad);
      y0 = Math.min(y0, k.y - pad);
      x1 = Math.max(x1, k.x + pad);
      y1 = Math.max(y1, k.y + pad);
    }
  }
  const [lo, hi] = COORDINATE_BAND;
  x0 = Math.max(x0, lo * width);
  y0 = Math.max(y0, lo * height);
  x1 = Math.min(x1, hi * width);
  y1 = Math.min(y1, hi * height);
  return { x0, y0, w: x1 - x0, h: y1 - y0 };
}

export type PoseShown = 'saved' | 'detected' | 'silhouette' | 'preset' | 'edited';

/** What a pose is, to the merchant: any joint moved by hand makes it edited. */
export function poseShown(p: Pose): PoseShown {
  if (p.keypoints.some((k) => k.source === 'edited')) return 'edited';
  return p.origin === 'preset' ? 'preset' : p.origin === 'silhouette' ? 'silhouette' : 'detected';
}

/** The pose with joint `i` moved to (x, y), kept inside `frame`, and marked edited. */
export function withJointMoved(pose: Pose, i: number, x: number, y: number, frame: ViewFrame): Pose {
  const keypoints = pose.keypoints.slice();
  const cx = Math.min(frame.x0 + frame.w, Math.max(frame.x0, x));
  const cy = Math.min(frame.y0 + frame.h, Math.max(frame.y0, y));
  keypoints[i] = { ...keypoints[i]!, x: cx, y: cy, source: 'edited' };
  return { ...pose, keypoints };
}
