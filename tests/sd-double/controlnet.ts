// ControlNet in the SD WebUI test double, per implementation, in the order the real code runs. TEST TOOL ONLY.
//
// A1111 + sd-webui-controlnet (Mikubill, read at 56cec5b = v1.1.455):
//  1. units parsed and validated (internal_controlnet/args.py: weight 0–2 inclusive, resize_mode/control_mode
//     strings only, 0 ≤ guidance_start ≤ guidance_end ≤ 1, a known module) — a failure raises before anything
//     else: no "ControlNet i" entry, no ControlNet, no map;
//  2. "ControlNet i" written into extra_generation_params for every enabled unit (scripts/controlnet.py:659);
//  3. SD-version check (controlnet.py:898, scripts/enums.py detect_from_model_name / is_compatible_with) and
//     model lookup (controlnet.py:919, exact title, else the closest stem) — a failure raises after the entry;
//  4. only when every unit passed, the detected maps are kept (controlnet.py:1204) and appended after the
//     results in postprocess (:1279–1295), unless save_detected_map is false or control_net_no_detectmap is on.
//  Every exception is swallowed by modules/scripts.py (ScriptRunner.process): HTTP 200, image without ControlNet.
// Forge built-in (extensions-builtin/sd_forge_controlnet/scripts/controlnet.py, read at dfdcbab):
//  1. "ControlNet i" written first (:550), no validation of weight, modes or guidance;
//  2. per unit: preprocessor lookup (exact label, "None" capitalised), then the map attached to the results
//     (:353–382) BEFORE the model lookup (:407–414: exact "stem [hash]" from the list read at start, KeyError
//     otherwise) — so a map can come back for a unit that was not applied; the first failing unit stops the loop;
//  3. no SD-version check: an SDXL/SD 1.5 mismatch fails at sampling (backend/patcher/controlnet.py), not
//     swallowed → HTTP 500 RuntimeError.
import { loadRgb, resizeRgb, type Rgb } from './render.ts';
import { isModelFree, moduleList, type Family } from './catalog.ts';
import type { Kind } from './fields.ts';

export interface ControlNetOutcome {
  /** extra_generation_params entries ("ControlNet 0" …). */
  entries: Record<string, string>;
  /** Units that really steer the image (with their control image at the generation size). */
  applied: { unit: Record<string, unknown>; image: Rgb | null }[];
  /** Detected maps to append after the results. */
  maps: Rgb[];
  /** What the server log would say (empty when all went well). */
  log: string[];
  /** Forge: the request fails at sampling with this error text. */
  samplingError: string | null;
}

const RESIZE_MODES = [
  'Just Resize',
  'Crop and Resize',
  'Resize and Fill',
  'Inner Fit (Scale to Fit)',
  'Outer Fit (Shrink to Fit)',
  'Scale to Fit (Inner Fit)',
  'Envelope (Outer Fit)',
];
const CONTROL_MODES = ['Balanced', 'My prompt is more important', 'ControlNet is more important'];

/** Mikubill scripts/enums.py StableDiffusionVersion.detect_from_model_name. */
export function detectFromModelName(name: string): Family | null {
  const lower = name.toLowerCase();
  if (['14', '15', '16'].some((v) => lower.includes(`sd${v}`))) return 'sd15';
  if (name.includes('sd21') || name.includes('2.1')) return 'sd2';
  if (lower.includes('xl')) return 'sdxl';
  return null;
}

/** is_compatible_with: incompatible only when exactly one side is SDXL; unknown is compatible. */
const compatible = (a: Family | null, b: Family | null) => a === null || b === null || (a === 'sdxl') === (b === 'sdxl');

const stemOf = (title: string) => title.replace(/\s*\[[0-9a-f]+\]\s*$/i, '').toLowerCase();

/** Mikubill find_closest_lora_model_name: exact title, else exact stem, else the shortest stem containing it. */
function closestModel(name: string, models: readonly string[]): string | null {
  if (models.includes(name)) return name;
  const search = name.toLowerCase();
  const byStem = models.find((m) => stemOf(m) === search);
  if (byStem) return byStem;
  const containing = models.filter((m) => stemOf(m).includes(search)).sort((a, b) => stemOf(a).length - stemOf(b).length);
  return containing[0] ?? null;
}

