// Small 2-D vector helpers and a least-squares similarity fit (Umeyama / Procrustes in 2-D).
import type { Point } from './types.ts';

export const add = (a: Point, b: Point): Point => ({ x: a.x + b.x, y: a.y + b.y });
export const sub = (a: Point, b: Point): Point => ({ x: a.x - b.x, y: a.y - b.y });
export const mul = (a: Point, k: number): Point => ({ x: a.x * k, y: a.y * k });
export const dot = (a: Point, b: Point): number => a.x * b.x + a.y * b.y;
export const cross = (a: Point, b: Point): number => a.x * b.y - a.y * b.x;
export const norm = (a: Point): number => Math.hypot(a.x, a.y);
export const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
export const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
export const unit = (a: Point): Point => {
  const n = norm(a);
  return n > 0 ? { x: a.x / n, y: a.y / n } : { x: 0, y: 0 };
};

/**
 * A body frame: world = origin + ex·(x·scale·lateral) + ey·(y·scale).
 * ex points to the person's left, ey down the torso; they are orthonormal with either handedness
 * (a back view is the mirror of a front view). `lateral` < 1 squeezes sideways offsets for a body
 * turned away from the camera.
 */
export interface Frame {
  origin: Point;
  ex: Point;
  ey: Point;
  scale: number;
  lateral: number;
}

export function frameVector(f: Frame, d: Point): Point {
  const sx = d.x * f.scale * f.lateral;
  const sy = d.y * f.scale;
  return { x: f.ex.x * sx + f.ey.x * sy, y: f.ex.y * sx + f.ey.y * sy };
}

export function framePoint(f: Frame, p: Point): Point {
  return add(f.origin, frameVector(f, p));
}

export interface SimilarityFit {
  frame: Frame;
  /** Sum of squared residuals in world units. */
  residual: number;
  reflected: boolean;
}

/**
 * Least-squares similarity (scale, rotation, translation, optionally a reflection) taking
 * `from` (model coordinates) onto `to` (world). Null when the points do not fix a scale.
 */
export function fitSimilarity(from: readonly Point[], to: readonly Point[], reflect: boolean): SimilarityFit | null {
  const n = from.length;
  if (n < 2 || to.length !== n) return null;
  const sign = reflect ? -1 : 1;
  const src = from.map((p) => ({ x: sign * p.x, y: p.y }));
  const cs = mean(src);
  const ct = mean(to);
  let sxx = 0;
  let a = 0;
  let b = 0;
  let tt = 0;
  for (let i = 0; i < n; i++) {
    const p = sub(src[i]!, cs);
    const q = sub(to[i]!, ct);
    sxx += dot(p, p);
    tt += dot(q, q);
    a += dot(p, q);
    b += cross(p, q);
  }
  const r = Math.hypot(a, b);
  if (sxx <= 0 || r <= 1e-12 * Math.max(sxx, tt)) return null;
  const scale = r / sxx;
  const cos = a / r;
  const sin = b / r;
  // Model x (after the optional reflection) maps to (cos, sin), model y to (−sin, cos).
  const ex = { x: sign * cos, y: sign * sin };
  const ey = { x: -sin, y: cos };
  const frame: Frame = { origin: { x: 0, y: 0 }, ex, ey, scale, lateral: 1 };
  const origin = sub(ct, frameVector(frame, { x: sign * cs.x, y: cs.y }));
  return { frame: { ...frame, origin }, residual: Math.max(0, tt - (r * r) / sxx), reflected: reflect };
}

/**
 * Best similarity fit allowing a mirror image (a person seen from the back). Ties, which two
 * points always produce, go to the fit whose body axis points down the photo, then to the unmirrored one.
 */
export function fitBodySimilarity(from: readonly Point[], to: readonly Point[]): SimilarityFit | null {
  const proper = fitSimilarity(from, to, false);
  const mirrored = fitSimilarity(from, to, true);
  if (!proper || !mirrored) return proper ?? mirrored;
  const centre = mean(to);
  const spread = to.reduce((s, q) => s + dot(sub(q, centre), sub(q, centre)), 0);
  const tie = Math.abs(proper.residual - mirrored.residual) <= 1e-6 * spread;
  if (!tie) return proper.residual < mirrored.residual ? proper : mirrored;
  const properUpright = proper.frame.ey.y > 0;
  const mirroredUpright = mirrored.frame.ey.y > 0;
  if (properUpright !== mirroredUpright) return properUpright ? proper : mirrored;
  return proper;
}

function mean(ps: readonly Point[]): Point {
  let x = 0;
  let y = 0;
  for (const p of ps) {
    x += p.x;
    y += p.y;
  }
  return { x: x / ps.length, y: y / ps.length };
}
