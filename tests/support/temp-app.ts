// The studio's services on a data dir of their own (a real SQLite file and the real blob folder in a
// temp dir), for unit tests of code that reaches its database and blobs through app().
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { openAppContext, setAppContext, type AppContext } from '../../src/server/app/context.ts';

export interface TempApp extends AppContext {
  dataDir: string;
  /** Closes the database, removes the data dir and hands app() back to the process-wide context. */
  close(): Promise<void>;
}

/** Opens a context on a new temp data dir and makes it the one app() returns until close(). */
export function openTempApp(): TempApp {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-unit-'));
  const ctx = openAppContext(loadConfig({ ATELIER_DATA_DIR: dataDir, ATELIER_SUPERSEDED_GRACE_SECONDS: '60' }));
  setAppContext(ctx);
  return {
    ...ctx,
    dataDir,
    async close() {
      setAppContext(null);
      ctx.db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
