// Zoom in, out and back to the whole photo, in a corner of an editor's photo (src/client/zoom-gestures.ts).
import { For } from 'solid-js';
import { ZOOM_CONTROLS, type ZoomGestures } from '../client/zoom-gestures.ts';
import type { MessageKey } from '../i18n/messages.ts';

/**
 * The photo's height in both editors: the whole photo in view under the header and the steps, with room left for the
 * phone's tool bar, so the photo keeps its place and scale from step to step.
 */
export const PHOTO_MAX_HEIGHT = 'min(80vh, calc(100dvh - 13rem))';

export default function ZoomButtons(props: { zoom: ZoomGestures; m: (key: MessageKey) => string; testidPrefix: string }) {
  return (
    <div class="absolute bottom-2 right-2 z-10 flex gap-1">
      <For each={ZOOM_CONTROLS}>
        {(z) => (
          <button
            type="button"
            class="btn !min-h-11 !min-w-11 border-white/40 bg-black/55 px-0 text-white hover:bg-black/75"
            aria-label={props.m(z.label)}
            title={props.m(z.label)}
            data-testid={`${props.testidPrefix}${z.id}`}
            disabled={z.id !== 'in' && props.zoom.view().scale === 1}
            onClick={() => props.zoom.zoomBy(z.factor)}
          >
            <span aria-hidden="true">{z.icon}</span>
          </button>
        )}
      </For>
    </div>
  );
}
