// Choices as picture cards (model looks, scenes): a row that scrolls sideways on a phone, a grid of cards of about
// 7rem on wider screens (3 in the Generate panel, a row on the Batch page), filter chips by group, the chosen card
// marked. Options recorded before pictures existed show their label alone.
import { createSignal, For, Show } from 'solid-js';
import type { MessageKey } from '../i18n/messages.ts';

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
      <div
        class={
          '-mx-1 flex snap-x gap-2 overflow-x-auto px-1 pb-1 lg:grid lg:grid-cols-[repeat(auto-fill,minmax(7rem,1fr))] ' +
          'lg:overflow-visible'
        }
      >
        <For each={shown()}>
          {(o) => (
            <button
              type="button"
              class={
                'group w-28 shrink-0 snap-start overflow-hidden rounded-xl border-2 bg-white text-left lg:w-auto ' +
                'focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-amber-600'
              }
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

/** The filter chips of the model looks and of the scenes (the groups src/lib/presets/illustrations.ts gives). */
export const lookGroups = (m: (key: MessageKey) => string) => [
  { id: 'female', label: m('gen.filter.women') },
  { id: 'male', label: m('gen.filter.men') },
];
export const sceneGroups = (m: (key: MessageKey) => string) => [
  { id: 'studio', label: m('gen.filter.studio') },
  { id: 'indoor', label: m('gen.filter.indoor') },
  { id: 'outdoor', label: m('gen.filter.outdoor') },
];
