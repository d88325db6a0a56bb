// Embedded SQLite metadata store. One connection per process (better-sqlite3 is synchronous,
// so every statement is atomic with respect to the event loop; multi-step writes use transactions).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { JOBS_MIGRATION } from '../jobs/store.ts';

export type Db = Database.Database;

// Each entry upgrades the schema by one version (PRAGMA user_version). Never edit a shipped entry.
const MIGRATIONS: string[] = [
  `CREATE TABLE images (
     id TEXT PRIMARY KEY,
     sha256 TEXT NOT NULL UNIQUE,          -- of the uploaded bytes: the same photo twice is encoded once
     width INTEGER NOT NULL,
     height INTEGER NOT NULL,
     source_format TEXT NOT NULL,
     source_bytes INTEGER NOT NULL,
     embedding_dtype TEXT NOT NULL,
     embedding_shape TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     image_id TEXT NOT NULL REFERENCES images(id),
     title TEXT NOT NULL DEFAULT '',
     mask_rev INTEGER NOT NULL DEFAULT 0,   -- 0 = no mask saved yet
     mask_area INTEGER,
     mask_updated_at TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX sessions_by_created ON sessions(created_at DESC);`,
  // Pose per session (src/lib/sessions/pose.ts): the validated pose JSON, in the photo's pixel frame.
  `CREATE TABLE session_poses (
     session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
     rev INTEGER NOT NULL,                  -- 1 on the first save, +1 per save
     pose TEXT NOT NULL,                    -- JSON of a Pose (src/lib/pose/types.ts)
     updated_at TEXT NOT NULL
   );`,
  // Generation jobs and their results (src/lib/jobs/store.ts).
  JOBS_MIGRATION,
  // Offline sync (src/lib/sessions/conflicts.ts): when an edit made on a device meets a newer
  // server version (or the reverse), both are kept: the newer becomes current, the other lands here.
  `CREATE TABLE session_conflicts (
     id TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
     kind TEXT NOT NULL CHECK (kind IN ('mask','pose')),
     source TEXT NOT NULL CHECK (source IN ('device','server')),  -- whose version was set aside
     rev INTEGER NOT NULL,                  -- server: the rev it was; device: the rev it was based on
     edited_at TEXT NOT NULL,               -- when that version was made
     blob_key TEXT,                         -- mask: the PNG in the blob store
     area INTEGER,                          -- mask: selected pixels
     pose TEXT,                             -- pose: the Pose JSON
     created_at TEXT NOT NULL
   );
   CREATE INDEX session_conflicts_by_session ON session_conflicts(session_id, created_at);`,
  // A running job whose request waits on the generation server behind another client's work: its place there
  // (1 = next), null when it is not waiting (src/lib/jobs/runner.ts).
  `ALTER TABLE jobs ADD COLUMN server_queue INTEGER;`,
  // Figures measured on each result (src/lib/images/checks.ts): garment core exact, seam, sharpness, upscaler.
  `ALTER TABLE results ADD COLUMN checks TEXT;`,
];

export function openDatabase(file: string): Db {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

function migrate(db: Db) {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
