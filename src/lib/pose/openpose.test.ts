import { describe, expect, it } from 'vitest';
import { fromOpenPoseJson, scalePose, toOpenPoseJson } from './openpose.ts';
import { completePose } from './complete.ts';
import { J } from './types.ts';
import { PHOTO, standingBody } from './__fixtures__/bodies.ts';

const pose = completePose(standingBody(), PHOTO)!;

describe('toOpenPoseJson', () => {
  it('writes the CMU format with 18 present triples in pixels', () => {
    const json = toOpenPoseJson(pose);
    expect(json.canvas_width).toBe(768);
    expect(json.canvas_height).toBe(1024);
    expect(json.people).toHaveLength(1);
    const person = json.people[0]!;
    expect(person.pose_keypoints_2d).toHaveLength(54);
    expect(person.hand_left_keypoints_2d).toBeNull();
    expect(person.hand_right_keypoints_2d).toBeNull();
    expect(person.face_keypoints_2d).toBeNull();
    pose.keypoints.forEach((k, i) => {
      expect(person.pose_keypoints_2d.slice(i * 3, i * 3 + 3)).toEqual([k.x, k.y, 1]);
    });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});

describe('fromOpenPoseJson', () => {
  it('round-trips a pose', () => {
    const back = fromOpenPoseJson(toOpenPoseJson(pose));
    expect(back.width).toBe(768);
    back.keypoints.forEach((k, i) => {
      expect(k.x).toBeCloseTo(pose.keypoints[i]!.x, 9);
      expect(k.y).toBeCloseTo(pose.keypoints[i]!.y, 9);
      expect(k.source).toBe('detected');
    });
  });

  it('completes absent joints (c = 0) and keeps the present ones', () => {
    const json = toOpenPoseJson(pose);
    const flat = json.people[0]!.pose_keypoints_2d;
    for (const j of [J.nose, J.rEye, J.lEye, J.rEar, J.lEar, J.rWrist]) flat.splice(j * 3, 3, 0, 0, 0);
    const back = fromOpenPoseJson(json, { source: 'edited' });
    expect(back.keypoints[J.nose]!.source).toBe('completed');
    expect(back.keypoints[J.nose]!.y).toBeLessThan(back.keypoints[J.neck]!.y);
    expect(back.keypoints[J.rWrist]!.source).toBe('completed');
    expect(back.keypoints[J.rElbow]!).toMatchObject({ x: pose.keypoints[J.rElbow]!.x, source: 'edited' });
  });

  it('reads normalised coordinates as fractions of the canvas', () => {
    const json = toOpenPoseJson(pose);
    const flat = json.people[0]!.pose_keypoints_2d;
    for (let i = 0; i < 18; i++) {
      flat[i * 3] = flat[i * 3]! / 768;
      flat[i * 3 + 1] = flat[i * 3 + 1]! / 1024;
    }
    const back = fromOpenPoseJson(json);
    expect(back.keypoints[J.lKnee]!.x).toBeCloseTo(pose.keypoints[J.lKnee]!.x, 6);
  });

  it('ignores extra people and unknown top-level fields (other tools write them)', () => {
    const json = { ...toOpenPoseJson(pose), animals: [], version: 1.3 };
    json.people.push({ ...json.people[0]! });
    expect(fromOpenPoseJson(json).keypoints).toHaveLength(18);
  });

  const bad: [string, (j: ReturnType<typeof toOpenPoseJson>) => unknown, RegExp][] = [
    [
      'a wrong keypoint count',
      (j) => ({ ...j, people: [{ pose_keypoints_2d: j.people[0]!.pose_keypoints_2d.slice(0, 51) }] }),
      /18 \(x, y, c\) triples/,
    ],
    [
      'an extra keypoint',
      (j) => ({ ...j, people: [{ pose_keypoints_2d: [...j.people[0]!.pose_keypoints_2d, 1, 2, 1] }] }),
      /18 \(x, y, c\) triples/,
    ],
    [
      'an infinite coordinate',
      (j) => JSON.parse(JSON.stringify(j).replace(/"pose_keypoints_2d":\[[^,]+/, '"pose_keypoints_2d":[1e999')),
      /number/i,
    ],
    ['a string coordinate', (j) => ({ ...j, people: [{ pose_keypoints_2d: j.people[0]!.pose_keypoints_2d.map(String) }] }), /number/i],
    ['no people', (j) => ({ ...j, people: [] }), /no person/],
    ['no canvas', ({ canvas_width: _w, ...j }) => j, /canvas_width/],
    [
      'an absurd coordinate',
      (j) => ({ ...j, people: [{ pose_keypoints_2d: j.people[0]!.pose_keypoints_2d.map((v, i) => (i === 3 * J.lWrist ? 1e6 : v)) }] }),
      /left_wrist/,
    ],
    [
      'a single joint',
      (j) => ({ ...j, people: [{ pose_keypoints_2d: j.people[0]!.pose_keypoints_2d.map((v, i) => (i < 3 ? v : 0)) }] }),
      /too few joints/,
    ],
  ];
  it.each(bad)('rejects %s with a message', (_name, spoil, message) => {
    expect(() => fromOpenPoseJson(spoil(toOpenPoseJson(pose)))).toThrow(message);
  });
});

describe('scalePose', () => {
  it('maps the photo frame onto the generation frame', () => {
    const gen = scalePose(pose, 384, 512);
    expect(gen).toMatchObject({ width: 384, height: 512, origin: 'detected' });
    expect(gen.keypoints[J.neck]!.x).toBeCloseTo(pose.keypoints[J.neck]!.x / 2);
    expect(gen.keypoints[J.neck]!.y).toBeCloseTo(pose.keypoints[J.neck]!.y / 2);
    expect(gen.keypoints[J.neck]!.source).toBe('detected');
    expect(pose.width).toBe(768); // the input is untouched
  });
  it('rejects an impossible size', () => {
    expect(() => scalePose(pose, 0, 512)).toThrow(RangeError);
  });
});
