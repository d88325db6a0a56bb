import { describe, expect, it } from 'vitest';
import { lookIllustration, lookOptions, sceneIllustration, sceneOptions } from './illustrations.ts';
import { modelLooks, scenes } from './index.ts';

describe('pictures for the Generate step’s choices', () => {
  it('every model look and scene has its own picture, never a blank card', () => {
    const scenePictures = scenes().map((s) => sceneIllustration(s));
    expect(new Set(scenePictures).size).toBe(scenes().length);
    const lookPictures = modelLooks().map((l, i) => lookIllustration(l, i));
    expect(new Set(lookPictures).size).toBe(modelLooks().length);
    for (const svg of [...scenePictures, ...lookPictures]) {
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 120 90"/);
      // More than a background: at least three shapes.
      expect((svg.match(/<(rect|circle|ellipse|path)\b/g) ?? []).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('a scene added later still gets a picture of its kind', () => {
    expect(sceneIllustration({ id: 'new-place', category: 'outdoor' })).toBe(sceneIllustration({ id: 'park', category: 'outdoor' }));
  });

  it('options carry a data: URL picture and the group the filter uses, in both languages', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const looks = lookOptions(lang);
      expect(looks.every((o) => o.picture.startsWith('data:image/svg+xml') && (o.group === 'female' || o.group === 'male'))).toBe(true);
      expect(new Set(sceneOptions(lang).map((o) => o.group))).toEqual(new Set(['studio', 'indoor', 'outdoor']));
    }
  });
});
