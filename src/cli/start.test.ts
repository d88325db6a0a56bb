import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASTRO_BIN, buildReason, stampBuild } from './start.ts';

describe('npm start builds only when needed', () => {
  it('finds the astro command it runs', () => {
    expect(existsSync(ASTRO_BIN)).toBe(true);
  });

  it('builds without a build, skips an up-to-date one, builds again after a source changed', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'atelier-start-'));
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src/page.ts'), 'export {}');
    expect(buildReason(root)).toBe('no build yet');
    mkdirSync(path.join(root, 'dist/server'), { recursive: true });
    writeFileSync(path.join(root, 'dist/server/entry.mjs'), '');
    const started = new Date();
    stampBuild(started, root);
    const before = new Date(started.getTime() - 60_000);
    utimesSync(path.join(root, 'src/page.ts'), before, before);
    expect(buildReason(root)).toBeNull();
    // A test file changing does not need a build; a source does.
    writeFileSync(path.join(root, 'src/page.test.ts'), 'x');
    expect(buildReason(root)).toBeNull();
    const later = new Date(started.getTime() + 60_000);
    utimesSync(path.join(root, 'src/page.ts'), later, later);
    expect(buildReason(root)).toBe(`${path.join('src', 'page.ts')} changed`);
  });
});
