// Starts the built server (src/server/main.mjs) as a child process on a free port, with its own data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testModelsDir } from './paths.ts';
import { authorizeOrigin, installAuthorizedFetch, ownerEnv } from './auth.ts';

export interface RunningServer {
  url: string;
  dataDir: string;
  /** The environment the server was started with (tests/support/blobs.ts reads its configuration from it). */
  env: NodeJS.ProcessEnv;
  process: ChildProcess;
  stop(opts?: { keepData?: boolean }): Promise<void>;
  logs(): string;
}

const ROOT = path.resolve(import.meta.dirname, '../..');

/** `root`: a folder holding src/server/main.mjs, src/config.ts and dist/ (default: the project; tests use a copy of a build). */
/**
 * `auth: false` starts a studio with no account (first run); otherwise it has the test owner and admin key, and
 * this process's fetch sends that key to it (tests/support/auth.ts).
 */
export async function startServer(
  opts: { env?: Record<string, string>; dataDir?: string; port?: number; root?: string; auth?: boolean } = {},
): Promise<RunningServer> {
  const root = opts.root ?? ROOT;
  if (!existsSync(path.join(root, 'dist/server/entry.mjs'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it for you) before the API tests.');
  }
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'atelier-test-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(opts.port ?? 0),
    HOST: '127.0.0.1',
    ATELIER_DATA_DIR: dataDir,
    ATELIER_MODELS_DIR: testModelsDir,
    ATELIER_TEST_MODELS: '1',
    SD_WEBUI_URL: '',
    // Replaced mask files go at once, so tests can see exactly which files a session holds.
    ATELIER_SUPERSEDED_GRACE_SECONDS: '0',
    // Tests upload and queue more than a shop would in a minute; tests of these limits set them.
    ATELIER_WORKSPACE_UPLOADS_PER_MINUTE: '0',
    ATELIER_WORKSPACE_MAX_QUEUED: '0',
    ...(opts.auth === false ? {} : ownerEnv()),
    ...opts.env,
  };
  if (opts.auth === false) {
    for (const name of Object.keys(ownerEnv())) delete env[name];
  }
  const child = spawn(process.execPath, ['src/server/main.mjs'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  if (opts.auth !== false) {
    installAuthorizedFetch();
    authorizeOrigin(url);
  }
  return {
    url,
    dataDir,
    env,
    process: child,
    logs: () => output,
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
