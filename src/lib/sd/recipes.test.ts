import { describe, expect, it } from 'vitest';
import {
  assertValidForBackend,
  garmentShot,
  outfitSwap,
  portrait,
  sceneSwap,
  maskGrowthPx,
  pickSampler,
  resolveCheckpoint,
  resolveControlNetModel,
  splitCount,
  validateAgainstBackend,
  type ModelShotInput,
  type OutfitSwapInput,
  type RecipeCommon,
  type SceneSwapInput,
} from './recipes.ts';
import { RECIPE_TABLE } from '../recipes/table.ts';

// The payload shapes with each recipe's defaults from the recipe table.
const buildModelShot = (i: ModelShotInput) => garmentShot(i, RECIPE_TABLE['model-shot'].defaults);
const buildPoseChange = (i: ModelShotInput) => garmentShot(i, RECIPE_TABLE['pose-change'].defaults);
const buildOutfitSwap = (i: OutfitSwapInput) => outfitSwap(i, RECIPE_TABLE['outfit-swap'].defaults);
const buildSceneSwap = (i: SceneSwapInput) => sceneSwap(i, RECIPE_TABLE['scene-swap'].defaults);
const buildPortrait = portrait;
import { BackendError } from './errors.ts';
import type { BackendKind, BackendLists, ControlNetUnitPayload, Img2ImgRequest, Txt2ImgRequest } from './types.ts';

// Field lists from shared/reference/sd-webui-api.md §2 (txt2img/img2img) and §4 (ControlNet units, fields both
// A1111 and Forge know). A payload key outside these lists would be silently ignored by the server.
const COMMON_FIELDS = [
  'prompt',
  'negative_prompt',
  'styles',
  'seed',
  'subseed',
  'subseed_strength',
  'seed_resize_from_h',
  'seed_resize_from_w',
  'sampler_name',
  'sampler_index',
  'scheduler',
  'batch_size',
  'n_iter',
  'steps',
  'cfg_scale',
  'width',
  'height',
  'restore_faces',
  'tiling',
  'eta',
  's_churn',
  's_tmin',
  's_tmax',
  's_noise',
  's_min_uncond',
  'denoising_strength',
  'override_settings',
  'override_settings_restore_afterwards',
  'refiner_checkpoint',
  'refiner_switch_at',
  'disable_extra_networks',
  'comments',
  'script_name',
  'script_args',
  'alwayson_scripts',
  'send_images',
  'save_images',
  'force_task_id',
  'infotext',
];
const TXT2IMG_FIELDS = new Set([
  ...COMMON_FIELDS,
  'enable_hr',
  'hr_scale',
  'hr_upscaler',
  'hr_second_pass_steps',
  'hr_resize_x',
  'hr_resize_y',
  'hr_checkpoint_name',
  'hr_sampler_name',
  'hr_scheduler',
  'hr_prompt',
  'hr_negative_prompt',
  'firstphase_width',
  'firstphase_height',
  'firstpass_image',
]);
const IMG2IMG_FIELDS = new Set([
  ...COMMON_FIELDS,
  'init_images',
  'resize_mode',
  'image_cfg_scale',
  'mask',
  'mask_blur',
  'mask_blur_x',
  'mask_blur_y',
  'mask_round',
  'inpainting_fill',
  'inpaint_full_res',
  'inpaint_full_res_padding',
  'inpainting_mask_invert',
  'initial_noise_multiplier',
  'latent_mask',
  'include_init_images',
]);
const UNIT_FIELDS_BOTH = new Set([
  'enabled',
  'module',
  'model',
  'weight',
  'image',
  'mask_image',
  'resize_mode',
  'processor_res',
  'threshold_a',
  'threshold_b',
  'guidance_start',
  'guidance_end',
  'pixel_perfect',
  'control_mode',
  'hr_option',
  'save_detected_map',
]);
/** Fields where the server takes 0 literally (or 0 is a trap) — never sent as 0. */
const NO_LITERAL_ZERO = [
  'eta',
  's_churn',
  's_tmin',
  's_tmax',
  's_noise',
  's_min_uncond',
  'initial_noise_multiplier',
  'steps',
  'cfg_scale',
  'width',
  'height',
  'batch_size',
  'n_iter',
  'denoising_strength',
  'inpaint_full_res_padding',
];

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
const CANNY = 'control_v11p_sd15_canny [d14c016b]';
const CKPT = 'realisticVisionV60B1_v51VAE.safetensors [15012c538f]';
const LOOK = { prompt: 'a young East Asian woman, slim build', negativePrompt: 'heavy makeup' };
const SCENE = { prompt: 'seamless white studio backdrop', negativePrompt: 'cluttered background' };

