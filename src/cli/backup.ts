// `npm run backup -- DIR`: a consistent copy of the studio's data while it runs.
// The database is copied with SQLite's online backup (a snapshot, whatever the studio writes meanwhile), then the
// blobs. A blob the snapshot points at but that is gone by the time it is copied belongs to something deleted
// during the backup: its rows are dropped from the copy, so the backup never holds a row without its file.
import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { pruneDanglingRows } from './prune.ts';

const dest = process.argv[2];
if (!dest) {
  console.error('Usage: npm run backup -- <folder>   (a new or empty folder)');
  process.exit(2);
}
const target = path.resolve(dest);
if (existsSync(target) && readdirSync(target).length > 0) {
  console.error(`${target} is not empty: choose a new folder for the backup.`);
  process.exit(2);
}
const config = loadConfig();
const source = path.join(config.dataDir, 'atelier.sqlite');
if (!existsSync(source)) {
  console.error(`No studio data at ${config.dataDir} (set ATELIER_DATA_DIR).`);
  process.exit(1);
}
mkdirSync(target, { recursive: true });
const started = Date.now();
const db = new Database(source, { readonly: true, fileMustExist: true });
await db.backup(path.join(target, 'atelier.sqlite'));
db.close();

let files = 0;
let bytes = 0;
function copyTree(from: string, to: string) {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const a = path.join(from, entry.name);
    const b = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(a, b);
    else if (entry.isFile() && !entry.name.endsWith('.tmp')) {
      try {
        copyFileSync(a, b);
        files++;
        bytes += statSync(b).size;
      } catch {
        // Deleted while copying: its rows are pruned from the copy below.
      }
    }
  }
}
copyTree(path.join(config.dataDir, 'blobs'), path.join(target, 'blobs'));
const pruned = pruneDanglingRows(target);
console.log(
  `Backup of ${config.dataDir} in ${target}: database + ${files} files (${(bytes / 1024 / 1024).toFixed(1)} MB) in ` +
    `${((Date.now() - started) / 1000).toFixed(1)} s${pruned ? `; ${pruned} session(s) deleted during the backup left out` : ''}.`,
);
