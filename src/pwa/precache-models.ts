// Build-time helper (astro.config.mjs): the browser-side model files to precache in the service
// worker. Only files present and verified (sha256) in ATELIER_MODELS_DIR *now* are listed, under the
// exact `/models/<file>?v=<version>` URLs the studio page uses; a missing or unverified file is left
// out (so the service worker's install never fails on it) and is cached at run time when the editor
// fetches it (the /models/ CacheFirst route), like the test stand-ins, whose version differs.
import { statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config.ts';
import { modelStatuses, type ModelStatus } from '../server/models/status.ts';

export interface PrecacheModel {
  url: string;
  revision: null;
  size: number;
}

export async function modelPrecacheEntries(env: NodeJS.ProcessEnv = process.env): Promise<PrecacheModel[]> {
  let dir: string;
  try {
    dir = loadConfig(env).modelsDir;
  } catch {
    return [];
  }
  const statuses = await modelStatuses(dir, false).catch(() => [] as ModelStatus[]);
  const ok = (role: string) => statuses.find((s) => s.role === role && s.state === 'ok' && s.version);
  // The same choice as src/pages/s/[id].astro: both decoders, and the first pose bundle installed.
  const wanted = [ok('sam-decoder-single'), ok('sam-decoder-multi'), ok('pose-full') ?? ok('pose-lite') ?? ok('pose-heavy')];
  return wanted
    .filter((s): s is ModelStatus => !!s)
    .map((s) => ({ url: `/models/${s.file}?v=${s.version}`, revision: null, size: statSync(path.join(dir, s.file)).size }));
}
