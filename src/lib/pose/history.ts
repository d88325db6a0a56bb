// Undo/redo of the pose editor, as a value: whole poses (18 joints each) before each change, the most
// recent last. Every operation returns a new history, so a signal holding it updates the view.
import type { Pose } from './types.ts';

export interface PoseHistory {
  /** Poses to go back to, oldest first. */
  readonly past: readonly Pose[];
  /** Poses undone, to redo, most recently undone last. */
  readonly future: readonly Pose[];
}

/** Steps kept; the oldest are dropped beyond it. */
export const UNDO_LIMIT = 100;

export const EMPTY_HISTORY: PoseHistory = { past: [], future: [] };

export const clonePose = (p: Pose): Pose => ({ ...p, keypoints: p.keypoints.map((k) => ({ ...k })) });

export const canUndo = (h: PoseHistory) => h.past.length > 0;
export const canRedo = (h: PoseHistory) => h.future.length > 0;

/** A change replaced `before`: it can be undone; what was undone can no longer be redone. */
export function recordChange(h: PoseHistory, before: Pose, limit = UNDO_LIMIT): PoseHistory {
  return { past: [...h.past.slice(-(limit - 1)), clonePose(before)], future: [] };
}

/** Goes back one step from `current`: the pose to show and the history after it, or null at the start. */
export function undo(h: PoseHistory, current: Pose): { pose: Pose; history: PoseHistory } | null {
  const pose = h.past.at(-1);
  if (!pose) return null;
  return { pose, history: { past: h.past.slice(0, -1), future: [...h.future, clonePose(current)] } };
}

/** Goes forward one undone step from `current`, or null when nothing was undone. */
export function redo(h: PoseHistory, current: Pose): { pose: Pose; history: PoseHistory } | null {
  const pose = h.future.at(-1);
  if (!pose) return null;
  return { pose, history: { past: [...h.past, clonePose(current)], future: h.future.slice(0, -1) } };
}
