// Headless set-up before the studio listens (src/server/main.mjs): ATELIER_OWNER_EMAIL / _PASSWORD and
// ATELIER_BOOTSTRAP_API_KEY, on a connection of its own (migrations run on open).
import path from 'node:path';
import type { Config } from '../../config.ts';
import { openDatabase } from '../store/db.ts';
import { bootstrapAccounts } from './accounts.ts';

export async function bootstrapDataDir(config: Config): Promise<void> {
  if (!config.owner && !config.bootstrapApiKey) return;
  const db = openDatabase(path.join(config.dataDir, 'atelier.sqlite'));
  try {
    const done = await bootstrapAccounts(db, { owner: config.owner, apiKey: config.bootstrapApiKey });
    if (done.ownerCreated) console.log(`[accounts] owner ${config.owner?.email} and a first workspace created (ATELIER_OWNER_EMAIL)`);
    if (done.keyRegistered) console.log("[accounts] ATELIER_BOOTSTRAP_API_KEY registered as the first workspace's admin key");
    if (config.bootstrapApiKey && !done.keyRegistered && !config.owner && !db.prepare('SELECT 1 FROM workspaces').get()) {
      console.log(
        '[accounts] ATELIER_BOOTSTRAP_API_KEY waits for the first workspace ' +
          '(set ATELIER_OWNER_EMAIL/PASSWORD, or create the owner in the browser and restart)',
      );
    }
  } finally {
    db.close();
  }
}
