// `npm start`: builds only when something the build reads changed since the last build (or there is none), then
// runs the studio. A start without changes takes a few seconds instead of a full build each time.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STAMP = path.join(ROOT, 'dist/.built-at');
/** What the build reads: sources, static files, configuration, the dependency lock. */
const INPUTS = ['src', 'public', 'astro.config.mjs', 'uno.config.ts', 'tsconfig.json', 'package-lock.json'];

function newestInput(): { file: string; mtimeMs: number } {
  let newest = { file: '', mtimeMs: 0 };
  const visit = (file: string) => {
    const s = statSync(file);
    if (s.isDirectory()) {
      for (const name of readdirSync(file)) visit(path.join(file, name));
    } else if (s.mtimeMs > newest.mtimeMs && !/\.test\.tsx?$/.test(file)) newest = { file, mtimeMs: s.mtimeMs };
  };
  for (const input of INPUTS) if (existsSync(path.join(ROOT, input))) visit(path.join(ROOT, input));
  return newest;
}

/** Why a build is needed, or null. */
export function buildReason(): string | null {
  if (!existsSync(path.join(ROOT, 'dist/server/entry.mjs')) || !existsSync(STAMP)) return 'no build yet';
  const newest = newestInput();
  return newest.mtimeMs > statSync(STAMP).mtimeMs ? `${path.relative(ROOT, newest.file)} changed` : null;
}

if (import.meta.main) {
  const reason = buildReason();
  if (reason) {
    console.log(`[start] building (${reason})…`);
    const started = Date.now();
    const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/astro/astro.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
    // Dated when the build began: a file saved during the build is newer, and the next start builds again.
    writeFileSync(STAMP, new Date(started).toISOString());
    utimesSync(STAMP, new Date(started), new Date(started));
  } else console.log('[start] the build is up to date');
  await import('../server/main.mjs');
}
