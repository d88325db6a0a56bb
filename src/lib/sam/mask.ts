// Binary mask operations on full-resolution masks: one byte per pixel, 1 = selected, 0 = not.

export type Mask = Uint8Array;

/** Thresholds one candidate of the decoder's logits (`> 0` is the object, as SAM defines). */
export function maskFromLogits(logits: Float32Array, pixelCount: number, candidate = 0): Mask {
  const out = new Uint8Array(pixelCount);
  const offset = candidate * pixelCount;
  if (logits.length < offset + pixelCount) throw new Error('logits are smaller than the photo');
  for (let i = 0; i < pixelCount; i++) out[i] = logits[offset + i] > 0 ? 1 : 0;
  return out;
}

export function area(mask: Mask): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/** a ∪ b into a new mask (or into `out`). */
export function union(a: Mask, b: Mask, out: Mask = new Uint8Array(a.length)): Mask {
  for (let i = 0; i < a.length; i++) out[i] = a[i] | b[i];
  return out;
}

/** a \ b into a new mask (or into `out`). */
export function subtract(a: Mask, b: Mask, out: Mask = new Uint8Array(a.length)): Mask {
  for (let i = 0; i < a.length; i++) out[i] = a[i] & (b[i] ^ 1);
  return out;
}

export function invert(a: Mask, out: Mask = new Uint8Array(a.length)): Mask {
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ 1;
  return out;
}

export function iou(a: Mask, b: Mask): number {
  let inter = 0;
  let uni = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] & b[i];
    uni += a[i] | b[i];
  }
  return uni === 0 ? 1 : inter / uni;
}

/** Paints (value 1) or erases (value 0) a round brush along a polyline, in place. */
export function strokeInto(
  target: Uint8Array,
  width: number,
  height: number,
  points: readonly { x: number; y: number }[],
  radius: number,
  value: number,
): void {
  if (points.length === 0) return;
  const stamp = (cx: number, cy: number) => {
    const r2 = radius * radius;
    const y0 = Math.max(0, Math.floor(cy - radius));
    const y1 = Math.min(height - 1, Math.ceil(cy + radius));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      const dx = Math.sqrt(Math.max(0, r2 - dy * dy));
      const x0 = Math.max(0, Math.ceil(cx - dx - 0.5));
      const x1 = Math.min(width - 1, Math.floor(cx + dx - 0.5));
      if (x1 >= x0) target.fill(value, y * width + x0, y * width + x1 + 1);
    }
  };
  stamp(points[0].x, points[0].y);
  // Stamps spaced at most a quarter radius apart give a smooth band.
  const step = Math.max(0.5, radius / 4);
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const n = Math.max(1, Math.ceil(len / step));
    for (let k = 1; k <= n; k++) stamp(a.x + ((b.x - a.x) * k) / n, a.y + ((b.y - a.y) * k) / n);
  }
}

/** Nearest-neighbour resample, e.g. full-resolution mask → display overlay. */
export function resampleNearest(src: Mask, sw: number, sh: number, dw: number, dh: number): Mask {
  if (sw === dw && sh === dh) return src;
  const out = new Uint8Array(dw * dh);
  resampleNearestInto(src, sw, sh, out, dw, dh, { x0: 0, y0: 0, x1: dw, y1: dh });
  return out;
}

/** Nearest-neighbour resample of the destination rectangle `rect` only, into `out`. */
export function resampleNearestInto(src: Mask, sw: number, sh: number, out: Mask, dw: number, dh: number, rect: Box): void {
  const w = rect.x1 - rect.x0;
  if (w <= 0) return;
  const xs = new Uint32Array(w);
  for (let i = 0; i < w; i++) xs[i] = Math.min(sw - 1, Math.floor(((rect.x0 + i + 0.5) * sw) / dw));
  for (let y = rect.y0; y < rect.y1; y++) {
    const row = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / dh)) * sw;
    const o = y * dw + rect.x0;
    for (let i = 0; i < w; i++) out[o + i] = src[row + xs[i]];
  }
}

/** The rectangle of a `dw`×`dh` image covering `box` of a `sw`×`sh` one, grown by `margin` pixels. */
export function scaleBox(box: Box, sw: number, sh: number, dw: number, dh: number, margin = 1): Box {
  return {
    x0: Math.max(0, Math.floor((box.x0 * dw) / sw) - margin),
    y0: Math.max(0, Math.floor((box.y0 * dh) / sh) - margin),
    x1: Math.min(dw, Math.ceil((box.x1 * dw) / sw) + margin),
    y1: Math.min(dh, Math.ceil((box.y1 * dh) / sh) + margin),
  };
}