function common(kind: BackendKind, over: Partial<RecipeCommon> = {}): RecipeCommon {
  return {
    size: { width: 768, height: 1024 },
    backendKind: kind,
    sampler: { sampler: 'DPM++ 2M', scheduler: 'karras' },
    count: 4,
    seed: 1234,
    checkpoint: CKPT,
    ...over,
  };
}

function expectKnownFields(payload: object, fields: Set<string>) {
  const unknown = Object.keys(payload).filter((k) => !fields.has(k));
  expect(unknown, `fields outside the reference list: ${unknown.join(', ')}`).toEqual([]);
}

function units(p: Img2ImgRequest | Txt2ImgRequest): ControlNetUnitPayload[] {
  return p.alwayson_scripts?.controlnet?.args ?? [];
}

function expectUnitShape(u: ControlNetUnitPayload, kind: BackendKind) {
  expectKnownFields(u, UNIT_FIELDS_BOTH);
  expect(u.enabled).toBe(true);
  expect(typeof u.resize_mode).toBe('string');
  expect(typeof u.control_mode).toBe('string');
  expect(u.save_detected_map).toBe(true); // the map is the proof the unit ran
  expect(u.pixel_perfect).toBe(false);
  if (u.image !== undefined) expect(typeof u.image).toBe('string');
  expect(u.guidance_start).toBeLessThan(u.guidance_end);
  if (u.module.toLowerCase() === 'none') expect(u.module).toBe(kind === 'forge' ? 'None' : 'none');
}

function expectNoLiteralZero(p: object) {
  for (const f of NO_LITERAL_ZERO) {
    if (f in p) expect((p as Record<string, unknown>)[f], f).not.toBe(0);
  }
  for (const f of ['eta', 's_churn', 's_tmin', 's_tmax', 's_noise', 's_min_uncond', 'initial_noise_multiplier']) {
    expect(p, `${f} must be left to the server`).not.toHaveProperty(f);
  }
}

/** Fields every img2img recipe sets explicitly because the API defaults are wrong for us. */
function expectExplicitInpaint(p: Img2ImgRequest) {
  expect(p.inpaint_full_res).toBe(false); // API default true = "Only masked"
  expect(p.inpaint_full_res_padding).toBe(32); // API default 0
  expect(p.resize_mode).toBe(0);
  expect(p.steps).toBe(30); // API default 50
  expect(p.sampler_name).toBe('DPM++ 2M'); // API default Euler
  expect(p.scheduler).toBe('karras');
  expect(p.cfg_scale).toBe(6);
  expect(p.width! % 8).toBe(0);
  expect(p.height! % 8).toBe(0);
  expect(p.width).toBe(768);
  expect(p.height).toBe(1024);
  expect(p.seed).toBe(1234);
  expect(p.batch_size).toBe(1);
  expect(p.n_iter).toBe(4);
  // The checkpoint for this job only; no masks in the answer; detected maps on when units are sent.
  expect(p.override_settings).toMatchObject({ sd_model_checkpoint: CKPT, return_mask: false, return_mask_composite: false });
  if (p.alwayson_scripts) expect(p.override_settings?.control_net_no_detectmap).toBe(false);
  expect(p).not.toHaveProperty('override_settings_restore_afterwards');
  expect(p.send_images).toBe(true);
  expect(p.save_images).toBe(false);
  expect(p.include_init_images).toBe(false);
  expect(p.init_images).toEqual(['INIT']);
  expect(p.mask).toBe('MASK');
  expect(typeof p.mask_blur).toBe('number');
  expect(p.mask_blur).toBeGreaterThan(0);
  expect(p).not.toHaveProperty('sampler_index');
}

