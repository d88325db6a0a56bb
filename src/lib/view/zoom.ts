// Zoom and pan of the photo in an editor: a scale and an offset applied to the photo inside its frame (CSS
// transform: translate(x, y) scale(s), origin top-left). Pure; sizes and points are in the frame's CSS pixels.

export interface View {
  scale: number;
  x: number;
  y: number;
}

export const FIT: View = { scale: 1, x: 0, y: 0 };
export const MAX_SCALE = 8;

/** Keeps the photo covering the frame: no empty margin inside it, the scale within 1..MAX_SCALE. */
export function clampView(v: View, frame: { width: number; height: number }): View {
  const scale = Math.min(MAX_SCALE, Math.max(1, v.scale));
  const minX = frame.width - frame.width * scale;
  const minY = frame.height - frame.height * scale;
  return { scale, x: Math.min(0, Math.max(minX, v.x)), y: Math.min(0, Math.max(minY, v.y)) };
}

/** Zooms by `factor` keeping the photo point under `at` (frame pixels) where it is. */
export function zoomAt(v: View, factor: number, at: { x: number; y: number }, frame: { width: number; height: number }): View {
  const scale = Math.min(MAX_SCALE, Math.max(1, v.scale * factor));
  const k = scale / v.scale;
  return clampView({ scale, x: at.x - (at.x - v.x) * k, y: at.y - (at.y - v.y) * k }, frame);
}

export function panBy(v: View, dx: number, dy: number, frame: { width: number; height: number }): View {
  return clampView({ ...v, x: v.x + dx, y: v.y + dy }, frame);
}

/**
 * A two-finger gesture from its start and current touch points: the scale follows the distance between the fingers,
 * the photo point under their midpoint stays under it (pinch), and moving both fingers pans.
 */
export function pinch(
  start: View,
  from: [{ x: number; y: number }, { x: number; y: number }],
  to: [{ x: number; y: number }, { x: number; y: number }],
  frame: { width: number; height: number },
): View {
  const dist = (p: [{ x: number; y: number }, { x: number; y: number }]) => Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1;
  const mid = (p: [{ x: number; y: number }, { x: number; y: number }]) => ({ x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[1].y) / 2 });
  const a = mid(from);
  const b = mid(to);
  const scale = Math.min(MAX_SCALE, Math.max(1, start.scale * (dist(to) / dist(from))));
  const k = scale / start.scale;
  return clampView({ scale, x: b.x - (a.x - start.x) * k, y: b.y - (a.y - start.y) * k }, frame);
}
