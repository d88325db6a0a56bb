import { describe, expect, it } from 'vitest';
import { completePose, placeMiddleJoint } from './complete.ts';
import { J, JOINT_NAMES, type Pose } from './types.ts';
import { ARMS, HEAD, HIPS, LEGS, PHOTO, dressFormMask, hide, mapLandmarks, standingBody } from './__fixtures__/bodies.ts';
import { MEDIAPIPE_INDEX } from './mediapipe.ts';
import { dist, mid, sub, dot, unit } from './geometry.ts';
import { poseSchemaFor } from './schema.ts';

const opts = { width: PHOTO.width, height: PHOTO.height };
const kp = (pose: Pose, j: number) => pose.keypoints[j]!;
const shoulderWidth = (pose: Pose) => dist(kp(pose, J.rShoulder), kp(pose, J.lShoulder));

describe('completePose: full body', () => {
  it('keeps every detected joint exactly where MediaPipe put it', () => {
    const landmarks = standingBody();
    const pose = completePose(landmarks, opts)!;
    expect(pose.origin).toBe('detected');
    expect(pose.width).toBe(PHOTO.width);
    expect(pose.keypoints.map((k) => k.name)).toEqual([...JOINT_NAMES]);
    for (let i = 0; i < 18; i++) {
      expect(kp(pose, i).source).toBe('detected');
      const mp = MEDIAPIPE_INDEX[i]!;
      if (mp < 0) continue;
      expect(kp(pose, i).x).toBe(landmarks[mp]!.x * PHOTO.width);
      expect(kp(pose, i).y).toBe(landmarks[mp]!.y * PHOTO.height);
    }
    expect(kp(pose, J.neck)).toMatchObject(mid(kp(pose, J.rShoulder), kp(pose, J.lShoulder)));
  });

  it('trusts landmarks that carry no visibility score', () => {
    const landmarks = standingBody().map(({ x, y }) => ({ x, y }));
    expect(completePose(landmarks, opts)!.keypoints.every((k) => k.source === 'detected')).toBe(true);
  });
});

describe('completePose: headless', () => {
  const pose = completePose(hide(standingBody(), HEAD), opts)!;
  const S = shoulderWidth(pose);
  const neck = kp(pose, J.neck);

  it('completes only the head joints', () => {
    for (const j of [J.nose, J.rEye, J.lEye, J.rEar, J.lEar]) expect(kp(pose, j).source).toBe('completed');
    for (const j of [J.neck, J.rShoulder, J.lWrist, J.rHip, J.lAnkle]) expect(kp(pose, j).source).toBe('detected');
  });

  it('puts a plausibly sized head above the neck, facing the camera', () => {
    const nose = kp(pose, J.nose);
    expect(neck.y - nose.y).toBeGreaterThan(0.2 * S);
    expect(neck.y - nose.y).toBeLessThan(0.6 * S);
    expect(Math.abs(nose.x - neck.x)).toBeLessThan(0.05 * S);
    expect(kp(pose, J.rEye).y).toBeLessThan(nose.y);
    // The person's right eye and ear are on the image left of a front-facing person.
    expect(kp(pose, J.rEye).x).toBeLessThan(nose.x);
    expect(kp(pose, J.lEye).x).toBeGreaterThan(nose.x);
    expect(kp(pose, J.rEar).x).toBeLessThan(kp(pose, J.rEye).x);
    const earSpan = dist(kp(pose, J.rEar), kp(pose, J.lEar));
    expect(earSpan).toBeGreaterThan(0.2 * S);
    expect(earSpan).toBeLessThan(0.5 * S);
  });

  it('keeps the head on the torso axis when the body leans', () => {
    const lean = (15 * Math.PI) / 180;
    const centre = { x: 384, y: 500 };
    const rotated = mapLandmarks(hide(standingBody(), HEAD), (x, y) => {
      const px = x * PHOTO.width - centre.x;
      const py = y * PHOTO.height - centre.y;
      return [
        (centre.x + px * Math.cos(lean) - py * Math.sin(lean)) / PHOTO.width,
        (centre.y + px * Math.sin(lean) + py * Math.cos(lean)) / PHOTO.height,
      ];
    });
    const leaning = completePose(rotated, opts)!;
    const n = kp(leaning, J.neck);
    const axis = unit(sub(mid(kp(leaning, J.rHip), kp(leaning, J.lHip)), n));
    const up = unit(sub(kp(leaning, J.nose), n));
    expect(dot(up, axis)).toBeLessThan(-0.99);
  });

  it('completes the rest of a head of which only the nose was seen around that nose', () => {
    const landmarks = hide(
      standingBody(),
      HEAD.filter((i) => i !== 0),
    );
    const partial = completePose(landmarks, opts)!;
    expect(kp(partial, J.nose).source).toBe('detected');
    const nose = kp(partial, J.nose);
    expect(dist(nose, mid(kp(partial, J.rEye), kp(partial, J.lEye)))).toBeLessThan(0.2 * shoulderWidth(partial));
  });
});

