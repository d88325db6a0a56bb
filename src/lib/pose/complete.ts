// Pose completion: the joints that were seen stay where they are; the missing ones come from
// body proportions (proportions.ts) in a body frame fitted to the seen joints.
import type { BinaryMask, JointSource, Keypoint, Landmark, Point, Pose, PoseOrigin } from './types.ts';
import { J, JOINT_COUNT, JOINT_NAMES } from './types.ts';
import { add, dist, dot, fitBodySimilarity, framePoint, frameVector, mid, mul, norm, sub, unit, type Frame } from './geometry.ts';
import { HEAD_JOINTS, LIMB_CHAINS, PROPORTIONS, TEMPLATE, TORSO_JOINTS } from './proportions.ts';
import { observeMediaPipe } from './mediapipe.ts';
import { estimateSilhouetteAnchors } from './silhouette.ts';
import { pullIntoBand } from './band.ts';
import { assertFrameSize } from './scale.ts';

export interface CompleteOptions {
  width: number;
  height: number;
  /** Garment / mannequin mask, used when the detector found too little of a person. */
  silhouette?: BinaryMask;
}

/** A joint known before completion, in photo pixels. */
export interface Observation {
  point: Point;
  source: JointSource;
}

/**
 * A torso turned away from the camera shows narrow shoulders; sideways offsets (head, hanging
 * arms) shrink with it, but never below a quarter so left and right joints stay apart in a profile.
 */
const MIN_LATERAL = 0.25;

/**
 * MediaPipe's 33 landmarks (or null / [] when no person was found) → all 18 OpenPose joints.
 * Null when neither the landmarks nor the silhouette give a body to complete: the UI offers presets.
 */
export function completePose(landmarks: readonly Landmark[] | null, opts: CompleteOptions): Pose | null {
  const { width, height } = opts;
  assertFrameSize(width, height);
  const seen =
    landmarks && landmarks.length > 0 ? observeMediaPipe(landmarks, width, height) : new Array<Point | null>(JOINT_COUNT).fill(null);
  const observed = seen.map((point): Observation | null => (point ? { point, source: 'detected' } : null));
  const torsoSeen = TORSO_JOINTS.filter((j) => observed[j]).length;
  if (torsoSeen < 2 && opts.silhouette) {
    const anchors = estimateSilhouetteAnchors(opts.silhouette);
    if (anchors) {
      const sx = width / opts.silhouette.width;
      const sy = height / opts.silhouette.height;
      const put = (j: number, p: Point | null) => {
        if (p && !observed[j]) observed[j] = { point: { x: p.x * sx, y: p.y * sy }, source: 'completed' };
      };
      put(J.rShoulder, anchors.rightShoulder);
      put(J.lShoulder, anchors.leftShoulder);
      put(J.rHip, anchors.rightHip);
      put(J.lHip, anchors.leftHip);
      const pose = completeObservations(observed, { width, height, origin: 'silhouette' });
      if (pose) return pose;
    }
  }
  return completeObservations(observed, { width, height, origin: 'detected' });
}

/**
 * The core of completion, for any source of partial OpenPose-18 joints (MediaPipe, an imported
 * OpenPose JSON, a half-edited pose). Null when fewer than two distinct joints are known.
 */