/** Mask from RGBA pixels (e.g. a decoded PNG): selected where the red channel is ≥ 128. */
export function maskFromRgba(rgba: Uint8ClampedArray | Uint8Array, pixelCount: number): Mask {
  const out = new Uint8Array(pixelCount);
  for (let i = 0; i < pixelCount; i++) out[i] = rgba[i * 4] >= 128 ? 1 : 0;
  return out;
}

/** RGBA pixels of a black/white mask image (white = selected), opaque. */
export function maskToRgba(mask: Mask): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(mask.length * 4);
  for (let i = 0; i < mask.length; i++) {
    const v = mask[i] ? 255 : 0;
    const o = i * 4;
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
    out[o + 3] = 255;
  }
  return out;
}

/**
 * Overlay for display: tinted inside, a solid outline on the boundary, transparent elsewhere.
 * Writes into `out` (RGBA, same size as the mask) so the caller can reuse its buffer.
 */
export function renderOverlay(
  mask: Mask,
  width: number,
  height: number,
  out: Uint8ClampedArray,
  fill: readonly [number, number, number, number],
  edge: readonly [number, number, number, number],
  rect: Box = { x0: 0, y0: 0, x1: width, y1: height },
  /** A second outline colour: the outline alternates between the two in 4 px dashes, visible on any photo. */
  edge2: readonly [number, number, number, number] = edge,
  /** Where the dashes start along x + y (the marching ants move it). */
  phase = 0,
): void {
  const out32 = new Uint32Array(out.buffer, out.byteOffset, width * height);
  const pack = (c: readonly number[]) => (c[3] << 24) | (c[2] << 16) | (c[1] << 8) | c[0];
  const fillPx = pack(fill) >>> 0;
  const edgePx = pack(edge) >>> 0;
  const edge2Px = pack(edge2) >>> 0;
  for (let y = rect.y0; y < rect.y1; y++) {
    const row = y * width;
    for (let x = rect.x0; x < rect.x1; x++) {
      const i = row + x;
      if (!mask[i]) {
        out32[i] = 0;
        continue;
      }
      const boundary =
        x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width];
      out32[i] = boundary ? (((x + y + phase) >> 2) & 1 ? edge2Px : edgePx) : fillPx;
    }
  }
}

const packRgba = (c: readonly number[]) => ((c[3]! << 24) | (c[2]! << 16) | (c[1]! << 8) | c[0]!) >>> 0;

/** The outline pixels of an overlay drawn by renderOverlay (either outline colour), and the box around them. */
export function outlinePixels(
  out: Uint8ClampedArray,
  width: number,
  edge: readonly [number, number, number, number],
  edge2: readonly [number, number, number, number],
): { indices: Uint32Array; box: Box | null } {
  const out32 = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  const a = packRgba(edge);
  const b = packRgba(edge2);
  const found: number[] = [];
  for (let i = 0; i < out32.length; i++) if (out32[i] === a || out32[i] === b) found.push(i);
  if (!found.length) return { indices: new Uint32Array(0), box: null };
  const box = { x0: width, y0: Math.floor(found[0]! / width), x1: 0, y1: Math.floor(found.at(-1)! / width) + 1 };
  for (const i of found) {
    const x = i % width;
    if (x < box.x0) box.x0 = x;
    if (x + 1 > box.x1) box.x1 = x + 1;
  }
  return { indices: Uint32Array.from(found), box };
}

/** Redraws the outline's dashes starting at `phase` (marching ants): only its pixels are touched. */
export function dashOutline(
  out: Uint8ClampedArray,
  width: number,
  indices: Uint32Array,
  edge: readonly [number, number, number, number],
  edge2: readonly [number, number, number, number],
  phase: number,
): void {
  const out32 = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  const a = packRgba(edge);
  const b = packRgba(edge2);
  for (const i of indices) {
    const x = i % width;
    const y = (i - x) / width;
    out32[i] = ((x + y + phase) >> 2) & 1 ? b : a;
  }
}

