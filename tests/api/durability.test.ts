// The database after a stop, a copy, a damage; backup and restore while the studio runs.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../support/server.ts';
import { createSession } from '../support/session.ts';
import { ROOT } from '../support/paths.ts';

const dirs: string[] = [];
const servers: RunningServer[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'atelier-durable-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop({ keepData: true });
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function start(dataDir: string) {
  const s = await startServer({ dataDir });
  servers.push(s);
  return s;
}
const sessions = async (s: RunningServer) => (await (await fetch(`${s.url}/api/sessions`)).json()).sessions as { id: string }[];

describe('the database file', () => {
  it('holds everything after a normal stop: copied alone, it opens with every session', async () => {
    const data = tempDir();
    const a = await start(data);
    const made = await createSession(a.url);
    await a.stop({ keepData: true });
    servers.length = 0;
    const file = path.join(data, 'atelier.sqlite');
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    // The .sqlite file alone, without its -wal and -shm, in a copy of the data dir.
    const copy = tempDir();
    copyFileSync(file, path.join(copy, 'atelier.sqlite'));
    spawnSync('cp', ['-r', path.join(data, 'blobs'), path.join(copy, 'blobs')]);
    const b = await start(copy);
    expect((await sessions(b)).map((s) => s.id)).toContain(made.id);
  });

  it('refuses to start, saying what to do, on a zero-byte database beside photos and on a damaged one', async () => {
    const data = tempDir();
    const a = await start(data);
    await createSession(a.url, 'person-idm-00055.jpg', { mask: false, pose: false });
    await a.stop({ keepData: true });
    servers.length = 0;
    const file = path.join(data, 'atelier.sqlite');
    writeFileSync(file, '');
    await expect(startServer({ dataDir: data })).rejects.toThrow(/Atelier cannot start: .*empty \(0 bytes\).*npm run restore/s);
    // Damaged: the header is fine, the pages are not.
    const garbage = Buffer.alloc(64 * 1024, 0x5a);
    Buffer.from('SQLite format 3\0').copy(garbage, 0);
    writeFileSync(file, garbage);
    await expect(startServer({ dataDir: data })).rejects.toThrow(/Atelier cannot start: .*(damaged|cannot be read).*npm run restore/s);
  });
});

describe('backup and restore', () => {
  it('backs up while the studio runs and restores into a stopped studio, keeping the previous data aside', async () => {
    const data = path.join(tempDir(), 'data');
    mkdirSync(data);
    const a = await start(data);
    const first = await createSession(a.url);
    const backup = path.join(tempDir(), 'backup');
    const env = { ...process.env, ATELIER_DATA_DIR: data };
    const run = (script: string, dir: string) =>
      spawnSync(process.execPath, [`src/cli/${script}.ts`, dir], { cwd: ROOT, env, encoding: 'utf8' });
    const b = run('backup', backup);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/Backup of .* files/);
    // Made after the backup: not in it.
    const later = await createSession(a.url, 'person-idm-00121.jpg', { mask: false, pose: false });
    expect(run('restore', backup).status).toBe(1); // the studio still runs: refused
    await a.stop({ keepData: true });
    servers.length = 0;
    const r = run('restore', backup);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/previous data is kept in/);
    const c = await start(data);
    const ids = (await sessions(c)).map((s) => s.id);
    expect(ids).toContain(first.id);
    expect(ids).not.toContain(later.id);
    const mask = await fetch(`${c.url}/api/sessions/${first.id}/mask.png`);
    expect(mask.status).toBe(200);
  });
});
