// Properties of completion over many crafted variants: mirror symmetry, invariance to where the
// body is and how big it is, and human proportions of what was completed.
import { describe, expect, it } from 'vitest';
import { completePose } from './complete.ts';
import { J, type Landmark, type Pose } from './types.ts';
import { dist, mid } from './geometry.ts';
import { ARMS, HEAD, HIPS, LEGS, PHOTO, hide, mapLandmarks, mirrorLandmarks, mirrorPose, standingBody } from './__fixtures__/bodies.ts';

const opts = { width: PHOTO.width, height: PHOTO.height };

// MediaPipe landmark groups that disappear together on mannequins, crops and occlusions.
const GROUPS: Record<string, number[]> = {
  head: HEAD,
  rightArm: [14, 16, 18, 20, 22],
  leftArm: [13, 15, 17, 19, 21],
  rightForearm: [16, 18, 20, 22],
  rightElbow: [14],
  hips: HIPS,
  rightHip: [24],
  legs: LEGS,
  shanks: [27, 28, 29, 30, 31, 32],
  leftShoulder: [11],
};

const NAMED: Record<string, string[]> = {
  'full body': [],
  headless: ['head'],
  armless: ['rightArm', 'leftArm'],
  legless: ['legs'],
  'half-body': ['hips', 'legs'],
  'headless armless mannequin': ['head', 'rightArm', 'leftArm'],
  'headless half-body mannequin': ['head', 'rightArm', 'leftArm', 'hips', 'legs'],
  'one shoulder, one hip missing': ['leftShoulder', 'rightHip', 'head'],
  'hidden elbow': ['rightElbow', 'head'],
};

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Named variants plus random ones: random hidden groups on a randomly placed, sized and tilted body. */
function variants(): { name: string; landmarks: Landmark[] }[] {
  const out = Object.entries(NAMED).map(([name, groups]) => ({
    name,
    landmarks: hide(
      standingBody(),
      groups.flatMap((g) => GROUPS[g]!),
    ),
  }));
  const rand = rng(7);
  const keys = Object.keys(GROUPS);
  for (let n = 0; n < 60; n++) {
    const groups = keys.filter(() => rand() < 0.3);
    const angle = (rand() - 0.5) * 0.5;
    const scale = 0.6 + rand() * 0.6;
    const dx = (rand() - 0.5) * 200;
    const dy = (rand() - 0.5) * 200;
    const moved = mapLandmarks(standingBody(), (x, y) => {
      const px = x * PHOTO.width - 384;
      const py = y * PHOTO.height - 470;
      return [
        (384 + dx + scale * (px * Math.cos(angle) - py * Math.sin(angle))) / PHOTO.width,
        (470 + dy + scale * (px * Math.sin(angle) + py * Math.cos(angle))) / PHOTO.height,
      ];
    });
    out.push({
      name: `random #${n} (${groups.join(', ') || 'nothing'} hidden)`,
      landmarks: hide(
        moved,
        groups.flatMap((g) => GROUPS[g]!),
      ),
    });
  }
  return out;
}

function expectSamePose(actual: Pose, expected: Pose, tolerance = 1e-6) {
  expect(actual.keypoints.map((k) => k.source)).toEqual(expected.keypoints.map((k) => k.source));
  actual.keypoints.forEach((k, i) => {
    const e = expected.keypoints[i]!;
    expect(Math.abs(k.x - e.x), `${k.name}.x`).toBeLessThan(tolerance);
    expect(Math.abs(k.y - e.y), `${k.name}.y`).toBeLessThan(tolerance);
  });
}

