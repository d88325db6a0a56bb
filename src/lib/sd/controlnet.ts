// ControlNet unit builders and the after-the-fact check that each unit really ran. Pure.
//
// A1111 (Mikubill extension) and Forge (built-in) differ: "none" vs "None" for "no preprocessor", `enabled`
// defaults to false vs true, A1111 rejects int enums, Forge rejects dict images and wants the exact
// "stem [hash]" model title. The builders send what both accept: enabled: true, string enums, plain base64
// image, exact model title, kind-specific "none". Unit failures are silent on both servers (HTTP 200, image made
// without ControlNet), hence verifyDetectedMaps on the answer.

import { BackendError } from './errors.ts';
import type {
  AlwaysOnScripts,
  BackendKind,
  ControlNetControlMode,
  ControlNetResizeMode,
  ControlNetUnitPayload,
  GenerationInfo,
} from './types.ts';

/** The "no preprocessor" module name for a backend kind. */
export function noPreprocessor(kind: BackendKind): 'none' | 'None' {
  return kind === 'forge' ? 'None' : 'none';
}

/** Normalises "none"/"None" to the kind's spelling; other module names are the same on both kinds. */
export function moduleFor(kind: BackendKind, module: string): string {
  return module.toLowerCase() === 'none' ? noPreprocessor(kind) : module;
}

export interface UnitCommon {
  kind: BackendKind;
  /** Exact title from /controlnet/model_list, e.g. "control_v11p_sd15_openpose [cab727d4]". */
  model: string;
  weight?: number;
  guidanceStart?: number;
  guidanceEnd?: number;
  controlMode?: ControlNetControlMode;
  resizeMode?: ControlNetResizeMode;
}

function checkCommon(u: UnitCommon): void {
  if (!u.model || u.model.toLowerCase() === 'none') throw new RangeError('a ControlNet model title is required');
  const w = u.weight ?? 1;
  if (!(w > 0 && w <= 2)) throw new RangeError(`ControlNet weight must be in (0, 2], got ${w}`);
  const s = u.guidanceStart ?? 0;
  const e = u.guidanceEnd ?? 1;
  if (!(s >= 0 && e <= 1 && s < e)) throw new RangeError(`ControlNet guidance must satisfy 0 ≤ start < end ≤ 1, got ${s}..${e}`);
}

function baseUnit(u: UnitCommon, module: string, image: string | undefined): ControlNetUnitPayload {
  checkCommon(u);
  const unit: ControlNetUnitPayload = {
    enabled: true,
    module: moduleFor(u.kind, module),
    model: u.model,
    weight: u.weight ?? 1,
    resize_mode: u.resizeMode ?? 'Just Resize',
    control_mode: u.controlMode ?? 'Balanced',
    processor_res: -1,
    threshold_a: -1,
    threshold_b: -1,
    guidance_start: u.guidanceStart ?? 0,
    guidance_end: u.guidanceEnd ?? 1,
    pixel_perfect: false,
    hr_option: 'Both',
    // The map is the evidence that the unit ran (verifyDetectedMaps).
    save_detected_map: true,
  };
  if (image !== undefined) {
    if (!image) throw new RangeError('ControlNet image must be non-empty base64');
    unit.image = image;
  }
  return unit;
}

export interface OpenposeUnitInput extends UnitCommon {
  /**
   * Pre-rendered OpenPose skeleton (PNG base64, same aspect as width×height) → preprocessor none.
   * Without it, `detectModule` runs on `detectFromB64` (or, in img2img, on the init image) server-side.
   */
  skeletonB64?: string;
  /** Server-side pose detector used when no skeleton is given (default "openpose_full"). */
  detectModule?: string;
  /** Image to detect the pose from (omit in img2img to use the init image). */
  detectFromB64?: string;
  /** A ControlNet union model: sd-webui-controlnet needs the control type named (args.py union_control_type). */
  union?: boolean;
}

/** OpenPose unit: the completed skeleton with no preprocessor, or server-side detection as a fallback. */
export function openposeUnit(input: OpenposeUnitInput): ControlNetUnitPayload {
  const unit =
    input.skeletonB64 !== undefined
      ? baseUnit(input, 'none', input.skeletonB64)
      : baseUnit(input, input.detectModule ?? 'openpose_full', input.detectFromB64);
  if (input.skeletonB64 === undefined) unit.processor_res = 512;
  // Forge has no union support and drops the field; only A1111's extension reads it.
  if (input.union && input.kind === 'a1111') unit.union_control_type = 'OpenPose';
  return unit;
}

export type EdgeModule = 'canny' | 'lineart_realistic' | 'softedge_pidinet' | 'none';

export interface EdgesUnitInput extends UnitCommon {
  /** The garment on a plain background (or a ready edge map with module "none"). */
  imageB64: string;
  /** Default "canny". */
  module?: EdgeModule;
}

/**
 * Edge unit that holds the garment's outline: the body drawn around the kept garment follows its edges.
 * Defaults: weight 0.6, active for the first 60 % of the steps, canny thresholds 100/200.
 */
export function edgesUnit(input: EdgesUnitInput): ControlNetUnitPayload {
  const module = input.module ?? 'canny';
  const unit = baseUnit({ ...input, weight: input.weight ?? 0.6, guidanceEnd: input.guidanceEnd ?? 0.6 }, module, input.imageB64);
  if (module !== 'none') unit.processor_res = 512;
  if (module === 'canny') {
    unit.threshold_a = 100;
    unit.threshold_b = 200;
  }
  return unit;
}

/** `alwayson_scripts` value for the units (key "controlnet": the script title, matched case-insensitively). */
export function controlnetScripts(units: readonly ControlNetUnitPayload[]): AlwaysOnScripts {
  return { controlnet: { args: [...units] } };
}

