import { describe, expect, it } from 'vitest';
import {
  checkpointFamily,
  controlnetFamily,
  familyFromMetadata,
  familyFromName,
  parseFamilyOverrides,
  pickOpenposeModel,
} from './family.ts';

const SD15_POSE = 'control_v11p_sd15_openpose [cab727d4]';
const XL_POSE = 'thibaud_xl_openpose [c7b9cadd]';

describe('checkpoint families', () => {
  it('reads the family from the name where the name says it', () => {
    expect(familyFromName('juggernautXL_v9Rdphoto2Lightning.safetensors [c9e3e68f89]')).toBe('sdxl');
    expect(familyFromName('sd_xl_base_1.0.safetensors')).toBe('sdxl');
    expect(familyFromName('RealVisXL_V4.0.safetensors')).toBe('sdxl');
    expect(familyFromName('ponyDiffusionV6XL.safetensors')).toBe('sdxl');
    expect(familyFromName('flux1-dev-bnb-nf4-v2.safetensors')).toBe('flux');
    expect(familyFromName('sd3_medium_incl_clips.safetensors')).toBe('sd3');
    expect(familyFromName('v1-5-pruned-emaonly.safetensors')).toBe('sd15');
    expect(familyFromName('pixlartist_v2.safetensors')).toBeNull(); // "xl" inside a word
    expect(familyFromName('realisticVisionV60B1_v51VAE.safetensors [15012c538f]')).toBeNull();
  });

  it('prefers the operator, then the server metadata, then the name, and says which', () => {
    const overrides = parseFamilyOverrides('realisticVision=sd15, myMerge=sdxl');
    expect(checkpointFamily('myMerge_v3.safetensors', { overrides })).toEqual({ family: 'sdxl', source: 'config' });
    expect(checkpointFamily('plain.safetensors', { metadata: { 'modelspec.architecture': 'stable-diffusion-xl-v1-base' } })).toEqual({
      family: 'sdxl',
      source: 'server',
    });
    expect(checkpointFamily('plain.safetensors', { metadata: { ss_base_model_version: 'sd_v1' } })).toEqual({
      family: 'sd15',
      source: 'server',
    });
    expect(checkpointFamily('juggernautXL.safetensors')).toEqual({ family: 'sdxl', source: 'name' });
    expect(checkpointFamily('plain.safetensors')).toEqual({ family: 'sd15', source: 'default' });
    expect(familyFromMetadata({ 'modelspec.architecture': 'flux-1-dev' })).toBe('flux');
  });

  it('refuses malformed overrides', () => {
    expect(() => parseFamilyOverrides('x=sd9')).toThrow(/family/);
    expect(() => parseFamilyOverrides('=sdxl')).toThrow();
    expect(parseFamilyOverrides('')).toEqual([]);
  });
});

describe('ControlNet families, as sd-webui-controlnet decides them', () => {
  it('classifies like scripts/enums.py detect_from_model_name', () => {
    expect(controlnetFamily(SD15_POSE)).toBe('sd15');
    expect(controlnetFamily('control_v11p_sd21_openpose')).toBe('sd2');
    for (const xl of [
      XL_POSE,
      'controlnet-openpose-sdxl-1.0',
      't2i-adapter_xl_openpose',
      'kohya_controllllite_xl_openpose_anime',
      'controlnet-union-sdxl-1.0 [15e6ad5d]',
    ]) {
      expect(controlnetFamily(xl), xl).toBe('sdxl');
    }
    expect(controlnetFamily('diffusion_pytorch_model')).toBeNull();
    expect(controlnetFamily('diffusion_pytorch_model', parseFamilyOverrides('diffusion_pytorch_model=sdxl'))).toBe('sdxl');
  });

  it('picks the OpenPose model of the checkpoint family and never another one', () => {
    expect(pickOpenposeModel(['None', SD15_POSE, XL_POSE], 'sdxl', { kind: 'a1111' })).toEqual({ model: XL_POSE, union: false });
    expect(pickOpenposeModel([XL_POSE, SD15_POSE], 'sd15', { kind: 'forge' })).toEqual({ model: SD15_POSE, union: false });
    // An SDXL checkpoint with only an SD 1.5 OpenPose model: nothing, rather than a unit the server refuses.
    expect(pickOpenposeModel(['None', SD15_POSE], 'sdxl', { kind: 'a1111' })).toBeNull();
    expect(pickOpenposeModel(['diffusion_pytorch_model [1234abcd]'], 'sdxl', { kind: 'a1111' })).toBeNull();
    expect(pickOpenposeModel(['None'], 'sd15', { kind: 'a1111' })).toBeNull();
  });

  it('falls back to a union model on A1111 only (Forge has no union support)', () => {
    const union = 'controlnet-union-sdxl-1.0 [15e6ad5d]';
    expect(pickOpenposeModel([SD15_POSE, union], 'sdxl', { kind: 'a1111' })).toEqual({ model: union, union: true });
    expect(pickOpenposeModel([SD15_POSE, union], 'sdxl', { kind: 'forge' })).toBeNull();
  });
});
