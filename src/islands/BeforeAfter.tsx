// Before/after comparison: the result over the original photo, revealed up to a line the merchant drags anywhere on
// the picture (finger or mouse), or moves with the arrow keys on its handle.
import { createSignal } from 'solid-js';

const KEY_STEP = 5;

export default function BeforeAfter(props: {
  before: string;
  after: string;
  width: number;
  height: number;
  label: string;
  beforeLabel: string;
  afterLabel: string;
}) {
  const [split, setSplit] = createSignal(50);
  let box!: HTMLDivElement;
  const clamp = (v: number) => Math.min(100, Math.max(0, v));
  const moveTo = (e: PointerEvent) => {
    const r = box.getBoundingClientRect();
    setSplit(clamp(((e.clientX - r.left) / r.width) * 100));
  };
  return (
    <div
      ref={box}
      class="relative w-full touch-pan-y select-none overflow-hidden rounded-lg bg-stone-200 cursor-ew-resize"
      style={{ 'aspect-ratio': `${props.width} / ${props.height}` }}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        box.setPointerCapture(e.pointerId);
        moveTo(e);
      }}
      onPointerMove={(e) => {
        if (box.hasPointerCapture(e.pointerId)) moveTo(e);
      }}
      data-testid="before-after"
    >
      <img src={props.before} alt={props.beforeLabel} class="absolute inset-0 h-full w-full object-contain" draggable={false} />
      <img
        src={props.after}
        alt={props.afterLabel}
        data-testid="result-image"
        class="absolute inset-0 h-full w-full object-contain"
        style={{ 'clip-path': `inset(0 0 0 ${split()}%)` }}
        draggable={false}
      />
      <div class="pointer-events-none absolute inset-y-0 w-0.5 -translate-x-1/2 bg-white shadow" style={{ left: `${split()}%` }} />
      <div
        role="slider"
        tabIndex={0}
        aria-label={props.label}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow={Math.round(split())}
        data-testid="compare-handle"
        class={
          'absolute top-1/2 flex h-11 w-11 -translate-x-1/2 -translate-y-1/2 items-center justify-center rounded-full ' +
          'border-2 border-white bg-black/60 text-white shadow-lg outline-none focus-visible:ring-4 focus-visible:ring-amber-400'
        }
        style={{ left: `${split()}%` }}
        onKeyDown={(e) => {
          const next = { ArrowLeft: split() - KEY_STEP, ArrowRight: split() + KEY_STEP, Home: 0, End: 100 }[e.key];
          if (next === undefined) return;
          e.preventDefault();
          setSplit(clamp(next));
        }}
      >
        <span aria-hidden="true">⇆</span>
      </div>
      <span class="pointer-events-none absolute left-2 top-2 rounded bg-black/60 px-1.5 text-xs text-white">{props.beforeLabel}</span>
      <span class="pointer-events-none absolute right-2 top-2 rounded bg-black/60 px-1.5 text-xs text-white">{props.afterLabel}</span>
    </div>
  );
}
