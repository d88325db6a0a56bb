import { describe, expect, it } from 'vitest';
import { poseShown, viewFrame, withJointMoved } from './view.ts';
import { placePreset } from './presets.ts';
import { COORDINATE_BAND } from './band.ts';
import { J, type Pose } from './types.ts';

const W = 768;
const H = 1024;

describe('viewFrame', () => {
  it('is the photo when every joint is inside it (or there is no pose)', () => {
    expect(viewFrame(null, W, H)).toEqual({ x0: 0, y0: 0, w: W, h: H });
    const inside = placePreset('front', W, H);
    for (const k of inside.keypoints) {
      k.x = Math.min(W - 60, Math.max(60, k.x));
      k.y = Math.min(H - 60, Math.max(60, k.y));
    }
    expect(viewFrame(inside, W, H)).toEqual({ x0: 0, y0: 0, w: W, h: H });
  });

  it('grows to hold a joint above the photo, with a margin, within the API band', () => {
    const p = placePreset('front', W, H);
    p.keypoints[J.nose] = { ...p.keypoints[J.nose]!, y: -100 };
    const f = viewFrame(p, W, H);
    expect(f.y0).toBeCloseTo(-100 - 0.05 * H);
    expect(f.y0 + f.h).toBe(H);
    p.keypoints[J.nose] = { ...p.keypoints[J.nose]!, y: -100 * H };
    expect(viewFrame(p, W, H).y0).toBe(COORDINATE_BAND[0] * H);
  });
});

describe('poseShown', () => {
  it('names the origin until a joint is moved by hand', () => {
    const preset = placePreset('walking', W, H);
    expect(poseShown(preset)).toBe('preset');
    expect(poseShown({ ...preset, origin: 'silhouette' })).toBe('silhouette');
    expect(poseShown({ ...preset, origin: 'detected' })).toBe('detected');
    const moved = withJointMoved(preset, J.lWrist, 10, 10, viewFrame(preset, W, H));
    expect(poseShown(moved)).toBe('edited');
  });
});

describe('withJointMoved', () => {
  it('moves one joint, marks it edited, keeps it in the frame and leaves the pose given alone', () => {
    const p: Pose = placePreset('front', W, H);
    const before = structuredClone(p);
    const frame = { x0: 0, y0: -50, w: W, h: H + 50 };
    const moved = withJointMoved(p, J.rWrist, -40, -80, frame);
    expect(moved.keypoints[J.rWrist]).toMatchObject({ x: 0, y: -50, source: 'edited' });
    expect(moved.keypoints[J.lWrist]).toEqual(p.keypoints[J.lWrist]);
    expect(p).toEqual(before);
  });
});
