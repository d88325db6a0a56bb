// The encoder's input tensor from the photo already resized to samInputSize, as the family's layout asks.
import type { Size } from './coords.ts';
import type { SamModelDescription } from './model.ts';

export function encoderInputDims(model: SamModelDescription, size: Size): number[] {
  return model.encoder.layout === 'hwc-255' ? [size.height, size.width, 3] : [1, 3, size.height, size.width];
}

/** `rgb`: interleaved 8-bit RGB of `size`. hwc-255 keeps it as is (the export normalises); nchw-unit normalises here. */
export function encoderInputValues(model: SamModelDescription, rgb: ArrayLike<number>, size: Size): Float32Array {
  const n = size.width * size.height;
  if (rgb.length !== n * 3) throw new Error(`encoder input has ${rgb.length} bytes, expected ${n * 3} (${size.width}×${size.height} RGB)`);
  const out = new Float32Array(n * 3);
  if (model.encoder.layout === 'hwc-255') {
    for (let i = 0; i < out.length; i++) out[i] = rgb[i];
    return out;
  }
  const { mean, std } = model.encoder.normalise;
  for (let c = 0; c < 3; c++) {
    const plane = c * n;
    for (let i = 0; i < n; i++) out[plane + i] = (rgb[i * 3 + c] / 255 - mean[c]) / std[c];
  }
  return out;
}