describe('completePose: armless', () => {
  const pose = completePose(hide(standingBody(), ARMS), opts)!;
  const S = shoulderWidth(pose);

  it('hangs both arms at the sides', () => {
    for (const [shoulder, elbow, wrist, side] of [
      [J.rShoulder, J.rElbow, J.rWrist, -1],
      [J.lShoulder, J.lElbow, J.lWrist, 1],
    ] as const) {
      const s = kp(pose, shoulder);
      const e = kp(pose, elbow);
      const w = kp(pose, wrist);
      expect(e.source).toBe('completed');
      expect(w.source).toBe('completed');
      expect(e.y - s.y).toBeGreaterThan(0.6 * S);
      expect(w.y - e.y).toBeGreaterThan(0.45 * S);
      // Slightly away from the body, never across it.
      expect(side * (e.x - s.x)).toBeGreaterThan(0);
      expect(side * (w.x - e.x)).toBeGreaterThanOrEqual(0);
      expect(dist(s, e) / S).toBeGreaterThan(0.6);
      expect(dist(s, e) / S).toBeLessThan(1.0);
    }
  });

  it('bends a hidden elbow outwards between the shoulder and a seen wrist', () => {
    const landmarks = hide(standingBody(), [13, 14]);
    // Hand on hip: the left wrist at the waist.
    landmarks[15] = { ...landmarks[15]!, x: 440 / PHOTO.width, y: 390 / PHOTO.height };
    const bent = completePose(landmarks, opts)!;
    const s = kp(bent, J.lShoulder);
    const e = kp(bent, J.lElbow);
    const w = kp(bent, J.lWrist);
    expect(e.source).toBe('completed');
    expect(w.source).toBe('detected');
    const S2 = shoulderWidth(bent);
    expect(dist(s, e) / S2).toBeGreaterThan(0.6);
    expect(dist(s, e) / S2).toBeLessThan(1.0);
    expect(e.x).toBeGreaterThan(Math.max(s.x, w.x)); // outwards = image right for the left arm
  });
});

