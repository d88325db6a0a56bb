import { describe, expect, it } from 'vitest';
import { POSE_PRESETS, PRESET_IDS, applyPreset, getPreset, placePreset } from './presets.ts';
import { completePose } from './complete.ts';
import { poseSchemaFor } from './schema.ts';
import { J, type Pose } from './types.ts';
import { dist, mid } from './geometry.ts';
import { ARMS, HEAD, LEGS, PHOTO, hide, standingBody } from './__fixtures__/bodies.ts';

const anchor = completePose(hide(standingBody(), [...HEAD, ...ARMS, ...LEGS]), PHOTO)!;
const TORSO: number[] = [J.neck, J.rShoulder, J.lShoulder, J.rHip, J.lHip];

describe('POSE_PRESETS', () => {
  it('has the six catalogue poses with English and Chinese labels', () => {
    expect(POSE_PRESETS.map((p) => p.id)).toEqual(['front', 'three-quarter', 'walking', 'hand-on-hip', 'arms-crossed', 'sitting']);
    expect([...PRESET_IDS]).toEqual(POSE_PRESETS.map((p) => p.id));
    for (const p of POSE_PRESETS) {
      expect(p.label.en.length).toBeGreaterThan(0);
      expect(p.label['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(p.keypoints).toHaveLength(18);
      expect(p.keypoints.every((k) => Number.isFinite(k.x) && Number.isFinite(k.y))).toBe(true);
    }
  });

  it.each(POSE_PRESETS.map((p) => [p.id, p] as const))('%s has a human build (2-D segments no longer than the limb)', (_id, p) => {
    const k = p.keypoints;
    const S = dist(k[J.rShoulder]!, k[J.lShoulder]!);
    const seg = (a: number, b: number) => dist(k[a]!, k[b]!) / S;
    for (const [a, b] of [
      [J.rShoulder, J.rElbow],
      [J.lShoulder, J.lElbow],
    ])
      expect(seg(a!, b!)).toBeLessThanOrEqual(1.0);
    for (const [a, b] of [
      [J.rElbow, J.rWrist],
      [J.lElbow, J.lWrist],
    ])
      expect(seg(a!, b!)).toBeLessThanOrEqual(0.8);
    for (const [a, b] of [
      [J.rHip, J.rKnee],
      [J.lHip, J.lKnee],
      [J.rKnee, J.rAnkle],
      [J.lKnee, J.lAnkle],
    ])
      expect(seg(a!, b!)).toBeLessThanOrEqual(1.4);
    expect(k[J.nose]!.y).toBeLessThan(k[J.neck]!.y);
    expect(k[J.rHip]!.y).toBeGreaterThan(k[J.neck]!.y);
    expect(k[J.rShoulder]!.x).toBeLessThan(k[J.lShoulder]!.x);
  });
});

describe('applyPreset', () => {
  it.each(PRESET_IDS.map((id) => [id]))('keeps the garment where it is: %s', (id) => {
    const pose = applyPreset(id, anchor);
    expect(pose).toMatchObject({ origin: 'preset', presetId: id, width: PHOTO.width, height: PHOTO.height });
    for (const j of TORSO) expect(pose.keypoints[j]).toEqual(anchor.keypoints[j]);
    for (let j = 0; j < 18; j++) if (!TORSO.includes(j)) expect(pose.keypoints[j]!.source).toBe('completed');
    expect(() => poseSchemaFor(PHOTO).parse(pose)).not.toThrow();
  });

  it('scales and turns the preset with the anchor', () => {
    // The anchor, rotated 90° and halved about the photo centre.
    const turn = (p: { x: number; y: number }) => ({ x: 384 - (p.y - 512) / 2, y: 512 + (p.x - 384) / 2 });
    const turned: Pose = { ...anchor, keypoints: anchor.keypoints.map((k) => ({ ...k, ...turn(k) })) };
    const pose = applyPreset('front', turned);
    const S = dist(pose.keypoints[J.rShoulder]!, pose.keypoints[J.lShoulder]!);
    const arm = dist(pose.keypoints[J.rShoulder]!, pose.keypoints[J.rElbow]!);
    expect(arm / S).toBeGreaterThan(0.6);
    expect(arm / S).toBeLessThan(0.85);
    // The arm hangs along the turned body axis (+x after the turn), not down the photo.
    const axis = { x: mid(pose.keypoints[J.rHip]!, pose.keypoints[J.lHip]!).x - pose.keypoints[J.neck]!.x };
    expect(Math.sign(pose.keypoints[J.rElbow]!.x - pose.keypoints[J.rShoulder]!.x)).toBe(Math.sign(axis.x));
  });

  it('places the front preset on a front-standing anchor where completion would', () => {
    const front = applyPreset('front', anchor);
    const S = dist(anchor.keypoints[J.rShoulder]!, anchor.keypoints[J.lShoulder]!);
    for (let j = 0; j < 18; j++) expect(dist(front.keypoints[j]!, anchor.keypoints[j]!) / S).toBeLessThan(0.1);
  });

  it('rejects an unknown preset', () => {
    expect(() => applyPreset('cartwheel', anchor)).toThrow(/unknown pose preset "cartwheel"/);
    expect(() => getPreset('')).toThrow(RangeError);
  });
});

describe('placePreset', () => {
  it.each(PRESET_IDS.map((id) => [id]))('fits %s inside an empty photo', (id) => {
    const pose = placePreset(id, 600, 800);
    expect(pose).toMatchObject({ origin: 'preset', presetId: id });
    for (const k of pose.keypoints) {
      expect(k.x).toBeGreaterThan(0);
      expect(k.x).toBeLessThan(600);
      expect(k.y).toBeGreaterThan(0);
      expect(k.y).toBeLessThan(800);
    }
    expect(() => poseSchemaFor({ width: 600, height: 800 }).parse(pose)).not.toThrow();
  });
});

describe('applyPreset on a close-up', () => {
  it('keeps preset joints within the band the API accepts', () => {
    const k = (x: number, y: number) => ({ x, y });
    const big: Pose = {
      ...anchor,
      width: 800,
      height: 800,
      keypoints: anchor.keypoints.map((p) => ({ ...p, ...k(400 + (p.x - 384) * 4.5, 90 + (p.y - 261) * 4.5) })),
    };
    for (const id of PRESET_IDS) expect(() => poseSchemaFor({ width: 800, height: 800 }).parse(applyPreset(id, big))).not.toThrow();
  });
});
