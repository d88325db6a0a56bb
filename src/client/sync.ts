// Sends the edits kept on this device (src/client/offline-store.ts) to the server when the connection
// returns: on page load, on the `online` event, when an island keeps a new edit, and every 15 s while
// any wait. Each edit carries the revision it was made on and when it was made (x-base-rev,
// x-edited-at): the server keeps both versions on a conflict, the newer one current. One tab at a time
// sends (Web Locks); every tab hears the outcome (`atelier:synced` window event, BroadcastChannel).
import {
  clearPendingEdit,
  forgetDeviceSession,
  keepPendingEdit,
  listPendingEdits,
  pendingCount,
  rememberPose,
  rememberSession,
  type EditKind,
  type PendingEdit,
} from './offline-store.ts';

export interface SyncedDetail {
  sessionId: string;
  kind: EditKind;
  /** False when the server kept a newer version and this edit became a conflict copy. */
  applied: boolean;
  /** The version set aside, when there was a conflict. */
  conflict: { id: string; url: string; source: 'device' | 'server' } | null;
  /** The new server revision (mask or pose) when applied. */
  rev: number | null;
  /** Set when the server refused the edit for good (e.g. the session was deleted). */
  error?: string;
}

const RETRY_MS = 15_000;
let channel: BroadcastChannel | null = null;

function announce(detail: SyncedDetail) {
  window.dispatchEvent(new CustomEvent<SyncedDetail>('atelier:synced', { detail }));
  channel?.postMessage(detail);
}

/** The network is down (fetch throws a TypeError), as opposed to the server answering an error. */
export const isNetworkError = (err: unknown) => err instanceof TypeError || !navigator.onLine;

type Outcome = 'done' | 'retry' | 'drop';

async function send(edit: PendingEdit): Promise<Outcome> {
  const base = `/api/sessions/${edit.sessionId}`;
  if (edit.kind === 'delete') {
    const res = await fetch(base, { method: 'DELETE' });
    if (res.ok || res.status === 404) {
      await forgetDeviceSession(edit.sessionId);
      return 'done';
    }
    return res.status >= 500 || res.status === 429 ? 'retry' : 'drop';
  }
  const res = await fetch(`${base}/${edit.kind}`, {
    method: 'PUT',
    headers: { 'content-type': edit.contentType ?? 'application/octet-stream', 'x-base-rev': String(edit.baseRev), 'x-edited-at': edit.editedAt },
    body: edit.body,
  });
  const body = await res.json().catch(() => null);
  if (res.ok) {
    let rev: number | null = null;
    if (edit.kind === 'mask') {
      await rememberSession(body.session);
      rev = body.session?.mask?.rev ?? null;
    } else {
      await rememberPose(edit.sessionId, body);
      rev = body.rev ?? null;
    }
    announce({ sessionId: edit.sessionId, kind: edit.kind, applied: body.applied !== false, conflict: body.conflict ?? null, rev });
    return 'done';
  }
  // 409 is a save racing another one at the same moment; 5xx/429 are passing troubles: try again.
  if (res.status >= 500 || res.status === 409 || res.status === 429) return 'retry';
  // Anything else (the session was deleted, the edit is invalid) will never be accepted.
  announce({ sessionId: edit.sessionId, kind: edit.kind, applied: false, conflict: null, rev: null, error: body?.error?.message ?? `HTTP ${res.status}` });
  return 'drop';
}

let flushing: Promise<number> | null = null;

/** Sends every pending edit, oldest first; resolves with how many still wait. */
export function flushPending(): Promise<number> {
  flushing ??= (async () => {
    const run = async () => {
      for (const edit of await listPendingEdits()) {
        if (!navigator.onLine) break;
        let outcome: Outcome;
        try {
          outcome = await send(edit);
        } catch {
          break; // the network is down again: the edits stay for the next attempt
        }
        if (outcome !== 'retry') await clearPendingEdit(edit.sessionId, edit.kind, edit.editedAt);
      }
      return pendingCount();
    };
    return 'locks' in navigator ? navigator.locks.request('atelier-sync', run) : run();
  })().finally(() => {
    flushing = null;
  });
  return flushing;
}

/**
 * A save an island could not send: kept on the device for the sync above. Resolves once stored.
 * `baseRev` is the revision the island last knew from the server.
 */
export async function keepForLater(sessionId: string, kind: 'mask' | 'pose', body: Blob | string, contentType: string, baseRev: number): Promise<void> {
  await keepPendingEdit({ sessionId, kind, body, contentType, baseRev, editedAt: new Date().toISOString() });
}

let started = false;

export function startSync(): void {
  if (started || typeof window === 'undefined' || !('indexedDB' in window)) return;
  started = true;
  if ('BroadcastChannel' in window) {
    channel = new BroadcastChannel('atelier-sync');
    channel.onmessage = (e: MessageEvent<SyncedDetail>) => window.dispatchEvent(new CustomEvent('atelier:synced', { detail: e.data }));
  }
  const kick = () => {
    if (navigator.onLine) void flushPending().catch(() => {});
  };
  window.addEventListener('online', kick);
  // An edit kept while the server is unreachable but the browser thinks it is online: retry soon.
  window.addEventListener('atelier:pending', () => setTimeout(kick, 2000));
  setInterval(() => {
    if (navigator.onLine) void pendingCount().then((n) => n > 0 && kick());
  }, RETRY_MS);
  // On a studio page the editors first load the edits kept for their session (they show them);
  // sending them before that would leave the editors showing the server's older state.
  if (document.querySelector('[data-testid="studio"]')) {
    const timer = setTimeout(kick, 10_000);
    window.addEventListener('atelier:sam-ready', () => (clearTimeout(timer), kick()), { once: true });
  } else kick();
}

/** How an editor's save status follows its kept edits as they reach the server (this tab or another). */
export interface SyncFollower {
  setRev(rev: number): void;
  /** Pending → saved or error; other states are left as they are (a newer edit is in progress). */
  settle(outcome: { ok: true } | { ok: false; error: string }): void;
  /** Conflict notes: the edit lost to a newer version, or a copy was kept. */
  note(kind: 'lost' | 'kept' | null): void;
}

/** Listens for `atelier:synced` of one session's mask or pose; returns the cleanup. */
export function followSync(sessionId: string, kind: 'mask' | 'pose', f: SyncFollower): () => void {
  const onSynced = (e: Event) => {
    const d = (e as CustomEvent<SyncedDetail>).detail;
    if (d.sessionId !== sessionId || d.kind !== kind) return;
    if (d.applied && d.rev !== null) f.setRev(d.rev);
    if (d.error) return f.settle({ ok: false, error: d.error });
    f.settle({ ok: true });
    f.note(!d.applied ? 'lost' : d.conflict ? 'kept' : null);
  };
  window.addEventListener('atelier:synced', onSynced);
  return () => window.removeEventListener('atelier:synced', onSynced);
}
