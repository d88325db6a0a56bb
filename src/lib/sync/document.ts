// The save state of a document an editor keeps in sync with the server (the garment mask, the pose):
// edits mark it dirty, a save sends it with the revision it builds on, an edit that cannot reach the
// server waits on the device until the sync sends it. Pure transitions; src/client/synced-document.ts
// drives them (timers, requests, IndexedDB) and the studio store holds the state.

/**
 * saved: the server has it; dirty: changed since; saving: on its way; error: the last save failed;
 * pending: kept on this device (offline), sent by src/client/sync.ts when the connection returns.
 */
export type SaveStatus = 'saved' | 'dirty' | 'saving' | 'error' | 'pending';

/** After a save or a sync with a conflict: 'lost' — a newer version won, this edit became a copy; 'kept' — the replaced one was kept. */
export type ConflictNote = 'lost' | 'kept' | null;

export interface DocumentState {
  status: SaveStatus;
  /** Changed by the merchant since it was loaded or last saved (a detected pose not saved yet is not). */
  touched: boolean;
  /** Counts edits, so a save can tell whether the document changed while it was on its way. */
  version: number;
  /** The server revision the document builds on (sent as x-base-rev; 0 = none saved). */
  rev: number;
  /** Why the last save failed. */
  error: string;
  conflict: ConflictNote;
}

/** What the server said about a save sent with its base revision. */
export interface SaveOutcome {
  /** The revision now current on the server (null when unknown). */
  rev: number | null;
  applied: boolean;
  conflict: unknown;
}

export function initialDocument(rev: number, status: 'saved' | 'dirty' = 'saved'): DocumentState {
  return { status, touched: false, version: 0, rev, error: '', conflict: null };
}

export const edited = (s: DocumentState): DocumentState => ({ ...s, status: 'dirty', touched: true, version: s.version + 1 });

/** A save has something to send (a pending edit is the sync's to send). */
export const needsSaving = (s: DocumentState) => s.status !== 'saved' && s.status !== 'pending';

/** Leaving now would lose the merchant's changes. */
export const isUnsaved = (s: DocumentState) => s.touched && (s.status === 'dirty' || s.status === 'saving' || s.status === 'error');

export const saveStarted = (s: DocumentState): DocumentState => ({ ...s, status: 'saving', conflict: null });

export function conflictNote(o: { applied: boolean; conflict: unknown }): ConflictNote {
  return !o.applied ? 'lost' : o.conflict ? 'kept' : null;
}

/** The server took the save of `version`; an edit made meanwhile keeps the document dirty. */
export function saveAccepted(s: DocumentState, version: number, o: SaveOutcome): DocumentState {
  const settled = s.version === version ? { status: 'saved' as const, touched: false } : { status: 'dirty' as const };
  return { ...s, ...settled, rev: o.rev ?? s.rev, conflict: conflictNote(o) };
}

/** The server could not be reached: the save of `version` was kept on the device instead. */
export function keptOnDevice(s: DocumentState, version: number): DocumentState {
  return s.version === version ? { ...s, status: 'pending', touched: false } : { ...s, status: 'dirty' };
}

export const saveFailed = (s: DocumentState, error: string): DocumentState => ({ ...s, status: 'error', error });

/** An edit kept on the device earlier is what the editor shows (newer than the server's). */
export const showingKept = (s: DocumentState): DocumentState => ({ ...s, status: 'pending' });

/** What the sync reports for a kept edit (src/client/sync.ts, this tab or another). */
export interface SyncReport {
  applied: boolean;
  rev: number | null;
  conflict: unknown;
  /** Set when the server refused the edit for good. */
  error?: string;
}

/** A kept edit reached the server (or was refused); states other than pending belong to newer edits. */
export function syncSettled(s: DocumentState, r: SyncReport): DocumentState {
  const rev = r.applied && r.rev !== null ? r.rev : s.rev;
  const pending = s.status === 'pending';
  // Refused: the edit is no longer kept anywhere but in this editor.
  if (r.error) return { ...s, rev, error: r.error, ...(pending ? { status: 'error' as const, touched: true } : {}) };
  return { ...s, rev, status: pending ? 'saved' : s.status, conflict: conflictNote(r) };
}
