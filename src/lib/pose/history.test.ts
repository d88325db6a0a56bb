import { describe, expect, it } from 'vitest';
import { EMPTY_HISTORY, canRedo, canUndo, recordChange, redo, undo, type PoseHistory } from './history.ts';
import { placePreset } from './presets.ts';
import type { Pose } from './types.ts';

const W = 768;
const H = 1024;
/** A pose told apart by its nose x. */
const poseAt = (x: number): Pose => {
  const p = placePreset('front', W, H);
  p.keypoints[0] = { ...p.keypoints[0]!, x };
  return p;
};
const nose = (p: Pose) => p.keypoints[0]!.x;

describe('pose history', () => {
  it('starts with nothing to undo or redo', () => {
    expect(canUndo(EMPTY_HISTORY)).toBe(false);
    expect(canRedo(EMPTY_HISTORY)).toBe(false);
    expect(undo(EMPTY_HISTORY, poseAt(1))).toBeNull();
    expect(redo(EMPTY_HISTORY, poseAt(1))).toBeNull();
  });

  it('undoes changes newest first and redoes them in order', () => {
    // 10 → 20 → 30, each change recorded with the pose it replaced.
    let h: PoseHistory = recordChange(EMPTY_HISTORY, poseAt(10));
    h = recordChange(h, poseAt(20));
    let current = poseAt(30);

    const back1 = undo(h, current)!;
    expect(nose(back1.pose)).toBe(20);
    const back2 = undo(back1.history, back1.pose)!;
    expect(nose(back2.pose)).toBe(10);
    expect(canUndo(back2.history)).toBe(false);
    expect(canRedo(back2.history)).toBe(true);

    const fwd1 = redo(back2.history, back2.pose)!;
    expect(nose(fwd1.pose)).toBe(20);
    const fwd2 = redo(fwd1.history, fwd1.pose)!;
    expect(nose(fwd2.pose)).toBe(30);
    expect(canRedo(fwd2.history)).toBe(false);
    current = fwd2.pose;
    expect(nose(undo(fwd2.history, current)!.pose)).toBe(20);
  });

  it('a new change after an undo drops what could be redone', () => {
    const h = recordChange(EMPTY_HISTORY, poseAt(10));
    const back = undo(h, poseAt(20))!;
    expect(canRedo(back.history)).toBe(true);
    const changed = recordChange(back.history, back.pose);
    expect(canRedo(changed)).toBe(false);
    expect(changed.past.map(nose)).toEqual([10]);
  });

  it('keeps at most the limit, dropping the oldest', () => {
    let h = EMPTY_HISTORY;
    for (let i = 0; i < 5; i++) h = recordChange(h, poseAt(i), 3);
    expect(h.past.map(nose)).toEqual([2, 3, 4]);
  });

  it('keeps copies: later changes to a recorded pose do not reach the history', () => {
    const before = poseAt(10);
    const h = recordChange(EMPTY_HISTORY, before);
    before.keypoints[0]!.x = 99;
    const current = poseAt(20);
    const back = undo(h, current)!;
    expect(nose(back.pose)).toBe(10);
    current.keypoints[0]!.x = 77;
    expect(nose(redo(back.history, back.pose)!.pose)).toBe(20);
  });

  it('never changes the history it is given', () => {
    const h = recordChange(EMPTY_HISTORY, poseAt(10));
    const copy = structuredClone(h);
    undo(h, poseAt(20));
    recordChange(h, poseAt(30));
    expect(h).toEqual(copy);
  });
});
