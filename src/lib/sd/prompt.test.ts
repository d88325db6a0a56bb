import { describe, expect, it } from 'vitest';
import {
  triggerWordsFromMetadata,
  BASE_NEGATIVE,
  QUALITY_TAGS,
  buildNegativePrompt,
  buildPrompt,
  formatWeight,
  joinPrompt,
  loraTag,
  parseLoraTags,
  stripLoraTags,
} from './prompt.ts';

describe('LoRA tags', () => {
  it('formats <lora:name:weight> without float noise', () => {
    expect(loraTag('mamianqun_v1', 0.7)).toBe('<lora:mamianqun_v1:0.7>');
    expect(loraTag(' dress ', 1)).toBe('<lora:dress:1>');
    expect(formatWeight(0.333333)).toBe('0.33');
    expect(formatWeight(0.1 + 0.2)).toBe('0.3');
  });
  it('refuses names that would break the tag', () => {
    expect(() => loraTag('a:b', 1)).toThrow(RangeError);
    expect(() => loraTag('a>b', 1)).toThrow(RangeError);
    expect(() => loraTag('', 1)).toThrow(RangeError);
    expect(() => loraTag('x', Number.NaN)).toThrow(RangeError);
  });
  it('parses and strips tags, including the extended forms', () => {
    expect(parseLoraTags('a <lora:one:0.5> b <LORA:two> <lora:three:0.4:0.6>')).toEqual([
      { name: 'one', weight: 0.5 },
      { name: 'two', weight: null },
      { name: 'three', weight: 0.4 },
    ]);
    expect(stripLoraTags('a <lora:x:1> b').replace(/\s+/g, ' ')).toBe('a b');
  });
});

describe('buildPrompt', () => {
  it('puts trigger words first, then look, garment, scene, merchant text, quality, and the tags last', () => {
    const p = buildPrompt({
      subject: 'full body fashion photo of',
      look: { prompt: 'a Black woman in her twenties' },
      garment: 'wearing a horse-face skirt',
      scene: { prompt: 'sandy beach, golden hour' },
      loras: [
        { name: 'mamianqun_v1', weight: 0.8, triggerWords: ['mamianqun', 'horse-face skirt'] },
        { name: 'silk', weight: 0.5, triggerWords: ['mamianqun'] },
      ],
      extra: 'smiling',
    });
    expect(p).toBe(
      'mamianqun, horse-face skirt, full body fashion photo of a Black woman in her twenties, wearing a horse-face skirt, ' +
        `sandy beach, golden hour, smiling, ${QUALITY_TAGS} <lora:mamianqun_v1:0.8> <lora:silk:0.5>`,
    );
  });
  it('can leave out the quality tags and copes with missing parts', () => {
    expect(buildPrompt({ look: { prompt: ' a man ' }, quality: false })).toBe('a man');
    expect(buildPrompt({ quality: false })).toBe('');
  });
});

describe('buildNegativePrompt', () => {
  it('merges merchant, recipe and preset negatives with the base list, without duplicates', () => {
    const n = buildNegativePrompt({
      extra: 'Blurry, hats',
      recipe: ['mannequin, headless'],
      look: { prompt: 'x', negativePrompt: 'heavy makeup' },
      scene: { prompt: 'y', negativePrompt: 'crowd' },
    });
    expect(n.startsWith('Blurry, hats, mannequin, headless, heavy makeup, crowd, deformed')).toBe(true);
    expect(n.split(', ').filter((t) => t.toLowerCase() === 'blurry')).toHaveLength(1);
    expect(buildNegativePrompt()).toBe(BASE_NEGATIVE);
  });
});

describe('joinPrompt', () => {
  it('drops empty parts and tidies commas and whitespace', () => {
    expect(joinPrompt(['  a ,, b ', '', null, undefined, false, ', c,'])).toBe('a, b, c');
  });
});

describe('trigger words from LoRA metadata', () => {
  it('takes the tags present in nearly every caption, most frequent first', () => {
    const meta = { ss_tag_frequency: JSON.stringify({ '7_mamianqun': { mamianqun: 7, 'horse-face skirt': 7, red: 2, pleats: 6 } }) };
    expect(triggerWordsFromMetadata(meta)).toEqual(['horse-face skirt', 'mamianqun', 'pleats']);
    expect(triggerWordsFromMetadata(meta, 1)).toEqual(['horse-face skirt']);
  });
  it('gives nothing without usable metadata', () => {
    expect(triggerWordsFromMetadata({})).toEqual([]);
    expect(triggerWordsFromMetadata({ ss_tag_frequency: 'not json' })).toEqual([]);
    expect(triggerWordsFromMetadata(null)).toEqual([]);
  });
});
