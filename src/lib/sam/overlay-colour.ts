// The selection's colour over the photo: one that stands out from the garment, so a blue shirt does not hide a
// blue selection. The merchant can switch to the next one; the outline is black and white dashes ("marching
// ants"), visible on any colour.

export type Rgb = readonly [number, number, number];

export const OVERLAY_COLOURS: readonly { id: string; rgb: Rgb }[] = [
  { id: 'blue', rgb: [37, 99, 235] },
  { id: 'magenta', rgb: [219, 39, 119] },
  { id: 'green', rgb: [22, 163, 74] },
  { id: 'orange', rgb: [234, 88, 12] },
];

/** Hue in degrees (0–360) and chroma (0–255) of a colour. */
function hueChroma([r, g, b]: Rgb): { hue: number; chroma: number } {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const c = max - min;
  if (c === 0) return { hue: 0, chroma: 0 };
  let h: number;
  if (max === r) h = ((g - b) / c) % 6;
  else if (max === g) h = (b - r) / c + 2;
  else h = (r - g) / c + 4;
  return { hue: (h * 60 + 360) % 360, chroma: c };
}

/**
 * The overlay colour that contrasts most with `garment` (its mean colour): the one farthest in hue from a coloured
 * garment; for a grey, white or black garment any saturated colour stands out, and blue is kept.
 */
export function contrastingOverlay(garment: Rgb): number {
  const g = hueChroma(garment);
  if (g.chroma < 40) return 0;
  let best = 0;
  let bestDistance = -1;
  OVERLAY_COLOURS.forEach((o, i) => {
    const d = Math.abs(hueChroma(o.rgb).hue - g.hue);
    const distance = Math.min(d, 360 - d);
    if (distance > bestDistance) {
      bestDistance = distance;
      best = i;
    }
  });
  return best;
}

/** Mean colour of the RGBA pixels where `weight` (same size, 0–255; null = everywhere) is set. */
export function meanColour(rgba: ArrayLike<number>, weight: ArrayLike<number> | null = null): Rgb {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let i = 0, p = 0; p < rgba.length; i++, p += 4) {
    const w = weight ? weight[i]! / 255 : 1;
    if (w <= 0) continue;
    r += rgba[p]! * w;
    g += rgba[p + 1]! * w;
    b += rgba[p + 2]! * w;
    n += w;
  }
  return n ? [r / n, g / n, b / n] : [128, 128, 128];
}
