// The sessions list: the server's list (rendered on the server for the first paint) merged with the
// sessions kept on this device (IndexedDB). Offline it lists the device's sessions alone. Shows the
// storage used, asks for persistent storage, keeps at most DEVICE_SESSION_LIMIT sessions offline, and
// deletes a session on the server and on the device (queued while offline).
import { createMemo, createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { translator, type Lang } from '../i18n/messages.ts';
import type { SessionJson } from '../lib/api/types.ts';
import * as api from '../client/api.ts';
import {
  evictOldSessions,
  forgetDeviceSession,
  keepPendingEdit,
  listDeviceSessions,
  listPendingEdits,
  requestPersistence,
  storageInfo,
  summaryOf,
  type SessionSummary,
} from '../client/offline-store.ts';
import { isNetworkError, onSynced } from '../client/sync.ts';

export interface ListedSession extends SessionSummary {
  /** Title, or the creation time formatted on the server (keeps hydration stable). */
  label: string;
}

export interface SessionListProps {
  /** The server's list at render time; null in the offline shell (then fetched, or the device's alone). */
  initial: ListedSession[] | null;
  /** The cursor of the server's next page (null: that was all). */
  nextCursor?: string | null;
  lang: Lang;
}

interface Item extends ListedSession {
  onDevice: boolean;
  onServer: boolean;
}

const formatBytes = (n: number, lang: Lang) => {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: n < 10 && i > 0 ? 1 : 0 }).format(n)} ${units[i]}`;
};

export default function SessionList(props: SessionListProps) {
  const m = translator(props.lang);

  const [server, setServer] = createSignal<ListedSession[] | null>(props.initial);
  // The server's next page (the list comes a page at a time); null on the last one.
  const [nextCursor, setNextCursor] = createSignal<string | null>(props.nextCursor ?? null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [device, setDevice] = createSignal<Map<string, ListedSession>>(new Map());
  const [hidden, setHidden] = createSignal<Set<string>>(new Set());
  const [online, setOnline] = createSignal(true);
  const [ready, setReady] = createSignal(false);
  const [storage, setStorage] = createSignal<{ used: number; quota: number; persisted: boolean } | null>(null);
  const [pending, setPending] = createSignal(0);
  const [confirming, setConfirming] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);
  const [note, setNote] = createSignal('');
  // Finding a session by name: the server searches the whole workspace (a page at a time), the device its own.
  const [query, setQuery] = createSignal('');
  const [found, setFound] = createSignal<ListedSession[] | null>(null);
  const [foundCursor, setFoundCursor] = createSignal<string | null>(null);
  const matches = (s: ListedSession) => s.label.toLowerCase().includes(query().trim().toLowerCase());

  const fmt = () => new Intl.DateTimeFormat(props.lang, { dateStyle: 'medium', timeStyle: 'short' });

  /** Server sessions first (newest first), then sessions only this device knows; offline, the device's alone. */
  const items = createMemo<Item[]>(() => {
    const dev = device();
    const searching = query().trim() !== '';
    // While the server searches, the sessions already listed that match (no "nothing found" flashing first).
    const srv = searching ? (found() ?? server()?.filter(matches) ?? null) : server();
    const gone = hidden();
    const byId = new Map<string, Item>();
    for (const s of srv ?? []) byId.set(s.id, { ...s, onDevice: dev.has(s.id), onServer: true });
    for (const [id, s] of dev) if (!byId.has(id) && (!searching || matches(s))) byId.set(id, { ...s, onDevice: true, onServer: false });
    return [...byId.values()]
      .filter((s) => !gone.has(s.id) && (online() || s.onDevice))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  });

  // The latest search wins: an answer to an older one (typed over) is dropped.
  let searchSeq = 0;
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  function search(text: string) {
    setQuery(text);
    clearTimeout(searchTimer);
    const q = text.trim();
    setFound(null);
    setFoundCursor(null);
    if (!q) return;
    const seq = ++searchSeq;
    searchTimer = setTimeout(async () => {
      try {
        const page = await api.listSessions(null, q);
        if (seq !== searchSeq) return;
        setFound(page.sessions.map(listed));
        setFoundCursor(page.nextCursor);
      } catch {
        // Offline: the device's sessions whose name matches.
        if (seq === searchSeq) setFound([]);
      }
    }, 250);
  }
  onCleanup(() => clearTimeout(searchTimer));

  async function refreshDevice() {
    const recs = await listDeviceSessions();
    setDevice(new Map(recs.map((r) => [r.id, { ...r, label: r.title || fmt().format(new Date(r.createdAt)) }])));
    const edits = await listPendingEdits();
    setHidden(new Set(edits.filter((e) => e.kind === 'delete').map((e) => e.sessionId)));
    setPending(edits.filter((e) => e.kind !== 'delete').length);
  }

  async function refreshStorage() {
    setStorage(await storageInfo().catch(() => null));
  }

  onMount(async () => {
    setOnline(navigator.onLine);
    const on = () => {
      setOnline(true);
      void refreshDevice();
    };
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    const stopFollowing = onSynced(() => void refreshDevice());
    onCleanup(() => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
      stopFollowing();
    });
    try {
      await evictOldSessions();
      await refreshDevice();
    } catch {
      /* no IndexedDB (private mode): the server's list alone */
    }
    if (server() === null) {
      // The offline shell: the service worker answers from its cache when the server is unreachable.
      try {
        const page = await api.listSessions();
        setServer(page.sessions.map(listed));
        setNextCursor(page.nextCursor);
      } catch {
        /* offline and never listed: the device's sessions */
      }
    }
    setReady(true);
    void requestPersistence().then(refreshStorage);
    void refreshStorage();
    if (navigator.onLine) void forgetDeletedOnServer();
  });

  function listed(s: SessionJson): ListedSession {
    return { ...summaryOf(s), label: s.title || fmt().format(new Date(s.createdAt)) };
  }

  async function showMore() {
    const q = query().trim();
    const cursor = q ? foundCursor() : nextCursor();
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await api.listSessions(cursor, q);
      if (q) {
        setFound((list) => [...(list ?? []), ...page.sessions.map(listed)]);
        setFoundCursor(page.nextCursor);
      } else {
        setServer((list) => [...(list ?? []), ...page.sessions.map(listed)]);
        setNextCursor(page.nextCursor);
      }
    } catch {
      setNote(m('error.network'));
    } finally {
      setLoadingMore(false);
    }
  }

  /** Device sessions the server no longer lists may have been deleted elsewhere: ask, and forget those. */
  async function forgetDeletedOnServer() {
    const listed = new Set((server() ?? []).map((s) => s.id));
    for (const id of device().keys()) {
      if (listed.has(id)) continue;
      try {
        const gone = await api.getSession(id, { cache: 'no-store' }).then(
          () => false,
          (err) => (err instanceof api.ApiRequestError ? err.status === 404 : Promise.reject(err)),
        );
        if (!gone) continue;
        const waiting = (await listPendingEdits()).some((e) => e.sessionId === id && e.kind !== 'delete');
        if (!waiting) await forgetDeviceSession(id);
      } catch {
        return;
      }
    }
    await refreshDevice();
  }

  async function remove(id: string) {
    setConfirming(null);
    setBusy(id);
    setNote('');
    try {
      if (!navigator.onLine) throw new TypeError('offline');
      await api.deleteSession(id);
      await forgetDeviceSession(id);
      setServer((list) => list?.filter((s) => s.id !== id) ?? null);
    } catch (err) {
      if (!isNetworkError(err)) {
        setNote(m('pwa.deleteFailed', { message: (err as Error).message }));
        setBusy(null);
        return;
      }
      // Offline: gone from this device now, deleted on the server when the connection returns.
      await keepPendingEdit({
        sessionId: id,
        kind: 'delete',
        body: null,
        contentType: null,
        baseRev: 0,
        editedAt: new Date().toISOString(),
      });
      await forgetDeviceSession(id);
      setNote(m('pwa.deleteQueued'));
    }
    await refreshDevice();
    void refreshStorage();
    setBusy(null);
  }

  return (
    <div
      class="flex flex-col gap-3"
      data-testid="sessions"
      data-ready={ready() ? 'true' : 'false'}
      data-online={online() ? 'true' : 'false'}
    >
      <Show when={items().length > 0 || query()}>
        <label class="flex max-w-sm flex-col gap-1 text-sm text-stone-600">
          {m('sessions.search')}
          <input
            type="search"
            class="input"
            value={query()}
            maxlength="100"
            data-testid="sessions-search"
            onInput={(e) => search(e.currentTarget.value)}
          />
        </label>
      </Show>
      <Show
        when={items().length > 0}
        fallback={
          <p class="text-stone-600" data-testid="sessions-empty">
            {query().trim() ? m('sessions.noMatch', { q: query().trim() }) : m('sessions.empty')}
          </p>
        }
      >
        <ul class="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="session-list">
          <For each={items()}>
            {(s) => (
              <li
                data-testid="session-item"
                data-session-id={s.id}
                data-on-device={s.onDevice ? 'true' : 'false'}
                class="panel relative flex flex-col p-2"
              >
                <a href={`/s/${s.id}`} class="block hover:opacity-90">
                  <img src={s.thumbUrl} alt="" loading="lazy" class="aspect-[3/4] w-full rounded object-cover bg-stone-200" />
                  <p class="mt-1 truncate text-sm font-medium">{s.label}</p>
                </a>
                <p class="text-xs text-stone-600">{s.masked ? m('sessions.masked') : m('sessions.unmasked')}</p>
                <div class="mt-1 flex items-center gap-1 text-xs">
                  <span class={s.onDevice ? 'text-emerald-700' : 'text-stone-600'} data-testid="session-offline-state">
                    {s.onDevice ? `● ${m('pwa.onDevice')}` : m('pwa.onlineOnly')}
                  </span>
                  <Show
                    when={confirming() === s.id}
                    fallback={
                      <button
                        type="button"
                        class="ml-auto rounded px-2 py-1 text-stone-600 hover:bg-stone-100 hover:text-red-700"
                        data-testid="session-delete"
                        disabled={busy() === s.id}
                        onClick={() => setConfirming(s.id)}
                      >
                        {m('pwa.delete')}
                      </button>
                    }
                  >
                    <span class="sr-only">{m('pwa.deleteConfirm')}</span>
                  </Show>
                </div>
                <Show when={confirming() === s.id}>
                  <div class="mt-1 flex flex-col gap-1 rounded border border-red-200 bg-red-50 p-2 text-xs text-red-900" role="alertdialog">
                    <span>{m('pwa.deleteConfirm')}</span>
                    <div class="flex gap-1">
                      <button
                        type="button"
                        class="btn min-h-8 border-red-400 text-red-800"
                        data-testid="session-delete-confirm"
                        onClick={() => void remove(s.id)}
                      >
                        {m('pwa.deleteYes')}
                      </button>
                      <button type="button" class="btn min-h-8" onClick={() => setConfirming(null)}>
                        {m('pwa.deleteNo')}
                      </button>
                    </div>
                  </div>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <Show when={(query().trim() ? foundCursor() : nextCursor()) && online()}>
          <button
            type="button"
            class="btn self-center"
            data-testid="sessions-more"
            disabled={loadingMore()}
            onClick={() => void showMore()}
          >
            {loadingMore() ? m('sessions.loadingMore') : m('sessions.more')}
          </button>
        </Show>
      </Show>
      <Show when={note()}>
        <p class="text-sm text-stone-700" role="status" data-testid="sessions-note">
          {note()}
        </p>
      </Show>
      <p class="text-xs text-stone-600" data-testid="storage-used">
        <Show when={storage()}>
          {(st) => (
            <>
              {m('pwa.storageUsed', { used: formatBytes(st().used, props.lang), quota: formatBytes(st().quota, props.lang) })} ·{' '}
              {st().persisted ? m('pwa.persisted') : m('pwa.notPersisted')}
            </>
          )}
        </Show>
        <Show when={pending() > 0}>
          {' · '}
          <span data-testid="pending-count">{m('pwa.pending', { n: pending() })}</span>
        </Show>
      </p>
    </div>
  );
}