describe.each(['a1111', 'forge'] as const)('recipes on %s', (kind) => {
  it('model shot: inverted garment mask, high denoise, OpenPose skeleton unit with no preprocessor', () => {
    const p = buildModelShot({
      ...common(kind),
      initImageB64: 'INIT',
      maskB64: 'MASK',
      skeletonB64: 'SKEL',
      look: LOOK,
      scene: SCENE,
      garment: 'a red silk qipao',
      controlnetModels: { openpose: OPENPOSE },
    });
    expectKnownFields(p, IMG2IMG_FIELDS);
    expectExplicitInpaint(p);
    expectNoLiteralZero(p);
    expect(p.inpainting_mask_invert).toBe(1);
    expect(p.inpainting_fill).toBe(1);
    expect(p.denoising_strength).toBeGreaterThanOrEqual(0.85);
    expect(p.mask_blur).toBe(4);
    const [u, ...rest] = units(p);
    expect(rest).toEqual([]);
    expectUnitShape(u, kind);
    expect(u).toMatchObject({
      enabled: true,
      module: kind === 'forge' ? 'None' : 'none',
      model: OPENPOSE,
      image: 'SKEL',
      weight: 1,
      resize_mode: 'Just Resize',
      control_mode: 'Balanced',
      guidance_start: 0,
      guidance_end: 1,
      save_detected_map: true,
    });
    expect(p.prompt).toContain('a young East Asian woman');
    expect(p.prompt).toContain('wearing a red silk qipao');
    expect(p.prompt).toContain('seamless white studio backdrop');
    expect(p.prompt).toMatch(/RAW photo/);
    expect(p.negative_prompt).toContain('mannequin');
    expect(p.negative_prompt).toContain('heavy makeup');
    expect(p.negative_prompt).toContain('cluttered background');
    expect(p.negative_prompt).toContain('extra fingers');
  });

  it('model shot with the garment-edge unit', () => {
    const p = buildModelShot({
      ...common(kind),
      initImageB64: 'INIT',
      maskB64: 'MASK',
      skeletonB64: 'SKEL',
      look: LOOK,
      scene: SCENE,
      controlnetModels: { openpose: OPENPOSE, edges: CANNY },
      edgesImageB64: 'EDGES',
    });
    const us = units(p);
    expect(us).toHaveLength(2);
    for (const u of us) expectUnitShape(u, kind);
    expect(us[1]).toMatchObject({ module: 'canny', model: CANNY, image: 'EDGES', threshold_a: 100, threshold_b: 200, processor_res: 512 });
    expect(us[1].weight).toBeLessThan(1);
    expect(() =>
      buildModelShot({
        ...common(kind),
        initImageB64: 'I',
        maskB64: 'M',
        skeletonB64: 'S',
        look: LOOK,
        scene: SCENE,
        controlnetModels: { openpose: OPENPOSE, edges: CANNY },
      }),
    ).toThrow(/edgesImageB64/);
  });

  it('outfit swap: garment region repainted with the LoRA tag and trigger words, OpenPose keeps the body', () => {
    const p = buildOutfitSwap({
      ...common(kind, { count: 2, maxBatchSize: 2 }),
      initImageB64: 'INIT',
      maskB64: 'MASK',
      skeletonB64: 'SKEL',
      loras: [{ name: 'mamianqun_v1', weight: 0.8, triggerWords: ['mamianqun', 'horse-face skirt'] }],
      controlnetModels: { openpose: OPENPOSE },
    });
    expectKnownFields(p, IMG2IMG_FIELDS);
    expectNoLiteralZero(p);
    expect(p.inpainting_mask_invert).toBe(0);
    expect(p.inpaint_full_res).toBe(false);
    expect(p.inpaint_full_res_padding).toBe(32);
    expect(p.inpainting_fill).toBe(1);
    expect(p.denoising_strength).toBeGreaterThan(0.5);
    expect(p.batch_size).toBe(2);
    expect(p.n_iter).toBe(1);
    expect(p.prompt).toMatch(/^mamianqun, horse-face skirt, /);
    expect(p.prompt).toContain('<lora:mamianqun_v1:0.8>');
    const [u] = units(p);
    expectUnitShape(u, kind);
    expect(u).toMatchObject({ module: kind === 'forge' ? 'None' : 'none', image: 'SKEL', model: OPENPOSE });
    expect(() =>
      buildOutfitSwap({ ...common(kind), initImageB64: 'I', maskB64: 'M', loras: [], controlnetModels: { openpose: OPENPOSE } }),
    ).toThrow(/LoRA/);
  });

  it('outfit swap without a skeleton lets the server detect the pose from the init image', () => {
    const p = buildOutfitSwap({
      ...common(kind),
      initImageB64: 'INIT',
      maskB64: 'MASK',
      loras: [{ name: 'mamianqun_v1', weight: 1 }],
      controlnetModels: { openpose: OPENPOSE },
    });
    const [u] = units(p);
    expectUnitShape(u, kind);
    expect(u.module).toBe('openpose_full');
    expect(u).not.toHaveProperty('image');
    expect(u.processor_res).toBe(512);
  });

  it('scene swap: background only (subject mask inverted), no ControlNet', () => {
    const p = buildSceneSwap({ ...common(kind), initImageB64: 'INIT', maskB64: 'MASK', scene: SCENE });
    expectKnownFields(p, IMG2IMG_FIELDS);
    expectExplicitInpaint(p);
    expectNoLiteralZero(p);
    expect(p.inpainting_mask_invert).toBe(1);
    expect(p.inpainting_fill).toBe(2);
    expect(p.denoising_strength).toBe(1);
    expect(p).not.toHaveProperty('alwayson_scripts');
    expect(p.prompt).toContain('seamless white studio backdrop');
  });

  it('pose change: new skeleton, garment kept by the mask, old body from latent noise', () => {
    const p = buildPoseChange({
      ...common(kind),
      initImageB64: 'INIT',
      maskB64: 'MASK',
      skeletonB64: 'NEWPOSE',
      look: LOOK,
      scene: SCENE,
      controlnetModels: { openpose: OPENPOSE },
    });
    expectKnownFields(p, IMG2IMG_FIELDS);
    expectExplicitInpaint(p);
    expectNoLiteralZero(p);
    expect(p.inpainting_mask_invert).toBe(1);
    expect(p.inpainting_fill).toBe(2);
    expect(p.denoising_strength).toBe(1);
    const [u] = units(p);
    expectUnitShape(u, kind);
    expect(u).toMatchObject({ image: 'NEWPOSE', control_mode: 'ControlNet is more important' });
  });

  it('portrait: txt2img with every sampling field explicit and no img2img-only fields', () => {
    const p = buildPortrait({ ...common(kind, { count: 3, seed: undefined }), look: LOOK });
    expectKnownFields(p, TXT2IMG_FIELDS);
    expectNoLiteralZero(p);
    expect(p).toMatchObject({
      steps: 30,
      sampler_name: 'DPM++ 2M',
      scheduler: 'karras',
      cfg_scale: 6,
      width: 768,
      height: 1024,
      seed: -1,
      batch_size: 1,
      n_iter: 3,
      enable_hr: false,
      override_settings: { sd_model_checkpoint: CKPT },
    });
    expect(p).not.toHaveProperty('denoising_strength');
    expect(p).not.toHaveProperty('alwayson_scripts');
    expect(p.prompt).toMatch(/^head and shoulders portrait photo of a young East Asian woman/);
  });
});

