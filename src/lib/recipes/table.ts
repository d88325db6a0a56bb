// Every recipe in one table: what it needs, what it keeps from the photo, how its mask is sent, its payload
// builder. The job service, the runner, the Generate panel and the messages read this table; a new recipe is
// one entry here plus its two labels in src/i18n/messages.ts (the compiler asks for both). Pure: shared by
// browser and server.
import { garmentShot, outfitSwap, portrait, sceneSwap, type InpaintDefaults, type RecipeCommon, type ShotDefaults } from '../sd/recipes.ts';
import { GARMENT_NEGATIVE, MANNEQUIN_NEGATIVE, type PromptFragment } from '../sd/prompt.ts';
import type { Img2ImgRequest, Txt2ImgRequest } from '../sd/types.ts';

/** The generation inputs a builder may use (base64 PNGs at the generation size). */
export interface RecipeInputs {
  initB64: string;
  /** White = the saved mask (the garment). */
  maskB64: string | null;
  /** The mask grown by a few pixels (recipes with `growMask`). */
  grownMaskB64: string | null;
  /** The saved pose's OpenPose skeleton. */
  skeletonB64: string | null;
}

export interface RecipeBuildContext {
  common: RecipeCommon;
  inputs: RecipeInputs;
  look: PromptFragment;
  scene: PromptFragment;
  /** The OpenPose ControlNet model chosen for the checkpoint's family (recipes with a pose guide). */
  openpose: { model: string; union: boolean } | null;
}

export interface RecipeSpec<D = ShotDefaults | InpaintDefaults | null> {
  /** What the session and the request must hold before a job is queued. */
  needs: {
    /** A saved garment mask. */
    mask: boolean;
    /** A saved pose. */
    pose: boolean;
    /** At least one LoRA in the request (a clothing LoRA for an outfit swap). */
    lora: boolean;
    /** A model look (the person is generated). */
    look: boolean;
  };
  /**
   * The body follows a pose through an OpenPose ControlNet (SD 1.5 / SDXL only): the saved pose, or the saved
   * pose when there is one and else the server's own detection on the photo.
   */
  poseGuide: 'saved-pose' | 'saved-or-detected' | 'none';
  /**
   * What the result keeps from the photo pixel for pixel, put back by the composite after generation: the
   * garment as photographed, everything but the (grown) garment as photographed, or nothing.
   */
  keeps: 'garment' | 'all-but-grown-garment' | 'nothing';
  /** The mask is grown by a few pixels before it is sent, so seams are repainted too. */
  growMask: boolean;
  /** Settings a merchant does not choose (denoising, masked content, mask blur, ControlNet weight and mode). */
  defaults: D;
  /** The request body for the generation server. */
  build(ctx: RecipeBuildContext, defaults: D): Img2ImgRequest | Txt2ImgRequest;
}

/** Keeps each entry's `build` typed against its own `defaults`. */
const recipe = <D>(spec: RecipeSpec<D>): RecipeSpec<D> => spec;

function need<T>(v: T | null, what: string): T {
  if (v === null) throw new RangeError(what);
  return v;
}

const pose = (ctx: RecipeBuildContext) => need(ctx.openpose, 'no OpenPose ControlNet model');

const shotInput = (ctx: RecipeBuildContext) => ({
  ...ctx.common,
  initImageB64: ctx.inputs.initB64,
  maskB64: need(ctx.inputs.maskB64, 'no garment mask'),
  skeletonB64: need(ctx.inputs.skeletonB64, 'no pose'),
  look: ctx.look,
  scene: ctx.scene,
  controlnetModels: { openpose: pose(ctx).model },
  controlnetUnion: pose(ctx).union,
});

export const RECIPE_TABLE = {
  'model-shot': recipe<ShotDefaults>({
    needs: { mask: true, pose: true, lora: false, look: true },
    poseGuide: 'saved-pose',
    keeps: 'garment',
    growMask: false,
    // High denoising over the original (fill 1) so the mannequin becomes a person in the garment's place.
    defaults: {
      denoisingStrength: 0.9,
      inpaintingFill: 1,
      maskBlur: 4,
      openposeWeight: 1,
      negatives: [MANNEQUIN_NEGATIVE, GARMENT_NEGATIVE],
    },
    build: (ctx, d) => garmentShot(shotInput(ctx), d),
  }),
  'outfit-swap': recipe<ShotDefaults>({
    needs: { mask: true, pose: false, lora: true, look: true },
    poseGuide: 'saved-or-detected',
    keeps: 'all-but-grown-garment',
    growMask: true,
    defaults: { denoisingStrength: 0.85, inpaintingFill: 1, maskBlur: 6, openposeWeight: 1 },
    build: (ctx, d) =>
      outfitSwap(
        {
          ...ctx.common,
          loras: ctx.common.loras ?? [],
          initImageB64: ctx.inputs.initB64,
          maskB64: need(ctx.inputs.grownMaskB64, 'no garment mask'),
          skeletonB64: ctx.inputs.skeletonB64 ?? undefined,
          controlnetModels: { openpose: pose(ctx).model },
          controlnetUnion: pose(ctx).union,
          look: ctx.look,
          scene: ctx.scene,
        },
        d,
      ),
  }),
  'scene-swap': recipe<InpaintDefaults>({
    needs: { mask: true, pose: false, lora: false, look: false },
    poseGuide: 'none',
    keeps: 'garment',
    growMask: false,
    // Latent noise (fill 2) so the old background does not leak into the new one.
    defaults: { denoisingStrength: 1, inpaintingFill: 2, maskBlur: 6 },
    build: (ctx, d) =>
      sceneSwap(
        {
          ...ctx.common,
          initImageB64: ctx.inputs.initB64,
          maskB64: need(ctx.inputs.maskB64, 'no subject mask'),
          scene: ctx.scene,
          look: ctx.look,
        },
        d,
      ),
  }),
  'pose-change': recipe<ShotDefaults>({
    needs: { mask: true, pose: true, lora: false, look: true },
    poseGuide: 'saved-pose',
    keeps: 'garment',
    growMask: false,
    // Everything but the garment from latent noise under the new skeleton: the old limbs must not leak through.
    defaults: {
      denoisingStrength: 1,
      inpaintingFill: 2,
      maskBlur: 4,
      openposeWeight: 1,
      controlMode: 'ControlNet is more important',
      negatives: [GARMENT_NEGATIVE],
    },
    build: (ctx, d) => garmentShot(shotInput(ctx), d),
  }),
  portrait: recipe<null>({
    needs: { mask: false, pose: false, lora: false, look: true },
    poseGuide: 'none',
    keeps: 'nothing',
    growMask: false,
    defaults: null,
    build: (ctx) => portrait({ ...ctx.common, look: ctx.look, scene: ctx.scene }),
  }),
} as const;

export type Recipe = keyof typeof RECIPE_TABLE;

/** In the order the Generate panel offers them. */
export const RECIPES = Object.keys(RECIPE_TABLE) as [Recipe, ...Recipe[]];

export function recipeSpec(id: Recipe): RecipeSpec<unknown> {
  return RECIPE_TABLE[id] as RecipeSpec<unknown>;
}

/** The request body of a recipe, built with the recipe's own defaults. */
export function buildRecipe(id: Recipe, ctx: RecipeBuildContext): Img2ImgRequest | Txt2ImgRequest {
  const spec = recipeSpec(id);
  return spec.build(ctx, spec.defaults);
}

/** The message keys every recipe must have, in both languages (src/i18n/messages.ts checks them). */
export type RecipeLabelKey = `gen.recipe.${Recipe}` | `gen.recipe.${Recipe}.hint`;
