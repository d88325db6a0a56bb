// The sanity band joints must lie in: outside the photo is fine (a cropped head, legs below the
// frame), more than one photo size beyond an edge is garbage (unit mix-ups, runaway values).
import type { Point } from './types.ts';
import { J } from './types.ts';

/** Allowed range as multiples of the photo's width (for x) and height (for y). */
export const COORDINATE_BAND = [-1, 2] as const;

export function inBand(p: Point, width: number, height: number): boolean {
  const [lo, hi] = COORDINATE_BAND;
  return p.x >= lo * width && p.x <= hi * width && p.y >= lo * height && p.y <= hi * height;
}

/** The joint each joint hangs from, for pulling a far-away completed joint back along its limb. */
const PARENT: readonly number[] = [
  J.neck,
  -1,
  J.neck,
  J.rShoulder,
  J.rElbow,
  J.neck,
  J.lShoulder,
  J.lElbow,
  J.neck,
  J.rHip,
  J.rKnee,
  J.neck,
  J.lHip,
  J.lKnee,
  J.nose,
  J.nose,
  J.rEye,
  J.lEye,
];
/** Parents before children. */
const ORDER = [J.neck, ...PARENT.map((_, i) => i).filter((i) => i !== J.neck)];

/**
 * Moves the movable joints that left the band onto its edge along the segment from their parent,
 * so a close-up still yields a pose the API accepts; the part of the skeleton in the photo keeps its
 * directions. Joints in the band are untouched.
 */
export function pullIntoBand(pts: Point[], movable: (joint: number) => boolean, width: number, height: number): void {
  const [lo, hi] = COORDINATE_BAND;
  const box = { x0: lo * width, x1: hi * width, y0: lo * height, y1: hi * height };
  for (const j of ORDER) {
    const c = pts[j]!;
    if (!movable(j) || inBand(c, width, height)) continue;
    const parent = PARENT[j]! >= 0 ? pts[PARENT[j]!]! : null;
    if (!parent || !inBand(parent, width, height)) {
      pts[j] = { x: Math.min(box.x1, Math.max(box.x0, c.x)), y: Math.min(box.y1, Math.max(box.y0, c.y)) };
      continue;
    }
    let t = 1;
    const exit = (from: number, to: number, min: number, max: number) => {
      if (to < min) t = Math.min(t, (min - from) / (to - from));
      if (to > max) t = Math.min(t, (max - from) / (to - from));
    };
    exit(parent.x, c.x, box.x0, box.x1);
    exit(parent.y, c.y, box.y0, box.y1);
    pts[j] = { x: parent.x + t * (c.x - parent.x), y: parent.y + t * (c.y - parent.y) };
  }
}
