// Shoulders and hips from a garment / mannequin mask, for photos where no person is detected
// (headless dress forms). Assumes the form faces the camera: the person's right is image left.
import type { BinaryMask, Point } from './types.ts';
import { PROPORTIONS } from './proportions.ts';

export interface SilhouetteAnchors {
  rightShoulder: Point;
  leftShoulder: Point;
  /** Null when the mask ends above the hips (a top, a cropped photo): completion extrapolates them. */
  rightHip: Point | null;
  leftHip: Point | null;
}

/** Masks are analysed on a grid of at most this many cells per side (speed, and noise smaller than a cell vanishes). */
const GRID = 256;
/** Smaller shapes are noise or a stray click, not a garment. */
const MIN_AREA_FRACTION = 0.005;
const MIN_AREA_CELLS = 60;
const MIN_HEIGHT_CELLS = 10;
/** The widest top line is the outer edge of the shoulders; the joints sit at 85 % of it (deltoid and fabric outside the joint). */
const SHOULDER_JOINT_SPAN = 0.85;
/** The joints sit a little below the shoulder line's outer corners (fraction of the joint span). */
const SHOULDER_JOINT_DROP = 0.05;
/** Hip joints sit at about 60 % of the hip breadth; clamped to a human range of hip/shoulder joint spacing. */
const HIP_JOINT_SPAN = 0.6;
const HIP_SPAN_RANGE = [0.56, 0.96] as const;
/** Steeper than this (width growth per row on each side) is still the shoulder slope, flatter is the torso or sleeve side. */
const SHOULDER_SLOPE_END = 1;
const MAX_AXIS_SLOPE = 0.35;

/** Returns anchors in mask pixels, or null when the mask is empty, too small or too flat to be a body. */
export function estimateSilhouetteAnchors(sil: BinaryMask): SilhouetteAnchors | null {
  const { mask, width, height } = sil;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0 || mask.length !== width * height) {
    throw new RangeError(`mask of ${mask.length} bytes does not match ${width}×${height}`);
  }
  const grid = downsample(sil);
  const comp = largestComponent(grid);
  if (!comp) return null;
  if (comp.area < Math.max(MIN_AREA_CELLS, MIN_AREA_FRACTION * grid.w * grid.h) || comp.bottom - comp.top + 1 < MIN_HEIGHT_CELLS) {
    return null;
  }
  const rows = rowProfile(grid, comp);
  const axis = fitAxis(rows, comp, grid.w);
  const widths = rowWidths(grid, comp, rows, axis);
  const rowsTall = comp.bottom - comp.top + 1;

  const shoulderRow = findShoulderRow(widths.outer, comp.top, rowsTall);
  if (shoulderRow < 0) return null;
  const outer = widths.outer[shoulderRow - comp.top]!;
  const span = SHOULDER_JOINT_SPAN * outer;
  const shoulderY = shoulderRow + 0.5 + SHOULDER_JOINT_DROP * span;
  const torso = PROPORTIONS.torso * span;

  const hipY = findHipY(widths.central, comp, shoulderY, torso);
  const cell = grid.cell;
  const toMask = (p: Point): Point => ({ x: p.x * cell, y: p.y * cell });
  const pair = (y: number, half: number) => {
    const c = { x: axis.at(y), y };
    return [
      toMask({ x: c.x - axis.n.x * half, y: c.y - axis.n.y * half }),
      toMask({ x: c.x + axis.n.x * half, y: c.y + axis.n.y * half }),
    ] as const;
  };
  const [rightShoulder, leftShoulder] = pair(shoulderY, span / 2);
  if (hipY === null) return { rightShoulder, leftShoulder, rightHip: null, leftHip: null };
  const hipWidth = widths.central[Math.min(rowsTall - 1, Math.max(0, Math.floor(hipY) - comp.top))]!;
  const hipSpan = clamp(HIP_JOINT_SPAN * hipWidth, HIP_SPAN_RANGE[0] * span, HIP_SPAN_RANGE[1] * span);
  const [rightHip, leftHip] = pair(hipY, hipSpan / 2);
  return { rightShoulder, leftShoulder, rightHip, leftHip };
}

interface Grid {
  on: Uint8Array;
  w: number;
  h: number;
  /** Mask pixels per cell side. */
  cell: number;
}

