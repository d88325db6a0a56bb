// An editor's document kept in sync with the server (the garment mask, the pose), for both editors:
// saved 1.2 s after the last edit, on Ctrl+S, before an in-app link leaves; sent with the revision it
// builds on (x-base-rev); kept on this device when the server cannot be reached, then followed as the
// sync sends it. The state is the store's (src/lib/sync/document.ts says how it moves).
import { onCleanup, onMount } from 'solid-js';
import * as api from './api.ts';
import { clearPendingEdit, getPendingEdit } from './offline-store.ts';
import { saveBeforeLeaving } from './save-before-leaving.ts';
import { isNetworkError, keepForLater, onSynced } from './sync.ts';
import { t, type Lang, type MessageKey } from '../i18n/messages.ts';
import {
  edited,
  isUnsaved,
  keptOnDevice,
  needsSaving,
  saveAccepted,
  saveFailed,
  saveStarted,
  showingKept,
  syncSettled,
  type ConflictNote,
  type DocumentState,
} from '../lib/sync/document.ts';

export const AUTOSAVE_MS = 1200;

/** What the editors say after a save or a sync that met another version. */
export const CONFLICT_MESSAGES: Record<NonNullable<ConflictNote>, MessageKey> = { lost: 'pwa.conflictLost', kept: 'pwa.conflictKept' };

export interface SyncedDocumentOptions<K extends api.EditKind> {
  kind: K;
  sessionId: string;
  lang: Lang;
  state(): DocumentState;
  setState(next: DocumentState): void;
  /** There is something to save (the selection tool is up, a pose is shown). */
  canSave(): boolean;
  /** The document as it is now, as sent: the mask PNG, the pose JSON. */
  snapshot(): Promise<Blob | string> | string;
  /** The server took a save from this editor. */
  accepted(answer: api.EditAnswer<K>): void;
}

export interface SyncedDocument {
  /** The merchant changed the document: saved after a pause. */
  edited(): void;
  /** Saves now (one save at a time; resolves when this one is done). */
  save(): Promise<void>;
  /** The edit kept on this device for this document, newer than the server's; null when none. */
  keptEdit(): Promise<Blob | string | null>;
  /** The editor shows the kept edit: pending until the sync sends it. */
  showingKept(): void;
}

function failureText(err: unknown, lang: Lang): string {
  if (err instanceof api.ApiRequestError) return err.serverMessage ?? t(lang, 'error.generic');
  return err instanceof TypeError ? t(lang, 'error.network') : (err as Error).message;
}

/** Call in a component: timers and listeners end with it. */
export function createSyncedDocument<K extends api.EditKind>(o: SyncedDocumentOptions<K>): SyncedDocument {
  let autosave: ReturnType<typeof setTimeout> | undefined;
  let saving: Promise<void> = Promise.resolve();
  const update = (change: (s: DocumentState) => DocumentState) => o.setState(change(o.state()));

  function save(): Promise<void> {
    clearTimeout(autosave);
    saving = saving.then(async () => {
      if (!o.canSave() || !needsSaving(o.state())) return;
      update(saveStarted);
      const { version, rev } = o.state();
      const startedAt = new Date().toISOString();
      let body: Blob | string | null = null;
      try {
        body = await o.snapshot();
        if (!navigator.onLine) throw new TypeError('offline');
        // Made now: the server's clock dates it (x-edited-at is for edits kept offline). If the
        // document moved on elsewhere meanwhile, the server keeps that version as a copy.
        const answer = await api.saveEdit(o.kind, o.sessionId, body, { baseRev: rev });
        // This save contains any edit kept offline before it.
        void clearPendingEdit(o.sessionId, o.kind, startedAt).catch(() => {});
        update((s) => saveAccepted(s, version, { rev: api.answerRev(answer), applied: answer.applied, conflict: answer.conflict }));
        o.accepted(answer);
      } catch (err) {
        if (body !== null && isNetworkError(err)) {
          // Offline: kept on this device; src/client/sync.ts sends it when the connection returns.
          try {
            await keepForLater(o.sessionId, o.kind, body, rev);
            update((s) => keptOnDevice(s, version));
            return;
          } catch {
            /* no IndexedDB: reported below */
          }
        }
        update((s) => saveFailed(s, failureText(err, o.lang)));
      }
    });
    return saving;
  }

  onMount(() => {
    // A kept edit reached the server (this tab or another): the document is the server's again.
    onCleanup(onSynced((d) => d.sessionId === o.sessionId && d.kind === o.kind && update((s) => syncSettled(s, d))));
    const unsaved = () => isUnsaved(o.state());
    const beforeUnload = (e: BeforeUnloadEvent) => {
      if (unsaved()) e.preventDefault();
    };
    window.addEventListener('beforeunload', beforeUnload);
    onCleanup(() => window.removeEventListener('beforeunload', beforeUnload));
    onCleanup(saveBeforeLeaving(unsaved, save));
  });
  onCleanup(() => clearTimeout(autosave));

  return {
    edited() {
      update(edited);
      clearTimeout(autosave);
      autosave = setTimeout(() => void save(), AUTOSAVE_MS);
    },
    save,
    async keptEdit() {
      const edit = await getPendingEdit(o.sessionId, o.kind).catch(() => undefined);
      return edit?.body ?? null;
    },
    showingKept: () => update(showingKept),
  };
}
