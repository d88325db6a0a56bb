// Schema migrations on real SQLite files: a new file, a file left at each earlier version (as an
// older build wrote it, with its data), an up-to-date file, a failing step; and the shipped entries pinned.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Db } from './db.ts';
import { MIGRATIONS } from './migrations.ts';

// sha256 of each shipped entry. A data file at version n has run entries 0..n-1 as they were, so an
// edit would never reach it: append a new entry (and its hash) instead of changing one of these.
const SHIPPED = [
  'b4178201981a0e9bb96470e732bf704996c122818c5c884b9585caba01bba186', // 1: images, sessions
  '676d099476b6927c3edc937936b2f4bcba98a3eb384389dec0332aa04a653113', // 2: session_poses
  'b5ee25020e4675510a449da3cd254fd4e0198bd7028d3286553a2ef5cc7b94b4', // 3: jobs, results
  '76e3d044e5c0605801c75e791ccbbf3be682631081aa097ffbeb2ea09680950e', // 4: session_conflicts
  '3efd5fa857cd7cee5af23de04a46bc21720ad7b6856727ac053840a2626aaa13', // 5: jobs.server_queue
];

let dir: string;
const open: Db[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-migrations-'));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const fileNamed = (name: string) => path.join(dir, name, 'atelier.sqlite');
function track(db: Db): Db {
  open.push(db);
  return db;
}
const version = (db: Db) => db.pragma('user_version', { simple: true }) as number;
const schema = (db: Db) => db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();
const columns = (db: Db, table: string) => (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);

const T = '2026-01-01T00:00:00.000Z';
// Rows an older build could have written at each version, in the columns that version had.
const SEEDS: ((db: Db) => void)[] = [
  (db) => {
    db.prepare(`INSERT INTO images VALUES ('img1', 'sha-1', 64, 48, 'jpeg', 1000, 'float16', '[1,256,64,64]', ?)`).run(T);
    db.prepare(`INSERT INTO sessions (id, image_id, title, mask_rev, mask_area, mask_updated_at, created_at, updated_at)
                VALUES ('ses1', 'img1', 'Shirt', 2, 300, ?, ?, ?)`).run(T, T, T);
  },
  (db) => db.prepare(`INSERT INTO session_poses VALUES ('ses1', 3, '{"keypoints":[]}', ?)`).run(T),
  (db) => {
    db.prepare(`INSERT INTO jobs (id, session_id, recipe, params, state, attempts, created_at, started_at, finished_at)
                VALUES ('job1', 'ses1', 'model-shot', '{}', 'succeeded', 1, ?, ?, ?)`).run(T, T, T);
    db.prepare(`INSERT INTO results (id, job_id, session_id, idx, seed, width, height, params, created_at)
                VALUES ('res1', 'job1', 'ses1', 0, 7, 64, 48, '{}', ?)`).run(T);
  },
  (db) => {
    db.prepare(`INSERT INTO session_conflicts (id, session_id, kind, source, rev, edited_at, blob_key, area, pose, created_at)
                VALUES ('con1', 'ses1', 'mask', 'device', 1, ?, 'sessions/ses1/conflict-con1.png', 10, NULL, ?)`).run(T, T);
  },
  () => {},
  () => {},
  () => {},
  () => {},
  () => {},
  () => {},
];

function expectSeedsKept(db: Db, upTo: number) {
  if (upTo >= 1) {
    expect(db.prepare('SELECT id, width, height FROM images').all()).toEqual([{ id: 'img1', width: 64, height: 48 }]);
    expect(db.prepare('SELECT id, mask_rev, mask_area FROM sessions').all()).toEqual([{ id: 'ses1', mask_rev: 2, mask_area: 300 }]);
  }
  if (upTo >= 2) expect(db.prepare('SELECT session_id, rev FROM session_poses').all()).toEqual([{ session_id: 'ses1', rev: 3 }]);
  if (upTo >= 3) {
    // Columns added later take their defaults on rows that were there before.
    const jobs = db.prepare('SELECT id, state, attempts, server_queue FROM jobs').all();
    expect(jobs).toEqual([{ id: 'job1', state: 'succeeded', attempts: 1, server_queue: null }]);
    expect(db.prepare('SELECT id, job_id, seed FROM results').all()).toEqual([{ id: 'res1', job_id: 'job1', seed: 7 }]);
  }
  if (upTo >= 4) {
    expect(db.prepare('SELECT id, kind, source FROM session_conflicts').all()).toEqual([{ id: 'con1', kind: 'mask', source: 'device' }]);
  }
}

describe('the shipped migrations', () => {
  it('are unchanged and in order (pinned by hash)', () => {
    const hashes = MIGRATIONS.map((sql) => createHash('sha256').update(sql).digest('hex'));
    expect(hashes.slice(0, SHIPPED.length)).toEqual(SHIPPED);
  });

  it('seed fixtures cover every version', () => {
    expect(SEEDS).toHaveLength(MIGRATIONS.length);
  });
});

describe('openDatabase', () => {
  it('creates a new file at the latest version with every table, foreign keys on and WAL', () => {
    const db = track(openDatabase(fileNamed('new')));
    expect(version(db)).toBe(MIGRATIONS.length);
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all();
    expect(tables).toEqual([
      'api_keys',
      'auth_sessions',
      'batch_sessions',
      'batches',
      'images',
      'invites',
      'jobs',
      'members',
      'password_failures',
      'queue_turns',
      'results',
      'session_conflicts',
      'session_poses',
      'sessions',
      'users',
      'workspaces',
    ]);
    expect(columns(db, 'sessions')).toContain('workspace_id');
    expect(columns(db, 'jobs')).toContain('server_queue');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  for (let from = 0; from <= MIGRATIONS.length; from++) {
    it(`upgrades a file left at version ${from}, keeping its data, to the same schema as a new file`, () => {
      const fresh = track(openDatabase(fileNamed('fresh')));
      const file = fileNamed(`v${from}`);
      // What an older build left: the migrations it knew, and rows it wrote along the way.
      const old = track(openOlderBuildFile(file));
      for (let v = 0; v < from; v++) {
        migrate(old, MIGRATIONS.slice(0, v + 1));
        SEEDS[v](old);
      }
      expect(version(old)).toBe(from);
      old.close();

      const db = track(openDatabase(file));
      expect(version(db)).toBe(MIGRATIONS.length);
      expect(schema(db)).toEqual(schema(fresh));
      expectSeedsKept(db, from);
    });
  }

  it('leaves an up-to-date file as it is when opened again', () => {
    const file = fileNamed('again');
    const first = openDatabase(file);
    for (const seed of SEEDS) seed(first);
    const before = schema(first);
    first.close();
    const db = track(openDatabase(file));
    expect(version(db)).toBe(MIGRATIONS.length);
    expect(schema(db)).toEqual(before);
    expectSeedsKept(db, MIGRATIONS.length);
  });

  it('stops at the last good version when a step fails, with nothing of the failed step applied', () => {
    const db = track(openDatabase(fileNamed('failing')));
    const broken = [...MIGRATIONS, 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);'];
    expect(() => migrate(db, broken)).toThrow(/no_such_table/);
    expect(version(db)).toBe(MIGRATIONS.length);
    expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'half_done'`).all()).toEqual([]);
  });

  it('deletes a session’s poses, jobs, results and conflict copies with it (ON DELETE CASCADE)', () => {
    const db = track(openDatabase(fileNamed('cascade')));
    for (const seed of SEEDS) seed(db);
    db.prepare(`DELETE FROM sessions WHERE id = 'ses1'`).run();
    for (const table of ['session_poses', 'jobs', 'results', 'session_conflicts']) {
      expect((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n, table).toBe(0);
    }
    expect((db.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n).toBe(1);
  });
});

/** A file as an older build opened it (same pragmas), without running today's migrations. */
function openOlderBuildFile(file: string): Db {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}
