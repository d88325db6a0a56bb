// Prompt and negative-prompt building. Pure.
//
// LoRAs go into the prompt as `<lora:NAME:WEIGHT>`; the server strips the tags before encoding, so each
// LoRA's trigger words are added as plain text. NAME is the file stem or alias from /sdapi/v1/loras
// (unknown names are skipped silently by the server — recipes.validateAgainstBackend checks them).

/** Anything with a prompt fragment: model-look and scene presets, or free text. */
export interface PromptFragment {
  prompt: string;
  negativePrompt?: string;
}

export interface LoraUse {
  /** File stem or alias as listed by /sdapi/v1/loras. */
  name: string;
  /** Multiplier, typically 0.5–1.0. */
  weight: number;
  /** Words the LoRA was trained with (e.g. "mamianqun, horse-face skirt"). */
  triggerWords?: string[];
}

/** Photographic quality tags appended to every positive prompt. */
export const QUALITY_TAGS =
  'RAW photo, professional fashion catalogue photography, photorealistic, natural skin texture, detailed face, sharp focus, high detail';

/** Failure modes every recipe avoids. */
export const BASE_NEGATIVE =
  'deformed, disfigured, bad anatomy, wrong anatomy, extra limbs, missing limbs, extra arms, extra legs, extra fingers, ' +
  'missing fingers, fused fingers, mutated hands, poorly drawn hands, poorly drawn face, long neck, blurry, lowres, ' +
  'jpeg artifacts, watermark, text, logo, signature, cartoon, anime, 3d render, illustration, painting';

/** Extra negatives when a body is painted around a garment that was on a mannequin. */
export const MANNEQUIN_NEGATIVE = 'mannequin, dress form, headless, plastic skin, doll, statue, wooden joints';

/** Extra negatives that keep the garment from changing shape. */
export const GARMENT_NEGATIVE = 'changed clothes, extra pockets, extra buttons, different pattern, extra clothing layers';

const LORA_NAME = /^[^<>:\s][^<>:]*$/;

/** Weight printed without float noise: 0.7 → "0.7", 1 → "1", 0.333333 → "0.33". */
export function formatWeight(weight: number): string {
  if (!Number.isFinite(weight)) throw new RangeError(`LoRA weight must be a finite number, got ${weight}`);
  return String(Math.round(weight * 100) / 100);
}

/** `<lora:name:weight>`; throws on names that would break the tag syntax. */
export function loraTag(name: string, weight: number): string {
  const n = name.trim();
  if (!LORA_NAME.test(n)) throw new RangeError(`LoRA name "${name}" cannot be used in a <lora:…> tag`);
  return `<lora:${n}:${formatWeight(weight)}>`;
}

/** Every `<lora:NAME…>` tag in a prompt (also the extended `<lora:NAME:TE:UNET>` forms). */
export function parseLoraTags(prompt: string): { name: string; weight: number | null }[] {
  const out: { name: string; weight: number | null }[] = [];
  for (const m of prompt.matchAll(/<lora:([^:>]+)(?::([^:>]*))?[^>]*>/gi)) {
    const w = m[2] === undefined ? null : Number.parseFloat(m[2]);
    out.push({ name: m[1].trim(), weight: w === null || Number.isNaN(w) ? null : w });
  }
  return out;
}

/** Removes `<lora:…>` tags (e.g. from merchant free text, so only validated LoRAs reach the prompt). */
export function stripLoraTags(text: string): string {
  return text.replace(/<lora:[^>]*>/gi, ' ');
}

/** Joins comma-separated prompt parts: trims, drops empties, collapses whitespace and duplicate commas. */
export function joinPrompt(parts: readonly (string | null | undefined | false)[]): string {
  return parts
    .filter((p): p is string => typeof p === 'string')
    .map((p) =>
      p
        .replace(/\s+/g, ' ')
        .replace(/\s*,\s*(,\s*)*/g, ', ')
        .trim()
        .replace(/^,\s*|,\s*$/g, ''),
    )
    .filter((p) => p.length > 0)
    .join(', ');
}