describe.each(variants())('$name', ({ landmarks }) => {
  const pose = completePose(landmarks, opts)!;

  it('completes to 18 finite joints', () => {
    expect(pose).not.toBeNull();
    expect(pose.keypoints.every((k) => Number.isFinite(k.x) && Number.isFinite(k.y))).toBe(true);
  });

  it('mirrored input gives the mirrored output, left and right swapped', () => {
    expectSamePose(completePose(mirrorLandmarks(landmarks), opts)!, mirrorPose(pose));
  });

  it('is invariant to translation', () => {
    const [dx, dy] = [0.071, -0.043];
    const moved = completePose(
      mapLandmarks(landmarks, (x, y) => [x + dx, y + dy]),
      opts,
    )!;
    const expected = { ...pose, keypoints: pose.keypoints.map((k) => ({ ...k, x: k.x + dx * PHOTO.width, y: k.y + dy * PHOTO.height })) };
    expectSamePose(moved, expected);
  });

  it('is invariant to scale (of the body in the photo, and of the photo)', () => {
    const s = 0.63;
    const smaller = completePose(
      mapLandmarks(landmarks, (x, y) => [0.5 + s * (x - 0.5), 0.5 + s * (y - 0.5)]),
      opts,
    )!;
    const expected = {
      ...pose,
      keypoints: pose.keypoints.map((k) => ({
        ...k,
        x: PHOTO.width / 2 + s * (k.x - PHOTO.width / 2),
        y: PHOTO.height / 2 + s * (k.y - PHOTO.height / 2),
      })),
    };
    expectSamePose(smaller, expected);
    const bigPhoto = completePose(landmarks, { width: PHOTO.width * 3, height: PHOTO.height * 3 })!;
    expectSamePose(bigPhoto, { ...pose, keypoints: pose.keypoints.map((k) => ({ ...k, x: k.x * 3, y: k.y * 3 })) }, 1e-5);
  });

  // Drillis & Contini (1966) give upper arm 0.72, forearm 0.56, thigh 0.95, shank 0.95, neck→hip
  // line 1.11 and hip width 0.74 shoulder widths; the ranges allow for population spread
  // (narrow-shouldered or long-legged bodies) and a head whose nose sits 0.2–0.6 above the neck.
  const RANGES: [string, number, number, number, number][] = [
    ['right upper arm', J.rShoulder, J.rElbow, 0.6, 1.0],
    ['left upper arm', J.lShoulder, J.lElbow, 0.6, 1.0],
    ['right forearm', J.rElbow, J.rWrist, 0.45, 0.8],
    ['left forearm', J.lElbow, J.lWrist, 0.45, 0.8],
    ['right thigh', J.rHip, J.rKnee, 0.8, 1.4],
    ['left thigh', J.lHip, J.lKnee, 0.8, 1.4],
    ['right shank', J.rKnee, J.rAnkle, 0.8, 1.3],
    ['left shank', J.lKnee, J.lAnkle, 0.8, 1.3],
    ['hip width', J.rHip, J.lHip, 0.5, 1.0],
    ['nose above neck', J.neck, J.nose, 0.2, 0.6],
  ];

  it('keeps completed segments within human proportions of the shoulder width', () => {
    const k = pose.keypoints;
    const S = dist(k[J.rShoulder]!, k[J.lShoulder]!);
    for (const [name, a, b, lo, hi] of RANGES) {
      if (k[a]!.source === 'detected' && k[b]!.source === 'detected') continue;
      const ratio = dist(k[a]!, k[b]!) / S;
      expect(ratio, name).toBeGreaterThanOrEqual(lo);
      expect(ratio, name).toBeLessThanOrEqual(hi);
    }
    if (k[J.rHip]!.source === 'completed' || k[J.lHip]!.source === 'completed') {
      const torso = dist(k[J.neck]!, mid(k[J.rHip]!, k[J.lHip]!)) / S;
      expect(torso, 'torso').toBeGreaterThanOrEqual(0.9);
      expect(torso, 'torso').toBeLessThanOrEqual(1.4);
    }
  });
});

describe('properties hold for an isolated head-and-shoulders crop too', () => {
  it('mirror symmetric with only the head seen', () => {
    const onlyHead = hide(standingBody(), [...ARMS, ...HIPS, ...LEGS, 11, 12]);
    const pose = completePose(onlyHead, opts)!;
    expect(pose.keypoints[J.rShoulder]!.source).toBe('completed');
    expect(pose.keypoints[J.rHip]!.y).toBeGreaterThan(pose.keypoints[J.nose]!.y);
    expectSamePose(completePose(mirrorLandmarks(onlyHead), opts)!, mirrorPose(pose));
  });
});
