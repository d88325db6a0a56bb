// The offline shell (src/pages/offline.astro, precached): what the service worker shows for a page
// when the server cannot be reached. It renders from IndexedDB what the server would have: the
// sessions list on "/", the studio of a session on "/s/<id>" (the same islands, with the props the
// studio page recorded on this device), or says the session was never opened here.
import { createSignal, For, onMount, Show, Switch, Match } from 'solid-js';
import MaskEditor from './MaskEditor.tsx';
import PoseEditor from './PoseEditor.tsx';
import GeneratePanel from './GeneratePanel.tsx';
import SessionList, { SESSION_LIST_KEYS, type SessionListMessages } from './SessionList.tsx';
import { dictionary, pickLang, t, type Lang, type MessageKey } from '../i18n/messages.ts';
import { getDeviceSession, type StudioData } from '../client/offline-store.ts';
import { recordStudio } from '../client/record-session.ts';
import { initSteps } from '../client/steps.ts';

type View = { kind: 'loading' } | { kind: 'list' } | { kind: 'studio'; studio: StudioData } | { kind: 'missing' };

function deviceLang(): Lang {
  const cookie = /(?:^|;\s*)atelier-lang=([^;]+)/.exec(document.cookie)?.[1];
  return pickLang(cookie, navigator.language);
}

/** The layout's server-rendered texts (data-i18n) follow the language of what is shown. */
function localizeChrome(lang: Lang) {
  document.documentElement.lang = lang;
  const dict = dictionary(lang);
  document.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
    const key = el.dataset.i18n as MessageKey;
    if (dict[key]) el.textContent = dict[key];
  });
}

export default function OfflineShell() {
  const [view, setView] = createSignal<View>({ kind: 'loading' });
  const [lang, setLang] = createSignal<Lang>('en');

  onMount(async () => {
    const match = /^\/s\/([A-Za-z0-9_-]{6,64})\/?$/.exec(location.pathname);
    let next: View = { kind: 'list' };
    let l = deviceLang();
    if (match) {
      const rec = await getDeviceSession(match[1]).catch(() => undefined);
      if (rec) {
        l = rec.studio.lang;
        next = { kind: 'studio', studio: rec.studio };
      } else next = { kind: 'missing' };
    }
    setLang(l);
    localizeChrome(l);
    setView(next);
    if (next.kind === 'studio') {
      document.title = `${next.studio.session.title || t(l, 'app.name')} · ${t(l, 'app.name')}`;
      void recordStudio(next.studio);
    }
  });

  const messages = () => dictionary(lang());
  const listMessages = () => Object.fromEntries(SESSION_LIST_KEYS.map((k) => [k, messages()[k]])) as SessionListMessages;
  const m = (key: MessageKey) => messages()[key];

  return (
    <div data-testid="offline-shell">
      <Switch>
        <Match when={view().kind === 'list'}>
          <section>
            <h2 class="mb-2 text-lg font-semibold">{m('sessions.title')}</h2>
            <SessionList initial={null} lang={lang()} messages={listMessages()} />
          </section>
        </Match>
        <Match when={view().kind === 'missing'}>
          <div class="panel mx-auto mt-8 max-w-lg text-center" data-testid="session-not-offline">
            <p class="mb-3">{m('pwa.notOffline')}</p>
            <div class="flex justify-center gap-2">
              <button type="button" class="btn" onClick={() => location.reload()}>
                {m('pwa.retry')}
              </button>
              <a href="/" class="btn-primary">
                {m('studio.backToSessions')}
              </a>
            </div>
          </div>
        </Match>
        <Match when={view().kind === 'studio' && (view() as Extract<View, { kind: 'studio' }>).studio}>
          {(studio) => <Studio studio={studio()} messages={messages()} />}
        </Match>
      </Switch>
    </div>
  );
}

/** The studio page's markup (src/pages/s/[id].astro), from the props recorded on this device. */
function Studio(props: { studio: StudioData; messages: Record<MessageKey, string> }) {
  const s = props.studio;
  const session = s.session;
  const photo = { url: session.image.url, width: session.image.width, height: session.image.height };
  const steps = [
    { id: 'garment', key: 'studio.step.garment' },
    { id: 'pose', key: 'studio.step.pose' },
    { id: 'generate', key: 'studio.step.generate' },
  ] as const;
  onMount(initSteps);
  return (
    <div data-testid="studio" data-session-id={session.id} data-offline-copy="true">
      <nav class="mb-3 flex gap-2 overflow-x-auto" aria-label="steps" data-testid="studio-steps">
        <For each={steps}>
          {(step) => (
            <a href={`#${step.id}`} class="btn studio-step" data-step={step.id} data-testid={`step-${step.id}`}>
              {props.messages[step.key]}
            </a>
          )}
        </For>
      </nav>
      <section id="garment" class="studio-panel" data-panel="garment">
        <MaskEditor
          sessionId={session.id}
          photo={photo}
          embeddingUrl={session.embedding.url}
          maskUrl={session.mask?.url ?? null}
          maskRev={session.mask?.rev ?? 0}
          decoderUrl={s.decoderUrl}
          multiDecoderUrl={s.multiDecoderUrl}
          modelsProblem={s.modelsProblem}
          messages={props.messages}
        />
      </section>
      <section id="pose" class="studio-panel" data-panel="pose" hidden>
        <PoseEditor
          sessionId={session.id}
          photo={photo}
          maskUrl={session.mask?.url ?? null}
          modelUrl={s.poseModelUrl}
          modelsProblem={s.poseModelsProblem}
          savedPose={s.savedPose}
          lang={s.lang}
          messages={props.messages}
        />
      </section>
      <section id="generate" class="studio-panel" data-panel="generate" hidden>
        <GeneratePanel
          sessionId={session.id}
          photo={photo}
          lang={s.lang}
          looks={s.looks}
          scenes={s.scenes}
          defaultLook={s.defaultLook}
          defaultScene={s.defaultScene}
          backendConfigured={s.backendConfigured}
          messages={props.messages}
        />
      </section>
    </div>
  );
}
