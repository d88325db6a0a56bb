import { describe, expect, it } from 'vitest';
import { placePreset } from '../pose/presets.ts';
import { J, type Pose } from '../pose/types.ts';
// Poses the studio detected on the fixture photos with the real MediaPipe model (tests/support/make-pose-fixtures.ts).
import FIXTURE_POSES from './__fixtures__/poses.json' with { type: 'json' };
import { autoPrompt, centralPrompt, chooseCandidate, cleanMask, GARMENT_KINDS, scoreCandidate } from './auto-select.ts';

const SIZE = { width: 768, height: 1024 };
const front = (): Pose => placePreset('front', SIZE.width, SIZE.height);
const detected = (pose: Pose): Pose => ({ ...pose, keypoints: pose.keypoints.map((k) => ({ ...k, source: 'detected' as const })) });

function rect(w: number, h: number, boxes: [number, number, number, number][]): Uint8Array {
  const m = new Uint8Array(w * h);
  for (const [x0, y0, x1, y1] of boxes) for (let y = y0; y < y1; y++) m.fill(1, y * w + x0, y * w + x1);
  return m;
}

describe('autoPrompt', () => {
  it('puts each kind over its part of the body: a top from the shoulders to the hips, a bottom from the hips down', () => {
    const pose = detected(front());
    const k = pose.keypoints;
    const shouldersY = (k[J.rShoulder]!.y + k[J.lShoulder]!.y) / 2;
    const hipsY = (k[J.rHip]!.y + k[J.lHip]!.y) / 2;
    const anklesY = (k[J.rAnkle]!.y + k[J.lAnkle]!.y) / 2;
    const top = autoPrompt(pose, 'top', SIZE);
    expect(top.fromPose).toBe(true);
    expect(top.region.y0).toBeLessThan(shouldersY);
    expect(top.region.y1).toBeGreaterThan(hipsY);
    expect(top.region.y1).toBeLessThan(hipsY + (anklesY - hipsY) * 0.3);
    const bottom = autoPrompt(pose, 'bottom', SIZE);
    expect(bottom.region.y0).toBeGreaterThan(shouldersY);
    expect(bottom.region.y1).toBeGreaterThanOrEqual(Math.min(SIZE.height, anklesY));
    const outfit = autoPrompt(pose, 'outfit', SIZE);
    expect(outfit.region.y0).toBeLessThanOrEqual(top.region.y0);
    expect(outfit.region.y1).toBeGreaterThanOrEqual(bottom.region.y1 - 1);
  });

  it('positives lie inside the region; negatives sit on the face and hands the detector saw, never a guessed joint', () => {
    for (const kind of GARMENT_KINDS) {
      const p = autoPrompt(detected(front()), kind, SIZE);
      const pos = p.points.filter((q) => q.label === 1);
      expect(pos.length, kind).toBeGreaterThan(0);
      for (const q of pos) {
        expect(q.x).toBeGreaterThanOrEqual(p.region.x0);
        expect(q.x).toBeLessThanOrEqual(p.region.x1);
        expect(q.y).toBeGreaterThanOrEqual(p.region.y0);
        expect(q.y).toBeLessThanOrEqual(p.region.y1);
      }
      const nose = detected(front()).keypoints[J.nose]!;
      expect(
        p.points.some((q) => q.label === 0 && q.x === nose.x && q.y === nose.y),
        kind,
      ).toBe(true);
    }
    // A headless mannequin: its head was completed, not seen: no negative point there.
    const guessedHead = front();
    const p = autoPrompt(guessedHead, 'top', SIZE);
    expect(p.points.filter((q) => q.label === 0)).toEqual([]);
  });

  it('stays inside the photo, and asks for the central object without a usable body', () => {
    for (const kind of GARMENT_KINDS) {
      const p = autoPrompt(detected(front()), kind, SIZE);
      expect(p.region.x0).toBeGreaterThanOrEqual(0);
      expect(p.region.y1).toBeLessThanOrEqual(SIZE.height);
      for (const q of p.points) expect(q.x >= 0 && q.y >= 0 && q.x < SIZE.width && q.y < SIZE.height).toBe(true);
    }
    expect(autoPrompt(null, 'dress', SIZE)).toEqual(centralPrompt('dress', SIZE));
    const flat = front();
    for (const kp of flat.keypoints) kp.y = 500; // a collapsed pose: no torso
    expect(autoPrompt(flat, 'top', SIZE).fromPose).toBe(false);
  });
});

