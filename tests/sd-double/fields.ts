// Request schemas of the SD WebUI test double: the txt2img/img2img fields from
// shared/reference/sd-webui-api.md §2 with their pydantic types, and a validator that answers like FastAPI:
// pydantic v1 (A1111) or v2 (Forge) 422 items for mistyped known fields, unknown fields ignored (but reported).
// TEST TOOL ONLY.

export type FieldType = 'int' | 'float' | 'bool' | 'str' | 'str[]' | 'list' | 'dict' | 'any';
export type Kind = 'a1111' | 'forge';

const COMMON: Record<string, FieldType> = {
  prompt: 'str',
  negative_prompt: 'str',
  styles: 'str[]',
  seed: 'int',
  subseed: 'int',
  subseed_strength: 'float',
  seed_resize_from_h: 'int',
  seed_resize_from_w: 'int',
  sampler_name: 'str',
  sampler_index: 'str',
  scheduler: 'str',
  batch_size: 'int',
  n_iter: 'int',
  steps: 'int',
  cfg_scale: 'float',
  width: 'int',
  height: 'int',
  restore_faces: 'bool',
  tiling: 'bool',
  do_not_save_samples: 'bool',
  do_not_save_grid: 'bool',
  eta: 'float',
  s_min_uncond: 'float',
  s_churn: 'float',
  s_tmax: 'float',
  s_tmin: 'float',
  s_noise: 'float',
  denoising_strength: 'float',
  override_settings: 'dict',
  override_settings_restore_afterwards: 'bool',
  refiner_checkpoint: 'str',
  refiner_switch_at: 'float',
  disable_extra_networks: 'bool',
  firstpass_image: 'str',
  comments: 'dict',
  script_name: 'str',
  script_args: 'list',
  alwayson_scripts: 'dict',
  send_images: 'bool',
  save_images: 'bool',
  force_task_id: 'str',
  infotext: 'str',
};

const TXT2IMG: Record<string, FieldType> = {
  enable_hr: 'bool',
  hr_scale: 'float',
  hr_upscaler: 'str',
  hr_second_pass_steps: 'int',
  hr_resize_x: 'int',
  hr_resize_y: 'int',
  hr_checkpoint_name: 'str',
  hr_sampler_name: 'str',
  hr_scheduler: 'str',
  hr_prompt: 'str',
  hr_negative_prompt: 'str',
  firstphase_width: 'int',
  firstphase_height: 'int',
};

const IMG2IMG: Record<string, FieldType> = {
  init_images: 'list',
  resize_mode: 'int',
  image_cfg_scale: 'float',
  mask: 'str',
  mask_blur: 'int',
  mask_blur_x: 'int',
  mask_blur_y: 'int',
  mask_round: 'bool',
  inpainting_fill: 'int',
  inpaint_full_res: 'bool',
  inpaint_full_res_padding: 'int',
  inpainting_mask_invert: 'int',
  initial_noise_multiplier: 'float',
  latent_mask: 'str',
  include_init_images: 'bool',
};

const FORGE_EXTRA: Record<string, FieldType> = { distilled_cfg_scale: 'float' };
const FORGE_TXT2IMG_EXTRA: Record<string, FieldType> = { hr_cfg: 'float', hr_distilled_cfg: 'float', hr_additional_modules: 'list' };

export function requestFields(endpoint: 'txt2img' | 'img2img', kind: Kind): Record<string, FieldType> {
  const forge = kind === 'forge';
  return endpoint === 'txt2img'
    ? { ...COMMON, ...TXT2IMG, ...(forge ? { ...FORGE_EXTRA, ...FORGE_TXT2IMG_EXTRA } : {}) }
    : { ...COMMON, ...IMG2IMG, ...(forge ? FORGE_EXTRA : {}) };
}

/** ExtrasSingleImageRequest (modules/api/models.py ExtrasBaseRequest + image). */
export const EXTRAS_FIELDS: Record<string, FieldType> = {
  resize_mode: 'int',
  show_extras_results: 'bool',
  gfpgan_visibility: 'float',
  codeformer_visibility: 'float',
  codeformer_weight: 'float',
  upscaling_resize: 'float',
  upscaling_resize_w: 'int',
  upscaling_resize_h: 'int',
  upscaling_crop: 'bool',
  upscaler_1: 'str',
  upscaler_2: 'str',
  extras_upscaler_2_visibility: 'float',
  upscale_first: 'bool',
  image: 'str',
};

