// `npm run restore -- DIR`: brings a backup made by `npm run backup` back, with the studio stopped.
// The current data is moved aside (never deleted) into <data dir>/../<name>-before-restore-<time>.
import Database from 'better-sqlite3';
import { cpSync, existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { danglingSessions } from './prune.ts';

const src = process.argv[2];
if (!src) {
  console.error('Usage: npm run restore -- <backup folder>   (stop the studio first)');
  process.exit(2);
}
const backup = path.resolve(src);
const config = loadConfig();
const pidFile = path.join(config.dataDir, 'atelier.pid');
if (existsSync(pidFile)) {
  const pid = Number(readFileSync(pidFile, 'utf8'));
  let alive = false;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch {
    alive = false;
  }
  if (alive) {
    console.error(`The studio is running (pid ${pid}). Stop it, then run the restore again.`);
    process.exit(1);
  }
}
const file = path.join(backup, 'atelier.sqlite');
if (!existsSync(file)) {
  console.error(`${backup} holds no atelier.sqlite: not a backup made by \`npm run backup\`.`);
  process.exit(1);
}
const db = new Database(file, { readonly: true });
const check = db.pragma('quick_check', { simple: true });
db.close();
if (check !== 'ok') {
  console.error(`The backup's database is damaged (${String(check)}); nothing was changed.`);
  process.exit(1);
}
const dangling = danglingSessions(backup);
if (dangling.length) {
  console.error(`The backup lacks files for ${dangling.length} session(s) (${dangling.slice(0, 3).join(', ')}…); nothing was changed.`);
  process.exit(1);
}
let aside: string | null = null;
if (existsSync(config.dataDir)) {
  aside = `${config.dataDir.replace(/\/+$/, '')}-before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(config.dataDir, aside);
}
cpSync(backup, config.dataDir, { recursive: true });
console.log(`Restored ${backup} into ${config.dataDir}.${aside ? ` The previous data is kept in ${aside}.` : ''}`);
