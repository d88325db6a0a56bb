import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOOK_ID,
  DEFAULT_SCENE_ID,
  getModelLook,
  getScene,
  modelLooks,
  parseModelLooks,
  parseScenes,
  presetLabel,
  requireModelLook,
  scenes,
} from './index.ts';

describe('model looks', () => {
  it('has at least 8 adult looks covering women and men, several ages, ethnicities and body types', () => {
    const looks = modelLooks();
    expect(looks.length).toBeGreaterThanOrEqual(8);
    expect(new Set(looks.map((l) => l.gender))).toEqual(new Set(['female', 'male']));
    expect(new Set(looks.map((l) => l.ageRange)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(looks.map((l) => l.ethnicity)).size).toBeGreaterThanOrEqual(5);
    expect(new Set(looks.map((l) => l.bodyType)).size).toBeGreaterThanOrEqual(5);
    for (const l of looks) {
      expect(l.label.en).not.toBe('');
      expect(l.label['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(l.prompt).not.toMatch(/[<>]/);
    }
    expect(getModelLook(DEFAULT_LOOK_ID)).toBeDefined();
    expect(requireModelLook(DEFAULT_LOOK_ID).id).toBe(DEFAULT_LOOK_ID);
    expect(() => requireModelLook('nope')).toThrow(RangeError);
  });
});

describe('scenes', () => {
  it('has at least 8 scenes including studio white, street, café and beach', () => {
    const list = scenes();
    expect(list.length).toBeGreaterThanOrEqual(8);
    for (const id of [DEFAULT_SCENE_ID, 'city-street', 'cafe', 'beach']) expect(getScene(id), id).toBeDefined();
    expect(presetLabel(getScene('beach')!, 'zh-CN')).toBe('海滩');
    expect(presetLabel(getScene('beach')!, 'en')).toBe('Beach');
  });
});

describe('preset validation', () => {
  const look = {
    id: 'x-look',
    label: { en: 'X', 'zh-CN': '某' },
    gender: 'female',
    ageRange: '20-29',
    ethnicity: 'e',
    bodyType: 'b',
    prompt: 'a woman',
  };
  it('rejects malformed entries, LoRA tags in fragments, minors and duplicate ids', () => {
    expect(parseModelLooks([look])).toHaveLength(1);
    expect(() => parseModelLooks([{ ...look, label: { en: 'X' } }])).toThrow();
    expect(() => parseModelLooks([{ ...look, prompt: 'a woman <lora:x:1>' }])).toThrow();
    expect(() => parseModelLooks([{ ...look, ageRange: '10-17' }])).toThrow();
    expect(() => parseModelLooks([{ ...look, extra: 1 }])).toThrow();
    expect(() => parseModelLooks([look, look])).toThrow(/duplicate/);
    expect(() => parseScenes([{ id: 'Bad Id', label: { en: 'a', 'zh-CN': 'b' }, category: 'studio', prompt: 'white' }])).toThrow();
  });
});
