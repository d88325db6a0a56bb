// Validation of the pose JSON the API accepts (PUT /api/sessions/:id/pose).
import { z } from 'zod';
import { JOINT_COUNT, JOINT_NAMES, JOINT_SOURCES, POSE_ORIGINS, type Pose } from './types.ts';
import { COORDINATE_BAND } from './band.ts';

export { COORDINATE_BAND };
export const MAX_FRAME_SIDE = 16384;

const keypointSchema = z.strictObject({
  name: z.enum(JOINT_NAMES),
  x: z.number(), // zod 4 rejects NaN and ±Infinity
  y: z.number(),
  source: z.enum(JOINT_SOURCES),
});

/** Shape, order and sanity of a pose; the photo size check is poseSchemaFor's. */
export const poseSchema = z
  .strictObject({
    width: z.int().positive().max(MAX_FRAME_SIDE),
    height: z.int().positive().max(MAX_FRAME_SIDE),
    keypoints: z.array(keypointSchema).length(JOINT_COUNT, `a pose has exactly ${JOINT_COUNT} keypoints (OpenPose body order)`),
    origin: z.enum(POSE_ORIGINS),
    presetId: z.string().min(1).max(64).optional(),
  })
  .superRefine((pose, ctx) => {
    const [lo, hi] = COORDINATE_BAND;
    pose.keypoints.forEach((k, i) => {
      const expected = JOINT_NAMES[i];
      if (k.name !== expected) {
        ctx.addIssue({ code: 'custom', path: ['keypoints', i, 'name'], message: `keypoint ${i} must be ${expected}, not ${k.name}` });
        return;
      }
      const outX = k.x < lo * pose.width || k.x > hi * pose.width;
      const outY = k.y < lo * pose.height || k.y > hi * pose.height;
      if (outX || outY) {
        ctx.addIssue({
          code: 'custom',
          path: ['keypoints', i, outX ? 'x' : 'y'],
          message: `${k.name} at (${k.x}, ${k.y}) is too far outside the ${pose.width}×${pose.height} photo`,
        });
      }
    });
  });

/** The schema for one session: the pose must be in the frame of that session's photo. */
export function poseSchemaFor(photo: { width: number; height: number }) {
  return poseSchema.superRefine((pose, ctx) => {
    if (pose.width !== photo.width || pose.height !== photo.height) {
      ctx.addIssue({
        code: 'custom',
        path: ['width'],
        message: `the pose is for a ${pose.width}×${pose.height} photo but the session photo is ${photo.width}×${photo.height}`,
      });
    }
  });
}

/** Parses a request body into a Pose or throws the ZodError the API layer turns into a 400. */
export function parsePose(json: unknown, photo: { width: number; height: number }): Pose {
  return poseSchemaFor(photo).parse(json);
}
