// What a merchant can ask for when pressing Generate, validated before anything is queued.
import { z } from 'zod';

import { RECIPES, type Recipe } from '../recipes/table.ts';

export { JOB_STATES, isTerminal, type JobState } from './job-states.ts';
export { RECIPES, type Recipe };

const promptText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .transform((s) => s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ').trim());

export const CreateJobSchema = z.strictObject({
  sessionId: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/, 'is not a valid session id'),
  recipe: z.enum(RECIPES, { message: `must be one of ${RECIPES.join(', ')}` }),
  modelPreset: z.string().min(1, 'must not be empty').max(64).optional(),
  scenePreset: z.string().min(1, 'must not be empty').max(64).optional(),
  prompt: promptText(1000).optional(),
  negativePrompt: promptText(1000).optional(),
  loras: z
    .array(
      z.strictObject({
        name: z
          .string()
          .min(1)
          .max(128)
          .regex(/^[^<>:]+$/, 'must not contain <, > or :'),
        weight: z.number().min(-2).max(2),
      }),
    )
    .max(5)
    .optional(),
  count: z.number().int().min(1).max(8).default(1),
  seed: z.number().int().min(-1).max(0xffffffff).optional(),
  checkpoint: z.string().min(1).max(256).optional(),
  /** Make a result marked "check this one" once more with a new seed (the better one is kept). */
  reroll: z.boolean().optional(),
});

export type CreateJobRequest = z.infer<typeof CreateJobSchema>;
/** What the runner uses: the request with each LoRA's trigger words looked up on the backend. */
export type ResolvedJobRequest = Omit<CreateJobRequest, 'loras'> & { loras?: { name: string; weight: number; triggerWords?: string[] }[] };