describe('recipe input checks', () => {
  const base = { initImageB64: 'I', maskB64: 'M', skeletonB64: 'S', look: LOOK, scene: SCENE, controlnetModels: { openpose: OPENPOSE } };
  it('refuses sizes that are not multiples of 8, bad counts, seeds, strengths and URLs', () => {
    expect(() => buildModelShot({ ...common('a1111', { size: { width: 770, height: 1024 } }), ...base })).toThrow(/multiple of 8/);
    expect(() => buildModelShot({ ...common('a1111', { count: 0 }), ...base })).toThrow(/count/);
    expect(() => buildModelShot({ ...common('a1111', { count: 17 }), ...base })).toThrow(/count/);
    expect(() => buildModelShot({ ...common('a1111', { seed: 1.5 }), ...base })).toThrow(/seed/);
    expect(() => buildModelShot({ ...common('a1111'), ...base, denoisingStrength: 0 })).toThrow(/denoising/);
    expect(() => buildModelShot({ ...common('a1111'), ...base, initImageB64: 'https://example.com/x.png' })).toThrow(/URL/);
    expect(() => buildModelShot({ ...common('a1111'), ...base, skeletonB64: '' })).toThrow(/skeletonB64/);
  });
  it('leaves the checkpoint override out when no checkpoint is chosen, and the scheduler out when unsupported', () => {
    const p = buildModelShot({
      ...common('a1111', { checkpoint: undefined, sampler: { sampler: 'DPM++ 2M Karras', scheduler: null } }),
      ...base,
    });
    expect(p.override_settings).not.toHaveProperty('sd_model_checkpoint');
    expect(p).not.toHaveProperty('override_settings_restore_afterwards');
    expect(p).not.toHaveProperty('scheduler');
    expect(p.sampler_name).toBe('DPM++ 2M Karras');
  });
  it('drops <lora:> tags smuggled in merchant text', () => {
    const p = buildModelShot({ ...common('a1111'), ...base, prompt: 'sunny <lora:evil:1> day' });
    expect(p.prompt).not.toContain('evil');
    expect(p.prompt).toContain('sunny day');
  });
});

