// Model-look and scene presets: data files validated at import. Pure (usable in the browser and on the server).
// Each preset carries a prompt fragment (and optional negative fragment) in English — the language SD models
// understand — and labels in English and Simplified Chinese for the UI.
import { z } from 'zod';
import looksData from './model-looks.json' with { type: 'json' };
import scenesData from './scenes.json' with { type: 'json' };

export type PresetLocale = 'en' | 'zh-CN';

const Id = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'ids are lower-case words joined by "-"');
const Label = z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) });
// No "<" or ">": fragments must not smuggle <lora:…> tags into prompts.
const Fragment = z
  .string()
  .min(3)
  .max(400)
  .regex(/^[^<>]*$/, 'no angle brackets in prompt fragments');

export const ModelLookSchema = z.strictObject({
  id: Id,
  label: Label,
  gender: z.enum(['female', 'male']),
  /** Adults only. */
  ageRange: z.enum(['18-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70+']),
  ethnicity: z.string().min(1),
  bodyType: z.string().min(1),
  prompt: Fragment,
  negativePrompt: Fragment.optional(),
});

export const SceneSchema = z.strictObject({
  id: Id,
  label: Label,
  category: z.enum(['studio', 'indoor', 'outdoor']),
  prompt: Fragment,
  negativePrompt: Fragment.optional(),
});

export type ModelLook = z.infer<typeof ModelLookSchema>;
export type Scene = z.infer<typeof SceneSchema>;

function uniqueIds<T extends { id: string }>(items: T[], what: string): T[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item.id)) throw new Error(`duplicate ${what} preset id "${item.id}"`);
    seen.add(item.id);
  }
  return items;
}

/** Parses preset data; throws with the offending path on malformed entries. */
export function parseModelLooks(data: unknown): ModelLook[] {
  return uniqueIds(z.array(ModelLookSchema).min(1).parse(data), 'model look');
}
export function parseScenes(data: unknown): Scene[] {
  return uniqueIds(z.array(SceneSchema).min(1).parse(data), 'scene');
}

const LOOKS: readonly ModelLook[] = Object.freeze(parseModelLooks(looksData));
const SCENES: readonly Scene[] = Object.freeze(parseScenes(scenesData));

export const DEFAULT_LOOK_ID = 'f-east-asian-20s-slim';
export const DEFAULT_SCENE_ID = 'studio-white';

export function modelLooks(): readonly ModelLook[] {
  return LOOKS;
}
export function scenes(): readonly Scene[] {
  return SCENES;
}
export function getModelLook(id: string): ModelLook | undefined {
  return LOOKS.find((l) => l.id === id);
}
export function getScene(id: string): Scene | undefined {
  return SCENES.find((s) => s.id === id);
}
/** Like getModelLook but throws for unknown ids (for ids that were already validated upstream). */
export function requireModelLook(id: string): ModelLook {
  const look = getModelLook(id);
  if (!look) throw new RangeError(`unknown model look "${id}"`);
  return look;
}
export function requireScene(id: string): Scene {
  const scene = getScene(id);
  if (!scene) throw new RangeError(`unknown scene "${id}"`);
  return scene;
}
export function presetLabel(preset: { label: { en: string; 'zh-CN': string } }, locale: PresetLocale): string {
  return preset.label[locale] ?? preset.label.en;
}
