import { describe, expect, it } from 'vitest';
import { pickUpscaler } from './upscaler.ts';

// Names as A1111 lists them by default, plus common downloads.
const A1111 = [
  'None',
  'Lanczos',
  'Nearest',
  'DAT x2',
  'DAT x3',
  'DAT x4',
  'ESRGAN_4x',
  'LDSR',
  'R-ESRGAN 4x+',
  'R-ESRGAN 4x+ Anime6B',
  'ScuNET GAN',
  'ScuNET PSNR',
  'SwinIR 4x',
];

describe('pickUpscaler', () => {
  it('prefers a photographic ESRGAN-class model, never an anime one or LDSR', () => {
    expect(pickUpscaler(A1111)).toEqual({ name: 'R-ESRGAN 4x+', configured: false });
    expect(pickUpscaler([...A1111, '4x-UltraSharp'])).toEqual({ name: '4x-UltraSharp', configured: false });
    expect(pickUpscaler(['None', 'Lanczos', 'R-ESRGAN 4x+ Anime6B', 'LDSR'])).toBeNull();
    expect(pickUpscaler(['None', 'Lanczos', 'Nearest'])).toBeNull();
  });
  it('takes the operator’s choice when the server has it, exactly', () => {
    expect(pickUpscaler(A1111, 'SwinIR 4x')).toEqual({ name: 'SwinIR 4x', configured: true });
    expect(pickUpscaler(A1111, 'swinir 4x')).toEqual({ name: 'R-ESRGAN 4x+', configured: false });
  });
});