export function completeObservations(
  observed: readonly (Observation | null)[],
  opts: { width: number; height: number; origin: PoseOrigin },
): Pose | null {
  if (observed.length !== JOINT_COUNT) throw new RangeError(`expected ${JOINT_COUNT} joints, got ${observed.length}`);
  const pts: (Point | null)[] = observed.map((o) => o?.point ?? null);

  // 1. The four torso corners: seen, or from a similarity fit of the template to what is seen.
  if (TORSO_JOINTS.some((j) => !pts[j])) {
    const fit = fitTemplate(pts);
    if (!fit) return null;
    for (const j of TORSO_JOINTS) pts[j] ??= framePoint(fit, TEMPLATE[j]!);
  }
  const frame = bodyFrame(pts[J.rShoulder]!, pts[J.lShoulder]!, pts[J.rHip]!, pts[J.lHip]!);
  if (!frame) return null;

  // 2. Neck, by OpenPose's definition the shoulders' midpoint.
  pts[J.neck] ??= mid(pts[J.rShoulder]!, pts[J.lShoulder]!);

  // 3. Head: template offsets from the neck, shifted as a whole onto any head joint that was seen.
  const neck = pts[J.neck]!;
  const predicted = (j: number) => add(neck, frameVector(frame, sub(TEMPLATE[j]!, TEMPLATE[J.neck]!)));
  const seenHead = HEAD_JOINTS.filter((j) => pts[j]);
  let shift: Point = { x: 0, y: 0 };
  for (const j of seenHead) shift = add(shift, mul(sub(pts[j]!, predicted(j)), 1 / seenHead.length));
  for (const j of HEAD_JOINTS) pts[j] ??= add(predicted(j), shift);

  // 4. Limbs hang from their torso joint unless seen; a seen end with a hidden middle bends outwards.
  for (const chain of LIMB_CHAINS) {
    const root = pts[chain.root]!;
    const along = (from: number, to: number) => frameVector(frame, sub(TEMPLATE[to]!, TEMPLATE[from]!));
    if (!pts[chain.middle]) {
      const end = pts[chain.end];
      const outward = mul(frame.ex, chain.side);
      pts[chain.middle] = end
        ? placeMiddleJoint(root, end, chain.upper * frame.scale, chain.lower * frame.scale, outward)
        : add(root, along(chain.root, chain.middle));
    }
    pts[chain.end] ??= add(pts[chain.middle]!, along(chain.middle, chain.end));
  }

  // 5. A close-up can put completed feet several photo heights away; keep them where the API accepts them.
  const all = pts.map((p) => p!);
  pullIntoBand(all, (j) => !observed[j], opts.width, opts.height);

  const keypoints: Keypoint[] = JOINT_NAMES.map((name, i) => ({
    name,
    x: all[i]!.x,
    y: all[i]!.y,
    source: observed[i]?.source ?? 'completed',
  }));
  return { width: opts.width, height: opts.height, keypoints, origin: opts.origin };
}

/** Similarity fit of the template: to the seen torso joints when two are seen, else to every seen joint. */
function fitTemplate(pts: readonly (Point | null)[]): Frame | null {
  const torso = [J.neck, ...TORSO_JOINTS].filter((j) => pts[j]);
  const all = pts.map((p, j) => (p ? j : -1)).filter((j) => j >= 0);
  for (const set of torso.length >= 2 ? [torso, all] : [all]) {
    const fit = fitBodySimilarity(
      set.map((j) => TEMPLATE[j]!),
      set.map((j) => pts[j]!),
    );
    if (fit) return fit.frame;
  }
  return null;
}

/**
 * Body frame from the torso corners: origin at the neck, ey along the torso axis (neck → hip
 * centre, so a tilted torso tilts everything), ex towards the person's left. The scale is the
 * shoulder width of the un-turned body: a turned torso keeps its length but shows narrower shoulders.
 */
export function bodyFrame(rs: Point, ls: Point, rh: Point, lh: Point): Frame | null {
  const neck = mid(rs, ls);
  const axis = sub(mid(rh, lh), neck);
  const torso = norm(axis);
  const shoulders = dist(rs, ls);
  if (!(torso + shoulders > 0)) return null;
  const across = sub(ls, rs);
  let ey: Point;
  if (torso > 1e-9 * shoulders) {
    ey = unit(axis);
  } else {
    // Hips on the neck: hang the body perpendicular to the shoulders, downwards in the photo.
    ey = unit({ x: -across.y, y: across.x });
    if (ey.y < 0) ey = mul(ey, -1);
  }
  let ex: Point = { x: ey.y, y: -ey.x };
  const side = dot(across, ex) || dot(sub(lh, rh), ex);
  if (side < 0) ex = mul(ex, -1);
  const scale = Math.max(shoulders, torso / PROPORTIONS.torso);
  const lateral = Math.min(1, Math.max(MIN_LATERAL, Math.abs(dot(across, ex)) / scale));
  return { origin: neck, ex, ey, scale, lateral };
}

/**
 * Two-segment inverse kinematics: the middle joint (elbow, knee) between a root and a seen end,
 * bent towards `outward`; on the straight line when the end is out of reach.
 */
export function placeMiddleJoint(root: Point, end: Point, upper: number, lower: number, outward: Point): Point {
  const d = dist(root, end);
  if (d === 0) return add(root, mul(unit(outward), upper));
  const dir = mul(sub(end, root), 1 / d);
  if (d >= upper + lower) return add(root, mul(dir, (d * upper) / (upper + lower)));
  const reach = Math.max(d, Math.abs(upper - lower));
  const a = (upper * upper - lower * lower + reach * reach) / (2 * reach);
  const h = Math.sqrt(Math.max(0, upper * upper - a * a));
  let n: Point = { x: -dir.y, y: dir.x };
  if (dot(n, outward) < 0) n = mul(n, -1);
  return add(add(root, mul(dir, a)), mul(n, h));
}
