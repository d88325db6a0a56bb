// Generation size for a photo: both sides multiples of 8 (the latent is 1/8 of the image), aspect kept,
// within the checkpoint family's pixel budget (family.ts) and the configured cap (config.generationMaxSide). Pure.
//
// The photo is resized (stretched by at most ±4 px per side of rounding) to exactly width×height before it is
// sent, and every result is resized back to photoWidth×photoHeight before compositing, so the round trip
// undoes the rounding exactly.

export interface GenerationSize {
  /** Multiple of 8. */
  width: number;
  /** Multiple of 8. */
  height: number;
  /** The photo's own size: where results are mapped back to. */
  photoWidth: number;
  photoHeight: number;
}

export const MIN_GENERATION_SIDE = 64;
export const DEFAULT_GENERATION_MAX_SIDE = 1024;

const floor8 = (n: number) => Math.floor(n / 8) * 8;
const round8 = (n: number) => Math.round(n / 8) * 8;

/**
 * Longest side becomes `maxSide` rounded down to a multiple of 8 — small photos are scaled up too, because
 * SD models draw badly below their native resolution and results are mapped back to the photo anyway.
 * The other side is the aspect-preserving length rounded to the nearest multiple of 8 (at least 64).
 */
export function generationSize(photoW: number, photoH: number, maxSide: number = DEFAULT_GENERATION_MAX_SIDE): GenerationSize {
  for (const [name, v] of [
    ['photoW', photoW],
    ['photoH', photoH],
    ['maxSide', maxSide],
  ] as const) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`${name} must be a positive number, got ${v}`);
  }
  const longest = floor8(maxSide);
  if (longest < MIN_GENERATION_SIDE) throw new RangeError(`maxSide must be at least ${MIN_GENERATION_SIDE}, got ${maxSide}`);
  const landscape = photoW >= photoH;
  const long = landscape ? photoW : photoH;
  const short = landscape ? photoH : photoW;
  const shortSide = Math.min(longest, Math.max(MIN_GENERATION_SIDE, round8((short * longest) / long)));
  return {
    width: landscape ? longest : shortSide,
    height: landscape ? shortSide : longest,
    photoWidth: photoW,
    photoHeight: photoH,
  };
}

/**
 * The size a checkpoint family draws best at: about `budget.pixels` pixels with the photo's aspect, longest
 * side at most `budget.maxSide` and `cap` (the operator's limit).
 */
export function familySize(
  photoW: number,
  photoH: number,
  budget: { pixels: number; maxSide: number },
  cap: number = Infinity,
): GenerationSize {
  const long = Math.max(photoW, photoH);
  const short = Math.min(photoW, photoH);
  const side = Math.min(budget.maxSide, cap, Math.sqrt((budget.pixels * long) / short));
  return generationSize(photoW, photoH, Math.max(MIN_GENERATION_SIDE, side));
}

/** Maps a point from generation space back to photo pixels. */
export function toPhotoPoint(size: GenerationSize, x: number, y: number): { x: number; y: number } {
  return { x: (x * size.photoWidth) / size.width, y: (y * size.photoHeight) / size.height };
}
