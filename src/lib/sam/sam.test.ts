import { describe, expect, it } from 'vitest';
import { displayToPhoto, fitInside, samInputSize, toSamFrame } from './coords.ts';
import { MOBILE_SAM } from './families/mobile-sam.ts';
import { buildDecoderFeeds } from './feeds.ts';
import {
  area,
  invert,
  iou,
  maskFromLogits,
  resampleNearest,
  strokeInto,
  subtract,
  union,
  maskToRgba,
  maskFromRgba,
  renderOverlay,
} from './mask.ts';
import { decodeEmbeddingNpy, encodeEmbeddingNpy } from './npy.ts';
import { Selection, type Piece } from './selection.ts';

// The figures below are MobileSAM's (its frame is 1024 long side, its embedding 1×256×64×64).
const M = MOBILE_SAM;
const EMB = new Float32Array(256 * 64 * 64).map((_, i) => Math.sin(i) * 3);

describe('coordinate scaling', () => {
  it('resizes the longer side to 1024 like SAM', () => {
    expect(samInputSize(768, 1024, M)).toEqual({ width: 768, height: 1024 });
    expect(samInputSize(4000, 3000, M)).toEqual({ width: 1024, height: 768 });
    expect(samInputSize(1001, 333, M)).toEqual({ width: 1024, height: 341 });
  });
  it('maps photo pixels into the 1024 frame', () => {
    expect(toSamFrame(2000, 1500, { width: 4000, height: 3000 }, M)).toEqual([512, 384]);
    expect(toSamFrame(0, 0, { width: 4000, height: 3000 }, M)).toEqual([0, 0]);
  });
  it('maps display coordinates to photo pixels, clamped', () => {
    expect(displayToPhoto(50, 100, { width: 100, height: 200 }, { width: 1000, height: 2000 })).toEqual([500, 1000]);
    expect(displayToPhoto(-5, 300, { width: 100, height: 200 }, { width: 1000, height: 2000 })).toEqual([0, 1999]);
  });
  it('fits inside a box without enlarging', () => {
    expect(fitInside({ width: 4000, height: 3000 }, 2048)).toEqual({ width: 2048, height: 1536 });
    expect(fitInside({ width: 400, height: 300 }, 2048)).toEqual({ width: 400, height: 300 });
  });
});

describe('decoder feeds', () => {
  const photo = { width: 2000, height: 1000 };
  it('adds a padding point when there is no box', () => {
    const f = buildDecoderFeeds(EMB, { points: [{ x: 1000, y: 500, label: 1 }] }, photo, photo, M);
    expect(f.point_coords.dims).toEqual([1, 2, 2]);
    expect(Array.from(f.point_coords.data)).toEqual([512, 256, 0, 0]);
    expect(Array.from(f.point_labels.data)).toEqual([1, -1]);
    expect(f.has_mask_input.data[0]).toBe(0);
    expect(Array.from(f.orig_im_size.data)).toEqual([1000, 2000]);
    expect(f.image_embeddings.dims).toEqual([1, 256, 64, 64]);
  });
  it('encodes a box as corners 2 and 3 (normalised order) and no padding point', () => {
    const box = { x0: 1000, y0: 800, x1: 200, y1: 100 };
    const f = buildDecoderFeeds(EMB, { points: [{ x: 10, y: 10, label: 0 }], box }, photo, photo, M);
    expect(Array.from(f.point_labels.data)).toEqual([0, 2, 3]);
    expect(Array.from(f.point_coords.data).map((v) => +v.toFixed(2))).toEqual([5.12, 5.12, 102.4, 51.2, 512, 409.6]);
  });
  it('passes mask_input for refinement', () => {
    const low = new Float32Array(256 * 256).fill(2);
    const f = buildDecoderFeeds(EMB, { points: [{ x: 1, y: 1, label: 1 }], maskInput: low }, photo, photo, M);
    expect(f.has_mask_input.data[0]).toBe(1);
    expect(f.mask_input.data).toBe(low);
  });
  it('refuses an empty prompt and a wrong embedding', () => {
    expect(() => buildDecoderFeeds(EMB, { points: [] }, photo, photo, M)).toThrow();
    expect(() => buildDecoderFeeds(new Float32Array(10), { points: [{ x: 1, y: 1, label: 1 }] }, photo, photo, M)).toThrow();
  });
});

