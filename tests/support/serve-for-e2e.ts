// Playwright's webServer: the built server with a fresh data dir and the assembled test models.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { ROOT, testModelsDir } from './paths.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-e2e-'));
const child = spawn(process.execPath, ['server.mjs'], {
  cwd: ROOT,
  stdio: 'inherit',
  env: {
    ...process.env,
    PORT: process.env.ATELIER_E2E_PORT ?? '4399',
    HOST: '127.0.0.1',
    ATELIER_DATA_DIR: dataDir,
    ATELIER_MODELS_DIR: testModelsDir,
    ATELIER_TEST_MODELS: '1',
  },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