/** Majority vote per cell: specks smaller than half a cell disappear. */
function downsample({ mask, width, height }: BinaryMask): Grid {
  const cell = Math.max(1, Math.ceil(Math.max(width, height) / GRID));
  const w = Math.ceil(width / cell);
  const h = Math.ceil(height / cell);
  const count = new Uint32Array(w * h);
  for (let y = 0; y < height; y++) {
    const row = ((y / cell) | 0) * w;
    for (let x = 0; x < width; x++) if (mask[y * width + x]! > 0) count[row + ((x / cell) | 0)]!++;
  }
  const on = new Uint8Array(w * h);
  for (let gy = 0; gy < h; gy++) {
    const ch = Math.min(cell, height - gy * cell);
    for (let gx = 0; gx < w; gx++) {
      const area = ch * Math.min(cell, width - gx * cell);
      if (count[gy * w + gx]! * 2 >= area) on[gy * w + gx] = 1;
    }
  }
  return { on, w, h, cell };
}

interface Component {
  label: Int32Array;
  id: number;
  area: number;
  top: number;
  bottom: number;
}

/** The largest 4-connected blob: the garment, not the stray pixels around it. */
function largestComponent(g: Grid): Component | null {
  const label = new Int32Array(g.w * g.h);
  const queue = new Int32Array(g.w * g.h);
  let best: Component | null = null;
  let next = 0;
  for (let start = 0; start < label.length; start++) {
    if (!g.on[start] || label[start]) continue;
    const id = ++next;
    let head = 0;
    let tail = 0;
    let top = g.h;
    let bottom = -1;
    queue[tail++] = start;
    label[start] = id;
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % g.w;
      const y = (i / g.w) | 0;
      if (y < top) top = y;
      if (y > bottom) bottom = y;
      const visit = (j: number) => {
        if (g.on[j] && !label[j]) {
          label[j] = id;
          queue[tail++] = j;
        }
      };
      if (x > 0) visit(i - 1);
      if (x < g.w - 1) visit(i + 1);
      if (y > 0) visit(i - g.w);
      if (y < g.h - 1) visit(i + g.w);
    }
    if (!best || tail > best.area) best = { label, id, area: tail, top, bottom };
  }
  return best;
}

interface Row {
  left: number;
  right: number;
  count: number;
  /** Centroid x (cell units, continuous). */
  centroid: number;
}

function rowProfile(g: Grid, c: Component): Row[] {
  const rows: Row[] = [];
  for (let y = c.top; y <= c.bottom; y++) {
    let left = -1;
    let right = -1;
    let count = 0;
    let sum = 0;
    for (let x = 0; x < g.w; x++) {
      if (c.label[y * g.w + x] !== c.id) continue;
      if (left < 0) left = x;
      right = x;
      count++;
      sum += x + 0.5;
    }
    rows.push({ left, right, count, centroid: count ? sum / count : 0 });
  }
  return rows;
}

interface Axis {
  /** Axis x at a given y (cell units). */
  at: (y: number) => number;
  /** Unit normal pointing image right. */
  n: Point;
}

/** Body axis: weighted line through row centroids of the upper body, ignoring rows cut by the photo's side edges. */
function fitAxis(rows: Row[], c: Component, gridW: number): Axis {
  const gridRight = gridW - 1;
  const upper = Math.ceil(rows.length * 0.6);
  const pick = (strict: boolean) =>
    rows
      .map((r, i) => ({ r, y: c.top + i + 0.5 }))
      .filter(({ r }, i) => r.count > 0 && i < upper && (!strict || (r.left > 0 && r.right < gridRight)));
  let sample = pick(true);
  if (sample.length < 3) sample = pick(false);
  let sw = 0;
  let sy = 0;
  let sx = 0;
  for (const { r, y } of sample) {
    sw += r.count;
    sy += r.count * y;
    sx += r.count * r.centroid;
  }
  const my = sy / sw;
  const mx = sx / sw;
  let syy = 0;
  let sxy = 0;
  for (const { r, y } of sample) {
    syy += r.count * (y - my) ** 2;
    sxy += r.count * (y - my) * (r.centroid - mx);
  }
  const slope = syy > 0 ? clamp(sxy / syy, -MAX_AXIS_SLOPE, MAX_AXIS_SLOPE) : 0;
  const len = Math.hypot(1, slope);
  return { at: (y) => mx + slope * (y - my), n: { x: 1 / len, y: -slope / len } };
}

