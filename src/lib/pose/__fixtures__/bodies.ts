// Hand-made MediaPipe-33 landmark sets for tests: a plausible front-facing standing woman in a
// 768×1024 photo (shoulder width 140 px), and helpers to hide parts, mirror, move and scale.
import type { Landmark, Pose } from '../types.ts';
import { MEDIAPIPE_MIRROR } from '../mediapipe.ts';
import { MIRROR_JOINT } from '../types.ts';

export const PHOTO = { width: 768, height: 1024 } as const;

// Pixel positions; index = MediaPipe landmark id. The person's left is image right.
const STANDING_PX: readonly (readonly [number, number])[] = [
  [384, 212], // 0 nose
  [390, 199], // 1 left eye inner
  [394, 198], // 2 left eye
  [399, 199], // 3 left eye outer
  [378, 199], // 4 right eye inner
  [374, 198], // 5 right eye
  [369, 199], // 6 right eye outer
  [407, 204], // 7 left ear
  [361, 204], // 8 right ear
  [391, 226], // 9 mouth left
  [377, 226], // 10 mouth right
  [454, 262], // 11 left shoulder
  [314, 260], // 12 right shoulder
  [474, 362], // 13 left elbow
  [293, 360], // 14 right elbow
  [482, 440], // 15 left wrist
  [284, 438], // 16 right wrist
  [486, 452], // 17 left pinky
  [280, 450], // 18 right pinky
  [484, 456], // 19 left index
  [282, 454], // 20 right index
  [478, 450], // 21 left thumb
  [288, 448], // 22 right thumb
  [435, 418], // 23 left hip
  [333, 417], // 24 right hip
  [431, 550], // 25 left knee
  [338, 549], // 26 right knee
  [428, 682], // 27 left ankle
  [341, 681], // 28 right ankle
  [426, 694], // 29 left heel
  [343, 693], // 30 right heel
  [437, 706], // 31 left foot index
  [331, 705], // 32 right foot index
];

export function standingBody(): Landmark[] {
  return STANDING_PX.map(([x, y]) => ({ x: x / PHOTO.width, y: y / PHOTO.height, z: 0, visibility: 0.98, presence: 0.99 }));
}

export const HEAD = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
export const ARMS = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
export const LEGS = [25, 26, 27, 28, 29, 30, 31, 32];
export const HIPS = [23, 24];

/** The same landmarks with the given ones unseen (low visibility; their coordinates are MediaPipe's guesses). */
export function hide(landmarks: Landmark[], ids: readonly number[]): Landmark[] {
  return landmarks.map((l, i) => (ids.includes(i) ? { ...l, x: l.x + 0.03, y: l.y - 0.05, visibility: 0.1 } : l));
}

/** Mirror image of the photo: x flipped and the subject's left/right swapped. */
export function mirrorLandmarks(landmarks: Landmark[]): Landmark[] {
  return landmarks.map((_, i) => {
    const src = landmarks[MEDIAPIPE_MIRROR[i]!]!;
    return { ...src, x: 1 - src.x };
  });
}

export function mapLandmarks(landmarks: Landmark[], f: (x: number, y: number) => [number, number]): Landmark[] {
  return landmarks.map((l) => {
    const [x, y] = f(l.x, l.y);
    return { ...l, x, y };
  });
}

/** Mirror of a completed pose, to compare with the pose of the mirrored photo. */
export function mirrorPose(pose: Pose): Pose {
  return {
    ...pose,
    keypoints: pose.keypoints.map((k, i) => {
      const src = pose.keypoints[MIRROR_JOINT[i]!]!;
      return { ...src, name: k.name, x: pose.width - src.x };
    }),
  };
}

/**
 * A headless dress form in a sleeveless knee-length dress, as a mask: neck stub, sloped shoulders,
 * bust, waist, hips, flared skirt. Returns the mask and where its shoulder and hip joints truly are.
 */
export function dressFormMask(opts: {
  width: number;
  height: number;
  cx: number;
  top: number;
  shoulder: number;
  tilt?: number;
  arms?: boolean;
}) {
  const { width, height, cx, top, shoulder: S } = opts;
  const tilt = opts.tilt ?? 0;
  // [y below top, half width], in shoulder widths; joints: shoulders at y=0.22, hips at y=0.22+1.11.
  const profile: [number, number][] = [
    [0, 0.15],
    [0.12, 0.15],
    [0.16, 0.45],
    [0.2, 0.58],
    [0.26, 0.6],
    [0.4, 0.55],
    [0.55, 0.56],
    [0.85, 0.42],
    [1.1, 0.55],
    [1.35, 0.58],
    [1.55, 0.6],
    [2.1, 0.75],
    [2.2, 0.76],
  ];
  const mask = new Uint8Array(width * height);
  const halfAt = (t: number) => {
    for (let i = 1; i < profile.length; i++) {
      const [y0, w0] = profile[i - 1]!;
      const [y1, w1] = profile[i]!;
      if (t <= y1) return w0 + ((w1 - w0) * (t - y0)) / (y1 - y0);
    }
    return -1;
  };
  for (let y = 0; y < height; y++) {
    const t = (y + 0.5 - top) / S;
    if (t < 0) continue;
    const half = halfAt(t);
    if (half < 0) continue;
    const c = cx + tilt * (y + 0.5 - top);
    for (let x = Math.max(0, Math.floor(c - half * S)); x < Math.min(width, Math.ceil(c + half * S)); x++) mask[y * width + x] = 1;
  }
  if (opts.arms) {
    // Arms hanging from the shoulder corners down to mid-thigh, slightly apart from the body.
    for (let y = Math.ceil(top + 0.2 * S); y < top + 1.5 * S && y < height; y++) {
      const t = (y - top - 0.2 * S) / S;
      for (const side of [-1, 1]) {
        const xc = cx + tilt * (y - top) + side * (0.58 + 0.12 * t) * S;
        for (let x = Math.max(0, Math.round(xc - 0.11 * S)); x < Math.min(width, xc + 0.11 * S); x++) mask[y * width + x] = 1;
      }
    }
  }
  const at = (t: number, dx: number) => ({ x: cx + tilt * t * S + dx * S, y: top + t * S });
  return {
    mask: { mask, width, height },
    truth: {
      rightShoulder: at(0.22, -0.5),
      leftShoulder: at(0.22, 0.5),
      rightHip: at(1.33, -0.37),
      leftHip: at(1.33, 0.37),
    },
  };
}
