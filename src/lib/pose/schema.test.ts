import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { parsePose, poseSchema, poseSchemaFor } from './schema.ts';
import { completePose } from './complete.ts';
import { PHOTO, standingBody } from './__fixtures__/bodies.ts';

const valid = () => JSON.parse(JSON.stringify(completePose(standingBody(), PHOTO)));

function messageOf(json: unknown, photo: { width: number; height: number } = PHOTO): string {
  try {
    parsePose(json, photo);
  } catch (err) {
    expect(err).toBeInstanceOf(ZodError);
    return (err as ZodError).issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n');
  }
  throw new Error('expected the pose to be rejected');
}

describe('pose JSON schema', () => {
  it('accepts a completed pose as JSON', () => {
    expect(parsePose(valid(), PHOTO).keypoints).toHaveLength(18);
    expect(poseSchema.safeParse({ ...valid(), presetId: 'walking', origin: 'preset' }).success).toBe(true);
  });

  it('accepts joints a little outside the photo', () => {
    const pose = valid();
    pose.keypoints[10].y = PHOTO.height * 1.4;
    pose.keypoints[0].y = -200;
    expect(() => parsePose(pose, PHOTO)).not.toThrow();
  });

  it('rejects a missing keypoint', () => {
    const pose = valid();
    pose.keypoints.pop();
    expect(messageOf(pose)).toMatch(/exactly 18 keypoints/);
  });

  it('rejects an extra keypoint', () => {
    const pose = valid();
    pose.keypoints.push({ ...pose.keypoints[0] });
    expect(messageOf(pose)).toMatch(/exactly 18 keypoints/);
  });

  it('rejects keypoints out of order or unknown', () => {
    const swapped = valid();
    [swapped.keypoints[2], swapped.keypoints[5]] = [swapped.keypoints[5], swapped.keypoints[2]];
    expect(messageOf(swapped)).toMatch(/keypoint 2 must be right_shoulder, not left_shoulder/);
    const unknown = valid();
    unknown.keypoints[3].name = 'right_tail';
    expect(messageOf(unknown)).toMatch(/keypoints\.3\.name/);
  });

  it('rejects extra properties on the pose and on a keypoint', () => {
    expect(messageOf({ ...valid(), scale: 2 })).toMatch(/Unrecognized key.*scale/);
    const pose = valid();
    pose.keypoints[4].confidence = 0.9;
    expect(messageOf(pose)).toMatch(/keypoints\.4.*confidence/);
  });

  it('rejects non-finite and non-numeric coordinates', () => {
    const text = JSON.stringify(valid()).replace(/"x":[-0-9.e]+/, '"x":1e999');
    expect(messageOf(JSON.parse(text))).toMatch(/keypoints\.0\.x/);
    const nan = valid();
    nan.keypoints[7].y = Number.NaN;
    expect(messageOf(nan)).toMatch(/keypoints\.7\.y/);
    const str = valid();
    str.keypoints[1].x = '12';
    expect(messageOf(str)).toMatch(/keypoints\.1\.x/);
    const missing = valid();
    delete missing.keypoints[9].y;
    expect(messageOf(missing)).toMatch(/keypoints\.9\.y/);
  });

  it('rejects absurd coordinates, naming the joint', () => {
    const pose = valid();
    pose.keypoints[7].x = PHOTO.width * 5;
    expect(messageOf(pose)).toMatch(/left_wrist .* too far outside the 768×1024 photo/);
    const above = valid();
    above.keypoints[0].y = -PHOTO.height * 1.5;
    expect(messageOf(above)).toMatch(/nose/);
  });

  it('rejects a pose for another photo size', () => {
    expect(messageOf(valid(), { width: 1536, height: 2048 })).toMatch(/768×1024 photo but the session photo is 1536×2048/);
    expect(poseSchemaFor({ width: 768, height: 1024 }).safeParse(valid()).success).toBe(true);
  });

  it('rejects bad sources, origins and sizes', () => {
    const source = valid();
    source.keypoints[0].source = 'guessed';
    expect(messageOf(source)).toMatch(/keypoints\.0\.source/);
    expect(messageOf({ ...valid(), origin: 'magic' })).toMatch(/origin/);
    expect(messageOf({ ...valid(), width: -768 })).toMatch(/width/);
    expect(messageOf({ ...valid(), width: 768.5 })).toMatch(/width/);
    expect(messageOf(null)).toMatch(/object/i);
  });
});

describe('pose JSON schema on garbage', () => {
  it.each([
    [null],
    ['pose'],
    [[]],
    [{ ...{ width: 10, height: 10, origin: 'none' }, keypoints: Array(18).fill(null) }],
    [{ width: 10, height: 10, origin: 'none', keypoints: 'x' }],
  ])('rejects %j without throwing anything but a ZodError', (json) => {
    expect(poseSchema.safeParse(json).success).toBe(false);
  });
});
