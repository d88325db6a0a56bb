// Catalogue poses as keypoint data, placed onto a photo's garment so the garment stays where it is.
import type { JointName, Keypoint, Point, Pose } from './types.ts';
import { J, JOINT_NAMES } from './types.ts';
import { add, fitBodySimilarity, fitSimilarity, framePoint, sub } from './geometry.ts';
import { LIMB_CHAINS, TEMPLATE, TORSO_JOINTS } from './proportions.ts';
import { assertFrameSize } from './scale.ts';
import { pullIntoBand } from './band.ts';

export const PRESET_IDS = ['front', 'three-quarter', 'walking', 'hand-on-hip', 'arms-crossed', 'sitting'] as const;
export type PresetId = (typeof PRESET_IDS)[number];

export interface PosePreset {
  id: PresetId;
  label: { en: string; 'zh-CN': string };
  /**
   * OpenPose-18 order, in the canonical body frame of proportions.ts: origin at the neck, x to the
   * person's left (image right when facing the camera), y down, unit = shoulder width.
   */
  keypoints: readonly Point[];
}

type Table = Record<JointName, readonly [number, number]>;

const FRONT_HEAD = {
  nose: [0, -0.34],
  right_eye: [-0.07, -0.455],
  left_eye: [0.07, -0.455],
  right_ear: [-0.17, -0.42],
  left_ear: [0.17, -0.42],
} as const;

const FRONT_TORSO = {
  neck: [0, 0],
  right_shoulder: [-0.5, 0],
  left_shoulder: [0.5, 0],
  right_hip: [-0.369, 1.112],
  left_hip: [0.369, 1.112],
} as const;

const STANDING_LEGS = {
  right_knee: [-0.349, 2.058],
  right_ankle: [-0.339, 3.007],
  left_knee: [0.349, 2.058],
  left_ankle: [0.339, 3.007],
} as const;

// The elbows' 0.707 is the template's upper arm × cos 10° (0.7072) rounded like the other figures, not √½.
const HANGING_ARMS = {
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: body data rounded (see above), not Math.SQRT1_2
  right_elbow: [-0.625, 0.707],
  right_wrist: [-0.703, 1.265],
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: body data rounded (see above), not Math.SQRT1_2
  left_elbow: [0.625, 0.707],
  left_wrist: [0.703, 1.265],
} as const;

// Body turned ~35° towards the person's left: narrower shoulders and hips, face following the turn.
const THREE_QUARTER: Table = {
  nose: [0.1, -0.34],
  right_eye: [0.0, -0.46],
  left_eye: [0.13, -0.45],
  right_ear: [-0.15, -0.42],
  left_ear: [0.1, -0.43],
  neck: [0, 0],
  right_shoulder: [-0.43, 0.02],
  left_shoulder: [0.39, -0.02],
  right_hip: [-0.31, 1.11],
  left_hip: [0.29, 1.1],
  right_elbow: [-0.54, 0.71],
  right_wrist: [-0.58, 1.27],
  left_elbow: [0.47, 0.7],
  left_wrist: [0.5, 1.25],
  right_knee: [-0.24, 2.05],
  right_ankle: [-0.17, 3.0],
  left_knee: [0.3, 2.04],
  left_ankle: [0.3, 2.99],
};

// Mid-stride towards the camera: the forward right foot lower in the photo, the left heel lifted; arms swing opposite.
const WALKING: Table = {
  ...FRONT_HEAD,
  ...FRONT_TORSO,
  right_elbow: [-0.66, 0.69],
  right_wrist: [-0.76, 1.22],
  left_elbow: [0.58, 0.7],
  left_wrist: [0.42, 1.18],
  right_knee: [-0.31, 2.03],
  right_ankle: [-0.27, 3.06],
  left_knee: [0.37, 2.06],
  left_ankle: [0.44, 2.9],
};

const HAND_ON_HIP: Table = {
  ...FRONT_HEAD,
  nose: [-0.02, -0.34],
  ...FRONT_TORSO,
  right_elbow: HANGING_ARMS.right_elbow,
  right_wrist: HANGING_ARMS.right_wrist,
  left_elbow: [0.93, 0.58],
  left_wrist: [0.48, 0.93],
  right_knee: STANDING_LEGS.right_knee,
  right_ankle: STANDING_LEGS.right_ankle,
  left_knee: [0.3, 2.05],
  left_ankle: [0.38, 3.0],
};

// Forearms folded across the waist, elbows forward (foreshortened upper arms).
const ARMS_CROSSED: Table = {
  ...FRONT_HEAD,
  ...FRONT_TORSO,
  right_elbow: [-0.47, 0.66],
  right_wrist: [0.1, 0.6],
  left_elbow: [0.47, 0.64],
  left_wrist: [-0.1, 0.58],
  ...STANDING_LEGS,
};

