// Auto-select: the garment proposed before any click. From the pose (detected or completed) and the garment
// kind the merchant tapped, the body region that kind covers becomes SAM's box, with positive points inside it
// and negative points on the face and hands; among SAM's candidates the one whose predicted quality and
// agreement with the region are best is taken, then cleaned (small islands dropped, small holes filled).
// Without a body (a flat-lay, an empty mannequin) the central object is asked for. Pure: the SAM worker runs it.
import { J, type Keypoint, type Pose } from '../pose/types.ts';
import type { Size } from './coords.ts';
import type { PromptBox, PromptPoint } from './feeds.ts';
import type { Mask } from './mask.ts';

export const GARMENT_KINDS = ['top', 'bottom', 'dress', 'outer', 'outfit'] as const;
export type GarmentKind = (typeof GARMENT_KINDS)[number];
export const DEFAULT_GARMENT_KIND: GarmentKind = 'outfit';

/** Below this the studio says "Check the selection" rather than presenting it as done. */
export const CONFIDENCE_THRESHOLD = 0.5;

export interface AutoPrompt {
  kind: GarmentKind;
  /** The body region the kind covers (photo pixels): SAM's box, and what candidates are judged against. */
  region: PromptBox;
  points: PromptPoint[];
  /** False when no usable body was known (central-object prompt). */
  fromPose: boolean;
}

type P = { x: number; y: number };
const lerp = (a: P, b: P, t: number): P => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
const mid = (a: P, b: P): P => lerp(a, b, 0.5);

function clipBox(b: PromptBox, size: Size): PromptBox {
  const x0 = Math.max(0, Math.min(size.width, b.x0));
  const y0 = Math.max(0, Math.min(size.height, b.y0));
  return { x0, y0, x1: Math.max(x0 + 1, Math.min(size.width, b.x1)), y1: Math.max(y0 + 1, Math.min(size.height, b.y1)) };
}

const inside = (p: P, size: Size) => p.x >= 0 && p.y >= 0 && p.x < size.width && p.y < size.height;

/** The central object: a flat-lay, a mannequin without a body the pose model could find. */
export function centralPrompt(kind: GarmentKind, size: Size): AutoPrompt {
  const region = clipBox({ x0: size.width * 0.08, y0: size.height * 0.04, x1: size.width * 0.92, y1: size.height * 0.96 }, size);
  return { kind, region, points: [{ x: size.width / 2, y: size.height / 2, label: 1 }], fromPose: false };
}

/**
 * The prompt for a garment kind on this pose: the region it covers (shoulders to hips for a top, hips to ankles
 * for a bottom…), positive points inside it, negatives on the face and hands the detector saw.
 */
