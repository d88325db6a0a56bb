import { describe, expect, it } from 'vitest';
import {
  controlnetScripts,
  edgesUnit,
  expectedUnits,
  modelStem,
  moduleFor,
  noPreprocessor,
  openposeUnit,
  verifyControlNetRan,
  verifyDetectedMaps,
} from './controlnet.ts';
import { BackendError } from './errors.ts';

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
const CANNY = 'control_v11p_sd15_canny [d14c016b]';

describe('unit builders', () => {
  it('spell "no preprocessor" per backend kind', () => {
    expect(noPreprocessor('a1111')).toBe('none');
    expect(noPreprocessor('forge')).toBe('None');
    expect(moduleFor('forge', 'none')).toBe('None');
    expect(moduleFor('a1111', 'None')).toBe('none');
    expect(moduleFor('forge', 'canny')).toBe('canny');
  });

  it('build the reference pre-rendered OpenPose unit', () => {
    expect(openposeUnit({ kind: 'a1111', model: OPENPOSE, skeletonB64: 'SKEL' })).toEqual({
      enabled: true,
      module: 'none',
      model: OPENPOSE,
      image: 'SKEL',
      weight: 1,
      resize_mode: 'Just Resize',
      control_mode: 'Balanced',
      processor_res: -1,
      threshold_a: -1,
      threshold_b: -1,
      guidance_start: 0,
      guidance_end: 1,
      pixel_perfect: false,
      hr_option: 'Both',
      save_detected_map: true,
    });
    expect(openposeUnit({ kind: 'forge', model: OPENPOSE, skeletonB64: 'SKEL' }).module).toBe('None');
    // A union model names its control type on A1111; Forge has no such field.
    expect(openposeUnit({ kind: 'a1111', model: 'controlnet-union-sdxl-1.0', skeletonB64: 'S', union: true }).union_control_type).toBe(
      'OpenPose',
    );
    expect(openposeUnit({ kind: 'forge', model: 'controlnet-union-sdxl-1.0', skeletonB64: 'S', union: true })).not.toHaveProperty(
      'union_control_type',
    );
  });

  it('build an edge unit with canny thresholds and a softer, shorter influence', () => {
    const u = edgesUnit({ kind: 'forge', model: CANNY, imageB64: 'E' });
    expect(u).toMatchObject({ module: 'canny', threshold_a: 100, threshold_b: 200, processor_res: 512, weight: 0.6, guidance_end: 0.6 });
    const ready = edgesUnit({ kind: 'forge', model: CANNY, imageB64: 'E', module: 'none' });
    expect(ready).toMatchObject({ module: 'None', processor_res: -1, threshold_a: -1 });
  });

  it('refuse impossible settings instead of letting the server drop the unit silently', () => {
    expect(() => openposeUnit({ kind: 'a1111', model: 'None', skeletonB64: 'S' })).toThrow(RangeError);
    expect(() => openposeUnit({ kind: 'a1111', model: OPENPOSE, skeletonB64: 'S', guidanceStart: 0.8, guidanceEnd: 0.5 })).toThrow(
      RangeError,
    );
    expect(() => openposeUnit({ kind: 'a1111', model: OPENPOSE, skeletonB64: 'S', weight: 3 })).toThrow(RangeError);
    expect(() => openposeUnit({ kind: 'a1111', model: OPENPOSE, skeletonB64: '' })).toThrow(RangeError);
  });

  it('wrap units for alwayson_scripts and read them back', () => {
    const a = openposeUnit({ kind: 'a1111', model: OPENPOSE, skeletonB64: 'S' });
    const scripts = controlnetScripts([a]);
    expect(scripts).toEqual({ controlnet: { args: [a] } });
    expect(expectedUnits({ alwayson_scripts: scripts })).toEqual([{ model: OPENPOSE, module: 'none', image: 'S' }]);
    expect(expectedUnits({ alwayson_scripts: { ControlNet: { args: [{ ...a, enabled: false }] } } })).toEqual([]);
    expect(expectedUnits({})).toEqual([]);
  });
});

describe('verifyDetectedMaps', () => {
  it('accepts units whose detected map came back, and names the ones without', () => {
    expect(() => verifyDetectedMaps('a1111', [{ model: OPENPOSE }], [3])).not.toThrow();
    expect(() => verifyDetectedMaps('a1111', [], [])).not.toThrow();
    const run = () => verifyDetectedMaps('a1111', [{ model: OPENPOSE }, { model: CANNY }], [2, null]);
    expect(run).toThrow(expect.objectContaining({ code: 'controlnet_not_applied', retryable: false }));
    expect(run).toThrow(/unit 1 \(control_v11p_sd15_canny/);
    expect(() => verifyDetectedMaps('forge', [{ model: OPENPOSE }], [null])).toThrow(/Forge did not apply it/);
  });
});

describe('verifyControlNetRan', () => {
  const entry = (model: string) =>
    `Module: none, Model: ${model}, Weight: 1.0, Resize Mode: Just Resize, Guidance Start: 0.0, Guidance End: 1.0, ` +
    'Pixel Perfect: False, Control Mode: Balanced, Hr Option: Both';
  const info = (params: Record<string, unknown>) => JSON.stringify({ seed: 1, extra_generation_params: params });

  it('passes when every unit left its "ControlNet i" entry naming the expected model', () => {
    const r = verifyControlNetRan(info({ 'ControlNet 0': entry(OPENPOSE), 'ControlNet 1': entry(CANNY) }), [
      { model: OPENPOSE },
      { model: CANNY },
    ]);
    expect(r.entries).toHaveLength(2);
    // parsed object and stem-only model names (A1111 closest match) work too
    expect(() =>
      verifyControlNetRan({ extra_generation_params: { 'ControlNet 0': entry('control_v11p_sd15_openpose') } }, [{ model: OPENPOSE }]),
    ).not.toThrow();
    // Forge writes "" when a value contains ',' or ':' — presence still counts
    expect(() => verifyControlNetRan(info({ 'ControlNet 0': '' }), 1)).not.toThrow();
  });

  it('fails with a merchant-readable error when a unit did not run', () => {
    const run = () => verifyControlNetRan(info({ 'ControlNet 0': entry(OPENPOSE) }), [{ model: OPENPOSE }, { model: CANNY }]);
    expect(run).toThrow(BackendError);
    try {
      run();
    } catch (e) {
      const err = e as BackendError;
      expect(err.code).toBe('controlnet_not_applied');
      expect(err.retryable).toBe(false);
      expect(err.message).toMatch(/unit 1 .*did not run/);
      expect(err.localized('zh-CN')).toContain('ControlNet');
    }
    expect(() => verifyControlNetRan(info({}), 1)).toThrow(/unit 0 did not run/);
    expect(() => verifyControlNetRan(JSON.stringify({ seed: 1 }), 1)).toThrow(BackendError);
  });

  it('fails when a unit ran with another model', () => {
    expect(() => verifyControlNetRan(info({ 'ControlNet 0': entry(CANNY) }), [{ model: OPENPOSE }])).toThrow(/instead of/);
  });

  it('nothing expected → nothing to check; garbage info → bad-response', () => {
    expect(verifyControlNetRan('not json', [])).toEqual({ entries: [] });
    expect(() => verifyControlNetRan('not json', 1)).toThrow(expect.objectContaining({ kind: 'bad-response' }));
  });

  it('modelStem normalises titles', () => {
    expect(modelStem('control_v11p_sd15_openpose [cab727d4]')).toBe('control_v11p_sd15_openpose');
    expect(modelStem('sub/dir/Model.safetensors [15012c538f]')).toBe('model');
  });
});
