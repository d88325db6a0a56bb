// `npm start`: builds only when something the build reads changed since the last build (or there is none), then
// runs the studio. A start without changes takes a few seconds instead of a full build each time.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const stampOf = (root: string) => path.join(root, 'dist/.built-at');
/** Astro's command-line entry (its package's `bin`). */
export const ASTRO_BIN = path.join(ROOT, 'node_modules/astro/bin/astro.mjs');
/** What the build reads: sources, static files, configuration, the dependency lock. */
const INPUTS = ['src', 'public', 'astro.config.mjs', 'uno.config.ts', 'tsconfig.json', 'package-lock.json'];

function newestInput(root: string): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  const visit = (file: string) => {
    const s = statSync(file);
    if (s.isDirectory()) {
      for (const name of readdirSync(file)) visit(path.join(file, name));
    } else if (s.mtimeMs > newest.mtimeMs && !/\.test\.tsx?$/.test(file)) newest = { file, mtimeMs: s.mtimeMs };
  };
  for (const input of INPUTS) if (existsSync(path.join(root, input))) visit(path.join(root, input));
  return newest;
}

/** Why a build is needed, or null. */
export function buildReason(root: string = ROOT): string | null {
  const stamp = stampOf(root);
  if (!existsSync(path.join(root, 'dist/server/entry.mjs')) || !existsSync(stamp)) return 'no build yet';
  const newest = newestInput(root);
  return newest.mtimeMs > statSync(stamp).mtimeMs ? `${path.relative(root, newest.file)} changed` : null;
}

/** Marks a build that began at `started`: a file saved during the build is newer, and the next start builds again. */
export function stampBuild(started: Date, root: string = ROOT): void {
  writeFileSync(stampOf(root), started.toISOString());
  utimesSync(stampOf(root), started, started);
}

if (import.meta.main) {
  const reason = buildReason();
  if (reason) {
    console.log(`[start] building (${reason})…`);
    const started = Date.now();
    const build = spawnSync(process.execPath, [ASTRO_BIN, 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
    stampBuild(new Date(started));
  } else console.log('[start] the build is up to date');
  await import('../server/main.mjs');
}