export function autoPrompt(pose: Pose | null, kind: GarmentKind, size: Size): AutoPrompt {
  const k = pose?.keypoints;
  if (k?.length !== 18) return centralPrompt(kind, size);
  const rS = k[J.rShoulder]!;
  const lS = k[J.lShoulder]!;
  const rH = k[J.rHip]!;
  const lH = k[J.lHip]!;
  const shoulders = mid(rS, lS);
  const hips = mid(rH, lH);
  const torso = hips.y - shoulders.y;
  if (!(torso > size.height * 0.03)) return centralPrompt(kind, size);
  const width = Math.max(Math.abs(rS.x - lS.x), Math.abs(rH.x - lH.x), torso * 0.35);
  const knees = mid(k[J.rKnee]!, k[J.lKnee]!);
  const ankles = mid(k[J.rAnkle]!, k[J.lAnkle]!);
  const legsKnown = ankles.y > hips.y + torso * 0.5;
  const feetY = legsKnown ? ankles.y : hips.y + torso * 2.1;
  const kneeY = knees.y > hips.y + torso * 0.3 ? knees.y : hips.y + torso * 1.05;
  const xs = (joints: Keypoint[], spread: number) => ({
    x0: Math.min(...joints.map((j) => j.x)) - spread,
    x1: Math.max(...joints.map((j) => j.x)) + spread,
  });
  const arms = [k[J.rElbow]!, k[J.lElbow]!];
  const hands = [k[J.rWrist]!, k[J.lWrist]!];
  const legs = [k[J.rKnee]!, k[J.lKnee]!, k[J.rAnkle]!, k[J.lAnkle]!];
  const margin = width * 0.25;
  const chest = lerp(shoulders, hips, 0.3);
  const belly = lerp(shoulders, hips, 0.7);
  const thigh = (hip: P, knee: P) => lerp(hip, knee, 0.4);
  const positives: P[] = [];
  let region: PromptBox;
  switch (kind) {
    case 'top':
      region = { ...xs([rS, lS, rH, lH, ...arms], margin), y0: shoulders.y - torso * 0.12, y1: hips.y + torso * 0.15 };
      positives.push(chest, belly);
      break;
    case 'outer':
      region = { ...xs([rS, lS, rH, lH, ...arms, ...hands], margin), y0: shoulders.y - torso * 0.15, y1: hips.y + torso * 0.45 };
      // An open jacket shows what is under it in the middle: its fabric is on both sides of the chest.
      positives.push(lerp(lerp(rS, rH, 0.35), chest, 0.25), lerp(lerp(lS, lH, 0.35), chest, 0.25));
      break;
    case 'dress':
      region = { ...xs([rS, lS, rH, lH], width * 0.5), y0: shoulders.y - torso * 0.12, y1: kneeY + (feetY - kneeY) * 0.35 };
      positives.push(chest, hips, lerp(hips, { x: hips.x, y: kneeY }, 0.5));
      break;
    case 'bottom':
      region = { ...xs([rH, lH, ...legs], width * 0.3), y0: hips.y - torso * 0.15, y1: feetY + torso * 0.05 };
      positives.push(
        { x: hips.x, y: hips.y + torso * 0.08 },
        thigh(rH, { x: k[J.rKnee]!.x, y: kneeY }),
        thigh(lH, { x: k[J.lKnee]!.x, y: kneeY }),
      );
      break;
    case 'outfit':
      region = { ...xs([rS, lS, rH, lH, ...arms, ...legs], margin), y0: shoulders.y - torso * 0.15, y1: feetY + torso * 0.05 };
      positives.push(chest, hips, thigh(rH, { x: k[J.rKnee]!.x, y: kneeY }), thigh(lH, { x: k[J.lKnee]!.x, y: kneeY }));
      break;
  }
  region = clipBox(region, size);
  const points: PromptPoint[] = positives.filter((p) => inside(p, size)).map((p) => ({ x: p.x, y: p.y, label: 1 }));
  // Bare skin the detector saw (a completed joint is a guess, often on the background or a mannequin stand).
  const seen = (j: Keypoint) => j.source !== 'completed' && inside(j, size);
  const negatives: P[] = [];
  if (seen(k[J.nose]!)) negatives.push(k[J.nose]!);
  for (const [elbow, wrist] of [
    [k[J.rElbow]!, k[J.rWrist]!],
    [k[J.lElbow]!, k[J.lWrist]!],
  ] as const) {
    // The hand is past the wrist, along the forearm: there the sleeve has ended.
    if (seen(wrist) && seen(elbow)) negatives.push(lerp(elbow, wrist, 1.35));
  }
  if (kind === 'top' || kind === 'outer') {
    for (const [knee, ankle] of [
      [k[J.rKnee]!, k[J.rAnkle]!],
      [k[J.lKnee]!, k[J.lAnkle]!],
    ] as const) {
      if (seen(knee) && seen(ankle)) negatives.push(mid(knee, ankle));
    }
  }
  for (const n of negatives) if (inside(n, size)) points.push({ x: n.x, y: n.y, label: 0 });
  if (!points.some((p) => p.label === 1)) points.push({ x: (region.x0 + region.x1) / 2, y: (region.y0 + region.y1) / 2, label: 1 });
  return { kind, region, points, fromPose: true };
}

export interface CandidateScore {
  /** Share of the candidate inside the region. */
  inside: number;
  /** Share of the region the candidate covers. */
  fill: number;
  /** Predicted quality × agreement with the region, 0..1. */
  confidence: number;
}

