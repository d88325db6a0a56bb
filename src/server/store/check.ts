// Is the data dir safe to serve? Checked once before the studio listens (src/server/main.mjs), so a damaged or
// emptied database stops the start with what to do instead of serving an empty studio or answering 500s.
import Database from 'better-sqlite3';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { migrate } from './db.ts';
import { openBlobStore } from './open.ts';
import { sweepOrphans } from './sweep.ts';
import type { Config } from '../../config.ts';

export class DataDirProblem extends Error {}

const restoreHint = (dataDir: string) =>
  `Stop the studio, then restore your latest backup with \`npm run restore -- <backup folder>\`, or move ${dataDir} aside to start empty.`;

/** Photos on disk: a studio with these and no database rows has lost its database, not just started. */
function holdsPhotos(dataDir: string): boolean {
  const images = path.join(dataDir, 'blobs', 'images');
  try {
    return readdirSync(images).length > 0;
  } catch {
    return false;
  }
}

/**
 * Opens the database file, runs SQLite's quick_check and the migrations, and closes it again (which checkpoints
 * the WAL into the main file). Throws DataDirProblem with the fix when the file is damaged, or empty while the
 * data dir holds photos.
 */
export function checkDataDir(dataDir: string): void {
  const file = path.join(dataDir, 'atelier.sqlite');
  const existed = existsSync(file);
  if (existed && statSync(file).size === 0 && holdsPhotos(dataDir)) {
    throw new DataDirProblem(`The database ${file} is empty (0 bytes) but the data folder holds photos. ${restoreHint(dataDir)}`);
  }
  let db: Database.Database | null = null;
  try {
    db = new Database(file);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new DataDirProblem(`The database ${file} is damaged (${String(check)}). ${restoreHint(dataDir)}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0 && holdsPhotos(dataDir)) {
      throw new DataDirProblem(
        `The database ${file} holds no studio data but the data folder holds photos ` +
          `(a database copied without its -wal file?). ${restoreHint(dataDir)}`,
      );
    }
    db.pragma('journal_mode = WAL');
    migrate(db);
  } catch (err) {
    if (err instanceof DataDirProblem) throw err;
    throw new DataDirProblem(`The database ${file} cannot be read: ${(err as Error).message}. ${restoreHint(dataDir)}`);
  } finally {
    db?.close();
  }
}

/** Writes everything in the WAL into the main file and empties the WAL: the .sqlite file alone is complete. */
export function checkpoint(db: Database.Database): void {
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Closing the connection checkpoints too; nothing more to do here.
  }
}

/**
 * Opens the data dir as the studio will and removes what a crash left without rows (sweep.ts). Before the
 * studio listens: nothing is being written yet.
 */
export async function sweepDataDir(config: Config): Promise<void> {
  const db = new Database(path.join(config.dataDir, 'atelier.sqlite'));
  try {
    const report = await sweepOrphans(db, openBlobStore(config));
    if (report.results || report.sessionFiles) {
      console.log(`[sweep] removed ${report.results} result file(s) and ${report.sessionFiles} session file(s) no row pointed at`);
    }
    if (report.interruptedPuts) console.log(`[sweep] removed ${report.interruptedPuts} file(s) a stop left half written`);
  } finally {
    db.close();
  }
}