export interface PromptParts {
  /** What the picture is, e.g. "full body fashion photo of". Comes first, joined to the look without a comma. */
  subject?: string;
  look?: PromptFragment | null;
  /** Garment description, e.g. "wearing a red silk qipao". */
  garment?: string;
  scene?: PromptFragment | null;
  loras?: readonly LoraUse[];
  /** Merchant free text. `<lora:>` tags in it are removed: LoRAs only come in through `loras`. */
  extra?: string;
  /** Append QUALITY_TAGS (default true). */
  quality?: boolean;
}

/**
 * Positive prompt: trigger words first (most weight), then subject + look, garment, scene, merchant text,
 * quality tags, and the `<lora:>` tags at the end.
 */
export function buildPrompt(parts: PromptParts): string {
  const loras = parts.loras ?? [];
  const triggers = loras
    .flatMap((l) => l.triggerWords ?? [])
    .map((w) => w.trim())
    .filter(Boolean);
  const lookText = parts.look?.prompt?.trim() ?? '';
  const subjectLook = [parts.subject?.trim(), lookText].filter(Boolean).join(' ');
  const text = joinPrompt([
    ...new Set(triggers),
    subjectLook,
    parts.garment,
    parts.scene?.prompt,
    parts.extra ? stripLoraTags(parts.extra) : undefined,
    parts.quality === false ? undefined : QUALITY_TAGS,
  ]);
  const tags = loras.map((l) => loraTag(l.name, l.weight)).join(' ');
  return tags ? `${text} ${tags}`.trim() : text;
}

export interface NegativeParts {
  look?: PromptFragment | null;
  scene?: PromptFragment | null;
  /** Recipe-specific additions (MANNEQUIN_NEGATIVE, GARMENT_NEGATIVE…). */
  recipe?: readonly string[];
  /** Merchant free text (LoRA tags removed). */
  extra?: string;
}

/** Negative prompt: merchant text first, then recipe and preset negatives, then BASE_NEGATIVE; duplicates removed. */
export function buildNegativePrompt(parts: NegativeParts = {}): string {
  const joined = joinPrompt([
    parts.extra ? stripLoraTags(parts.extra) : undefined,
    ...(parts.recipe ?? []),
    parts.look?.negativePrompt,
    parts.scene?.negativePrompt,
    BASE_NEGATIVE,
  ]);
  const seen = new Set<string>();
  return joined
    .split(', ')
    .filter((term) => {
      const key = term.toLowerCase();
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .join(', ');
}

/**
 * Trigger words of a LoRA from its training metadata (kohya's `ss_tag_frequency`: dataset → tag →
 * count): the tags present in (nearly) every training caption, most frequent first. The WebUI
 * strips `<lora:…>` tags from the prompt, so without these words a clothing LoRA barely shows.
 */
export function triggerWordsFromMetadata(metadata: Record<string, unknown> | null | undefined, max = 3): string[] {
  let freq: unknown = metadata?.ss_tag_frequency;
  if (typeof freq === 'string') {
    try {
      freq = JSON.parse(freq);
    } catch {
      return [];
    }
  }
  if (!freq || typeof freq !== 'object') return [];
  const counts = new Map<string, number>();
  for (const dataset of Object.values(freq as Record<string, unknown>)) {
    if (!dataset || typeof dataset !== 'object') continue;
    for (const [tag, n] of Object.entries(dataset as Record<string, unknown>)) {
      const t = tag.trim();
      if (t && typeof n === 'number' && !/[<>]/.test(t)) counts.set(t, (counts.get(t) ?? 0) + n);
    }
  }
  const top = Math.max(0, ...counts.values());
  return [...counts.entries()]
    .filter(([, n]) => n >= top * 0.8)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, max)
    .map(([t]) => t);
}
