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
  /**
   * "Make more like this": the result of `seed`, varied by this much (Stable Diffusion's variation seed, a new one
   * per image). Needs the seed of the result to vary.
   */
  variation: z.number().min(0.05).max(0.9).optional(),
  checkpoint: z.string().min(1).max(256).optional(),
  /** Make a result marked "check this one" once more with a new seed (the better one is kept). */
  reroll: z.boolean().optional(),
});

export type CreateJobRequest = z.infer<typeof CreateJobSchema>;
/** What the runner uses: the request with each LoRA's trigger words looked up on the backend. */
export type ResolvedJobRequest = Omit<CreateJobRequest, 'loras'> & { loras?: { name: string; weight: number; triggerWords?: string[] }[] };

/** How far "Make more like this" strays from the result it starts from (Stable Diffusion's variation strength). */
export const MORE_LIKE_THIS_VARIATION = 0.3;
export const MORE_LIKE_THIS_COUNT = 2;

/**
 * "Make more like this": the request that made a result (as its stored parameters tell), with its seed and a
 * variation, so the new pictures stay close to the one the merchant liked. Null when the result has no seed.
 */
export function moreLikeThisRequest(
  sessionId: string,
  result: { seed: number | null; params: Record<string, unknown> },
): z.input<typeof CreateJobSchema> | null {
  if (result.seed === null) return null;
  const p = result.params;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const loras = Array.isArray(p.loras)
    ? (p.loras as { name?: unknown; weight?: unknown }[])
        .filter((l) => typeof l.name === 'string' && typeof l.weight === 'number')
        .map((l) => ({ name: l.name as string, weight: l.weight as number }))
    : [];
  const recipe = RECIPES.find((r) => r === p.recipe);
  if (!recipe) return null;
  return {
    sessionId,
    recipe,
    modelPreset: text(p.modelPreset),
    scenePreset: text(p.scenePreset),
    checkpoint: text(p.checkpoint),
    ...(loras.length ? { loras } : {}),
    seed: result.seed,
    variation: MORE_LIKE_THIS_VARIATION,
    count: MORE_LIKE_THIS_COUNT,
  };
}
