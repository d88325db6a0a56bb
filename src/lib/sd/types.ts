// Request/response shapes of the SD WebUI HTTP API (AUTOMATIC1111 v1.9/1.10 + Mikubill ControlNet, and Forge),
// as listed in shared/reference/sd-webui-api.md. Only the endpoints Atelier calls are typed.
// Every request field is optional on the server; the API defaults differ from the web UI's, so the recipe
// builders set every field they depend on explicitly (see recipes.ts).

/** Which server family answers: A1111 with the Mikubill ControlNet extension, or Forge with its built-in ControlNet. */
export type BackendKind = 'a1111' | 'forge';

// ---------------------------------------------------------------------------------------------------------------
// ControlNet unit (alwayson_scripts.controlnet.args[i]) — only the fields both kinds understand.

export type ControlNetResizeMode = 'Just Resize' | 'Crop and Resize' | 'Resize and Fill';
export type ControlNetControlMode = 'Balanced' | 'My prompt is more important' | 'ControlNet is more important';
export type ControlNetHrOption = 'Both' | 'Low res only' | 'High res only';

export interface ControlNetUnitPayload {
  /** A1111 defaults to false, Forge to true: always sent as true. */
  enabled: true;
  /** Preprocessor. "none" on A1111, "None" on Forge; other names are the same on both (canny, lineart_realistic…). */
  module: string;
  /** Exact "stem [hash8]" title from /controlnet/model_list (Forge accepts nothing else). */
  model: string;
  weight: number;
  /** Plain base64 string (Forge rejects the dict/list forms A1111 accepts). Omitted → img2img init image. */
  image?: string;
  /** Unit mask; `mask_image` is the name both kinds accept (A1111 also knows `mask`). */
  mask_image?: string;
  /** String on both (A1111 rejects ints). */
  resize_mode: ControlNetResizeMode;
  control_mode: ControlNetControlMode;
  /** -1 = module default. */
  processor_res: number;
  threshold_a: number;
  threshold_b: number;
  guidance_start: number;
  guidance_end: number;
  pixel_perfect: boolean;
  hr_option: ControlNetHrOption;
  /** true: the unit's detected map comes back after the results — the proof that it ran (verifyDetectedMaps). */
  save_detected_map: boolean;
  /** sd-webui-controlnet only: the control type of a union model ("OpenPose"). */
  union_control_type?: 'OpenPose';
}

