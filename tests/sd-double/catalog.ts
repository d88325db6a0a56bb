// Static lists the SD WebUI test double serves (samplers, schedulers, ControlNet modules, options), shaped like
// the real /sdapi/v1 and /controlnet answers of A1111 1.10 + Mikubill and of Forge. TEST TOOL ONLY.
import type { Kind } from './fields.ts';

/** A checkpoint's real architecture (the server knows it from the weights; clients only guess). */
export type Family = 'sd15' | 'sd2' | 'sdxl' | 'sd3' | 'flux';

export interface CheckpointSpec {
  title: string;
  family: Family;
  /** safetensors __metadata__ shown by /sd_extra_networks/metadata (webui mode). */
  metadata?: Record<string, string>;
}

export const DEFAULT_CHECKPOINTS: CheckpointSpec[] = [
  { title: 'realisticVisionV60B1_v51VAE.safetensors [15012c538f]', family: 'sd15' },
  {
    title: 'juggernautXL_v9Rdphoto2Lightning.safetensors [c9e3e68f89]',
    family: 'sdxl',
    metadata: { 'modelspec.architecture': 'stable-diffusion-xl-v1-base' },
  },
];

/** A title given as a plain string: its family the way a person would guess it from the name. */
export function checkpointSpec(c: string | CheckpointSpec): CheckpointSpec {
  if (typeof c !== 'string') return c;
  const t = c.toLowerCase();
  const family: Family = t.includes('flux') ? 'flux' : /sd3/.test(t) ? 'sd3' : /xl/.test(t) ? 'sdxl' : 'sd15';
  return { title: c, family };
}
export const DEFAULT_LORAS = ['mamianqun_v1', 'qipao_silk_v2'];
export const DEFAULT_CONTROLNET_MODELS = [
  'control_v11p_sd15_openpose [cab727d4]',
  'control_v11p_sd15_canny [d14c016b]',
  'control_v11p_sd15_lineart [43d4be0d]',
];

export const SAMPLERS = [
  { name: 'DPM++ 2M', aliases: ['k_dpmpp_2m'], options: { scheduler: 'karras' } },
  { name: 'DPM++ SDE', aliases: ['k_dpmpp_sde'], options: { scheduler: 'karras', second_order: 'True', brownian_noise: 'True' } },
  { name: 'DPM++ 2M SDE', aliases: ['k_dpmpp_2m_sde'], options: { scheduler: 'exponential', brownian_noise: 'True' } },
  { name: 'DPM++ 2S a', aliases: ['k_dpmpp_2s_a'], options: { scheduler: 'karras', uses_ensd: 'True', second_order: 'True' } },
  { name: 'DPM++ 3M SDE', aliases: ['k_dpmpp_3m_sde'], options: { scheduler: 'exponential', discard_next_to_last_sigma: 'True' } },
  { name: 'Euler a', aliases: ['k_euler_a', 'k_euler_ancestral'], options: { uses_ensd: 'True' } },
  { name: 'Euler', aliases: ['k_euler'], options: {} },
  { name: 'LMS', aliases: ['k_lms'], options: {} },
  { name: 'Heun', aliases: ['k_heun'], options: { second_order: 'True' } },
  { name: 'DDIM', aliases: ['ddim'], options: {} },
  { name: 'UniPC', aliases: ['unipc'], options: {} },
];

export const SCHEDULERS = [
  { name: 'automatic', label: 'Automatic', aliases: null, default_rho: -1, need_inner_model: false },
  { name: 'uniform', label: 'Uniform', aliases: null, default_rho: -1, need_inner_model: true },
  { name: 'karras', label: 'Karras', aliases: null, default_rho: 7, need_inner_model: false },
  { name: 'exponential', label: 'Exponential', aliases: null, default_rho: -1, need_inner_model: false },
  { name: 'polyexponential', label: 'Polyexponential', aliases: null, default_rho: 1, need_inner_model: false },
  { name: 'sgm_uniform', label: 'SGM Uniform', aliases: ['SGMUniform'], default_rho: -1, need_inner_model: true },
  { name: 'kl_optimal', label: 'KL Optimal', aliases: null, default_rho: -1, need_inner_model: false },
  { name: 'align_your_steps', label: 'Align Your Steps', aliases: null, default_rho: -1, need_inner_model: false },
  { name: 'simple', label: 'Simple', aliases: null, default_rho: -1, need_inner_model: true },
  { name: 'normal', label: 'Normal', aliases: null, default_rho: -1, need_inner_model: true },
  { name: 'ddim', label: 'DDIM', aliases: null, default_rho: -1, need_inner_model: true },
  { name: 'beta', label: 'Beta', aliases: null, default_rho: -1, need_inner_model: true },
];

