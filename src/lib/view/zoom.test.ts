import { describe, expect, it } from 'vitest';
import { clampView, FIT, MAX_SCALE, panBy, pinch, zoomAt } from './zoom.ts';

const frame = { width: 400, height: 600 };
/** Where a photo point (frame pixels at scale 1) is drawn. */
const drawn = (v: { scale: number; x: number; y: number }, p: { x: number; y: number }) => ({
  x: v.x + p.x * v.scale,
  y: v.y + p.y * v.scale,
});

describe('zoom and pan', () => {
  it('zooming keeps the point under the pointer in place', () => {
    const v = zoomAt(FIT, 2, { x: 100, y: 150 }, frame);
    expect(v.scale).toBe(2);
    expect(drawn(v, { x: 100, y: 150 })).toEqual({ x: 100, y: 150 });
    const w = zoomAt(v, 1.5, { x: 300, y: 500 }, frame);
    const photoPoint = { x: (300 - v.x) / v.scale, y: (500 - v.y) / v.scale };
    const after = drawn(w, photoPoint);
    expect(after.x).toBeCloseTo(300);
    expect(after.y).toBeCloseTo(500);
  });

  it('never shows an empty margin, never zooms out past fit nor in past the limit', () => {
    expect(zoomAt(FIT, 0.5, { x: 10, y: 10 }, frame)).toEqual(FIT);
    expect(zoomAt(FIT, 100, { x: 0, y: 0 }, frame).scale).toBe(MAX_SCALE);
    const v = zoomAt(FIT, 2, { x: 0, y: 0 }, frame);
    expect(panBy(v, 50, 50, frame)).toEqual({ scale: 2, x: 0, y: 0 });
    expect(panBy(v, -10_000, -10_000, frame)).toEqual({ scale: 2, x: -400, y: -600 });
    expect(clampView({ scale: 0.2, x: 5, y: 5 }, frame)).toEqual(FIT);
  });

  it('two fingers apart zoom around their midpoint; moved together they pan', () => {
    const from: [{ x: number; y: number }, { x: number; y: number }] = [
      { x: 150, y: 300 },
      { x: 250, y: 300 },
    ];
    const spread = pinch(
      FIT,
      from,
      [
        { x: 100, y: 300 },
        { x: 300, y: 300 },
      ],
      frame,
    );
    expect(spread.scale).toBeCloseTo(2);
    expect(drawn(spread, { x: 200, y: 300 })).toEqual({ x: 200, y: 300 });
    const moved = pinch(
      spread,
      from,
      [
        { x: 130, y: 280 },
        { x: 230, y: 280 },
      ],
      frame,
    );
    expect(moved.scale).toBeCloseTo(2);
    expect(moved.x - spread.x).toBeCloseTo(-20);
    expect(moved.y - spread.y).toBeCloseTo(-20);
  });
});
