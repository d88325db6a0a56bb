// The start-up sweep: files no row points at are what a crash between writing a file and committing its row
// leaves behind (every write puts the file first, the row second). Run by src/server/main.mjs before the studio
// listens, so it never meets a write in progress.
import type { Db } from './db.ts';
import type { BlobStore } from './blobs.ts';

export interface SweepReport {
  results: number;
  sessionFiles: number;
  /** Temp files of puts a crash cut off. */
  interruptedPuts: number;
}

/** Blobs the session rows point at: current masks (mask_key, or mask-<rev>.png from before keys) and copies. */
function referencedSessionBlobs(db: Db): Set<string> {
  const keys = new Set<string>();
  const masks = db.prepare('SELECT id, mask_rev, mask_key FROM sessions WHERE mask_rev > 0').all() as {
    id: string;
    mask_rev: number;
    mask_key: string | null;
  }[];
  for (const s of masks) keys.add(s.mask_key ?? `sessions/${s.id}/mask-${s.mask_rev}.png`);
  for (const c of db.prepare('SELECT blob_key FROM session_conflicts WHERE blob_key IS NOT NULL').all() as { blob_key: string }[])
    keys.add(c.blob_key);
  return keys;
}

export async function sweepOrphans(db: Db, blobs: BlobStore): Promise<SweepReport> {
  const report: SweepReport = { results: 0, sessionFiles: 0, interruptedPuts: await blobs.clearInterruptedPuts() };
  const known = new Set((db.prepare('SELECT id FROM results').all() as { id: string }[]).map((r) => r.id));
  for (const key of await blobs.list('results')) {
    const id = key
      .split('/')
      .pop()!
      .replace(/\.png$/, '');
    if (known.has(id)) continue;
    await blobs.delete(key);
    report.results++;
  }
  const referenced = referencedSessionBlobs(db);
  for (const key of await blobs.list('sessions')) {
    if (referenced.has(key)) continue;
    await blobs.delete(key);
    report.sessionFiles++;
  }
  return report;
}