describe('completePose: legless and half-body', () => {
  it('continues the legs down the body axis from seen hips', () => {
    const pose = completePose(hide(standingBody(), LEGS), opts)!;
    const S = shoulderWidth(pose);
    for (const [hip, knee, ankle] of [
      [J.rHip, J.rKnee, J.rAnkle],
      [J.lHip, J.lKnee, J.lAnkle],
    ] as const) {
      expect(kp(pose, hip).source).toBe('detected');
      expect(kp(pose, knee).y - kp(pose, hip).y).toBeGreaterThan(0.8 * S);
      expect(kp(pose, ankle).y - kp(pose, knee).y).toBeGreaterThan(0.8 * S);
      expect(Math.abs(kp(pose, ankle).x - kp(pose, hip).x)).toBeLessThan(0.15 * S);
    }
  });

  it('places hips from the shoulders when only the upper body is in the photo', () => {
    const pose = completePose(hide(standingBody(), [...HIPS, ...LEGS]), opts)!;
    const S = shoulderWidth(pose);
    const neck = kp(pose, J.neck);
    const hips = mid(kp(pose, J.rHip), kp(pose, J.lHip));
    expect(kp(pose, J.rHip).source).toBe('completed');
    expect(hips.y - neck.y).toBeGreaterThan(0.9 * S);
    expect(hips.y - neck.y).toBeLessThan(1.4 * S);
    expect(Math.abs(hips.x - neck.x)).toBeLessThan(0.05 * S);
    expect(kp(pose, J.rHip).x).toBeLessThan(kp(pose, J.lHip).x);
    expect(kp(pose, J.rAnkle).y).toBeGreaterThan(kp(pose, J.rKnee).y);
    // Joints may fall outside the photo; they are not clamped.
    const cropped = completePose(
      mapLandmarks(hide(standingBody(), [...HIPS, ...LEGS]), (x, y) => [x, y + 0.35]),
      opts,
    )!;
    expect(kp(cropped, J.rAnkle).y).toBeGreaterThan(PHOTO.height);
  });

  it('completes the far side of a body cut by the photo edge', () => {
    const pose = completePose(hide(standingBody(), [11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31]), opts)!;
    expect(kp(pose, J.lShoulder).source).toBe('completed');
    const S = dist(kp(pose, J.rShoulder), kp(pose, J.lShoulder));
    expect(kp(pose, J.lShoulder).x).toBeGreaterThan(kp(pose, J.rShoulder).x);
    expect(S).toBeGreaterThan(100);
    expect(S).toBeLessThan(180);
  });

  it('keeps a person seen from the back upright', () => {
    // From behind, the person's right is on the image right: flip x without swapping labels.
    const back = mapLandmarks(hide(standingBody(), HEAD), (x, y) => [1 - x, y]);
    const pose = completePose(back, opts)!;
    expect(kp(pose, J.nose).y).toBeLessThan(kp(pose, J.neck).y);
    expect(kp(pose, J.rEar).x).toBeGreaterThan(kp(pose, J.lEar).x);
    const shouldersOnly = completePose(hide(back, [...ARMS, ...HIPS, ...LEGS]), opts)!;
    expect(kp(shouldersOnly, J.rHip).y).toBeGreaterThan(kp(shouldersOnly, J.neck).y);
    expect(kp(shouldersOnly, J.rHip).x).toBeGreaterThan(kp(shouldersOnly, J.lHip).x);
  });
});

describe('completePose: nothing detected', () => {
  const form = dressFormMask({ width: 600, height: 900, cx: 300, top: 120, shoulder: 170 });

  it('returns null without a person or a silhouette', () => {
    expect(completePose(null, opts)).toBeNull();
    expect(completePose([], opts)).toBeNull();
    expect(completePose(hide(standingBody(), [...Array(33).keys()]), opts)).toBeNull();
    const empty = { mask: new Uint8Array(600 * 900), width: 600, height: 900 };
    expect(completePose(null, { ...opts, silhouette: empty })).toBeNull();
  });

  it('builds the body from the mannequin silhouette', () => {
    // The mask is at a quarter... here at a different resolution than the photo: 600×900 vs 1200×1800.
    const pose = completePose(null, { width: 1200, height: 1800, silhouette: form.mask })!;
    expect(pose.origin).toBe('silhouette');
    expect(pose.keypoints.every((k) => k.source === 'completed')).toBe(true);
    const S = 170 * 2;
    const photo = (p: { x: number; y: number }) => ({ x: p.x * 2, y: p.y * 2 });
    expect(dist(kp(pose, J.rShoulder), photo(form.truth.rightShoulder))).toBeLessThan(0.12 * S);
    expect(dist(kp(pose, J.lShoulder), photo(form.truth.leftShoulder))).toBeLessThan(0.12 * S);
    expect(dist(kp(pose, J.rHip), photo(form.truth.rightHip))).toBeLessThan(0.15 * S);
    expect(dist(kp(pose, J.lHip), photo(form.truth.leftHip))).toBeLessThan(0.15 * S);
    expect(kp(pose, J.nose).y).toBeLessThan(kp(pose, J.neck).y);
    expect(kp(pose, J.rAnkle).y).toBeGreaterThan(kp(pose, J.rKnee).y);
  });

  it('uses the silhouette when the detector saw only scraps, keeping what it saw', () => {
    const scraps = hide(standingBody(), [...HEAD, ...ARMS, ...HIPS, ...LEGS, 12]);
    const pose = completePose(scraps, { width: 600, height: 900, silhouette: form.mask })!;
    expect(pose.origin).toBe('silhouette');
    expect(kp(pose, J.lShoulder).source).toBe('detected');
    expect(kp(pose, J.rShoulder).source).toBe('completed');
  });
});