/**
 * Row widths (cell units), 3-row median. `outer` spans the row's extremes (the shoulder line with
 * its sleeve caps); `central` spans only the run through the axis, so arms hanging beside the body
 * do not widen the waist and hips. A side cut by the photo edge is mirrored from the free side.
 */
function rowWidths(g: Grid, c: Component, rows: Row[], axis: Axis): { outer: number[]; central: number[] } {
  const outer: number[] = [];
  const central: number[] = [];
  rows.forEach((r, i) => {
    if (r.count === 0) {
      outer.push(0);
      central.push(0);
      return;
    }
    const y = c.top + i;
    const centre = axis.at(y + 0.5);
    const inComp = (x: number) => x >= 0 && x < g.w && c.label[y * g.w + x] === c.id;
    let left = Math.min(g.w - 1, Math.max(0, Math.floor(centre)));
    let right = left;
    if (inComp(left)) {
      while (inComp(left - 1)) left--;
      while (inComp(right + 1)) right++;
    } else {
      // Nothing on the axis (between the legs): fall back to the whole row.
      left = r.left;
      right = r.right;
    }
    outer.push(mirroredWidth(r.left, r.right, centre, g.w));
    central.push(mirroredWidth(left, right, centre, g.w));
  });
  return { outer: median3(outer), central: median3(central) };
}

function mirroredWidth(left: number, right: number, centre: number, gridW: number): number {
  const cutLeft = left === 0;
  const cutRight = right === gridW - 1;
  const width = right + 1 - left;
  if (cutLeft && !cutRight) return Math.max(width, 2 * (right + 1 - centre));
  if (cutRight && !cutLeft) return Math.max(width, 2 * (centre - left));
  return width;
}

function median3(v: number[]): number[] {
  return v.map((_, i) => {
    const a = v[Math.max(0, i - 1)]!;
    const b = v[i]!;
    const c = v[Math.min(v.length - 1, i + 1)]!;
    return a + b + c - Math.max(a, b, c) - Math.min(a, b, c);
  });
}

/**
 * The widest top line: below the neck (narrower than half the widest row of the top 30 %), the
 * first row where the outline stops widening at shoulder-slope speed. Falls back to the first row
 * reaching 80 % of that width.
 */
function findShoulderRow(widths: number[], top: number, rowsTall: number): number {
  const band = Math.max(3, Math.round(0.3 * rowsTall));
  let ref = 0;
  for (let i = 0; i < Math.min(band, widths.length); i++) ref = Math.max(ref, widths[i]!);
  if (ref <= 0) return -1;
  const k = Math.max(2, Math.round(rowsTall / 60));
  const limit = Math.min(widths.length - 1, Math.round(0.5 * rowsTall));
  let i = 0;
  while (i < limit && widths[i]! < 0.5 * ref) i++;
  for (; i < limit; i++) {
    const growth = (widths[Math.min(widths.length - 1, i + k)]! - widths[i]!) / (2 * k);
    if (growth < SHOULDER_SLOPE_END && widths[i]! >= 0.6 * ref) return top + i;
  }
  i = widths.findIndex((w) => w >= 0.8 * ref);
  return i < 0 ? -1 : top + i;
}

/** The widest line between the waist and a bit below the expected hip level; null when the mask ends too early. */
function findHipY(widths: number[], c: Component, shoulderY: number, torso: number): number | null {
  const rowOf = (y: number) => Math.floor(y) - c.top;
  const last = widths.length - 2; // the hem row is ragged
  const waistFrom = Math.max(0, rowOf(shoulderY + 0.45 * torso));
  const waistTo = Math.min(last, rowOf(shoulderY + 0.85 * torso));
  if (waistTo < waistFrom) return null;
  let waist = waistFrom;
  for (let i = waistFrom; i <= waistTo; i++) if (widths[i]! < widths[waist]!) waist = i;
  const hipFrom = Math.max(waist + 1, rowOf(shoulderY + 0.8 * torso));
  const hipTo = Math.min(last, rowOf(shoulderY + 1.35 * torso));
  if (hipTo - hipFrom < 1) return null;
  let hip = hipFrom;
  for (let i = hipFrom; i <= hipTo; i++) if (widths[i]! > widths[hip]!) hip = i;
  const expected = clamp(rowOf(shoulderY + torso), hipFrom, hipTo);
  const flaring = hip >= hipTo - 0.15 * (hipTo - hipFrom);
  const noBulge = widths[hip]! < 1.03 * widths[waist]!;
  return c.top + (flaring || noBulge ? expected : hip) + 0.5;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
