// ControlNet OpenPose drawing conventions (sd-webui-controlnet annotator/openpose/util.py
// draw_bodypose, ControlNet 1.1; see shared/reference/sd-webui-api.md §5).

type Rgb = readonly [number, number, number];

/** C[i]: colour of keypoint i and of limb i. */
export const JOINT_COLORS: readonly Rgb[] = [
  [255, 0, 0],
  [255, 85, 0],
  [255, 170, 0],
  [255, 255, 0],
  [170, 255, 0],
  [85, 255, 0],
  [0, 255, 0],
  [0, 255, 85],
  [0, 255, 170],
  [0, 255, 255],
  [0, 170, 255],
  [0, 85, 255],
  [0, 0, 255],
  [85, 0, 255],
  [170, 0, 255],
  [255, 0, 255],
  [255, 0, 170],
  [255, 0, 85],
];

/** The 17 limbs as 0-based joint pairs, in drawing order (later limbs paint over earlier ones). */
export const LIMBS: readonly (readonly [number, number])[] = [
  [1, 2],
  [1, 5],
  [2, 3],
  [3, 4],
  [5, 6],
  [6, 7],
  [1, 8],
  [8, 9],
  [9, 10],
  [1, 11],
  [11, 12],
  [12, 13],
  [1, 0],
  [0, 14],
  [14, 16],
  [0, 15],
  [15, 17],
];

/** ControlNet scales the limb layer by 0.6 (and truncates to uint8) before drawing the joints. */
export const LIMB_DIMMING = 0.6;

export function limbColor(limb: number): Rgb {
  const [r, g, b] = JOINT_COLORS[limb]!;
  return [Math.floor(r * LIMB_DIMMING), Math.floor(g * LIMB_DIMMING), Math.floor(b * LIMB_DIMMING)];
}

/** Stick half-width and joint radius are 4 px on ControlNet's 512-px detection canvas. */
export const STICK_PX_AT_512 = 4;

export function stickWidthFor(width: number, height: number): number {
  return (STICK_PX_AT_512 * Math.min(width, height)) / 512;
}