export interface AlwaysOnScripts {
  controlnet?: { args: ControlNetUnitPayload[] };
  [script: string]: { args: unknown[] } | undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// txt2img / img2img requests (§2). Types follow the server's pydantic models.

export interface OverrideSettings {
  sd_model_checkpoint?: string;
  CLIP_stop_at_last_layers?: number;
  sd_vae?: string;
  [option: string]: unknown;
}

export interface GenerationRequestBase {
  prompt?: string;
  negative_prompt?: string;
  styles?: string[];
  /** -1 = random; image i of a job uses seed + i. */
  seed?: number;
  subseed?: number;
  subseed_strength?: number;
  seed_resize_from_h?: number;
  seed_resize_from_w?: number;
  sampler_name?: string;
  /** Legacy alias; omitted together with sampler_name the server uses "Euler". */
  sampler_index?: string;
  scheduler?: string;
  batch_size?: number;
  n_iter?: number;
  /** API default 50. */
  steps?: number;
  cfg_scale?: number;
  width?: number;
  height?: number;
  restore_faces?: boolean;
  tiling?: boolean;
  do_not_save_samples?: boolean;
  do_not_save_grid?: boolean;
  // eta / s_* : omit rather than send 0 (0 is taken literally).
  eta?: number;
  s_churn?: number;
  s_tmin?: number;
  s_tmax?: number;
  s_noise?: number;
  s_min_uncond?: number;
  denoising_strength?: number;
  override_settings?: OverrideSettings;
  override_settings_restore_afterwards?: boolean;
  refiner_checkpoint?: string;
  refiner_switch_at?: number;
  disable_extra_networks?: boolean;
  comments?: Record<string, unknown>;
  script_name?: string;
  script_args?: unknown[];
  alwayson_scripts?: AlwaysOnScripts;
  send_images?: boolean;
  save_images?: boolean;
  force_task_id?: string;
  infotext?: string;
}

export interface Txt2ImgRequest extends GenerationRequestBase {
  enable_hr?: boolean;
  hr_scale?: number;
  hr_upscaler?: string;
  hr_second_pass_steps?: number;
  hr_resize_x?: number;
  hr_resize_y?: number;
  hr_checkpoint_name?: string;
  hr_sampler_name?: string;
  hr_scheduler?: string;
  hr_prompt?: string;
  hr_negative_prompt?: string;
  firstphase_width?: number;
  firstphase_height?: number;
  firstpass_image?: string;
}

/** 0 fill (blurred surroundings), 1 original, 2 latent noise, 3 latent nothing. */
export type InpaintingFill = 0 | 1 | 2 | 3;
/** 0 just resize, 1 crop and resize, 2 resize and fill, 3 just resize (latent upscale). */
export type Img2ImgResizeMode = 0 | 1 | 2 | 3;

export interface Img2ImgRequest extends GenerationRequestBase {
  init_images: string[];
  resize_mode?: Img2ImgResizeMode;
  image_cfg_scale?: number;
  /** White = repaint, black = keep (before `inpainting_mask_invert`). */
  mask?: string;
  mask_blur?: number;
  mask_blur_x?: number;
  mask_blur_y?: number;
  mask_round?: boolean;
  inpainting_fill?: InpaintingFill;
  /** API default true ("Only masked"); the web UI's default is "Whole picture". */
  inpaint_full_res?: boolean;
  /** API default 0. */
  inpaint_full_res_padding?: number;
  /** 1 = repaint everything except the mask. */
  inpainting_mask_invert?: 0 | 1;
  initial_noise_multiplier?: number;
  latent_mask?: string;
  include_init_images?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses.

/** Raw body of txt2img/img2img. `info` is a JSON string. */
export interface GenerationResponse {
  images: string[];
  parameters: Record<string, unknown>;
  info: string;
}

/** `JSON.parse(response.info)`; only the keys Atelier reads are typed, the rest pass through. */
export interface GenerationInfo {
  prompt?: string;
  all_prompts?: string[];
  negative_prompt?: string;
  all_negative_prompts?: string[];
  seed?: number;
  all_seeds?: number[];
  subseed?: number;
  all_subseeds?: number[];
  width?: number;
  height?: number;
  sampler_name?: string;
  cfg_scale?: number;
  steps?: number;
  batch_size?: number;
  sd_model_name?: string | null;
  sd_model_hash?: string | null;
  denoising_strength?: number | null;
  extra_generation_params?: Record<string, unknown>;
  index_of_first_image?: number;
  infotexts?: string[];
  job_timestamp?: string;
  version?: string;
  [key: string]: unknown;
}

export interface ProgressState {
  skipped: boolean;
  interrupted: boolean;
  stopping_generation?: boolean;
  job: string;
  job_count: number;
  job_timestamp: string;
  job_no: number;
  sampling_step: number;
  sampling_steps: number;
}

export interface ProgressResponse {
  /** 0..1; idle → 0. */
  progress: number;
  eta_relative: number;
  state: ProgressState;
  current_image: string | null;
  textinfo: string | null;
}

/** `POST /internal/progress` (modules/progress.py): one task's state. Webui mode only (absent with --nowebui). */
export interface TaskProgress {
  /** Our task runs now (`id_task == current_task`; a failed task stays active until the next one starts). */
  active: boolean;
  /** Waiting for the queue lock, behind other work. */
  queued: boolean;
  /** Finished successfully (only the last 16 are remembered). */
  completed: boolean;
  progress: number | null;
  eta: number | null;
  /** data: URL of the newest preview when it changed since `id_live_preview`. */
  live_preview: string | null;
  id_live_preview: number | null;
  /** "In queue: 2/3" while queued. */
  textinfo: string | null;
}

export type SdOptions = Record<string, unknown>;

/** `/sdapi/v1/upscalers` entry (modules/api/models.py UpscalerItem). */
export interface SdUpscaler {
  name: string;
  model_name: string | null;
  /** Native scale of the model (4 for the ESRGAN family); null for plain resamplers. */
  scale: number | null;
}

export interface SdModel {
  title: string;
  model_name: string;
  hash: string | null;
  sha256: string | null;
  filename: string;
  config: string | null;
}

export interface SdLora {
  name: string;
  alias: string;
  path: string;
  metadata: Record<string, unknown>;
}

export interface SdSampler {
  name: string;
  aliases: string[];
  options: Record<string, unknown>;
}

export interface SdScheduler {
  name: string;
  label: string;
  aliases: string[] | null;
  default_rho: number;
  need_inner_model: boolean;
}

export interface ControlNetModuleList {
  module_list: string[];
  /** A1111 only. */
  module_detail?: Record<string, unknown>;
}

/** Everything `validateAgainstBackend` checks names against (see recipes.ts). */
export interface BackendLists {
  kind: BackendKind;
  samplers: Pick<SdSampler, 'name' | 'aliases'>[];
  /** null: the backend has no scheduler list (A1111 < 1.9); the sampler name then carries the schedule. */
  schedulers: Pick<SdScheduler, 'name' | 'label' | 'aliases'>[] | null;
  loras: Pick<SdLora, 'name' | 'alias'>[];
  checkpoints: Pick<SdModel, 'title' | 'model_name' | 'hash' | 'filename'>[];
  /** The checkpoint loaded now (options.sd_model_checkpoint): what a job without a chosen one would use. */
  currentCheckpoint: string | null;
  /** Names from /sdapi/v1/upscalers (resamplers such as "Lanczos" included). */
  upscalers: string[];
  /** null: no ControlNet extension answered. */
  controlnetModels: string[] | null;
  controlnetModules: string[] | null;
}
