// The studio of one session: the steps, the conflict copies offline sync left, and the three step
// panels (garment, pose, generate) over one store (src/client/studio-store.ts). The studio page renders
// it from the server's data; the offline shell renders the same tree from what this device recorded.
import { For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import MaskEditor from './MaskEditor.tsx';
import PoseEditor from './PoseEditor.tsx';
import GeneratePanel from './GeneratePanel.tsx';
import { createStudioStore, StudioContext } from '../client/studio-store.ts';
import { followStepHash, STEPS, type StepId } from '../client/steps.ts';
import { recordStudio } from '../client/record-session.ts';
import { studioEditorsLoaded } from '../client/sync.ts';
import type { StudioData } from '../client/offline-store.ts';
import { translator } from '../i18n/messages.ts';
import { poseModelForDevice } from '../client/device.ts';

export interface StudioProps {
  studio: StudioData;
  /** Rendered by the offline shell from this device's copy. */
  offline?: boolean;
}

/** How long the garment editor may take before the device copy's caches are filled anyway. */
const RECORD_WAIT_MS = 8000;

export default function Studio(props: StudioProps) {
  // A plain copy: hydrated props are not plain objects, and this device stores the data (IndexedDB).
  const plain = JSON.parse(JSON.stringify(props.studio)) as StudioData;
  // The pose model for this device (lite on phones), chosen once: the device's copy records the one it uses.
  plain.poseModelUrl = poseModelForDevice({ full: plain.poseModelUrl, lite: plain.poseModelLiteUrl ?? null });
  const studio = createStudioStore(plain);
  const { state, data } = studio;
  const m = translator(data.lang);
  const session = data.session;
  const photo = { url: session.image.url, width: session.image.width, height: session.image.height };

  onMount(() => {
    onCleanup(followStepHash(studio.showStep));
    void recordStudio(data, studio.untilSelectionSettled(RECORD_WAIT_MS));
    void studio.untilSelectionSettled().then(studioEditorsLoaded);
  });

  const Panel = (p: { id: StepId; children: JSX.Element }) => (
    <section id={p.id} class="studio-panel" data-panel={p.id} hidden={state.step !== p.id}>
      {p.children}
    </section>
  );

  return (
    <StudioContext.Provider value={studio}>
      <div data-testid="studio" data-session-id={session.id} data-offline-copy={props.offline ? 'true' : undefined}>
        <nav class="mb-3 flex gap-2 overflow-x-auto" aria-label="steps" data-testid="studio-steps">
          <For each={STEPS}>
            {(id) => (
              <a
                href={`#${id}`}
                class="btn studio-step"
                classList={{ 'btn-on': state.step === id }}
                aria-current={state.step === id ? 'step' : undefined}
                data-step={id}
                data-testid={`step-${id}`}
              >
                {m(`studio.step.${id}`)}
              </a>
            )}
          </For>
        </nav>
        <Show when={(state.session.conflicts?.length ?? 0) > 0}>
          <details class="panel mb-3 text-sm" data-testid="session-conflicts">
            <summary>
              {m('pwa.conflictsNote')} {state.session.conflicts!.length}
            </summary>
            <ul class="mt-2 list-disc pl-5">
              <For each={state.session.conflicts}>
                {(c) => (
                  <li>
                    <a class="underline" href={c.url} target="_blank" rel="noopener">
                      {m(c.kind === 'mask' ? 'pwa.conflict.mask' : 'pwa.conflict.pose')} · rev {c.rev} ·{' '}
                      {m(c.source === 'device' ? 'pwa.conflict.device' : 'pwa.conflict.server')} ·{' '}
                      {new Date(c.editedAt).toLocaleString(data.lang)}
                    </a>
                  </li>
                )}
              </For>
            </ul>
          </details>
        </Show>
        <Panel id="garment">
          <MaskEditor />
        </Panel>
        <Panel id="pose">
          <PoseEditor />
        </Panel>
        <Panel id="generate">
          <GeneratePanel
            sessionId={session.id}
            photo={photo}
            lang={data.lang}
            looks={data.looks}
            scenes={data.scenes}
            defaultLook={data.defaultLook}
            defaultScene={data.defaultScene}
            backendConfigured={data.backendConfigured}
          />
        </Panel>
      </div>
    </StudioContext.Provider>
  );
}
