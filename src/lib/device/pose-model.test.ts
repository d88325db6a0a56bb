import { describe, expect, it } from 'vitest';
import { choosePoseModel, type DeviceFacts } from './pose-model.ts';

const desktop: DeviceFacts = { coarsePointer: false, screenShortSide: 900, saveData: false, deviceMemoryGiB: 8 };
const phone: DeviceFacts = { coarsePointer: true, screenShortSide: 390, saveData: false, deviceMemoryGiB: 4 };
const tablet: DeviceFacts = { coarsePointer: true, screenShortSide: 820, saveData: false, deviceMemoryGiB: 4 };
const urls = { full: '/models/full', lite: '/models/lite' };

describe('pose model per device', () => {
  it('gives phones and data-saving or low-memory browsers the lite model, others the full one', () => {
    expect(choosePoseModel(urls, phone)).toBe('/models/lite');
    expect(choosePoseModel(urls, tablet)).toBe('/models/full');
    expect(choosePoseModel(urls, desktop)).toBe('/models/full');
    expect(choosePoseModel(urls, { ...desktop, saveData: true })).toBe('/models/lite');
    expect(choosePoseModel(urls, { ...desktop, deviceMemoryGiB: 2 })).toBe('/models/lite');
    expect(choosePoseModel(urls, { ...desktop, deviceMemoryGiB: null })).toBe('/models/full');
  });

  it('falls back to whichever is installed', () => {
    expect(choosePoseModel({ full: null, lite: '/l' }, desktop)).toBe('/l');
    expect(choosePoseModel({ full: '/f', lite: null }, phone)).toBe('/f');
    expect(choosePoseModel({ full: null, lite: null }, phone)).toBeNull();
  });
});
