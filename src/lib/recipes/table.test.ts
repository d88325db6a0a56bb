// Each recipe's payload agrees with what its table entry declares: what is kept, which mask is sent, whether the
// pose guides the body. A new entry is checked by these without a new test.
import { describe, expect, it } from 'vitest';
import { RECIPES, RECIPE_TABLE, buildRecipe, recipeSpec, type RecipeBuildContext } from './table.ts';
import { dictionary, LANGS } from '../../i18n/messages.ts';
import type { Img2ImgRequest } from '../sd/types.ts';

const ctx: RecipeBuildContext = {
  common: {
    size: { width: 544, height: 720 },
    backendKind: 'a1111',
    sampler: { sampler: 'DPM++ 2M', scheduler: 'karras' },
    count: 1,
    loras: [{ name: 'mamianqun_v1', weight: 0.8 }],
  },
  inputs: { initB64: 'INIT', maskB64: 'MASK', grownMaskB64: 'GROWN', skeletonB64: 'SKEL' },
  look: { prompt: 'a woman in her thirties' },
  scene: { prompt: 'white studio' },
  openpose: { model: 'control_v11p_sd15_openpose [cab727d4]', union: false },
};

describe.each(RECIPES)('recipe %s', (id) => {
  const spec = recipeSpec(id);
  // Read as img2img: a txt2img payload simply has none of the mask fields.
  const p: Partial<Img2ImgRequest> = buildRecipe(id, ctx);

  it('keeps what it declares', () => {
    if (spec.keeps === 'nothing') {
      expect(p).not.toHaveProperty('mask');
      return;
    }
    // Inverted = "inpaint not masked": the mask's white (the garment) is what the server keeps.
    expect(p.inpainting_mask_invert).toBe(spec.keeps === 'garment' ? 1 : 0);
    expect(p.mask).toBe(spec.growMask ? 'GROWN' : 'MASK');
  });

  it('is guided by the pose exactly when it declares a pose guide', () => {
    const units = p.alwayson_scripts?.controlnet?.args ?? [];
    expect(units.length > 0).toBe(spec.poseGuide !== 'none');
    if (spec.poseGuide === 'saved-pose') expect(units[0].image).toBe('SKEL');
  });

  it('needs the mask it sends and the pose it draws', () => {
    if (spec.keeps !== 'nothing') expect(spec.needs.mask).toBe(true);
    if (spec.poseGuide === 'saved-pose') expect(spec.needs.pose).toBe(true);
  });

  it('has a label and a hint in every language', () => {
    for (const lang of LANGS) {
      const d = dictionary(lang) as Record<string, string>;
      expect(d[`gen.recipe.${id}`], lang).toBeTruthy();
      expect(d[`gen.recipe.${id}.hint`], lang).toBeTruthy();
    }
  });
});

it('fails with the missing input named, not a crash', () => {
  expect(() => buildRecipe('model-shot', { ...ctx, inputs: { ...ctx.inputs, skeletonB64: null } })).toThrow(/no pose/);
  expect(() => buildRecipe('model-shot', { ...ctx, openpose: null })).toThrow(/OpenPose/);
  expect(Object.keys(RECIPE_TABLE)).toEqual(RECIPES);
});
