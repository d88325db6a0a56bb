// Rows of a copied data dir whose files are missing (deleted while the copy was made) are removed from the
// copy, so that it holds no row without its file. Used by backup; restore checks the same before it replaces.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import path from 'node:path';

interface Row {
  id: string;
  image_id: string;
  mask_rev: number;
  mask_key: string | null;
}

/** Sessions whose photo or current mask file is missing in `dir`: their ids. */
export function danglingSessions(dir: string): string[] {
  const db = new Database(path.join(dir, 'atelier.sqlite'), { readonly: true });
  try {
    const blob = (key: string) => existsSync(path.join(dir, 'blobs', key));
    return (db.prepare('SELECT id, image_id, mask_rev, mask_key FROM sessions').all() as Row[])
      .filter((s) => {
        const photoMissing = !blob(`images/${s.image_id}/embedding.npy`);
        const maskMissing = s.mask_rev > 0 && !blob(s.mask_key ?? `sessions/${s.id}/mask-${s.mask_rev}.png`);
        return photoMissing || maskMissing;
      })
      .map((s) => s.id);
  } finally {
    db.close();
  }
}

export function pruneDanglingRows(dir: string): number {
  const ids = danglingSessions(dir);
  if (ids.length === 0) return 0;
  const db = new Database(path.join(dir, 'atelier.sqlite'));
  try {
    db.pragma('foreign_keys = ON');
    db.transaction(() => {
      for (const id of ids) db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
      db.prepare('DELETE FROM images WHERE id NOT IN (SELECT image_id FROM sessions)').run();
    })();
    return ids.length;
  } finally {
    db.close();
  }
}
