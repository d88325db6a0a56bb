// Zoom and pan gestures on an editor's photo frame (the selection and pose steps): Ctrl/⌘ + wheel (any wheel once
// zoomed in) around the pointer, two fingers pinch and pan while one finger keeps editing, the middle mouse button
// pans. The view itself is pure (src/lib/view/zoom.ts); this turns DOM events into it.
import { createSignal, onCleanup, onMount } from 'solid-js';
import { FIT, panBy, pinch, type View, zoomAt } from '../lib/view/zoom.ts';

type Point = { x: number; y: number };

export interface ZoomGestures {
  view: () => View;
  /** Buttons: a factor (> 1 in, < 1 out), or 0 for the whole photo. */
  zoomBy(factor: number): void;
  /**
   * Feed every pointer event of the frame through this first: true when it belonged to a gesture (two fingers, the
   * middle button), and the editor must then ignore it. `cancelEdit` is called when a second finger turns a one-finger
   * edit into a gesture.
   */
  pointer(e: PointerEvent, phase: 'down' | 'move' | 'up' | 'cancel'): boolean;
  /** CSS transform for the layer holding the photo and what is drawn over it. */
  transform: () => string;
}

export function createZoomGestures(frame: () => HTMLElement, cancelEdit: () => void): ZoomGestures {
  const [view, setView] = createSignal<View>(FIT);
  const size = () => ({ width: frame().clientWidth, height: frame().clientHeight });
  const inFrame = (e: { clientX: number; clientY: number }): Point => {
    const r = frame().getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const touches = new Map<number, Point>();
  let gesture: { start: View; from: [Point, Point] } | null = null;
  let pan: { start: View; at: Point } | null = null;
  const two = () => [...touches.values()].slice(0, 2) as [Point, Point];

  onMount(() => {
    const el = frame();
    const onWheel = (e: WheelEvent) => {
      if (!(e.ctrlKey || e.metaKey || view().scale > 1)) return;
      e.preventDefault();
      setView((v) => zoomAt(v, Math.exp(-e.deltaY * 0.002), inFrame(e), size()));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    onCleanup(() => el.removeEventListener('wheel', onWheel));
  });

  return {
    view,
    transform: () => `translate(${view().x}px, ${view().y}px) scale(${view().scale})`,
    zoomBy(factor) {
      const s = size();
      setView((v) => (factor === 0 ? FIT : zoomAt(v, factor, { x: s.width / 2, y: s.height / 2 }, s)));
    },
    pointer(e, phase) {
      if (e.pointerType === 'touch') {
        if (phase === 'up' || phase === 'cancel') touches.delete(e.pointerId);
        else touches.set(e.pointerId, inFrame(e));
        if (phase === 'down' && touches.size === 2) {
          cancelEdit();
          gesture = { start: view(), from: two() };
          return true;
        }
        if (!gesture) return false;
        if (phase === 'move' && touches.size >= 2) setView(pinch(gesture.start, gesture.from, two(), size()));
        if (touches.size === 0) gesture = null;
        return true;
      }
      if (phase === 'down' && e.button === 1) {
        e.preventDefault();
        pan = { start: view(), at: inFrame(e) };
        (e.target as Element).setPointerCapture(e.pointerId);
        return true;
      }
      if (!pan) return false;
      const at = inFrame(e);
      setView(panBy(pan.start, at.x - pan.at.x, at.y - pan.at.y, size()));
      if (phase === 'up' || phase === 'cancel') pan = null;
      return true;
    },
  };
}

/** The zoom buttons every editor shows in a corner of its photo. */
export const ZOOM_CONTROLS = [
  { id: 'in', label: 'editor.zoomIn', icon: '+', factor: 1.5 },
  { id: 'out', label: 'editor.zoomOut', icon: '−', factor: 1 / 1.5 },
  { id: 'fit', label: 'editor.zoomFit', icon: '⤢', factor: 0 },
] as const;