describe('candidate choice', () => {
  const region = { x0: 20, y0: 20, x1: 80, y1: 80 };
  it('prefers the candidate that agrees with the region over a higher score that spills outside it', () => {
    const garment = scoreCandidate(rect(100, 100, [[25, 25, 75, 75]]), 100, 100, region, 0.85);
    const wholePhoto = scoreCandidate(rect(100, 100, [[0, 0, 100, 100]]), 100, 100, region, 0.95);
    const sliver = scoreCandidate(rect(100, 100, [[40, 40, 45, 45]]), 100, 100, region, 0.9);
    expect(garment.inside).toBe(1);
    expect(chooseCandidate([wholePhoto, garment, sliver]).index).toBe(1);
    expect(garment.confidence).toBeGreaterThan(0.8);
    expect(wholePhoto.confidence).toBeLessThan(0.5);
    expect(sliver.confidence).toBeLessThan(0.2);
    expect(scoreCandidate(new Uint8Array(100 * 100), 100, 100, region, 1).confidence).toBe(0);
  });
});

describe('cleanMask', () => {
  it('drops small islands, fills small holes, keeps a second large piece and the border-touching background', () => {
    const m = rect(100, 100, [
      [10, 10, 60, 60], // the garment
      [70, 10, 95, 60], // a second large piece (a sleeve apart): kept
      [2, 90, 5, 93], // a speck: dropped
    ]);
    for (let y = 30; y < 33; y++) m.fill(0, y * 100 + 30, y * 100 + 33); // a small hole: filled
    const out = cleanMask(m, 100, 100);
    expect(out.islandsRemoved).toBe(1);
    expect(out.holesFilled).toBe(1);
    expect(out.mask[91 * 100 + 3]).toBe(0);
    expect(out.mask[31 * 100 + 31]).toBe(1);
    expect(out.mask[30 * 100 + 80]).toBe(1);
    expect(out.mask[0]).toBe(0);
    // The input is left as it was.
    expect(m[31 * 100 + 31]).toBe(0);
  });

  it('leaves a large hole (the gap between arm and body) open', () => {
    const m = rect(100, 100, [[10, 10, 90, 90]]);
    for (let y = 30; y < 70; y++) m.fill(0, y * 100 + 30, y * 100 + 70);
    expect(cleanMask(m, 100, 100).holesFilled).toBe(0);
  });
});

describe('autoPrompt on the fixture photos’ detected poses', () => {
  const photos = Object.entries(FIXTURE_POSES as Record<string, { width: number; height: number; pose: Pose | null }>);

  it('covers every photo, and each person’s garment regions go down the body in order', () => {
    expect(photos.length).toBe(10);
    for (const [name, { width, height, pose }] of photos) {
      const size = { width, height };
      const top = autoPrompt(pose, 'top', size);
      const bottom = autoPrompt(pose, 'bottom', size);
      const outfit = autoPrompt(pose, 'outfit', size);
      if (!name.startsWith('person-')) continue;
      expect(top.fromPose, name).toBe(true);
      const centre = (b: { y0: number; y1: number }) => (b.y0 + b.y1) / 2;
      expect(centre(top.region), name).toBeLessThan(centre(bottom.region));
      expect(outfit.region.y0, name).toBeLessThanOrEqual(top.region.y0 + 1);
      expect(outfit.region.y1, name).toBeGreaterThanOrEqual(top.region.y1);
    }
  });

  it('keeps positive points off the face the detector saw, and says no to it', () => {
    for (const [name, { width, height, pose }] of photos) {
      if (!pose || !name.startsWith('person-')) continue;
      const nose = pose.keypoints[J.nose]!;
      const shoulders = Math.abs(pose.keypoints[J.rShoulder]!.x - pose.keypoints[J.lShoulder]!.x);
      for (const kind of GARMENT_KINDS) {
        const p = autoPrompt(pose, kind, { width, height });
        for (const q of p.points.filter((q) => q.label === 1)) {
          expect(Math.hypot(q.x - nose.x, q.y - nose.y), `${name} ${kind}`).toBeGreaterThan(shoulders * 0.4);
        }
        if (nose.source === 'detected')
          expect(
            p.points.some((q) => q.label === 0 && q.x === nose.x),
            `${name} ${kind}`,
          ).toBe(true);
      }
    }
  });
});
