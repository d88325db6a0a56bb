// A result full screen: fitted to the screen, or at 100 % (every pixel of the garment) panned by dragging; the next
// and previous results by arrow keys, buttons or a swipe; Esc or ✕ closes and gives the focus back.
import { createEffect, createSignal, on, onCleanup, onMount, Show } from 'solid-js';

export interface LightboxItem {
  url: string;
  width: number;
  height: number;
}

export interface LightboxLabels {
  dialog: string;
  close: string;
  previous: string;
  next: string;
  zoomIn: string;
  zoomOut: string;
  download: string;
  position: (n: number, total: number) => string;
}

const SWIPE_PX = 50;

export default function Lightbox(props: {
  items: LightboxItem[];
  index: number;
  labels: LightboxLabels;
  onIndex: (index: number) => void;
  onClose: () => void;
}) {
  const [actual, setActual] = createSignal(false);
  let dialog!: HTMLDivElement;
  let viewport!: HTMLDivElement;
  const opener = document.activeElement as HTMLElement | null;
  const item = () => props.items[props.index]!;
  const go = (delta: number) => {
    const n = props.items.length;
    props.onIndex((props.index + delta + n) % n);
  };
  // Another result starts fitted.
  createEffect(
    on(
      () => props.index,
      () => setActual(false),
      { defer: true },
    ),
  );

  /** 100 % keeps the point under the pointer (or the centre) where it was. */
  function zoom(to: boolean, at?: { clientX: number; clientY: number }) {
    const r = viewport.getBoundingClientRect();
    const fx = at ? (at.clientX - r.left) / r.width : 0.5;
    const fy = at ? (at.clientY - r.top) / r.height : 0.5;
    setActual(to);
    if (to) {
      requestAnimationFrame(() => {
        viewport.scrollLeft = fx * item().width - r.width / 2;
        viewport.scrollTop = fy * item().height - r.height / 2;
      });
    }
  }

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') props.onClose();
    else if (e.key === 'ArrowRight') go(1);
    else if (e.key === 'ArrowLeft') go(-1);
    else if (e.key === '+' || e.key === '=') zoom(true);
    else if (e.key === '-' || e.key === '0') zoom(false);
    else return;
    e.preventDefault();
  };
  onMount(() => {
    dialog.focus();
    document.body.style.overflow = 'hidden';
  });
  onCleanup(() => {
    document.body.style.overflow = '';
    opener?.focus();
  });

  // Fitted: a horizontal swipe changes result. At 100 %: dragging pans.
  let drag: { x: number; y: number; left: number; top: number; moved: boolean } | null = null;
  const down = (e: PointerEvent) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop, moved: false };
    viewport.setPointerCapture(e.pointerId);
  };
  const move = (e: PointerEvent) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (Math.hypot(dx, dy) > 6) drag.moved = true;
    if (actual()) {
      viewport.scrollLeft = drag.left - dx;
      viewport.scrollTop = drag.top - dy;
    }
  };
  const up = (e: PointerEvent) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const moved = drag.moved;
    drag = null;
    if (!actual() && moved && Math.abs(dx) > SWIPE_PX) go(dx < 0 ? 1 : -1);
    else if (!moved) zoom(!actual(), e);
  };

  const Control = (p: { label: string; testid: string; onClick: () => void; children: string }) => (
    <button
      type="button"
      class="btn min-w-11 border-white/30 bg-black/60 text-white hover:bg-black/80"
      aria-label={p.label}
      title={p.label}
      data-testid={p.testid}
      onClick={p.onClick}
    >
      {p.children}
    </button>
  );

  return (
    <div
      ref={dialog}
      role="dialog"
      aria-modal="true"
      aria-label={props.labels.dialog}
      tabindex="-1"
      class="fixed inset-0 z-50 flex flex-col bg-black outline-none"
      data-testid="lightbox"
      data-zoom={actual() ? 'actual' : 'fit'}
      data-index={props.index}
      onKeyDown={onKey}
    >
      <div class="flex items-center gap-2 p-2 text-sm text-white">
        <span class="mr-auto tabular-nums" aria-live="polite">
          {props.labels.position(props.index + 1, props.items.length)}
        </span>
        {/* Named by its text (axe: the accessible name holds the visible label); pressed at 100 %. */}
        <button
          type="button"
          class="btn border-white/30 bg-black/60 text-white hover:bg-black/80"
          title={actual() ? props.labels.zoomOut : props.labels.zoomIn}
          aria-pressed={actual()}
          data-testid="lightbox-zoom"
          onClick={() => zoom(!actual())}
        >
          100 %
        </button>
        <a
          class="btn border-white/30 bg-black/60 text-white hover:bg-black/80"
          href={`${item().url}?download=1`}
          download=""
          aria-label={props.labels.download}
          title={props.labels.download}
        >
          ⤓
        </a>
        <Control label={props.labels.close} testid="lightbox-close" onClick={() => props.onClose()}>
          ✕
        </Control>
      </div>
      <div
        ref={viewport}
        class="relative min-h-0 flex-1 touch-none select-none"
        classList={{ 'overflow-auto cursor-grab': actual(), 'overflow-hidden cursor-zoom-in': !actual() }}
        onPointerDown={down}
        onPointerMove={move}
        onPointerUp={up}
        onPointerCancel={() => {
          drag = null;
        }}
        data-testid="lightbox-viewport"
      >
        <img
          src={item().url}
          alt=""
          draggable={false}
          data-testid="lightbox-image"
          class={actual() ? 'max-w-none' : 'absolute inset-0 h-full w-full object-contain'}
          width={actual() ? item().width : undefined}
          height={actual() ? item().height : undefined}
        />
      </div>
      <Show when={props.items.length > 1}>
        <div class="pointer-events-none absolute inset-x-2 top-1/2 flex -translate-y-1/2 justify-between">
          <span class="pointer-events-auto">
            <Control label={props.labels.previous} testid="lightbox-prev" onClick={() => go(-1)}>
              ‹
            </Control>
          </span>
          <span class="pointer-events-auto">
            <Control label={props.labels.next} testid="lightbox-next" onClick={() => go(1)}>
              ›
            </Control>
          </span>
        </div>
      </Show>
    </div>
  );
}
