// CMU OpenPose JSON (the format of ControlNet's /controlnet/detect "poses", the openpose editor
// and /controlnet/render_openpose_json), and frame scaling.
import { z } from 'zod';
import type { JointSource, Pose } from './types.ts';
import { JOINT_COUNT, JOINT_NAMES } from './types.ts';
import { completeObservations, type Observation } from './complete.ts';

export { scalePose } from './scale.ts';
import { inBand } from './band.ts';

export interface OpenPosePerson {
  pose_keypoints_2d: number[];
  hand_left_keypoints_2d: number[] | null;
  hand_right_keypoints_2d: number[] | null;
  face_keypoints_2d: number[] | null;
}

export interface OpenPoseJson {
  canvas_width: number;
  canvas_height: number;
  people: OpenPosePerson[];
}

/** Pixel coordinates of the pose's frame; every joint present (c = 1: ControlNet drops c < 1). */
export function toOpenPoseJson(pose: Pose): OpenPoseJson {
  const flat: number[] = [];
  for (const k of pose.keypoints) flat.push(k.x, k.y, 1);
  return {
    canvas_width: pose.width,
    canvas_height: pose.height,
    people: [{ pose_keypoints_2d: flat, hand_left_keypoints_2d: null, hand_right_keypoints_2d: null, face_keypoints_2d: null }],
  };
}

const finite = z.number(); // zod 4 rejects NaN and ±Infinity
const openPoseJsonSchema = z.looseObject({
  canvas_width: z.int().positive().max(16384),
  canvas_height: z.int().positive().max(16384),
  people: z
    .array(
      z.looseObject({
        pose_keypoints_2d: z.array(finite).length(JOINT_COUNT * 3, `pose_keypoints_2d must hold ${JOINT_COUNT} (x, y, c) triples`),
      }),
    )
    .min(1, 'no person in the pose JSON'),
});

/**
 * Reads the first person of an OpenPose JSON. Joints with c > 0 are taken as given (CMU marks
 * absent joints with c = 0), missing ones are completed; coordinates that are all within 0..1
 * are normalised (ControlNet's rule). Throws a ZodError / RangeError with a message on bad input.
 */
export function fromOpenPoseJson(json: unknown, opts: { source?: JointSource } = {}): Pose {
  const data = openPoseJsonSchema.parse(json);
  const width = data.canvas_width;
  const height = data.canvas_height;
  const flat = data.people[0]!.pose_keypoints_2d;
  const present = JOINT_NAMES.map((_, i) => flat[i * 3 + 2]! > 0);
  const coords = present.flatMap((p, i) => (p ? [flat[i * 3]!, flat[i * 3 + 1]!] : []));
  const normalised = coords.length > 0 && coords.every((v) => v >= 0 && v <= 1);
  const source = opts.source ?? 'detected';
  const observed = JOINT_NAMES.map((name, i): Observation | null => {
    if (!present[i]) return null;
    const x = normalised ? flat[i * 3]! * width : flat[i * 3]!;
    const y = normalised ? flat[i * 3 + 1]! * height : flat[i * 3 + 1]!;
    if (!inBand({ x, y }, width, height)) {
      throw new RangeError(`${name} at (${x}, ${y}) is far outside the ${width}×${height} canvas`);
    }
    return { point: { x, y }, source };
  });
  const pose = completeObservations(observed, { width, height, origin: 'detected' });
  if (!pose) throw new RangeError('the pose JSON has too few joints to place a body (need at least two distinct ones)');
  return pose;
}
