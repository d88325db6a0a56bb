// Before/after comparison: the result over the original photo, revealed up to a draggable line.
import { createSignal } from 'solid-js';

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
  return (
    <div
      class="relative w-full select-none overflow-hidden rounded-lg bg-stone-200"
      style={{ 'aspect-ratio': `${props.width} / ${props.height}` }}
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
      <div class="pointer-events-none absolute inset-y-0 w-0.5 bg-white shadow" style={{ left: `${split()}%` }} />
      <span class="pointer-events-none absolute left-2 top-2 rounded bg-black/50 px-1.5 text-xs text-white">{props.beforeLabel}</span>
      <span class="pointer-events-none absolute right-2 top-2 rounded bg-black/50 px-1.5 text-xs text-white">{props.afterLabel}</span>
      <input
        type="range"
        min="0"
        max="100"
        value={split()}
        aria-label={props.label}
        class="absolute inset-x-0 bottom-1 mx-auto w-11/12"
        onInput={(e) => setSplit(Number(e.currentTarget.value))}
      />
    </div>
  );
}
