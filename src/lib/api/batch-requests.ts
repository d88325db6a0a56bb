// Request bodies of the batch routes (/api/batches), shared by the routes, the Batch page and the OpenAPI document.
import { z } from 'zod';
import { CreateJobSchema } from './job-request.ts';

const SessionIds = z.array(z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'is not a valid session id')).max(500);

export const CreateBatchRequest = z.strictObject({
  name: z.string().trim().max(120).default(''),
  sessionIds: SessionIds.min(1, 'a batch needs at least one photo'),
});
export const AddBatchSessionsRequest = z.strictObject({ sessionIds: SessionIds.min(1, 'add at least one photo') });
export const BatchPhotoRequest = z.strictObject({ excluded: z.boolean() });

/** Generate all: one job per photo × model look × scene, each with `count` results. */
export const GenerateAllRequest = CreateJobSchema.omit({
  sessionId: true,
  modelPreset: true,
  scenePreset: true,
  reroll: true,
  variation: true,
}).extend({
  modelPresets: z.array(z.string().min(1).max(64)).max(8).optional(),
  scenePresets: z.array(z.string().min(1).max(64)).max(8).optional(),
});
export type GenerateAllBody = z.input<typeof GenerateAllRequest>;
