// Source lines stay within 140 characters (Biome's lineWidth), including what Biome leaves alone: string
// literals, comments, test titles and .astro files, which it does not format.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAX = 140;
const PATTERNS = ['*.ts', '*.tsx', '*.mjs', '*.astro'];

function trackedSources(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--', ...PATTERNS], { cwd: ROOT, encoding: 'utf8' });
  if (git.status !== 0) throw new Error(`git ls-files failed: ${git.error?.message ?? git.stderr}`);
  return git.stdout.split('\0').filter(Boolean);
}

describe('line length', () => {
  it(`no line of a tracked source file is longer than ${MAX} characters`, () => {
    const files = trackedSources();
    expect(files.length).toBeGreaterThan(0);
    const long: string[] = [];
    for (const file of files) {
      const lines = readFileSync(path.join(ROOT, file), 'utf8').split(/\r?\n/);
      lines.forEach((line, i) => {
        // Characters, not UTF-16 units: an emoji counts once.
        const length = [...line].length;
        if (length > MAX) long.push(`${file}:${i + 1} (${length} characters)`);
      });
    }
    expect(long, `lines over ${MAX} characters:\n${long.join('\n')}`).toEqual([]);
  });
});