// Seated on a stool, seen from the front: thighs point at the camera (short in the photo), shanks hang.
const SITTING: Table = {
  ...FRONT_HEAD,
  ...FRONT_TORSO,
  right_elbow: [-0.6, 0.69],
  right_wrist: [-0.42, 1.2],
  left_elbow: [0.6, 0.69],
  left_wrist: [0.42, 1.2],
  right_knee: [-0.33, 1.5],
  right_ankle: [-0.33, 2.42],
  left_knee: [0.33, 1.5],
  left_ankle: [0.33, 2.42],
};

const fromTable = (t: Table): Point[] => JOINT_NAMES.map((n) => ({ x: t[n][0], y: t[n][1] }));

export const POSE_PRESETS: readonly PosePreset[] = [
  { id: 'front', label: { en: 'Front, standing', 'zh-CN': '正面站立' }, keypoints: TEMPLATE },
  { id: 'three-quarter', label: { en: 'Three-quarter turn', 'zh-CN': '四分之三侧身' }, keypoints: fromTable(THREE_QUARTER) },
  { id: 'walking', label: { en: 'Walking', 'zh-CN': '行走' }, keypoints: fromTable(WALKING) },
  { id: 'hand-on-hip', label: { en: 'Hand on hip', 'zh-CN': '单手叉腰' }, keypoints: fromTable(HAND_ON_HIP) },
  { id: 'arms-crossed', label: { en: 'Arms crossed', 'zh-CN': '双臂交叉' }, keypoints: fromTable(ARMS_CROSSED) },
  { id: 'sitting', label: { en: 'Sitting', 'zh-CN': '坐姿' }, keypoints: fromTable(SITTING) },
];

export function getPreset(id: string): PosePreset {
  const preset = POSE_PRESETS.find((p) => p.id === id);
  if (!preset) throw new RangeError(`unknown pose preset "${id}"; known: ${PRESET_IDS.join(', ')}`);
  return preset;
}

/**
 * The preset moved onto the anchor: a least-squares similarity over shoulders and hips, then the
 * anchor's torso joints (and neck) kept exactly, limbs and head following their attachment joint,
 * so the garment stays where it is. Torso joints keep the anchor's source; every joint the preset
 * placed is 'completed' ('edited' stays reserved for joints a person moved by hand).
 */
export function applyPreset(id: string, anchor: Pose): Pose {
  const preset = getPreset(id);
  const torso = [...TORSO_JOINTS];
  const fit = fitBodySimilarity(
    torso.map((j) => preset.keypoints[j]!),
    torso.map((j) => anchor.keypoints[j]!),
  );
  if (!fit) throw new RangeError('the anchor pose has no torso to place a preset on');
  const placed = preset.keypoints.map((p) => framePoint(fit.frame, p));
  const moveBy = (j: number) => sub(anchor.keypoints[j]!, placed[j]!);
  const out = placed.slice();
  for (const chain of LIMB_CHAINS) {
    const d = moveBy(chain.root);
    out[chain.middle] = add(placed[chain.middle]!, d);
    out[chain.end] = add(placed[chain.end]!, d);
  }
  const headShift = moveBy(J.neck);
  for (const j of [J.nose, J.rEye, J.lEye, J.rEar, J.lEar]) out[j] = add(placed[j]!, headShift);
  const kept = new Set<number>([J.neck, ...torso]);
  pullIntoBand(out, (j) => !kept.has(j), anchor.width, anchor.height);
  const keypoints: Keypoint[] = JOINT_NAMES.map((name, i) =>
    kept.has(i) ? { ...anchor.keypoints[i]!, name } : { name, x: out[i]!.x, y: out[i]!.y, source: 'completed' },
  );
  return { width: anchor.width, height: anchor.height, keypoints, origin: 'preset', presetId: preset.id };
}

/** Fraction of the photo height the whole body (head top to ankles) fills when there is no anchor. */
const STANDALONE_BODY_HEIGHT = 0.9;

/** The preset centred in an empty photo frame, for photos where no body could be found. */
export function placePreset(id: string, width: number, height: number): Pose {
  assertFrameSize(width, height);
  const preset = getPreset(id);
  const ys = preset.keypoints.map((p) => p.y);
  const headTop = Math.min(...ys) - 0.25; // the top of the head is above the eyes
  const bottom = Math.max(...ys);
  const scale = Math.min((STANDALONE_BODY_HEIGHT * height) / (bottom - headTop), (0.8 * width) / 2);
  const fit = fitSimilarity(
    [
      { x: 0, y: headTop },
      { x: 0, y: bottom },
    ],
    [
      { x: width / 2, y: (height - scale * (bottom - headTop)) / 2 },
      { x: width / 2, y: (height + scale * (bottom - headTop)) / 2 },
    ],
    false,
  )!;
  const keypoints: Keypoint[] = JOINT_NAMES.map((name, i) => ({
    name,
    ...framePoint(fit.frame, preset.keypoints[i]!),
    source: 'completed',
  }));
  return { width, height, keypoints, origin: 'preset', presetId: preset.id };
}
