// Shared pose vocabulary. Coordinates of a Keypoint are pixels of the photo's full-resolution
// frame (x right, y down, (0,0) = top-left corner of the photo); joints may lie outside it.

/** OpenPose body-18 (COCO) order; "right" is the person's right. */
export const JOINT_NAMES = [
  'nose',
  'neck',
  'right_shoulder',
  'right_elbow',
  'right_wrist',
  'left_shoulder',
  'left_elbow',
  'left_wrist',
  'right_hip',
  'right_knee',
  'right_ankle',
  'left_hip',
  'left_knee',
  'left_ankle',
  'right_eye',
  'left_eye',
  'right_ear',
  'left_ear',
] as const;

export type JointName = (typeof JOINT_NAMES)[number];

export const JOINT_COUNT = JOINT_NAMES.length;

/** Index of each joint in JOINT_NAMES, for readable array access. */
export const J = {
  nose: 0,
  neck: 1,
  rShoulder: 2,
  rElbow: 3,
  rWrist: 4,
  lShoulder: 5,
  lElbow: 6,
  lWrist: 7,
  rHip: 8,
  rKnee: 9,
  rAnkle: 10,
  lHip: 11,
  lKnee: 12,
  lAnkle: 13,
  rEye: 14,
  lEye: 15,
  rEar: 16,
  lEar: 17,
} as const;

/** For each joint, the joint it becomes when the body is mirrored (left ↔ right). */
export const MIRROR_JOINT: readonly number[] = [0, 1, 5, 6, 7, 2, 3, 4, 11, 12, 13, 8, 9, 10, 15, 14, 17, 16];

/** detected: seen by a detector; completed: placed by completion, silhouette or preset; edited: moved by a person. */
export const JOINT_SOURCES = ['detected', 'completed', 'edited'] as const;
export type JointSource = (typeof JOINT_SOURCES)[number];

export interface Keypoint {
  name: JointName;
  x: number;
  y: number;
  source: JointSource;
}

export const POSE_ORIGINS = ['detected', 'silhouette', 'preset', 'none'] as const;
export type PoseOrigin = (typeof POSE_ORIGINS)[number];

export interface Pose {
  /** Size of the frame the coordinates are in (the photo, or the generation size after scalePose). */
  width: number;
  height: number;
  /** Always all 18 joints, in JOINT_NAMES order. */
  keypoints: Keypoint[];
  origin: PoseOrigin;
  presetId?: string;
}

/** One MediaPipe Pose landmark: x, y normalised to the image width/height (may fall outside 0..1). */
export interface Landmark {
  x: number;
  y: number;
  z?: number;
  visibility?: number;
  presence?: number;
}

/** Binary mask, row-major, one byte per pixel; value > 0 = garment / mannequin. */
export interface BinaryMask {
  mask: Uint8Array;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}
