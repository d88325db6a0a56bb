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
  const xs = new Uint32Array(dw);
  for (let x = 0; x < dw; x++) xs[x] = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / dw));
  for (let y = 0; y < dh; y++) {
    const row = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / dh)) * sw;
    const o = y * dw;
    for (let x = 0; x < dw; x++) out[o + x] = src[row + xs[x]];
  }
  return out;
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
): void {
  const out32 = new Uint32Array(out.buffer, out.byteOffset, width * height);
  const pack = (c: readonly number[]) => (c[3] << 24) | (c[2] << 16) | (c[1] << 8) | c[0];
  const fillPx = pack(fill) >>> 0;
  const edgePx = pack(edge) >>> 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!mask[i]) {
        out32[i] = 0;
        continue;
      }
      const boundary =
        x === 0 || y === 0 || x === width - 1 || y === height - 1 || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width];
      out32[i] = boundary ? edgePx : fillPx;
    }
  }
}

/**
 * Bilinear upscale of logits (PyTorch `interpolate(..., align_corners=False)` sampling, as SAM's
 * own postprocessing) thresholded at 0 — gives the full-resolution mask without a float buffer.
 */
export function upscaleLogitsToMask(src: Float32Array, sw: number, sh: number, dw: number, dh: number, offset = 0): Mask {
  const out = new Uint8Array(dw * dh);
  const sx = sw / dw;
  const sy = sh / dh;
  const x0s = new Int32Array(dw);
  const x1s = new Int32Array(dw);
  const fxs = new Float32Array(dw);
  for (let x = 0; x < dw; x++) {
    const fx = Math.max(0, (x + 0.5) * sx - 0.5);
    const x0 = Math.min(sw - 1, Math.floor(fx));
    x0s[x] = x0;
    x1s[x] = Math.min(sw - 1, x0 + 1);
    fxs[x] = fx - x0;
  }
  for (let y = 0; y < dh; y++) {
    const fy = Math.max(0, (y + 0.5) * sy - 0.5);
    const y0 = Math.min(sh - 1, Math.floor(fy));
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = fy - y0;
    const r0 = offset + y0 * sw;
    const r1 = offset + y1 * sw;
    const o = y * dw;
    for (let x = 0; x < dw; x++) {
      const a = src[r0 + x0s[x]];
      const b = src[r0 + x1s[x]];
      const c = src[r1 + x0s[x]];
      const d = src[r1 + x1s[x]];
      const wx = fxs[x];
      const top = a + (b - a) * wx;
      const bottom = c + (d - c) * wx;
      out[o + x] = top + (bottom - top) * wy > 0 ? 1 : 0;
    }
  }
  return out;
}
