// "Uploading → preparing → loading the selection tool" as one bar in stages: the stages done are full, the current one
// fills with its own progress (or pulses when it has none), so a wait of several seconds always says what it waits for.
import { For } from 'solid-js';

export default function StagedProgress(props: {
  /** The stages' short names, in order. */
  stages: string[];
  /** Index of the stage under way. */
  current: number;
  /** Its progress, 0–100, or null when it cannot be measured. */
  pct: number | null;
  /** What is happening, in a sentence (also the bar's accessible value). */
  text: string;
  testid?: string;
}) {
  const overall = () => Math.round(((props.current + (props.pct ?? 0) / 100) / props.stages.length) * 100);
  return (
    <div data-testid={props.testid} data-stage={props.current} role="status">
      <p class="mb-1 text-sm">{props.text}</p>
      <div
        class="flex gap-1"
        role="progressbar"
        aria-label={props.stages.join(' → ')}
        aria-valuemin="0"
        aria-valuemax="100"
        aria-valuenow={overall()}
        aria-valuetext={props.text}
      >
        <For each={props.stages}>
          {(name, i) => (
            <div class="flex min-w-0 flex-1 flex-col gap-0.5">
              <div class="h-2 overflow-hidden rounded bg-stone-200">
                <div
                  class="h-full rounded bg-amber-500 transition-all"
                  classList={{ 'animate-pulse': i() === props.current && props.pct === null }}
                  style={{
                    width: `${i() < props.current ? 100 : i() > props.current ? 0 : (props.pct ?? 100)}%`,
                    opacity: i() === props.current && props.pct === null ? 0.6 : 1,
                  }}
                />
              </div>
              <span class="truncate text-xs" classList={{ 'text-stone-900': i() <= props.current, 'text-stone-500': i() > props.current }}>
                {name}
              </span>
            </div>
          )}
        </For>
      </div>
    </div>
  );
}
