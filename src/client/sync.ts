// Sends the edits kept on this device (src/client/offline-store.ts) to the server when the connection
// returns: on page load, on the `online` event, when an editor keeps a new edit, and every 15 s while
// any wait. Each edit carries the revision it was made on and when it was made (x-base-rev,
// x-edited-at): the server keeps both versions on a conflict, the newer one current. One tab at a time
// sends (Web Locks); every tab hears the outcome (onSynced here, BroadcastChannel between tabs).
import * as api from './api.ts';
import {
  clearPendingEdit,
  forgetDeviceSession,
  keepPendingEdit,
  listPendingEdits,
  onPendingKept,
  pendingCount,
  rememberPose,
  rememberSession,
  type PendingEdit,
} from './offline-store.ts';
import { createEmitter } from '../lib/sync/emitter.ts';
import type { SyncReport } from '../lib/sync/document.ts';
import type { ConflictJson } from '../lib/api/types.ts';

/** The outcome of sending one kept mask or pose edit. */
export interface SyncedDetail extends SyncReport {
  sessionId: string;
  kind: 'mask' | 'pose';
  /** The version set aside, when there was a conflict. */
  conflict: ConflictJson | null;
}

const RETRY_MS = 15_000;
let channel: BroadcastChannel | null = null;

const synced = createEmitter<SyncedDetail>();

/** Follows the kept edits of every session as they reach the server, from this tab or another; returns the unsubscribe. */
export const onSynced = synced.on;

function announce(detail: SyncedDetail) {
  synced.emit(detail);
  channel?.postMessage(detail);
}

/** The network is down (fetch throws a TypeError), as opposed to the server answering an error. */
export const isNetworkError = (err: unknown) => err instanceof TypeError || !navigator.onLine;

type Outcome = 'done' | 'retry' | 'drop';

/** Answers worth trying again: a save racing another at the same moment (409), passing troubles (5xx, 429). */
const passing = (err: unknown) => err instanceof api.ApiRequestError && (err.status >= 500 || err.status === 409 || err.status === 429);

/** Sends one kept edit; a network failure rejects (the caller stops there). */
async function send(edit: PendingEdit): Promise<Outcome> {
  if (edit.kind === 'delete') {
    try {
      await api.deleteSession(edit.sessionId);
    } catch (err) {
      if (!(err instanceof api.ApiRequestError)) throw err;
      return passing(err) ? 'retry' : 'drop';
    }
    await forgetDeviceSession(edit.sessionId);
    return 'done';
  }
  const { sessionId, kind } = edit;
  try {
    const answer = await api.saveEdit(kind, sessionId, edit.body ?? '', { baseRev: edit.baseRev, editedAt: edit.editedAt });
    if ('session' in answer) await rememberSession(answer.session);
    else await rememberPose(sessionId, answer);
    announce({ sessionId, kind, applied: answer.applied !== false, conflict: answer.conflict ?? null, rev: api.answerRev(answer) });
    return 'done';
  } catch (err) {
    if (!(err instanceof api.ApiRequestError)) throw err;
    if (passing(err)) return 'retry';
    // Anything else (the session was deleted, the edit is invalid) will never be accepted.
    announce({ sessionId, kind, applied: false, conflict: null, rev: null, error: err.message });
    return 'drop';
  }
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
export async function keepForLater(sessionId: string, kind: 'mask' | 'pose', body: Blob | string, baseRev: number): Promise<void> {
  const contentType = kind === 'mask' ? 'image/png' : 'application/json';
  await keepPendingEdit({ sessionId, kind, body, contentType, baseRev, editedAt: new Date().toISOString() });
}

let started = false;
let releaseFirstFlush: () => void = () => {};
const editorsShowKeptEdits = new Promise<void>((resolve) => (releaseFirstFlush = resolve));

/**
 * The studio's editors show the edits kept for their session: the sync may send them now. Sending
 * them earlier would leave the editors showing the server's older state.
 */
export function studioEditorsLoaded(): void {
  releaseFirstFlush();
}

export function startSync(): void {
  if (started || typeof window === 'undefined' || !('indexedDB' in window)) return;
  started = true;
  if ('BroadcastChannel' in window) {
    channel = new BroadcastChannel('atelier-sync');
    channel.onmessage = (e: MessageEvent<SyncedDetail>) => synced.emit(e.data);
  }
  const kick = () => {
    if (navigator.onLine) void flushPending().catch(() => {});
  };
  window.addEventListener('online', kick);
  // An edit kept while the server is unreachable but the browser thinks it is online: retry soon.
  onPendingKept(() => setTimeout(kick, 2000));
  setInterval(() => {
    if (navigator.onLine) void pendingCount().then((n) => n > 0 && kick());
  }, RETRY_MS);
  // The studio page's markup is there before any script runs; its island says when its editors are.
  if (document.querySelector('[data-testid="studio"]')) {
    const timer = setTimeout(kick, 10_000);
    void editorsShowKeptEdits.then(() => {
      clearTimeout(timer);
      kick();
    });
  } else kick();
}
