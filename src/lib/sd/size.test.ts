import { describe, expect, it } from 'vitest';
import { familySize, generationSize, toPhotoPoint } from './size.ts';
import { FAMILIES } from './family.ts';

describe('generationSize', () => {
  it('puts the longest side at maxSide and keeps the aspect in multiples of 8', () => {
    expect(generationSize(3000, 4000, 1024)).toMatchObject({ width: 768, height: 1024, photoWidth: 3000, photoHeight: 4000 });
    expect(generationSize(4000, 3000, 1024)).toMatchObject({ width: 1024, height: 768 });
    expect(generationSize(1080, 1920, 1024)).toMatchObject({ width: 576, height: 1024 });
    expect(generationSize(1000, 1000)).toMatchObject({ width: 1024, height: 1024 });
  });

  it('uses 1024 by default and rounds a configured maxSide down to a multiple of 8', () => {
    expect(generationSize(2000, 3000)).toMatchObject({ width: 680, height: 1024 });
    expect(generationSize(2000, 3000, 770)).toMatchObject({ height: 768 });
  });

  it('scales small photos up to maxSide', () => {
    expect(generationSize(300, 400, 1024)).toMatchObject({ width: 768, height: 1024 });
  });

  it('always returns multiples of 8 within 1 % of the photo aspect (or the 64 px floor)', () => {
    for (const [w, h] of [
      [1234, 567],
      [567, 1234],
      [3024, 4032],
      [1, 1],
      [999, 1001],
      [5000, 200],
    ]) {
      for (const max of [512, 768, 1024, 1536]) {
        const s = generationSize(w, h, max);
        expect(s.width % 8).toBe(0);
        expect(s.height % 8).toBe(0);
        expect(Math.max(s.width, s.height)).toBe(Math.floor(max / 8) * 8);
        expect(Math.min(s.width, s.height)).toBeGreaterThanOrEqual(64);
        const short = Math.min(s.width, s.height);
        if (short > 64) {
          const exact = (Math.min(w, h) * Math.max(s.width, s.height)) / Math.max(w, h);
          expect(Math.abs(short - exact)).toBeLessThanOrEqual(4);
        }
      }
    }
  });

  it('keeps very thin photos at the 64 px floor', () => {
    expect(generationSize(5000, 100, 1024)).toMatchObject({ width: 1024, height: 64 });
  });

  it('rejects nonsense', () => {
    expect(() => generationSize(0, 100)).toThrow(RangeError);
    expect(() => generationSize(100, Number.NaN)).toThrow(RangeError);
    expect(() => generationSize(100, 100, 32)).toThrow(RangeError);
  });

  it('maps generation coordinates back to photo pixels', () => {
    const s = generationSize(3000, 4000, 1024);
    expect(toPhotoPoint(s, 768, 1024)).toEqual({ x: 3000, y: 4000 });
    expect(toPhotoPoint(s, 384, 512)).toEqual({ x: 1500, y: 2000 });
  });
});

describe('familySize', () => {
  it('follows the checkpoint family: SD 1.5 about 512×768, SDXL about 1024², aspect kept', () => {
    expect(familySize(3000, 4000, FAMILIES.sd15)).toMatchObject({ width: 544, height: 720 });
    expect(familySize(3000, 4000, FAMILIES.sdxl)).toMatchObject({ width: 880, height: 1176 });
    expect(familySize(4000, 3000, FAMILIES.sdxl)).toMatchObject({ width: 1176, height: 880 });
    expect(familySize(1000, 1000, FAMILIES.sd15)).toMatchObject({ width: 624, height: 624 });
    for (const f of Object.values(FAMILIES)) {
      for (const [w, h] of [
        [3000, 4000],
        [1080, 1920],
        [5000, 800],
      ]) {
        const s = familySize(w, h, f);
        expect((s.width % 8) + (s.height % 8)).toBe(0);
        expect(s.width * s.height).toBeLessThanOrEqual(f.pixels * 1.03);
        expect(Math.max(s.width, s.height)).toBeLessThanOrEqual(f.maxSide);
      }
    }
  });

  it('respects the operator cap', () => {
    expect(familySize(3000, 4000, FAMILIES.sdxl, 1024)).toMatchObject({ width: 768, height: 1024 });
  });
});