/** Preprocessors: A1111 lists names ("none"), Forge labels ("None"). `modelFree` ones run with model "None". */
const MODULES: { a1111: string; forge: string; modelFree: boolean }[] = [
  { a1111: 'none', forge: 'None', modelFree: false },
  { a1111: 'canny', forge: 'canny', modelFree: false },
  { a1111: 'depth_midas', forge: 'depth_midas', modelFree: false },
  { a1111: 'inpaint', forge: 'inpaint_global_harmonious', modelFree: false },
  { a1111: 'inpaint_only', forge: 'inpaint_only', modelFree: false },
  { a1111: 'inpaint_only+lama', forge: 'inpaint_only+lama', modelFree: false },
  { a1111: 'lineart_realistic', forge: 'lineart_realistic', modelFree: false },
  { a1111: 'openpose', forge: 'openpose', modelFree: false },
  { a1111: 'openpose_face', forge: 'openpose_face', modelFree: false },
  { a1111: 'openpose_full', forge: 'openpose_full', modelFree: false },
  { a1111: 'dw_openpose_full', forge: 'dw_openpose_full', modelFree: false },
  { a1111: 'reference_only', forge: 'reference_only', modelFree: true },
  { a1111: 'softedge_pidinet', forge: 'softedge_pidinet', modelFree: false },
];

export function moduleList(kind: Kind): string[] {
  return MODULES.map((m) => m[kind]);
}

export function isModelFree(kind: Kind, module: string): boolean {
  return MODULES.some((m) => m[kind] === module && m.modelFree);
}

export function moduleDetail(): Record<string, { model_free: boolean; sliders: unknown[] }> {
  return Object.fromEntries(MODULES.map((m) => [m.a1111, { model_free: m.modelFree, sliders: [] }]));
}

export function defaultOptions(kind: Kind, checkpoint: string): Record<string, unknown> {
  const common: Record<string, unknown> = {
    sd_model_checkpoint: checkpoint,
    sd_checkpoint_hash: null,
    sd_vae: 'Automatic',
    CLIP_stop_at_last_layers: 1,
    samples_format: 'png',
    img2img_fix_steps: false,
    img2img_background_color: '#ffffff',
    overlay_inpaint: true,
    return_grid: true,
    return_mask: false,
    return_mask_composite: false,
    live_previews_enable: true,
    show_progress_every_n_steps: 10,
    api_enable_requests: true,
    api_forbid_local_requests: true,
    control_net_unit_count: 3,
    control_net_no_detectmap: false,
    lora_add_hashes_to_infotext: true,
  };
  if (kind === 'forge') return { ...common, forge_preset: 'all', forge_additional_modules: [], forge_unet_storage_dtype: 'Automatic' };
  return common;
}

/** "dir/name.safetensors [abc1234567]" → parts of an /sdapi/v1/sd-models entry. */
export function sdModelEntry(title: string): {
  title: string;
  model_name: string;
  hash: string | null;
  sha256: string | null;
  filename: string;
  config: null;
} {
  // A1111 fills `config` only with a sibling .yaml, Forge never: the family is not in this answer.
  const m = /^(.*?)\s*\[([0-9a-f]+)\]\s*$/i.exec(title);
  const file = m ? m[1] : title;
  const hash = m ? m[2] : null;
  const model_name = file.replace(/\.(safetensors|ckpt)$/i, '').replace(/[\\/]/g, '_');
  return {
    title,
    model_name,
    hash,
    sha256: hash ? (hash + '0'.repeat(64)).slice(0, 64) : null,
    filename: `/sd/models/Stable-diffusion/${file}`,
    config: null,
  };
}