/** How well a candidate mask (width × height) agrees with the region (same frame) given SAM's predicted IoU. */
export function scoreCandidate(mask: Mask, width: number, height: number, region: PromptBox, predicted: number): CandidateScore {
  const x0 = Math.max(0, Math.floor(region.x0));
  const y0 = Math.max(0, Math.floor(region.y0));
  const x1 = Math.min(width, Math.ceil(region.x1));
  const y1 = Math.min(height, Math.ceil(region.y1));
  let total = 0;
  let within = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const inRows = y >= y0 && y < y1;
    for (let x = 0; x < width; x++) {
      if (!mask[row + x]) continue;
      total++;
      if (inRows && x >= x0 && x < x1) within++;
    }
  }
  const regionArea = Math.max(1, (x1 - x0) * (y1 - y0));
  const insideShare = total ? within / total : 0;
  const fill = within / regionArea;
  // A garment rarely fills its body box: a third of it counts as full agreement.
  const agreement = insideShare * Math.min(1, fill / 0.33);
  return { inside: insideShare, fill, confidence: Math.max(0, Math.min(1, predicted)) * agreement };
}

/** The best candidate and its score. */
export function chooseCandidate(scores: CandidateScore[]): { index: number; score: CandidateScore } {
  let index = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i]!.confidence > scores[index]!.confidence) index = i;
  return { index, score: scores[index]! };
}

/**
 * Drops islands smaller than `minIslandFraction` of the largest piece and fills holes (background not reaching
 * the border) smaller than `maxHoleFraction` of what is kept. Returns a new mask.
 */
export function cleanMask(
  mask: Mask,
  width: number,
  height: number,
  o: { minIslandFraction?: number; maxHoleFraction?: number } = {},
): { mask: Mask; islandsRemoved: number; holesFilled: number } {
  const minIsland = o.minIslandFraction ?? 0.05;
  const maxHole = o.maxHoleFraction ?? 0.02;
  const out = mask.slice();
  const fg = components(out, width, height, 1);
  const largest = Math.max(0, ...fg.sizes);
  let islandsRemoved = 0;
  const drop = fg.sizes.map((s) => s < largest * minIsland);
  for (let i = 0; i < out.length; i++) {
    const c = fg.labels[i]!;
    if (c >= 0 && drop[c]) out[i] = 0;
  }
  islandsRemoved = drop.filter(Boolean).length;
  let kept = 0;
  for (let i = 0; i < out.length; i++) kept += out[i]!;
  const bg = components(out, width, height, 0);
  const fill = bg.sizes.map((s, c) => !bg.touchesBorder[c] && s <= kept * maxHole);
  for (let i = 0; i < out.length; i++) {
    const c = bg.labels[i]!;
    if (c >= 0 && fill[c]) out[i] = 1;
  }
  return { mask: out, islandsRemoved, holesFilled: fill.filter(Boolean).length };
}

/** 4-connected components of the pixels equal to `value`. */
function components(mask: Mask, width: number, height: number, value: 0 | 1) {
  const labels = new Int32Array(mask.length).fill(-1);
  const sizes: number[] = [];
  const touchesBorder: boolean[] = [];
  const queue = new Int32Array(mask.length);
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== value || labels[start] !== -1) continue;
    const c = sizes.length;
    let head = 0;
    let tail = 0;
    let size = 0;
    let border = false;
    queue[tail++] = start;
    labels[start] = c;
    while (head < tail) {
      const i = queue[head++]!;
      size++;
      const x = i % width;
      const y = (i - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border = true;
      const visit = (j: number) => {
        if (mask[j] === value && labels[j] === -1) {
          labels[j] = c;
          queue[tail++] = j;
        }
      };
      if (x > 0) visit(i - 1);
      if (x < width - 1) visit(i + 1);
      if (y > 0) visit(i - width);
      if (y < height - 1) visit(i + width);
    }
    sizes.push(size);
    touchesBorder.push(border);
  }
  return { labels, sizes, touchesBorder };
}
