// The offline shell (src/pages/offline.astro, precached): what the service worker shows for a page
// when the server cannot be reached. It renders from IndexedDB what the server would have: the
// sessions list on "/", the studio of a session on "/s/<id>" (the same studio tree, from what the
// studio page recorded on this device), or says the session was never opened here.
import { createSignal, Match, onMount, Switch } from 'solid-js';
import SessionList from './SessionList.tsx';
import Studio from './Studio.tsx';
import { dictionary, pickLang, t, type Lang, type MessageKey } from '../i18n/messages.ts';
import { getDeviceSession, type StudioData } from '../client/offline-store.ts';

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
    if (next.kind === 'studio') document.title = `${next.studio.session.title || t(l, 'app.name')} · ${t(l, 'app.name')}`;
  });

  const m = (key: MessageKey) => t(lang(), key);
  const studio = () => {
    const v = view();
    return v.kind === 'studio' ? v.studio : null;
  };

  return (
    <div data-testid="offline-shell">
      <Switch>
        <Match when={view().kind === 'list'}>
          <section>
            <h2 class="mb-2 text-lg font-semibold">{m('sessions.title')}</h2>
            <SessionList initial={null} lang={lang()} />
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
        <Match when={studio()}>{(data) => <Studio studio={data()} offline />}</Match>
      </Switch>
    </div>
  );
}