/** Pixel rectangle, x0/y0 inclusive, x1/y1 exclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Thresholds one candidate's logits into a mask of `dw`×`dh`, upscaling bilinearly when the logits
 * are smaller (PyTorch `interpolate(..., align_corners=False)` sampling, as SAM's own
 * postprocessing), and returns the bounding box of the selected pixels. Only the region around
 * positive logits is visited, so a small piece of a big photo costs little.
 */
export function logitsToMask(
  src: Float32Array,
  sw: number,
  sh: number,
  dw: number,
  dh: number,
  offset = 0,
): { mask: Mask; bbox: Box | null } {
  const mask = new Uint8Array(dw * dh);
  // Bounding box of the positive logits in the source grid.
  let sx0 = sw;
  let sy0 = sh;
  let sx1 = -1;
  let sy1 = -1;
  for (let y = 0; y < sh; y++) {
    const row = offset + y * sw;
    for (let x = 0; x < sw; x++) {
      if (src[row + x] > 0) {
        if (x < sx0) sx0 = x;
        if (x > sx1) sx1 = x;
        if (y < sy0) sy0 = y;
        sy1 = y;
      }
    }
  }
  if (sx1 < 0) return { mask, bbox: null };
  if (sw === dw && sh === dh) {
    for (let y = sy0; y <= sy1; y++) {
      const row = y * sw;
      for (let x = sx0; x <= sx1; x++) mask[row + x] = src[offset + row + x] > 0 ? 1 : 0;
    }
    return { mask, bbox: { x0: sx0, y0: sy0, x1: sx1 + 1, y1: sy1 + 1 } };
  }
  const sx = sw / dw;
  const sy = sh / dh;
  // Interpolated values can be positive only within one source sample of a positive one.
  const toDest = (s: number, scale: number) => (s + 0.5) / scale - 0.5;
  const dx0 = Math.max(0, Math.floor(toDest(sx0 - 1, sx)) - 1);
  const dx1 = Math.min(dw - 1, Math.ceil(toDest(sx1 + 1, sx)) + 1);
  const dy0 = Math.max(0, Math.floor(toDest(sy0 - 1, sy)) - 1);
  const dy1 = Math.min(dh - 1, Math.ceil(toDest(sy1 + 1, sy)) + 1);
  const n = dx1 - dx0 + 1;
  const x0s = new Int32Array(n);
  const x1s = new Int32Array(n);
  const fxs = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const fx = Math.max(0, (dx0 + i + 0.5) * sx - 0.5);
    const x0 = Math.min(sw - 1, Math.floor(fx));
    x0s[i] = x0;
    x1s[i] = Math.min(sw - 1, x0 + 1);
    fxs[i] = fx - x0;
  }
  let bx0 = dw;
  let by0 = dh;
  let bx1 = -1;
  let by1 = -1;
  for (let y = dy0; y <= dy1; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(sh - 1, Math.floor(fy));
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = fy - y0;
    const r0 = offset + y0 * sw;
    const r1 = offset + y1 * sw;
    const o = y * dw + dx0;
    let any = false;
    for (let i = 0; i < n; i++) {
      const a = src[r0 + x0s[i]];
      const b = src[r0 + x1s[i]];
      const c = src[r1 + x0s[i]];
      const d = src[r1 + x1s[i]];
      const wx = fxs[i];
      const top = a + (b - a) * wx;
      const bottom = c + (d - c) * wx;
      if (top + (bottom - top) * wy > 0) {
        mask[o + i] = 1;
        if (!any) {
          any = true;
          if (dx0 + i < bx0) bx0 = dx0 + i;
        }
        if (dx0 + i > bx1) bx1 = dx0 + i;
      }
    }
    if (any) {
      if (y < by0) by0 = y;
      by1 = y;
    }
  }
  return { mask, bbox: bx1 < 0 ? null : { x0: bx0, y0: by0, x1: bx1 + 1, y1: by1 + 1 } };
}

/** Full-resolution mask from (possibly smaller) logits; see logitsToMask. */
export function upscaleLogitsToMask(src: Float32Array, sw: number, sh: number, dw: number, dh: number, offset = 0): Mask {
  return logitsToMask(src, sw, sh, dw, dh, offset).mask;
}

/** Counts selected pixels inside a box. */
export function areaIn(mask: Mask, width: number, box: Box): number {
  let n = 0;
  for (let y = box.y0; y < box.y1; y++) {
    const row = y * width;
    for (let x = box.x0; x < box.x1; x++) n += mask[row + x];
  }
  return n;
}
