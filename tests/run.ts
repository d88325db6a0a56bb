// `npm test`: everything CI runs, in order: test models → build → unit + API tests (vitest)
// → end-to-end tests (Playwright, Chromium). Prints one "N passed, N failed" line at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const REPORT = path.join(ROOT, 'tests/.generated/report');
rmSync(REPORT, { recursive: true, force: true });
mkdirSync(REPORT, { recursive: true });

const bin = (name: string) => path.join(ROOT, 'node_modules/.bin', name);
const env = { ...process.env, ATELIER_TEST_REPORT: REPORT, ASTRO_TELEMETRY_DISABLED: '1' };

function step(title: string, cmd: string, args: string[]): number {
  console.log(`\n=== ${title} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, env, stdio: 'inherit' });
  console.log(`=== ${title}: ${r.status === 0 ? 'ok' : `failed (${r.status ?? r.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s ===`);
  return r.status ?? 1;
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromium)) {
  console.error(`Chromium not found at ${chromium}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  process.exit(1);
}

let failedSteps = 0;
if (step('prepare test models', process.execPath, ['tests/support/prepare-models.ts']) !== 0) process.exit(1);
if (step('build', bin('astro'), ['build']) !== 0) process.exit(1);
failedSteps += step('unit + API tests (vitest)', bin('vitest'), ['run']) === 0 ? 0 : 1;
failedSteps += step('end-to-end tests (playwright, chromium)', bin('playwright'), ['test']) === 0 ? 0 : 1;

// One summary line for people and CI logs.
let passed = 0;
let failed = 0;
const vitestReport = path.join(REPORT, 'vitest.json');
if (existsSync(vitestReport)) {
  const v = JSON.parse(readFileSync(vitestReport, 'utf8'));
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
}
const pwReport = path.join(REPORT, 'playwright.json');
if (existsSync(pwReport)) {
  const p = JSON.parse(readFileSync(pwReport, 'utf8'));
  passed += p.stats?.expected ?? 0;
  failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
}
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedSteps > 0 || failed > 0 ? 1 : 0);