// ---------------------------------------------------------------------------------------------------------------
// Verification.

export interface ExpectedUnit {
  model: string;
  module?: string;
  /** The control image sent (null: the img2img init image). */
  image?: string | null;
}

/** The enabled ControlNet units of a payload, in the order the server numbers them ("ControlNet 0", 1, …). */
export function expectedUnits(payload: { alwayson_scripts?: Record<string, unknown> | AlwaysOnScripts }): ExpectedUnit[] {
  const scripts = payload.alwayson_scripts as Record<string, unknown> | undefined;
  if (!scripts) return [];
  const key = Object.keys(scripts).find((k) => k.toLowerCase() === 'controlnet');
  const args = key ? (scripts[key] as { args?: unknown } | undefined)?.args : undefined;
  if (!Array.isArray(args)) return [];
  return args
    .filter((u): u is ControlNetUnitPayload => !!u && typeof u === 'object' && (u as { enabled?: unknown }).enabled === true)
    .map((u) => ({ model: String(u.model), module: String(u.module), image: typeof u.image === 'string' ? u.image : null }));
}

/** "name [hash]" / "folder/name.safetensors [hash]" → "name" (lower case) for loose comparison. */
export function modelStem(title: string): string {
  const noHash = title.replace(/\s*\[[0-9a-f]+\]\s*$/i, '').trim();
  const base = noHash.split(/[\\/]/).pop() ?? noHash;
  return base.replace(/\.(safetensors|ckpt|pth|pt|bin)$/i, '').toLowerCase();
}

function parseUnitInfotext(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf(':');
    if (i > 0) out[part.slice(0, i).trim().toLowerCase()] = part.slice(i + 1).trim();
  }
  return out;
}

export interface ControlNetRunReport {
  /** The "ControlNet i" entries the server reported, by unit index. */
  entries: string[];
}

/**
 * Fails unless every expected unit left its "ControlNet i" entry in `info.extra_generation_params` naming the
 * expected model. Necessary, never sufficient: both implementations write the entry BEFORE the model is
 * loaded or checked (sd-webui-controlnet scripts/controlnet.py:659 vs the SD-version check at :898 and the load
 * at :919; Forge sd_forge_controlnet/scripts/controlnet.py:550), so an entry exists for a unit that then
 * failed. It still catches the closest-name match sd-webui-controlnet makes (another model than asked for).
 * `info` is the raw `info` string of the response or its parsed object.
 */
export function verifyControlNetRan(info: string | GenerationInfo, expected: readonly ExpectedUnit[] | number): ControlNetRunReport {
  const list: readonly (ExpectedUnit | null)[] = typeof expected === 'number' ? Array.from({ length: expected }, () => null) : expected;
  if (list.length === 0) return { entries: [] };
  let parsed: GenerationInfo;
  try {
    parsed = typeof info === 'string' ? (JSON.parse(info) as GenerationInfo) : info;
  } catch {
    throw new BackendError({ kind: 'bad-response', detail: 'generation info is not JSON' });
  }
  const params = (parsed?.extra_generation_params ?? {}) as Record<string, unknown>;
  const entries: string[] = [];
  const problems: string[] = [];
  list.forEach((exp, i) => {
    const entry = params[`ControlNet ${i}`];
    if (typeof entry !== 'string') {
      problems.push(`unit ${i}${exp ? ` (${exp.model})` : ''} did not run`);
      return;
    }
    entries.push(entry);
    // Forge logs an empty string when a value contains ',' or ':'; presence is then all we can check.
    const fields = parseUnitInfotext(entry);
    if (exp && fields.model && modelStem(fields.model) !== modelStem(exp.model)) {
      problems.push(`unit ${i} ran with ${fields.model} instead of ${exp.model}`);
    }
  });
  if (problems.length) {
    throw new BackendError({ kind: 'server', code: 'controlnet_not_applied', retryable: false, detail: problems.join('; ') });
  }
  return { entries };
}

/**
 * The proof that each unit ran: its detected map came back (`maps[i]` = where in the answer, null = missing).
 *
 * Why this evidence is sound:
 * - A1111 + sd-webui-controlnet (scripts/controlnet.py at 56cec5b): the maps are kept in `self.detected_map`
 *   only at :1204, after every unit passed the SD-version check (:898), the model load (:919) and the UNet hook
 *   (:1199–1202); postprocess returns early when `latest_network is None` (:1279–1280). Any failure, swallowed by
 *   modules/scripts.py ScriptRunner.process, therefore leaves no map for any unit.
 * - Forge (extensions-builtin/sd_forge_controlnet/scripts/controlnet.py at dfdcbab) attaches the map (:353–382)
 *   BEFORE it looks the model up (:407–414), so there a map proves the preprocessor ran, not the model. What
 *   completes the proof on Forge: the model title was checked against its /controlnet/model_list before sending
 *   (an exact "stem [hash]" lookup, KeyError otherwise), and an SD-version mismatch is not swallowed there — it
 *   fails at sampling (backend/patcher/controlnet.py) and the request answers 500, never 200.
 */
export function verifyDetectedMaps(kind: BackendKind, expected: readonly ExpectedUnit[], maps: readonly (number | null)[]): void {
  const missing = expected.map((u, i) => (maps[i] === null || maps[i] === undefined ? `unit ${i} (${u.model})` : null)).filter(Boolean);
  if (missing.length === 0) return;
  const where = kind === 'forge' ? 'Forge' : 'the ControlNet extension';
  throw new BackendError({
    kind: 'server',
    code: 'controlnet_not_applied',
    retryable: false,
    detail:
      `${missing.join(', ')} returned no detected map: ${where} did not apply it ` +
      '(the server log says why after "Error running process")',
  });
}