describe('splitCount', () => {
  it('turns a count into batch_size × n_iter', () => {
    expect(splitCount(4)).toEqual({ batch_size: 1, n_iter: 4 });
    expect(splitCount(4, 2)).toEqual({ batch_size: 2, n_iter: 2 });
    expect(splitCount(3, 2)).toEqual({ batch_size: 1, n_iter: 3 });
    expect(splitCount(6, 4)).toEqual({ batch_size: 3, n_iter: 2 });
    expect(splitCount(1, 8)).toEqual({ batch_size: 1, n_iter: 1 });
  });
  it('dilation for the outfit-swap mask scales with the size', () => {
    expect(maskGrowthPx({ width: 768, height: 1024 })).toBe(12);
    expect(maskGrowthPx({ width: 64, height: 64 })).toBe(4);
  });
});

const LISTS: BackendLists = {
  kind: 'a1111',
  samplers: [
    { name: 'DPM++ 2M', aliases: ['k_dpmpp_2m'] },
    { name: 'Euler a', aliases: ['k_euler_a'] },
  ],
  schedulers: [
    { name: 'automatic', label: 'Automatic', aliases: null },
    { name: 'karras', label: 'Karras', aliases: null },
  ],
  loras: [{ name: 'mamianqun_v1', alias: 'mamianqun' }],
  checkpoints: [{ title: CKPT, model_name: 'realisticVisionV60B1_v51VAE', hash: '15012c538f', filename: `/m/${CKPT.split(' ')[0]}` }],
  currentCheckpoint: CKPT,
  upscalers: ['None', 'Lanczos', 'R-ESRGAN 4x+'],
  controlnetModels: ['None', OPENPOSE, CANNY],
  controlnetModules: ['none', 'canny', 'openpose_full'],
};