/** pydantic v1 float coercion as args.py sees it. */
function asFloat(v: unknown, fallback: number): number | null {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export interface ControlNetInput {
  kind: Kind;
  args: unknown[];
  options: Record<string, unknown>;
  /** The loaded checkpoint's real family. */
  checkpointFamily: Family;
  /** Models on disk (A1111 rescans) or the list read at Forge's start. */
  models: readonly string[];
  width: number;
  height: number;
  /** img2img init image: a unit without an image uses it. */
  init: Rgb | null;
  decode(value: unknown): Promise<Buffer>;
}

function unitImageValue(unit: Record<string, unknown>, kind: Kind): { value: unknown; invalid: boolean } {
  const img = unit.image ?? (kind === 'a1111' ? unit.input_image : undefined);
  if (img === undefined || img === null) return { value: null, invalid: false };
  if (typeof img === 'string') return { value: img, invalid: false };
  // A1111 accepts {image, mask} and lists; Forge decodes only a string (a dict crashes later, swallowed).
  if (kind === 'a1111' && typeof img === 'object' && !Array.isArray(img) && typeof (img as { image?: unknown }).image === 'string') {
    return { value: (img as { image: string }).image, invalid: false };
  }
  return { value: null, invalid: true };
}

/** The control image at the generation size (what a "none" preprocessor passes on, and its detected map). */
async function controlImage(input: ControlNetInput, value: unknown): Promise<Rgb | null> {
  // The map is aligned down to a multiple of 8 (lib_controlnet/utils.py align_dim_latent).
  const w = Math.floor(input.width / 8) * 8;
  const h = Math.floor(input.height / 8) * 8;
  const src = value === null ? input.init : await loadRgb(await input.decode(value));
  return src ? resizeRgb(src, w, h, 0) : null;
}

function infotext(unit: Record<string, unknown>, kind: Kind): string {
  const fields: [string, unknown][] = [
    ['Module', unit.module ?? (kind === 'forge' ? 'None' : 'none')],
    ['Model', unit.model ?? 'None'],
    ['Weight', unit.weight ?? 1.0],
    ['Resize Mode', unit.resize_mode ?? 'Crop and Resize'],
    ['Processor Res', unit.processor_res ?? -1],
    ['Threshold A', unit.threshold_a ?? -1],
    ['Threshold B', unit.threshold_b ?? -1],
    ['Guidance Start', unit.guidance_start ?? 0.0],
    ['Guidance End', unit.guidance_end ?? 1.0],
    ['Pixel Perfect', unit.pixel_perfect ? 'True' : 'False'],
    ['Control Mode', unit.control_mode ?? 'Balanced'],
    ['Hr Option', unit.hr_option ?? 'Both'],
  ];
  return fields
    .filter(([, v]) => v !== -1)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}

export function enabledUnits(args: unknown[], kind: Kind, limit: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  args.forEach((raw, i) => {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw) || i >= limit) return; // extra units silently dropped
    const unit = raw as Record<string, unknown>;
    const on = unit.enabled === undefined ? kind === 'forge' : unit.enabled === true || unit.enabled === 'true';
    if (on) out.push(unit);
  });
  return out;
}

export async function runControlNet(input: ControlNetInput): Promise<ControlNetOutcome> {
  const units = enabledUnits(input.args, input.kind, Number(input.options.control_net_unit_count ?? 3));
  const none: ControlNetOutcome = { entries: {}, applied: [], maps: [], log: [], samplingError: null };
  if (units.length === 0) return none;
  return input.kind === 'a1111' ? mikubill(input, units) : forge(input, units);
}

