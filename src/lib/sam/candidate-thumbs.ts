// Thumbnails of a click's candidate masks ("Other shapes"), so the merchant sees each shape instead of a number.
// They come from the decoder's low-resolution logits (256² in the encoder's frame), which every decode already
// returns: no extra decode and no upscaling of the full-size masks.
import { fitInside, samInputSize, type Size } from './coords.ts';
import { SAM_MODEL, type SamModelDescription } from './model.ts';

export interface CandidateThumbs {
  width: number;
  height: number;
  /** One per candidate, width × height, 1 where the candidate selects (row-major). */
  masks: Uint8Array[];
}

/**
 * `lowRes` holds `count` logit planes of lowResSide²; the photo fills the top-left part of each (its encoder-frame
 * size scaled down), the rest is padding. Each thumbnail samples that part at its pixel centres (logit > 0).
 */
export function candidateThumbs(
  lowRes: Float32Array,
  count: number,
  photo: Size,
  maxSide: number,
  model: SamModelDescription = SAM_MODEL,
): CandidateThumbs {
  const side = model.decoder.lowResSide;
  if (lowRes.length < count * side * side) throw new Error(`expected ${count} planes of ${side}×${side}`);
  const input = samInputSize(photo.width, photo.height, model);
  const region = {
    width: (input.width * side) / model.encoder.resize.side,
    height: (input.height * side) / model.encoder.resize.side,
  };
  const size = fitInside(photo, maxSide);
  const masks: Uint8Array[] = [];
  for (let c = 0; c < count; c++) {
    const plane = lowRes.subarray(c * side * side, (c + 1) * side * side);
    const mask = new Uint8Array(size.width * size.height);
    for (let y = 0; y < size.height; y++) {
      const ly = Math.min(side - 1, Math.floor(((y + 0.5) * region.height) / size.height));
      for (let x = 0; x < size.width; x++) {
        const lx = Math.min(side - 1, Math.floor(((x + 0.5) * region.width) / size.width));
        mask[y * size.width + x] = plane[ly * side + lx]! > 0 ? 1 : 0;
      }
    }
    masks.push(mask);
  }
  return { width: size.width, height: size.height, masks };
}