describe('completePose: bad input', () => {
  it('rejects a landmark list that is not MediaPipe Pose', () => {
    expect(() => completePose(standingBody().slice(0, 17), opts)).toThrow(/33 landmarks/);
  });
  it('rejects an impossible frame size', () => {
    expect(() => completePose(standingBody(), { width: 0, height: 10 })).toThrow(RangeError);
    expect(() => completePose(standingBody(), { width: Number.NaN, height: 10 })).toThrow(RangeError);
  });
  it('ignores landmarks with non-finite coordinates', () => {
    const landmarks = standingBody();
    landmarks[14] = { ...landmarks[14]!, x: Number.NaN };
    const pose = completePose(landmarks, opts)!;
    expect(kp(pose, J.rElbow).source).toBe('completed');
    expect(Number.isFinite(kp(pose, J.rElbow).x)).toBe(true);
  });
});

describe('placeMiddleJoint', () => {
  it('solves the two-segment chain and bends to the requested side', () => {
    const e = placeMiddleJoint({ x: 0, y: 0 }, { x: 0, y: 10 }, 6, 6, { x: 1, y: 0 });
    expect(dist(e, { x: 0, y: 0 })).toBeCloseTo(6);
    expect(dist(e, { x: 0, y: 10 })).toBeCloseTo(6);
    expect(e.x).toBeGreaterThan(0);
  });
  it('stays on the line when the end is out of reach', () => {
    const e = placeMiddleJoint({ x: 0, y: 0 }, { x: 0, y: 30 }, 6, 4, { x: 1, y: 0 });
    expect(e).toEqual({ x: 0, y: 18 });
  });
});

describe('completePose: close-ups', () => {
  // A square marketplace photo filled by a half-body form: feet land several photo heights below.
  const square = { width: 800, height: 800 };
  const closeUp = mapLandmarks(hide(standingBody(), [...HEAD, ...ARMS, ...HIPS, ...LEGS]), (x, y) => [
    (400 + (x * PHOTO.width - 384) * 4.5) / 800,
    (90 + (y * PHOTO.height - 261) * 4.5) / 800,
  ]);

  it('keeps completed joints within the band the API accepts, along their limb', () => {
    const pose = completePose(closeUp, square)!;
    expect(shoulderWidth(pose)).toBeGreaterThan(600);
    expect(() => poseSchemaFor(square).parse(pose)).not.toThrow();
    const hip = kp(pose, J.rHip);
    const knee = kp(pose, J.rKnee);
    const ankle = kp(pose, J.rAnkle);
    expect(knee.y).toBeLessThanOrEqual(1600);
    expect(ankle.y).toBe(1600); // on the band's edge
    // The thigh still points the way the body does: straight down.
    expect(Math.abs(knee.x - hip.x) / (knee.y - hip.y)).toBeLessThan(0.1);
  });

  it('treats a landmark far beyond the photo as unseen', () => {
    const landmarks = standingBody();
    landmarks[16] = { ...landmarks[16]!, x: 4.2 };
    const pose = completePose(landmarks, opts)!;
    expect(kp(pose, J.rWrist).source).toBe('completed');
    expect(kp(pose, J.rWrist).x).toBeLessThan(PHOTO.width);
  });
});