/** ControlNet unit keys each implementation knows (anything else is ignored by the server). */
export const CONTROLNET_UNIT_KEYS: Record<Kind, ReadonlySet<string>> = {
  a1111: new Set([
    'input_mode',
    'use_preview_as_input',
    'batch_image_dir',
    'batch_mask_dir',
    'batch_input_gallery',
    'batch_mask_gallery',
    'generated_image',
    'mask_image',
    'mask_image_mode',
    'hr_option',
    'enabled',
    'module',
    'model',
    'weight',
    'image',
    'resize_mode',
    'processor_res',
    'threshold_a',
    'threshold_b',
    'guidance_start',
    'guidance_end',
    'pixel_perfect',
    'control_mode',
    'save_detected_map',
    'low_vram',
    'lowvram',
    'mask',
    'input_image',
    'inpaint_crop_input_image',
    'advanced_weighting',
    'effective_region_mask',
    'ipadapter_input',
    'union_control_type',
    'pulid_mode',
    'animatediff_batch',
    'batch_modifiers',
    'batch_images',
    'is_ui',
  ]),
  forge: new Set([
    'input_mode',
    'use_preview_as_input',
    'batch_image_dir',
    'batch_mask_dir',
    'batch_input_gallery',
    'batch_mask_gallery',
    'generated_image',
    'mask_image',
    'hr_option',
    'enabled',
    'module',
    'model',
    'weight',
    'image',
    'resize_mode',
    'processor_res',
    'threshold_a',
    'threshold_b',
    'guidance_start',
    'guidance_end',
    'pixel_perfect',
    'control_mode',
    'save_detected_map',
  ]),
};

export interface PydanticItem {
  loc: (string | number)[];
  msg: string;
  type: string;
  input?: unknown;
}

const INT_STRING = /^\s*[+-]?\d+\s*$/;
const NUM_STRING = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const TRUE_STRINGS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_STRINGS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** Checks one value the way pydantic v1 (lax coercion) or v2 (stricter) would; null is fine (all Optional). */
function checkValue(type: FieldType, v: unknown, loc: (string | number)[], kind: Kind): PydanticItem[] {
  if (v === null || type === 'any') return [];
  const v2 = kind === 'forge';
  const item = (v1Msg: string, v1Type: string, v2Msg: string, v2Type: string): PydanticItem[] => [
    v2 ? { type: v2Type, loc, msg: v2Msg, input: v } : { loc, msg: v1Msg, type: v1Type },
  ];
  switch (type) {
    case 'int': {
      if (typeof v === 'boolean') return [];
      if (typeof v === 'number') {
        if (Number.isInteger(v)) return [];
        return v2 ? item('', '', 'Input should be a valid integer, got a number with a fractional part', 'int_from_float') : [];
      }
      if (typeof v === 'string') {
        if (INT_STRING.test(v)) return [];
        if (!v2 && NUM_STRING.test(v)) return [];
        return item(
          'value is not a valid integer',
          'type_error.integer',
          'Input should be a valid integer, unable to parse string as an integer',
          'int_parsing',
        );
      }
      return item('value is not a valid integer', 'type_error.integer', 'Input should be a valid integer', 'int_type');
    }
    case 'float': {
      if (typeof v === 'number' || typeof v === 'boolean') return [];
      if (typeof v === 'string') {
        if (NUM_STRING.test(v)) return [];
        return item(
          'value is not a valid float',
          'type_error.float',
          'Input should be a valid number, unable to parse string as a number',
          'float_parsing',
        );
      }
      return item('value is not a valid float', 'type_error.float', 'Input should be a valid number', 'float_type');
    }
    case 'bool': {
      if (typeof v === 'boolean') return [];
      if (typeof v === 'number' && (v === 0 || v === 1)) return [];
      if (typeof v === 'string' && (TRUE_STRINGS.has(v.toLowerCase()) || FALSE_STRINGS.has(v.toLowerCase()))) return [];
      return typeof v === 'string' || typeof v === 'number'
        ? item(
            'value could not be parsed to a boolean',
            'type_error.bool',
            'Input should be a valid boolean, unable to interpret input',
            'bool_parsing',
          )
        : item('value could not be parsed to a boolean', 'type_error.bool', 'Input should be a valid boolean', 'bool_type');
    }
    case 'str': {
      if (typeof v === 'string') return [];
      if (!v2 && (typeof v === 'number' || typeof v === 'boolean')) return []; // v1 coerces numbers to str
      return item('str type expected', 'type_error.str', 'Input should be a valid string', 'string_type');
    }
    case 'str[]': {
      if (!Array.isArray(v)) return item('value is not a valid list', 'type_error.list', 'Input should be a valid list', 'list_type');
      return v.flatMap((x, i) => checkValue('str', x, [...loc, i], kind));
    }
    case 'list':
      return Array.isArray(v) ? [] : item('value is not a valid list', 'type_error.list', 'Input should be a valid list', 'list_type');
    case 'dict':
      return v && typeof v === 'object' && !Array.isArray(v)
        ? []
        : item('value is not a valid dict', 'type_error.dict', 'Input should be a valid dictionary', 'dict_type');
  }
  return [];
}

export interface BodyCheck {
  errors: PydanticItem[];
  unknown: string[];
}

/** Validates a parsed JSON body against the endpoint's model. */
export function checkBody(body: unknown, fields: Record<string, FieldType>, kind: Kind): BodyCheck {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { errors: checkValue('dict', body, ['body'], kind), unknown: [] };
  }
  const errors: PydanticItem[] = [];
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    const type = fields[key];
    if (!type) {
      unknown.push(key);
      continue;
    }
    errors.push(...checkValue(type, value, ['body', key], kind));
  }
  return { errors, unknown };
}
