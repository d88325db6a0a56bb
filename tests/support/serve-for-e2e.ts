// Playwright's webServer: the built server with a fresh data dir, the assembled test models and an
// SD WebUI test double as its generation backend (a test tool, never shown to users as a generator).
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, testModelsDir } from './paths.ts';
import { startSdDouble } from '../sd-double/server.ts';
import { ownerEnv } from './auth.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-e2e-'));
const sd = await startSdDouble({ stepMs: 60, steps: 20, controlnetModels: ['control_v11p_sd15_openpose [cab727d4]'], livePreviews: true });
const child = spawn(process.execPath, ['src/server/main.mjs'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    PORT: process.env.ATELIER_E2E_PORT ?? '4399',
    HOST: '127.0.0.1',
    ATELIER_DATA_DIR: dataDir,
    ATELIER_MODELS_DIR: testModelsDir,
    ATELIER_TEST_MODELS: '1',
    SD_WEBUI_URL: sd.url,
    ...ownerEnv(),
  },
});
const stop = async (signal: NodeJS.Signals) => {
  child.kill(signal);
  await sd.stop();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(signal));
child.on('exit', async (code) => {
  await sd.stop();
  process.exit(code ?? 0);
});
