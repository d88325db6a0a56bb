// Checkpoint families (SD 1.5, SD 2, SDXL, SD3, Flux) and what each can do here. Pure.
//
// Neither A1111 nor Forge reports a loaded checkpoint's family over the API (the model's is_sdxl & co. are
// internal; /sdapi/v1/sd-models has no such field and Forge's `forge_preset` is a UI choice). What we have,
// strongest first: the operator's configuration, the checkpoint's safetensors metadata when the server shows it
// (`/sd_extra_networks/metadata`, webui mode: `modelspec.architecture`, `ss_base_model_version`), the file name.
//
// ControlNet models are classified exactly as sd-webui-controlnet does (Mikubill `scripts/enums.py`
// StableDiffusionVersion.detect_from_model_name, read at 56cec5b): "sd14/sd15/sd16" → SD1.x, "sd21"/"2.1"
// → SD2.x, "xl" → SDXL, otherwise unknown. The extension refuses an SDXL/non-SDXL pair inside the request
// (HTTP 200, no pose); Forge has no check and fails at sampling time. So we pick same-family models only.

export const MODEL_FAMILIES = ['sd15', 'sd2', 'sdxl', 'sd3', 'flux'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

export interface FamilyInfo {
  label: string;
  /** OpenPose ControlNet exists for this family in both servers' ControlNet. */
  controlnet: boolean;
  /** Generation size budget: pixels (aspect kept) and longest side. */
  pixels: number;
  maxSide: number;
}

export const FAMILIES: Record<ModelFamily, FamilyInfo> = {
  sd15: { label: 'SD 1.5', controlnet: true, pixels: 512 * 768, maxSide: 768 },
  sd2: { label: 'SD 2', controlnet: true, pixels: 768 * 768, maxSide: 1024 },
  sdxl: { label: 'SDXL', controlnet: true, pixels: 1024 * 1024, maxSide: 1536 },
  sd3: { label: 'SD 3', controlnet: false, pixels: 1024 * 1024, maxSide: 1536 },
  flux: { label: 'Flux', controlnet: false, pixels: 1024 * 1024, maxSide: 1536 },
};

export type FamilySource = 'config' | 'server' | 'name' | 'default';

export interface FamilyOverride {
  /** Case-insensitive substring of the checkpoint or ControlNet model title. */
  match: string;
  family: ModelFamily;
}

export function isModelFamily(v: string): v is ModelFamily {
  return (MODEL_FAMILIES as readonly string[]).includes(v);
}

/**
 * `ATELIER_MODEL_FAMILIES`: comma-separated `substring=family` pairs, e.g.
 * `ponyDiffusion=sdxl,myMerge=sd15`. Throws on a malformed entry (config validation reports it).
 */
export function parseFamilyOverrides(spec: string | undefined): FamilyOverride[] {
  if (!spec?.trim()) return [];
  return spec.split(',').map((part) => {
    const i = part.lastIndexOf('=');
    const match = part.slice(0, i).trim();
    const family = part
      .slice(i + 1)
      .trim()
      .toLowerCase();
    if (i <= 0 || !match || !isModelFamily(family)) {
      throw new RangeError(`"${part.trim()}" is not name=family with family one of ${MODEL_FAMILIES.join(', ')}`);
    }
    return { match, family };
  });
}

function fromOverrides(title: string, overrides: readonly FamilyOverride[]): ModelFamily | null {
  const t = title.toLowerCase();
  return overrides.find((o) => t.includes(o.match.toLowerCase()))?.family ?? null;
}

/** Family from a checkpoint's safetensors metadata (modelspec or kohya training keys). */
export function familyFromMetadata(meta: Record<string, unknown> | null | undefined): ModelFamily | null {
  if (!meta) return null;
  const arch = String(meta['modelspec.architecture'] ?? '').toLowerCase();
  const base = String(meta.ss_base_model_version ?? '').toLowerCase();
  for (const v of [arch, base]) {
    if (!v) continue;
    if (v.includes('flux')) return 'flux';
    if (/stable-diffusion-3|sd3/.test(v)) return 'sd3';
    if (/xl/.test(v)) return 'sdxl';
    if (/stable-diffusion-v2|sd_v2|sd_2/.test(v)) return 'sd2';
    if (/stable-diffusion-v1|sd_v1|sd_1/.test(v)) return 'sd15';
  }
  return null;
}

/** Family guessed from a checkpoint file name; null when the name says nothing. */
export function familyFromName(title: string): ModelFamily | null {
  const t = title.toLowerCase();
  if (t.includes('flux')) return 'flux';
  if (/sd3|sd_3|stable[-_]?diffusion[-_]?3/.test(t)) return 'sd3';
  // "xl" as its own token or suffix (juggernautXL_v9, RealVisXL, sd_xl_base) — not inside a word like "pixlart".
  if (/sdxl|xl(?![a-z])|pony|illustrious|noobai/.test(t)) return 'sdxl';
  if (/sd21|sd2\.1|v2-1|sd_2/.test(t)) return 'sd2';
  if (/sd14|sd15|sd1\.5|sd_15|v1-5/.test(t)) return 'sd15';
  return null;
}

export interface ResolvedFamily {
  family: ModelFamily;
  source: FamilySource;
}

/** A checkpoint's family: configuration, then server metadata, then name; SD 1.5 when nothing says. */
export function checkpointFamily(
  title: string,
  o: { overrides?: readonly FamilyOverride[]; metadata?: Record<string, unknown> | null } = {},
): ResolvedFamily {
  const configured = fromOverrides(title, o.overrides ?? []);
  if (configured) return { family: configured, source: 'config' };
  const server = familyFromMetadata(o.metadata);
  if (server) return { family: server, source: 'server' };
  const named = familyFromName(title);
  if (named) return { family: named, source: 'name' };
  return { family: 'sd15', source: 'default' };
}

/** A ControlNet model's family the way sd-webui-controlnet decides it (null = it cannot tell, and allows any). */
export function controlnetFamily(title: string, overrides: readonly FamilyOverride[] = []): ModelFamily | null {
  const configured = fromOverrides(title, overrides);
  if (configured) return configured;
  const lower = title.toLowerCase();
  if (['14', '15', '16'].some((v) => lower.includes(`sd${v}`))) return 'sd15';
  // Upstream tests "sd21" and "2.1" without lower-casing.
  if (title.includes('sd21') || title.includes('2.1')) return 'sd2';
  if (lower.includes('xl')) return 'sdxl';
  if (lower.includes('flux')) return 'flux';
  if (/sd3|sd_3/.test(lower)) return 'sd3';
  return null;
}

export interface ControlNetChoice {
  model: string;
  /** Union models need their control type named (sd-webui-controlnet `union_control_type`). */
  union: boolean;
}

/**
 * The OpenPose ControlNet model for a checkpoint family: a dedicated OpenPose model of that family, else a
 * union model of that family (A1111 only: Forge has no union support). Models whose family cannot be told
 * from the name are used only when the operator declared it (ATELIER_MODEL_FAMILIES). null when none fits.
 */
export function pickOpenposeModel(
  models: readonly string[],
  family: ModelFamily,
  o: { kind: 'a1111' | 'forge'; overrides?: readonly FamilyOverride[] },
): ControlNetChoice | null {
  // Same family only: upstream lets SD 1.5 and SD 2 pass each other's check, but their context sizes differ.
  const usable = models.filter((m) => m.toLowerCase() !== 'none' && controlnetFamily(m, o.overrides) === family);
  const openpose = usable.find((m) => /openpose/i.test(m));
  if (openpose) return { model: openpose, union: false };
  if (o.kind === 'a1111') {
    const union = usable.find((m) => /union/i.test(m));
    if (union) return { model: union, union: true };
  }
  return null;
}

/** Examples named in messages when an OpenPose model is missing. */
export const OPENPOSE_EXAMPLES: Partial<Record<ModelFamily, string>> = {
  sd15: 'control_v11p_sd15_openpose',
  sd2: 'control_v11p_sd21_openpose',
  sdxl: 'thibaud_xl_openpose or controlnet-openpose-sdxl-1.0',
};