describe('validateAgainstBackend', () => {
  const shot = (kind: BackendKind, over: Partial<RecipeCommon> = {}) =>
    buildModelShot({
      ...common(kind, over),
      initImageB64: 'I',
      maskB64: 'M',
      skeletonB64: 'S',
      look: LOOK,
      scene: SCENE,
      controlnetModels: { openpose: OPENPOSE },
    });

  it('accepts a payload whose names all exist', () => {
    expect(validateAgainstBackend(shot('a1111', { loras: [{ name: 'mamianqun', weight: 0.7 }] }), LISTS)).toEqual([]);
  });

  it('reports unknown sampler, scheduler, LoRA, checkpoint, ControlNet model and module', () => {
    const p = shot('forge', {
      sampler: { sampler: 'DPM++ 9000', scheduler: 'wobbly' },
      loras: [{ name: 'nope', weight: 1 }],
      checkpoint: 'realisticVisionV60B1_v51VAE',
    });
    p.alwayson_scripts!.controlnet!.args[0].model = 'control_v11p_sd15_openpose';
    const issues = validateAgainstBackend(p, LISTS);
    const fields = issues.map((i) => i.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'sampler_name',
        'scheduler',
        'prompt',
        'override_settings.sd_model_checkpoint',
        'alwayson_scripts.controlnet.args[0].model',
        'alwayson_scripts.controlnet.args[0].module', // "None" is not an A1111 module name
      ]),
    );
    expect(() => assertValidForBackend(p, LISTS)).toThrow(BackendError);
    try {
      assertValidForBackend(p, LISTS);
    } catch (e) {
      expect((e as BackendError).kind).toBe('validation');
      expect((e as BackendError).retryable).toBe(false);
      expect((e as BackendError).message).toContain('DPM++ 9000');
    }
  });

  it('flags a scheduler on a backend without scheduler support, and ControlNet on a backend without it', () => {
    const p = shot('a1111');
    const issues = validateAgainstBackend(p, { ...LISTS, schedulers: null, controlnetModels: null, controlnetModules: null });
    expect(issues.map((i) => i.field)).toEqual(['scheduler', 'alwayson_scripts.controlnet']);
  });
});

describe('choosing names from the backend lists', () => {
  it('pickSampler prefers DPM++ 2M + karras and falls back to what exists', () => {
    expect(pickSampler(LISTS)).toEqual({ sampler: 'DPM++ 2M', scheduler: 'karras' });
    expect(
      pickSampler({ samplers: [{ name: 'Euler', aliases: [] }], schedulers: [{ name: 'simple', label: 'Simple', aliases: null }] }),
    ).toEqual({
      sampler: 'Euler',
      scheduler: 'simple',
    });
    expect(
      pickSampler({
        samplers: [
          { name: 'Euler a', aliases: [] },
          { name: 'DPM++ 2M Karras', aliases: [] },
        ],
        schedulers: null,
      }),
    ).toEqual({
      sampler: 'DPM++ 2M Karras',
      scheduler: null,
    });
    expect(() => pickSampler({ samplers: [], schedulers: null })).toThrow(BackendError);
  });
  it('resolves checkpoint and ControlNet names to exact titles', () => {
    expect(resolveCheckpoint('realisticVisionV60B1_v51VAE', LISTS.checkpoints)).toBe(CKPT);
    expect(resolveCheckpoint('realisticVisionV60B1_v51VAE.safetensors', LISTS.checkpoints)).toBe(CKPT);
    expect(resolveCheckpoint('15012c538f', LISTS.checkpoints)).toBe(CKPT);
    expect(resolveCheckpoint('other', LISTS.checkpoints)).toBeNull();
    expect(resolveControlNetModel('control_v11p_sd15_openpose', LISTS.controlnetModels!)).toBe(OPENPOSE);
    expect(resolveControlNetModel('control_v11p_sd15_depth', LISTS.controlnetModels!)).toBeNull();
  });
});
