// `npm test`: everything CI runs, in order: test models → build → lint → type check → unit + API tests (vitest)
// → end-to-end tests (Playwright, Chromium). Prints one "N passed, N failed" line at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const REPORT = path.join(ROOT, 'tests/.generated/report');
rmSync(REPORT, { recursive: true, force: true });
mkdirSync(REPORT, { recursive: true });

const bin = (name: string) => path.join(ROOT, 'node_modules/.bin', name);
/** A free TCP port for the end-to-end server, so a studio already running on this machine doesn't collide. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const env = {
  ...process.env,
  ATELIER_TEST_REPORT: REPORT,
  ASTRO_TELEMETRY_DISABLED: '1',
  ATELIER_E2E_PORT: process.env.ATELIER_E2E_PORT ?? String(await freePort()),
};

function step(title: string, cmd: string, args: string[]): number {
  console.log(`\n=== ${title} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, env, stdio: 'inherit' });
  console.log(
    `=== ${title}: ${r.status === 0 ? 'ok' : `failed (${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`,
  );
  return r.status ?? 1;
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`Chromium not found at ${chromium}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}

const failedSteps: string[] = [];
if (step('prepare test models', process.execPath, ['tests/support/prepare-models.ts']) !== 0) process.exit(1);
if (step('build', bin('astro'), ['build']) !== 0) process.exit(1);
if (step('lint and format (biome check)', bin('biome'), ['check', '.']) !== 0) failedSteps.push('lint');
if (step('type check (astro check)', bin('astro'), ['check']) !== 0) failedSteps.push('typecheck');
if (step('unit + API tests (vitest)', bin('vitest'), ['run']) !== 0) failedSteps.push('vitest');
if (step('end-to-end tests (playwright, chromium)', bin('playwright'), ['test']) !== 0) failedSteps.push('playwright');

// One summary line for people and CI logs.
let passed = 0;
let failed = 0;
/** The fields of vitest's JSON report counted here. */
interface VitestReport {
  numPassedTests?: number;
  numFailedTests?: number;
  numRuntimeErrorTests?: number;
}
/** The fields of Playwright's JSON report counted here. */
interface PlaywrightReport {
  stats?: { expected?: number; unexpected?: number; flaky?: number };
}
function count<Report>(tool: string, file: string, read: (report: Report) => [number, number]) {
  const report = path.join(REPORT, file);
  const [p, f] = existsSync(report) ? read(JSON.parse(readFileSync(report, 'utf8'))) : [0, 0];
  passed += p;
  // A runner that failed without reporting a failing test (crash, server did not start) counts as one failure.
  failed += f === 0 && failedSteps.includes(tool) ? 1 : f;
}
count('vitest', 'vitest.json', (v: VitestReport) => [v.numPassedTests ?? 0, (v.numFailedTests ?? 0) + (v.numRuntimeErrorTests ?? 0)]);
count('playwright', 'playwright.json', (p: PlaywrightReport) => [
  p.stats?.expected ?? 0,
  (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0),
]);
console.log(`\n${passed} passed, ${failed} failed`);
if (failedSteps.includes('typecheck')) failed += 1;
if (failedSteps.includes('lint')) failed += 1;
process.exit(failedSteps.length > 0 || failed > 0 ? 1 : 0);
