import { describe, expect, it } from 'vitest';
import { renderSkeleton } from './render.ts';
import { TEMPLATE } from './proportions.ts';
import { JOINT_NAMES, type Pose } from './types.ts';

// Copied from shared/reference/sd-webui-api.md §5 on purpose (not imported from skeleton.ts), so
// the renderer is checked against the specification rather than against itself.
const JOINT_RGB = [
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
const LIMB_SPEC: [number, number, [number, number, number]][] = [
  [1, 2, [153, 0, 0]],
  [1, 5, [153, 51, 0]],
  [2, 3, [153, 102, 0]],
  [3, 4, [153, 153, 0]],
  [5, 6, [102, 153, 0]],
  [6, 7, [51, 153, 0]],
  [1, 8, [0, 153, 0]],
  [8, 9, [0, 153, 51]],
  [9, 10, [0, 153, 102]],
  [1, 11, [0, 153, 153]],
  [11, 12, [0, 102, 153]],
  [12, 13, [0, 51, 153]],
  [1, 0, [0, 0, 153]],
  [0, 14, [51, 0, 153]],
  [14, 16, [102, 0, 153]],
  [0, 15, [153, 0, 153]],
  [15, 17, [153, 0, 102]],
];

/** The canonical standing body, shoulder width `s` px, neck at (cx, top). */
function bodyPose(width: number, height: number, s: number, cx: number, top: number): Pose {
  return {
    width,
    height,
    origin: 'preset',
    keypoints: JOINT_NAMES.map((name, i) => ({ name, x: cx + TEMPLATE[i]!.x * s, y: top + TEMPLATE[i]!.y * s, source: 'completed' })),
  };
}

const pixel = (img: Uint8ClampedArray, width: number, x: number, y: number) => {
  const o = (Math.floor(y) * width + Math.floor(x)) * 4;
  return [img[o], img[o + 1], img[o + 2], img[o + 3]];
};

describe('renderSkeleton', () => {
  const W = 1024;
  const H = 1536;
  const pose = bodyPose(W, H, 320, 512, 280);
  const img = renderSkeleton(pose, W, H);

  it('is an opaque RGBA image on black', () => {
    expect(img).toHaveLength(W * H * 4);
    expect(pixel(img, W, 2, 2)).toEqual([0, 0, 0, 255]);
    for (let i = 3; i < img.length; i += 4 * 997) expect(img[i]).toBe(255);
  });

  it.each(LIMB_SPEC.map((l, i) => [i, ...l] as const))('limb %i (%i–%i) has the specified colour at its midpoint', (_i, a, b, rgb) => {
    const p = pose.keypoints[a]!;
    const q = pose.keypoints[b]!;
    expect(pixel(img, W, (p.x + q.x) / 2, (p.y + q.y) / 2)).toEqual([...rgb, 255]);
  });

  it.each(JOINT_NAMES.map((n, i) => [i, n] as const))('joint %i (%s) has the specified colour', (i) => {
    const k = pose.keypoints[i]!;
    expect(pixel(img, W, k.x, k.y)).toEqual([...JOINT_RGB[i]!, 255]);
  });

  it('scales the stick width with the image (4 px per 512 px of the short side)', () => {
    const across = (image: Uint8ClampedArray, width: number, y: number, x0: number, x1: number) => {
      let n = 0;
      for (let x = x0; x < x1; x++) if (pixel(image, width, x, y)[1] === 153 && pixel(image, width, x, y)[0] === 102) n++;
      return n;
    };
    // The left upper arm (limb 4, 102,153,0) is nearly vertical: count its pixels across at mid-height.
    const e = pose.keypoints[6]!;
    const s = pose.keypoints[5]!;
    const wide = across(img, W, (e.y + s.y) / 2, 600, 800);
    expect(wide).toBeGreaterThanOrEqual(15);
    expect(wide).toBeLessThanOrEqual(18);
    const small = renderSkeleton(pose, W / 2, H / 2);
    const narrow = across(small, W / 2, (e.y + s.y) / 4, 300, 400);
    expect(narrow).toBeGreaterThanOrEqual(7);
    expect(narrow).toBeLessThanOrEqual(9);
  });

  it('draws in the generation frame when it differs from the photo frame', () => {
    const small = renderSkeleton(pose, 512, 768);
    const nose = pose.keypoints[0]!;
    expect(pixel(small, 512, nose.x / 2, nose.y / 2)).toEqual([255, 0, 0, 255]);
  });

  it('clips joints and limbs that leave the canvas', () => {
    const cropped = bodyPose(W, H, 320, 512, 1000); // legs below the bottom edge
    const out = renderSkeleton(cropped, W, H);
    const hip = cropped.keypoints[8]!;
    expect(hip.y).toBeLessThan(H);
    expect(cropped.keypoints[9]!.y).toBeGreaterThan(H);
    // The right thigh (limb 7) still shows between the hip and the edge.
    expect(pixel(out, W, hip.x, (hip.y + H) / 2)).toEqual([0, 153, 51, 255]);
  });

  it('rejects an impossible size', () => {
    expect(() => renderSkeleton(pose, 0, 10)).toThrow(RangeError);
    expect(() => renderSkeleton(pose, 10.5, 10)).toThrow(RangeError);
  });
});
