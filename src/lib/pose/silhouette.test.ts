import { describe, expect, it } from 'vitest';
import { estimateSilhouetteAnchors } from './silhouette.ts';
import { completePose } from './complete.ts';
import { dist, mid } from './geometry.ts';
import { J } from './types.ts';
import { dressFormMask } from './__fixtures__/bodies.ts';

const S = 170;
const base = { width: 600, height: 900, cx: 300, top: 120, shoulder: S };

function expectNear(
  anchors: ReturnType<typeof estimateSilhouetteAnchors>,
  truth: ReturnType<typeof dressFormMask>['truth'],
  shoulderTol = 0.12,
  hipTol = 0.15,
) {
  expect(anchors).not.toBeNull();
  const a = anchors!;
  expect(dist(a.rightShoulder, truth.rightShoulder) / S).toBeLessThan(shoulderTol);
  expect(dist(a.leftShoulder, truth.leftShoulder) / S).toBeLessThan(shoulderTol);
  expect(a.rightHip && a.leftHip).toBeTruthy();
  expect(dist(a.rightHip!, truth.rightHip) / S).toBeLessThan(hipTol);
  expect(dist(a.leftHip!, truth.leftHip) / S).toBeLessThan(hipTol);
  // Front-facing form: the person's right on the image left.
  expect(a.rightShoulder.x).toBeLessThan(a.leftShoulder.x);
}

describe('estimateSilhouetteAnchors', () => {
  it('finds shoulders at the widest top line and hips below the waist of a dress form', () => {
    const form = dressFormMask(base);
    expectNear(estimateSilhouetteAnchors(form.mask), form.truth);
  });

  it('keeps hanging arms out of the shoulder and hip estimate', () => {
    const form = dressFormMask({ ...base, arms: true });
    expectNear(estimateSilhouetteAnchors(form.mask), form.truth, 0.12, 0.25);
  });

  it('ignores speckle noise and a stray blob', () => {
    const form = dressFormMask(base);
    const noisy = form.mask.mask.slice();
    let seed = 11;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < noisy.length; i++) if (rand() < 0.02) noisy[i] = noisy[i] ? 0 : 255;
    for (let y = 20; y < 60; y++) for (let x = 520; x < 560; x++) noisy[y * 600 + x] = 1;
    expectNear(estimateSilhouetteAnchors({ ...form.mask, mask: noisy }), form.truth);
  });

  it('follows a tilted form along its axis', () => {
    const form = dressFormMask({ ...base, tilt: 0.12 });
    expectNear(estimateSilhouetteAnchors(form.mask), form.truth, 0.15, 0.2);
  });

  it('copes with a form cut by the photo side edge', () => {
    const form = dressFormMask({ ...base, cx: 80 });
    const a = estimateSilhouetteAnchors(form.mask)!;
    expectNear(a, form.truth, 0.15, 0.2);
  });

  it('copes with a form cut by the top of the photo', () => {
    const form = dressFormMask({ ...base, top: -20 });
    expectNear(estimateSilhouetteAnchors(form.mask), form.truth, 0.15, 0.2);
  });

  it('works on a large mask', () => {
    const form = dressFormMask({ width: 2400, height: 3200, cx: 1200, top: 300, shoulder: 700 });
    const a = estimateSilhouetteAnchors(form.mask)!;
    expect(dist(a.rightShoulder, form.truth.rightShoulder) / 700).toBeLessThan(0.12);
    expect(dist(a.leftHip!, form.truth.leftHip) / 700).toBeLessThan(0.15);
  });

  it('leaves the hips to completion when the garment ends at the waist', () => {
    const form = dressFormMask(base);
    const top = form.mask.mask.slice();
    const cut = Math.round(120 + 0.95 * S);
    top.fill(0, cut * 600);
    const a = estimateSilhouetteAnchors({ ...form.mask, mask: top })!;
    expect(a.rightHip).toBeNull();
    expect(dist(a.rightShoulder, form.truth.rightShoulder) / S).toBeLessThan(0.12);
    const pose = completePose(null, { width: 600, height: 900, silhouette: { ...form.mask, mask: top } })!;
    const hips = mid(pose.keypoints[J.rHip]!, pose.keypoints[J.lHip]!);
    expect(dist(hips, mid(form.truth.rightHip, form.truth.leftHip)) / S).toBeLessThan(0.2);
  });

  it('returns null for an empty or tiny mask', () => {
    expect(estimateSilhouetteAnchors({ mask: new Uint8Array(600 * 900), width: 600, height: 900 })).toBeNull();
    const tiny = new Uint8Array(600 * 900);
    for (let y = 400; y < 412; y++) for (let x = 300; x < 310; x++) tiny[y * 600 + x] = 1;
    expect(estimateSilhouetteAnchors({ mask: tiny, width: 600, height: 900 })).toBeNull();
  });

  it('rejects a mask whose size does not match its buffer', () => {
    expect(() => estimateSilhouetteAnchors({ mask: new Uint8Array(10), width: 4, height: 4 })).toThrow(RangeError);
  });
});