async function mikubill(input: ControlNetInput, units: Record<string, unknown>[]): Promise<ControlNetOutcome> {
  const out: ControlNetOutcome = { entries: {}, applied: [], maps: [], log: [], samplingError: null };
  const fail = (msg: string) => {
    out.log.push(`*** Error running process: extensions/sd-webui-controlnet/scripts/controlnet.py\n    ${msg}`);
    out.applied = [];
    out.maps = [];
    return out;
  };
  const modules = moduleList('a1111');
  // 1. Validation (args.py), before the infotext.
  const images: (Rgb | null)[] = [];
  for (const unit of units) {
    const weight = asFloat(unit.weight, 1);
    if (weight === null || weight < 0 || weight > 2) return fail('ValidationError: weight: ensure this value is less than or equal to 2.0');
    if (unit.resize_mode !== undefined && !(typeof unit.resize_mode === 'string' && RESIZE_MODES.includes(unit.resize_mode))) {
      return fail('ValidationError: resize_mode: assertion failed');
    }
    if (unit.control_mode !== undefined && !(typeof unit.control_mode === 'string' && CONTROL_MODES.includes(unit.control_mode))) {
      return fail(
        'ValidationError: control_mode: value is not a valid enumeration member; ' +
          "permitted: 'Balanced', 'My prompt is more important', 'ControlNet is more important'",
      );
    }
    const gs = asFloat(unit.guidance_start, 0);
    const ge = asFloat(unit.guidance_end, 1);
    if (gs === null || ge === null || gs < 0 || ge > 1 || gs > ge) return fail(`ValueError: guidance_start(${gs}) > guidance_end(${ge})`);
    const module = typeof unit.module === 'string' ? unit.module : 'none';
    if (!modules.includes(module)) return fail(`ValidationError: module: ${module} not found`);
    const { value, invalid } = unitImageValue(unit, 'a1111');
    if (invalid) return fail('ValidationError: image: invalid value');
    try {
      images.push(await controlImage(input, value));
    } catch {
      return fail('ValueError: invalid image');
    }
  }
  // 2. The entries, for every enabled unit.
  for (const [i, u] of units.entries()) out.entries[`ControlNet ${i}`] = infotext(u, 'a1111');
  // 3. Version check and model lookup, after the entries.
  for (const unit of units) {
    const model = String(unit.model ?? 'None');
    if (model === 'None') {
      if (isModelFree('a1111', String(unit.module))) continue; // reference_only & co. need no model
      return fail('RuntimeError: You have not selected any ControlNet Model.');
    }
    const cnFamily = detectFromModelName(model);
    if (!compatible(cnFamily, input.checkpointFamily)) {
      return fail(`Exception: ControlNet model ${model}(${cnFamily}) is not compatible with sd model(${input.checkpointFamily})`);
    }
    if (!closestModel(model, input.models)) return fail('RuntimeError: model not found: None');
  }
  // 4. Everything passed: the units steer the image, the maps come back.
  out.applied = units.map((unit, i) => ({ unit, image: images[i] }));
  if (!input.options.control_net_no_detectmap) {
    units.forEach((u, i) => {
      const img = images[i];
      if (u.save_detected_map !== false && img) out.maps.push(img);
    });
  }
  return out;
}

async function forge(input: ControlNetInput, units: Record<string, unknown>[]): Promise<ControlNetOutcome> {
  const out: ControlNetOutcome = { entries: {}, applied: [], maps: [], log: [], samplingError: null };
  for (const [i, u] of units.entries()) out.entries[`ControlNet ${i}`] = infotext(u, 'forge');
  const modules = moduleList('forge');
  for (const unit of units) {
    const swallow = (msg: string) =>
      out.log.push(`*** Error running process: extensions-builtin/sd_forge_controlnet/scripts/controlnet.py\n    ${msg}`);
    const module = typeof unit.module === 'string' ? unit.module : 'None';
    if (!modules.includes(module)) {
      swallow("AttributeError: 'NoneType' object has no attribute 'slider_resolution'");
      break;
    }
    const { value, invalid } = unitImageValue(unit, 'forge');
    if (invalid) {
      swallow("TypeError: '<' not supported between instances of 'dict' and 'int'");
      break;
    }
    let image: Rgb | null;
    try {
      image = await controlImage(input, value);
    } catch {
      swallow('ValueError: invalid image');
      break;
    }
    if (image && unit.save_detected_map !== false) out.maps.push(image); // attached before the model is looked up
    const model = String(unit.model ?? 'None');
    if (model === 'None' && isModelFree('forge', module)) {
      out.applied.push({ unit, image });
      continue;
    }
    if (model === 'None') {
      swallow('AssertionError: You have not selected any control model!');
      break;
    }
    if (!input.models.includes(model)) {
      swallow(`KeyError: '${model}'`);
      break;
    }
    out.applied.push({ unit, image });
    if (!compatible(detectFromModelName(model), input.checkpointFamily)) {
      out.samplingError = 'mat1 and mat2 shapes cannot be multiplied (154x2048 and 768x320)';
    }
  }
  return out;
}
