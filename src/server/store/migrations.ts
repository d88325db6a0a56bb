// Every schema migration of the embedded database, in order: entry i upgrades a file from
// PRAGMA user_version i to i + 1 (src/server/store/db.ts applies them). Tables are owned by the modules
// named beside them, but their SQL lives here, so the store depends on no feature module.
// Never edit a shipped entry: data files already at a later version would not get the change, and
// migrations.test.ts pins each entry's text. Append a new entry instead.

export const MIGRATIONS: readonly string[] = [
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
  // Pose per session (src/server/sessions/pose.ts): the validated pose JSON, in the photo's pixel frame.
  `CREATE TABLE session_poses (
     session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
     rev INTEGER NOT NULL,                  -- 1 on the first save, +1 per save
     pose TEXT NOT NULL,                    -- JSON of a Pose (src/lib/pose/types.ts)
     updated_at TEXT NOT NULL
   );`,
  // Generation jobs and their results (src/server/jobs/store.ts).
  `
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    recipe TEXT NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','canceled')),
    backend TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,      -- ms epoch: a retried job waits until then
    progress REAL NOT NULL DEFAULT 0,
    step INTEGER, steps INTEGER, eta_seconds REAL,
    error_code TEXT, error_message TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL, started_at TEXT, finished_at TEXT
  );
  CREATE INDEX jobs_queue ON jobs(state, created_at);
  CREATE INDEX jobs_by_session ON jobs(session_id, created_at);
  CREATE TABLE results (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    seed INTEGER,
    width INTEGER NOT NULL, height INTEGER NOT NULL,
    fidelity_before REAL, fidelity_after REAL, fidelity_pixels INTEGER,
    params TEXT NOT NULL,                        -- what reproduces it: prompt, seed, sampler, sizes, presets
    created_at TEXT NOT NULL
  );
  CREATE INDEX results_by_session ON results(session_id, created_at);`,
  // Offline sync (src/server/sessions/conflicts.ts): when an edit made on a device meets a newer
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
  // (1 = next), null when it is not waiting (src/server/jobs/runner.ts).
  `ALTER TABLE jobs ADD COLUMN server_queue INTEGER;`,
  // Figures measured on each result (src/server/images/checks.ts): garment core exact, seam, sharpness, upscaler.
  `ALTER TABLE results ADD COLUMN checks TEXT;`,
  // The current mask's file (src/server/sessions/service.ts saveMask): every save writes a file of its own, so two
  // saves at once never share (and delete) one. Null for masks saved before: their key is mask-<rev>.png.
  `ALTER TABLE sessions ADD COLUMN mask_key TEXT;`,
  // Accounts, workspaces (a shop), their members, sign-in sessions, API keys and invites (src/server/auth/).
  // Tokens and keys are stored as sha256 only. Sessions made before accounts belong to the first workspace.
  `CREATE TABLE users (
     id TEXT PRIMARY KEY,
     email TEXT NOT NULL UNIQUE COLLATE NOCASE,
     password_hash TEXT NOT NULL,           -- scrypt$N$r$p$salt$key (src/server/auth/password.ts)
     created_at TEXT NOT NULL
   );
   CREATE TABLE workspaces (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE members (
     workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     role TEXT NOT NULL CHECK (role IN ('owner','editor','viewer')),
     created_at TEXT NOT NULL,
     PRIMARY KEY (workspace_id, user_id)
   );
   CREATE INDEX members_by_user ON members(user_id);
   CREATE TABLE auth_sessions (
     token_hash TEXT PRIMARY KEY,
     user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
     workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
     created_at TEXT NOT NULL,
     expires_at INTEGER NOT NULL            -- ms epoch
   );
   CREATE INDEX auth_sessions_by_user ON auth_sessions(user_id);
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     key_hash TEXT NOT NULL UNIQUE,
     prefix TEXT NOT NULL,                  -- the first characters, to tell keys apart in a list
     scope TEXT NOT NULL CHECK (scope IN ('read','generate','admin')),
     created_at TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at TEXT
   );
   CREATE TABLE invites (
     token_hash TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
     role TEXT NOT NULL CHECK (role IN ('owner','editor','viewer')),
     created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
     created_at TEXT NOT NULL,
     expires_at INTEGER NOT NULL,           -- ms epoch
     used_at TEXT
   );
   ALTER TABLE sessions ADD COLUMN workspace_id TEXT REFERENCES workspaces(id);
   CREATE INDEX sessions_by_workspace ON sessions(workspace_id, created_at DESC);`,
  // Batches (src/server/batches/): photos grouped for a catalogue, their jobs, and the queue's turns between
  // batches and single jobs (claimNextJob serves the lane whose turn is oldest).
  `CREATE TABLE batches (
     id TEXT PRIMARY KEY,
     workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     created_at TEXT NOT NULL,
     canceled_at TEXT
   );
   CREATE INDEX batches_by_workspace ON batches(workspace_id, created_at DESC);
   CREATE TABLE batch_sessions (
     batch_id TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
     session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
     position INTEGER NOT NULL,
     excluded INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (batch_id, session_id)
   );
   ALTER TABLE jobs ADD COLUMN batch_id TEXT REFERENCES batches(id) ON DELETE SET NULL;
   CREATE INDEX jobs_by_batch ON jobs(batch_id, state);
   CREATE TABLE queue_turns (
     lane TEXT PRIMARY KEY,                -- a batch id, or '' for single jobs
     served INTEGER NOT NULL               -- increasing turn number of the last job claimed from the lane
   );`,
  // 10: wrong passwords (src/server/auth/limits.ts), kept across restarts and shared by every process of the studio.
  `CREATE TABLE password_failures (
     key TEXT NOT NULL,                    -- 'a:<address>' or 'e:<address>:<e-mail>'
     at INTEGER NOT NULL                   -- when (ms since the epoch)
   );
   CREATE INDEX password_failures_by_key ON password_failures(key, at);`,
];
