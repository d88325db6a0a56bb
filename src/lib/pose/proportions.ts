// Body proportions for completion, in units of shoulder width S (distance between the two
// shoulder joints). Source: Drillis & Contini (1966) segment lengths as fractions of stature H,
// as tabulated in D. A. Winter, "Biomechanics and Motor Control of Human Movement", fig. 4.1:
// shoulder width 0.259H, hip width 0.191H, upper arm 0.186H, forearm 0.146H, thigh 0.245H,
// shank 0.246H; heights: eyes ≈0.936H, chin 0.870H, shoulders 0.818H, hip joints 0.530H.
// Head offsets (nose, eyes, ears) are rounded from the same heights plus a head breadth of
// ≈0.088H and an eye spacing of ≈0.036H.
import type { Point } from './types.ts';
import { J } from './types.ts';

const H = 1 / 0.259; // stature in shoulder widths

export const PROPORTIONS = {
  shoulderWidth: 1,
  hipWidth: 0.191 * H, // 0.74
  torso: (0.818 - 0.53) * H, // neck (shoulder line) to hip line: 1.11
  upperArm: 0.186 * H, // 0.72
  forearm: 0.146 * H, // 0.56
  thigh: 0.245 * H, // 0.95
  shank: 0.246 * H, // 0.95
  noseAboveNeck: 0.34,
  eyesAboveNeck: 0.455,
  earsAboveNeck: 0.42,
  eyeHalfSpacing: 0.07,
  earHalfSpacing: 0.17,
} as const;

/** Relaxed arms hang slightly away from the body (outward angle from the torso axis, degrees). */
const UPPER_ARM_ABDUCTION = 10;
const FOREARM_ABDUCTION = 8;
/** Standing legs: knees a little inside the hips, feet under the knees. */
const THIGH_ADDUCTION = 1.2;
const SHANK_ADDUCTION = 0.6;

/**
 * Canonical front-standing body (the "front" preset and the completion template), OpenPose-18
 * order, in a body frame: origin at the neck, x towards the person's left (image right for a
 * person facing the camera), y down the torso axis, unit = shoulder width.
 */
export const TEMPLATE: readonly Point[] = buildTemplate();

function buildTemplate(): Point[] {
  const P = PROPORTIONS;
  const t: Point[] = new Array(18);
  t[J.neck] = { x: 0, y: 0 };
  t[J.nose] = { x: 0, y: -P.noseAboveNeck };
  t[J.rEye] = { x: -P.eyeHalfSpacing, y: -P.eyesAboveNeck };
  t[J.lEye] = { x: P.eyeHalfSpacing, y: -P.eyesAboveNeck };
  t[J.rEar] = { x: -P.earHalfSpacing, y: -P.earsAboveNeck };
  t[J.lEar] = { x: P.earHalfSpacing, y: -P.earsAboveNeck };
  for (const side of [-1, 1]) {
    const right = side < 0;
    const shoulder = { x: (side * P.shoulderWidth) / 2, y: 0 };
    const elbow = hang(shoulder, P.upperArm, side * UPPER_ARM_ABDUCTION);
    const wrist = hang(elbow, P.forearm, side * FOREARM_ABDUCTION);
    const hip = { x: (side * P.hipWidth) / 2, y: P.torso };
    const knee = hang(hip, P.thigh, -side * THIGH_ADDUCTION);
    const ankle = hang(knee, P.shank, -side * SHANK_ADDUCTION);
    t[right ? J.rShoulder : J.lShoulder] = shoulder;
    t[right ? J.rElbow : J.lElbow] = elbow;
    t[right ? J.rWrist : J.lWrist] = wrist;
    t[right ? J.rHip : J.lHip] = hip;
    t[right ? J.rKnee : J.lKnee] = knee;
    t[right ? J.rAnkle : J.lAnkle] = ankle;
  }
  return t;
}

/** A segment hanging down from `from`, tilted `degrees` towards +x. */
function hang(from: Point, length: number, degrees: number): Point {
  const a = (degrees * Math.PI) / 180;
  return { x: from.x + length * Math.sin(a), y: from.y + length * Math.cos(a) };
}

/** Limb chains: root (on the torso), middle, end; and the segment lengths in shoulder widths. */
export const LIMB_CHAINS = [
  { root: J.rShoulder, middle: J.rElbow, end: J.rWrist, side: -1, upper: PROPORTIONS.upperArm, lower: PROPORTIONS.forearm },
  { root: J.lShoulder, middle: J.lElbow, end: J.lWrist, side: 1, upper: PROPORTIONS.upperArm, lower: PROPORTIONS.forearm },
  { root: J.rHip, middle: J.rKnee, end: J.rAnkle, side: -1, upper: PROPORTIONS.thigh, lower: PROPORTIONS.shank },
  { root: J.lHip, middle: J.lKnee, end: J.lAnkle, side: 1, upper: PROPORTIONS.thigh, lower: PROPORTIONS.shank },
] as const;

export const HEAD_JOINTS = [J.nose, J.rEye, J.lEye, J.rEar, J.lEar] as const;
/** Torso corners, which carry the garment and fix the body frame. */
export const TORSO_JOINTS = [J.rShoulder, J.lShoulder, J.rHip, J.lHip] as const;
