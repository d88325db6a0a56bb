// What this device remembers of a batch's files, so that closing the tab loses nothing a merchant must redo by hand:
// files chosen but not uploaded yet are named on return (the browser cannot keep the files themselves), files
// already uploaded are not uploaded twice when the same folder is dropped again, and photos uploaded but not yet
// prepared (pose, garment proposal) are prepared on return.

export interface LedgerEntry {
  /** name|size|lastModified: the same file chosen again has the same signature. */
  sig: string;
  name: string;
  /** Null until the upload answered. */
  sessionId: string | null;
  /** True once pose and proposal were attempted (a photo that needs a look is not retried on every visit). */
  prepared: boolean;
}

export interface Ledger {
  batchId: string | null;
  entries: LedgerEntry[];
}

export const EMPTY_LEDGER: Ledger = { batchId: null, entries: [] };

export function fileSignature(file: { name: string; size: number; lastModified: number }): string {
  return `${file.name}|${file.size}|${file.lastModified}`;
}

/** Parses what was stored; anything unreadable is an empty ledger (never an error on the page). */
export function parseLedger(text: string | null): Ledger {
  if (!text) return EMPTY_LEDGER;
  try {
    const raw = JSON.parse(text) as Partial<Ledger>;
    if (!Array.isArray(raw.entries)) return EMPTY_LEDGER;
    const entries = raw.entries.filter(
      (e): e is LedgerEntry =>
        !!e && typeof e.sig === 'string' && typeof e.name === 'string' && (e.sessionId === null || typeof e.sessionId === 'string'),
    );
    return {
      batchId: typeof raw.batchId === 'string' ? raw.batchId : null,
      entries: entries.map((e) => ({ ...e, prepared: !!e.prepared })),
    };
  } catch {
    return EMPTY_LEDGER;
  }
}

/** Adds files about to be uploaded; a signature already present keeps its entry. */
export function addPending(ledger: Ledger, files: { sig: string; name: string }[]): Ledger {
  const known = new Set(ledger.entries.map((e) => e.sig));
  const fresh = files.filter((f) => !known.has(f.sig)).map((f) => ({ sig: f.sig, name: f.name, sessionId: null, prepared: false }));
  return { ...ledger, entries: [...ledger.entries, ...fresh] };
}

export function markUploaded(ledger: Ledger, sig: string, sessionId: string): Ledger {
  return { ...ledger, entries: ledger.entries.map((e) => (e.sig === sig ? { ...e, sessionId } : e)) };
}

export function markPrepared(ledger: Ledger, sessionId: string): Ledger {
  return { ...ledger, entries: ledger.entries.map((e) => (e.sessionId === sessionId ? { ...e, prepared: true } : e)) };
}

/** An upload that failed is forgotten: choosing the file again tries again. */
export function forget(ledger: Ledger, sig: string): Ledger {
  return { ...ledger, entries: ledger.entries.filter((e) => e.sig !== sig) };
}

/**
 * Splits newly chosen files: those to upload, and those already uploaded to this batch (left out, counted).
 * A file chosen twice in one drop is taken once.
 */
export function sortChosen<F>(ledger: Ledger, files: F[], sigOf: (f: F) => string): { upload: F[]; alreadyIn: number } {
  const uploaded = new Set(ledger.entries.filter((e) => e.sessionId).map((e) => e.sig));
  const seen = new Set<string>();
  const upload: F[] = [];
  let alreadyIn = 0;
  for (const f of files) {
    const sig = sigOf(f);
    if (uploaded.has(sig)) alreadyIn++;
    else if (!seen.has(sig)) {
      seen.add(sig);
      upload.push(f);
    }
  }
  return { upload, alreadyIn };
}

/** On return: files that never reached the server, and uploaded photos still waiting for their preparation. */
export function unfinished(ledger: Ledger): { notUploaded: LedgerEntry[]; toPrepare: string[] } {
  return {
    notUploaded: ledger.entries.filter((e) => !e.sessionId),
    toPrepare: ledger.entries.filter((e) => e.sessionId && !e.prepared).map((e) => e.sessionId!),
  };
}

/**
 * The record a change applies to: what storage holds now when it is this batch's (another tab on the same batch may
 * have added to it), else this tab's own (storage holds another batch's, or nothing).
 */
export function freshest(stored: Ledger, mine: Ledger): Ledger {
  return stored.batchId === mine.batchId ? stored : mine;
}
