// The skeleton image ControlNet's OpenPose model expects, drawn like ControlNet 1.1's
// draw_bodypose: black canvas, limbs as filled ellipses in C[i]·0.6, then joints as filled circles
// in C[i]; no anti-aliasing. Returns RGBA pixels; the caller encodes the PNG.
import type { Point, Pose } from './types.ts';
import { JOINT_COLORS, LIMBS, limbColor, stickWidthFor } from './skeleton.ts';
import { scalePose } from './scale.ts';

export const MAX_RENDER_SIDE = 8192;

/** RGBA, width×height, opaque; typed on ArrayBuffer so it goes straight into `new ImageData()`. */
export function renderSkeleton(pose: Pose, width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width <= 0 ||
    height <= 0 ||
    width > MAX_RENDER_SIDE ||
    height > MAX_RENDER_SIDE
  ) {
    throw new RangeError(`invalid skeleton size ${width}×${height}`);
  }
  const pts = scalePose(pose, width, height).keypoints;
  const canvas = new Canvas(width, height);
  const stick = stickWidthFor(width, height);
  for (const [i, [a, b]] of LIMBS.entries()) canvas.fillEllipse(pts[a]!, pts[b]!, stick, limbColor(i));
  for (const [i, p] of pts.entries()) canvas.fillCircle(p, stick, JOINT_COLORS[i]!);
  return canvas.rgba;
}

type Rgb = readonly [number, number, number];

/** Pixel (i, j) covers [i, i+1) × [j, j+1); a shape covers the pixels whose centres it contains. */
class Canvas {
  readonly rgba: Uint8ClampedArray<ArrayBuffer>;
  readonly width: number;
  readonly height: number;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.rgba = new Uint8ClampedArray(width * height * 4);
    for (let i = 3; i < this.rgba.length; i += 4) this.rgba[i] = 255;
  }

  /** Ellipse centred on the segment a–b: half-axes |ab|/2 along it and `halfWidth` across. */
  fillEllipse(a: Point, b: Point, halfWidth: number, color: Rgb): void {
    const cx = (a.x + b.x) / 2;
    const cy = (a.y + b.y) / 2;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const halfLen = Math.max(len / 2, 0.5);
    const ux = len > 0 ? (b.x - a.x) / len : 1;
    const uy = len > 0 ? (b.y - a.y) / len : 0;
    const reach = Math.max(halfLen, halfWidth);
    this.fill(cx, cy, reach, color, (dx, dy) => {
      const along = (dx * ux + dy * uy) / halfLen;
      const across = (dy * ux - dx * uy) / halfWidth;
      return along * along + across * across <= 1;
    });
  }

  fillCircle(c: Point, radius: number, color: Rgb): void {
    const r2 = radius * radius;
    this.fill(c.x, c.y, radius, color, (dx, dy) => dx * dx + dy * dy <= r2);
  }

  /** Paints pixels within `reach` of (cx, cy) that pass `inside`, clipped to the canvas. */
  private fill(cx: number, cy: number, reach: number, color: Rgb, inside: (dx: number, dy: number) => boolean): void {
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) return;
    const x0 = Math.max(0, Math.floor(cx - reach));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + reach));
    const y0 = Math.max(0, Math.floor(cy - reach));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        if (!inside(x + 0.5 - cx, y + 0.5 - cy)) continue;
        const o = (y * this.width + x) * 4;
        this.rgba[o] = color[0];
        this.rgba[o + 1] = color[1];
        this.rgba[o + 2] = color[2];
      }
    }
  }
}
