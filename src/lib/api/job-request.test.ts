import { describe, expect, it } from 'vitest';
import { CreateJobSchema, MORE_LIKE_THIS_VARIATION, moreLikeThisRequest } from './job-request.ts';

describe('Make more like this', () => {
  const stored = {
    recipe: 'model-shot',
    modelPreset: 'studio-east-asian-f',
    scenePreset: 'white-studio',
    prompt: 'the composed prompt, not the merchant text',
    checkpoint: 'realisticVision.safetensors [abc]',
    loras: [{ name: 'denim', weight: 0.7, triggerWords: ['x'] }],
    sampler: 'DPM++ 2M',
  };

  it("asks for the result's settings, its seed and a variation, and passes the job validation", () => {
    const body = moreLikeThisRequest('sess_123456', { seed: 1234, params: stored })!;
    expect(body).toEqual({
      sessionId: 'sess_123456',
      recipe: 'model-shot',
      modelPreset: 'studio-east-asian-f',
      scenePreset: 'white-studio',
      checkpoint: 'realisticVision.safetensors [abc]',
      loras: [{ name: 'denim', weight: 0.7 }],
      seed: 1234,
      variation: MORE_LIKE_THIS_VARIATION,
      count: 2,
    });
    expect(CreateJobSchema.safeParse(body).success).toBe(true);
  });

  it('has nothing to offer without a seed or with an unknown recipe', () => {
    expect(moreLikeThisRequest('sess_123456', { seed: null, params: stored })).toBeNull();
    expect(moreLikeThisRequest('sess_123456', { seed: 1, params: { ...stored, recipe: 'x' } })).toBeNull();
  });

  it('a variation without a seed is refused by the schema only where the service checks it; the range is checked', () => {
    expect(CreateJobSchema.safeParse({ sessionId: 'sess_123456', recipe: 'model-shot', seed: 1, variation: 2 }).success).toBe(false);
    expect(CreateJobSchema.safeParse({ sessionId: 'sess_123456', recipe: 'model-shot', seed: 1, variation: 0.3 }).success).toBe(true);
  });
});
