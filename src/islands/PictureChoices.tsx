// Choices as picture cards (model looks, scenes): a row that scrolls sideways on a phone, a grid on wider screens,
// filter chips by group, the chosen card marked. Options recorded before pictures existed show their label alone.
import { createSignal, For, Show } from 'solid-js';

export interface PictureOption {
  id: string;
  label: string;
  picture?: string;
  group?: string;
}

export default function PictureChoices(props: {
  legend: string;
  options: PictureOption[];
  value: string;
  onChange: (id: string) => void;
  /** data-testid of a card: prefix + id (kept from the text buttons these replace). */
  testidPrefix: string;
  /** Filter chips: group id → label; "all" first. Absent: no filter. */
  groups?: { id: string; label: string }[];
  allLabel: string;
}) {
  const [group, setGroup] = createSignal('all');
  const shown = () => props.options.filter((o) => group() === 'all' || o.group === group());
  return (
    <fieldset class="min-w-0">
      <legend class="mb-1 font-semibold">{props.legend}</legend>
      <Show when={props.groups && props.groups.length > 1}>
        <div class="mb-2 flex gap-1 overflow-x-auto">
          <For each={[{ id: 'all', label: props.allLabel }, ...(props.groups ?? [])]}>
            {(g) => (
              <button
                type="button"
                class="btn !min-h-9 shrink-0 rounded-full px-3 text-sm"
                classList={{ 'btn-on': group() === g.id }}
                aria-pressed={group() === g.id}
                onClick={() => setGroup(g.id)}
              >
                {g.label}
              </button>
            )}
          </For>
        </div>
      </Show>
      <div class="-mx-1 flex snap-x gap-2 overflow-x-auto px-1 pb-1 lg:grid lg:grid-cols-3 lg:overflow-visible">
        <For each={shown()}>
          {(o) => (
            <button
              type="button"
              class="group w-28 shrink-0 snap-start overflow-hidden rounded-xl border-2 bg-white text-left lg:w-auto"
              classList={{ 'border-amber-500 ring-2 ring-amber-300': props.value === o.id, 'border-stone-200': props.value !== o.id }}
              aria-pressed={props.value === o.id}
              data-testid={`${props.testidPrefix}${o.id}`}
              onClick={() => props.onChange(o.id)}
            >
              <Show when={o.picture}>
                <img src={o.picture} alt="" class="aspect-[4/3] w-full bg-stone-100 object-cover" draggable={false} />
              </Show>
              <span class="block min-h-11 px-2 py-1 text-xs leading-snug">{o.label}</span>
            </button>
          )}
        </For>
      </div>
    </fieldset>
  );
}