describe('mask ops', () => {
  const a = Uint8Array.of(1, 1, 0, 0);
  const b = Uint8Array.of(0, 1, 1, 0);
  it('union, subtract, invert, area, iou', () => {
    expect(Array.from(union(a, b))).toEqual([1, 1, 1, 0]);
    expect(Array.from(subtract(a, b))).toEqual([1, 0, 0, 0]);
    expect(Array.from(invert(a))).toEqual([0, 0, 1, 1]);
    expect(area(a)).toBe(2);
    expect(iou(a, b)).toBeCloseTo(1 / 3);
  });
  it('thresholds logits at 0 for the chosen candidate', () => {
    const logits = Float32Array.of(-1, 0.5, 0, 3, /* candidate 1 */ 1, 1, -1, -1);
    expect(Array.from(maskFromLogits(logits, 4))).toEqual([0, 1, 0, 1]);
    expect(Array.from(maskFromLogits(logits, 4, 1))).toEqual([1, 1, 0, 0]);
  });
  it('strokes a round brush and erases', () => {
    const m = new Uint8Array(100 * 100);
    strokeInto(
      m,
      100,
      100,
      [
        { x: 20, y: 50 },
        { x: 80, y: 50 },
      ],
      5,
      1,
    );
    const painted = area(m);
    // a 60 px long band of width 10 plus round caps ≈ 60*10 + π*25
    expect(painted).toBeGreaterThan(600);
    expect(painted).toBeLessThan(600 + Math.PI * 25 + 60);
    expect(m[50 * 100 + 50]).toBe(1);
    expect(m[40 * 100 + 50]).toBe(0);
    strokeInto(m, 100, 100, [{ x: 50, y: 50 }], 5, 0);
    expect(m[50 * 100 + 50]).toBe(0);
    strokeInto(
      m,
      100,
      100,
      [
        { x: -10, y: -10 },
        { x: 3, y: 3 },
      ],
      4,
      1,
    ); // clipped at the edges
    expect(m[0]).toBe(1);
  });
  it('resamples and round-trips RGBA', () => {
    const m = Uint8Array.of(1, 0, 0, 1);
    expect(Array.from(resampleNearest(m, 2, 2, 4, 4))).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    expect(Array.from(maskFromRgba(maskToRgba(m), 4))).toEqual([1, 0, 0, 1]);
  });
  it('renders an outlined overlay', () => {
    const w = 5;
    const m = new Uint8Array(25);
    for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) m[y * w + x] = 1;
    const out = new Uint8ClampedArray(25 * 4);
    renderOverlay(m, 5, 5, out, [0, 0, 255, 100], [255, 255, 0, 255]);
    expect(Array.from(out.slice(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(out.slice((2 * w + 2) * 4, (2 * w + 2) * 4 + 4))).toEqual([0, 0, 255, 100]);
    expect(Array.from(out.slice((1 * w + 1) * 4, (1 * w + 1) * 4 + 4))).toEqual([255, 255, 0, 255]);
  });
});

describe('.npy embeddings', () => {
  it('round-trips float32 exactly', () => {
    const r = decodeEmbeddingNpy(encodeEmbeddingNpy(EMB, 'float32', M), M);
    expect(r.dtype).toBe('float32');
    expect(r.shape).toEqual([1, 256, 64, 64]);
    expect(r.values).toEqual(EMB);
  });
  it('round-trips float16 within half precision and halves the bytes', () => {
    const f16 = encodeEmbeddingNpy(EMB, 'float16', M);
    const f32 = encodeEmbeddingNpy(EMB, 'float32', M);
    expect(f16.byteLength).toBeLessThan(f32.byteLength / 2 + 200);
    const r = decodeEmbeddingNpy(f16, M);
    expect(r.dtype).toBe('float16');
    let maxErr = 0;
    for (let i = 0; i < EMB.length; i++) maxErr = Math.max(maxErr, Math.abs(r.values[i] - EMB[i]));
    expect(maxErr).toBeLessThan(3 * 2 ** -10);
  });
  it('rejects other shapes', async () => {
    const { dump } = await import('npyjs');
    expect(() => decodeEmbeddingNpy(dump(new Float32Array(8), [2, 4]), M)).toThrow(/shape/);
  });
});

describe('selection history', () => {
  const W = 4;
  const H = 1;
  const piece = (bits: number[], mode: 'add' | 'remove' = 'add'): Piece => ({
    mode,
    points: [{ x: 0, y: 0, label: 1 }],
    box: null,
    candidate: 0,
    scores: [1],
    mask: Uint8Array.from(bits),
    lowRes: null,
  });
  it('adds pieces, removes, inverts, strokes, undoes and redoes', () => {
    const s = new Selection(W, H);
    expect(area(s.mask())).toBe(0);
    s.apply({ kind: 'piece', piece: piece([1, 1, 0, 0]) });
    s.apply({ kind: 'piece', piece: piece([0, 0, 0, 1]) });
    expect(Array.from(s.mask())).toEqual([1, 1, 0, 1]);
    s.apply({ kind: 'piece', piece: piece([0, 1, 0, 0], 'remove') });
    expect(Array.from(s.mask())).toEqual([1, 0, 0, 1]);
    s.apply({ kind: 'invert' });
    expect(Array.from(s.mask())).toEqual([0, 1, 1, 0]);
    s.apply({ kind: 'stroke', stroke: { mode: 'erase', radius: 0.6, points: [{ x: 1.5, y: 0.5 }] } });
    expect(Array.from(s.mask())).toEqual([0, 0, 1, 0]);
    s.undo();
    s.undo();
    expect(Array.from(s.mask())).toEqual([1, 0, 0, 1]);
    s.redo();
    expect(Array.from(s.mask())).toEqual([0, 1, 1, 0]);
    // a new step drops the redo branch
    s.apply({ kind: 'clear' });
    expect(s.canRedo).toBe(false);
    expect(area(s.mask())).toBe(0);
  });
  it('amends the last piece as an undoable step', () => {
    const s = new Selection(W, H);
    s.apply({ kind: 'piece', piece: piece([1, 1, 1, 0]) });
    s.amendLastPiece(piece([1, 0, 0, 0]));
    expect(Array.from(s.mask())).toEqual([1, 0, 0, 0]);
    s.undo();
    expect(Array.from(s.mask())).toEqual([1, 1, 1, 0]);
    s.undo();
    expect(s.canUndo).toBe(false);
    expect(area(s.mask())).toBe(0);
  });
  it('starts from a saved mask that undo does not remove', () => {
    const s = new Selection(W, H, Uint8Array.of(0, 0, 1, 1));
    expect(s.canUndo).toBe(false);
    s.apply({ kind: 'piece', piece: piece([1, 0, 0, 0]) });
    expect(Array.from(s.mask())).toEqual([1, 0, 1, 1]);
    s.undo();
    expect(Array.from(s.mask())).toEqual([0, 0, 1, 1]);
  });
});

describe('logits to full-resolution masks', () => {
  it('thresholds at the same size and reports the bounding box', async () => {
    const { logitsToMask } = await import('./mask.ts');
    const logits = new Float32Array(5 * 4).fill(-1);
    logits[1 * 5 + 2] = 2;
    logits[2 * 5 + 3] = 1;
    const r = logitsToMask(logits, 5, 4, 5, 4);
    expect(r.bbox).toEqual({ x0: 2, y0: 1, x1: 4, y1: 3 });
    expect(Array.from(r.mask).reduce((a, b) => a + b, 0)).toBe(2);
    expect(logitsToMask(new Float32Array(20).fill(-3), 5, 4, 5, 4).bbox).toBeNull();
  });
  it('upscales bilinearly like a full pass would, visiting only the region near positives', async () => {
    const { logitsToMask } = await import('./mask.ts');
    const sw = 32;
    const sh = 24;
    const src = new Float32Array(sw * sh);
    for (let y = 0; y < sh; y++) for (let x = 0; x < sw; x++) src[y * sw + x] = 3 - Math.hypot(x - 10, y - 8);
    const dw = 301;
    const dh = 229;
    const { mask, bbox } = logitsToMask(src, sw, sh, dw, dh);
    // reference: evaluate every destination pixel
    const ref = new Uint8Array(dw * dh);
    for (let y = 0; y < dh; y++) {
      const fy = Math.max(0, ((y + 0.5) * sh) / dh - 0.5);
      const y0 = Math.min(sh - 1, Math.floor(fy));
      const y1 = Math.min(sh - 1, y0 + 1);
      for (let x = 0; x < dw; x++) {
        const fx = Math.max(0, ((x + 0.5) * sw) / dw - 0.5);
        const x0 = Math.min(sw - 1, Math.floor(fx));
        const x1 = Math.min(sw - 1, x0 + 1);
        const top = src[y0 * sw + x0] + (src[y0 * sw + x1] - src[y0 * sw + x0]) * (fx - x0);
        const bot = src[y1 * sw + x0] + (src[y1 * sw + x1] - src[y1 * sw + x0]) * (fx - x0);
        ref[y * dw + x] = top + (bot - top) * (fy - y0) > 0 ? 1 : 0;
      }
    }
    expect(Array.from(mask)).toEqual(Array.from(ref));
    expect(bbox!.x0).toBeGreaterThan(50);
    expect(bbox!.x1).toBeLessThan(150);
  });
  it('keeps the selection area exact through pieces with boxes, strokes and invert', () => {
    const W = 50;
    const H = 40;
    const s = new Selection(W, H);
    const m = new Uint8Array(W * H);
    for (let y = 5; y < 15; y++) m.fill(1, y * W + 5, y * W + 25);
    s.apply({
      kind: 'piece',
      piece: {
        mode: 'add',
        points: [],
        box: null,
        candidate: 0,
        scores: [1],
        mask: m,
        bbox: { x0: 5, y0: 5, x1: 25, y1: 15 },
        lowRes: null,
      },
    });
    expect(s.area()).toBe(area(s.mask()));
    s.apply({
      kind: 'stroke',
      stroke: {
        mode: 'paint',
        radius: 4,
        points: [
          { x: 20, y: 20 },
          { x: 45, y: 35 },
        ],
      },
    });
    expect(s.area()).toBe(area(s.mask()));
    s.apply({ kind: 'invert' });
    expect(s.area()).toBe(area(s.mask()));
    s.apply({
      kind: 'piece',
      piece: {
        mode: 'remove',
        points: [],
        box: null,
        candidate: 0,
        scores: [1],
        mask: m,
        bbox: { x0: 5, y0: 5, x1: 25, y1: 15 },
        lowRes: null,
      },
    });
    expect(s.area()).toBe(area(s.mask()));
    s.undo();
    expect(s.area()).toBe(area(s.mask()));
  });
});
