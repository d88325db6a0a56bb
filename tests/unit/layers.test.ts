// Where code runs shows in the tree: src/lib is shared by browser and server (pure: no Node built-ins, no
// server packages, no src/server), and browser code (client, islands, workers) never reaches into src/server.
// Type-only imports are erased at build, so the pinned API types in src/lib/api may name server types.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NODE_ONLY = /^(node:|sharp$|better-sqlite3$|onnxruntime-node$|undici$|busboy$|fs$|path$)/;

function sources(dir: string): string[] {
  return (readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
    .filter((f) => /\.(ts|tsx)$/.test(f) && !/\.(test|contract)\.ts$/.test(f))
    .map((f) => path.join(dir, f));
}

/** Value imports (not `import type`) of a file: [specifier, resolved path or the package name]. */
function valueImports(file: string): { spec: string; target: string }[] {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  const out: { spec: string; target: string }[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?\bfrom\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    if (m[2]) continue;
    const spec = m[3] ?? m[4]!;
    out.push({ spec, target: spec.startsWith('.') ? path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec)) : spec });
  }
  return out;
}

describe('layers', () => {
  it('src/lib imports neither Node-only modules nor src/server', () => {
    const bad = sources('src/lib').flatMap((f) =>
      valueImports(f)
        .filter((i) => NODE_ONLY.test(i.target) || i.target.startsWith('src/server'))
        .map((i) => `${f} -> ${i.spec}`),
    );
    expect(bad).toEqual([]);
  });

  it('browser code (client, islands, workers) never imports src/server or Node-only modules', () => {
    const bad = ['src/client', 'src/islands', 'src/workers'].flatMap((dir) =>
      sources(dir).flatMap((f) =>
        valueImports(f)
          .filter((i) => NODE_ONLY.test(i.target) || i.target.startsWith('src/server'))
          .map((i) => `${f} -> ${i.spec}`),
      ),
    );
    expect(bad).toEqual([]);
  });

  it('finds the imports it checks (a parser that saw none would pass anything)', () => {
    expect(valueImports('src/server/jobs/runner.ts').some((i) => i.target === 'sharp')).toBe(true);
    expect(valueImports('src/islands/GeneratePanel.tsx').some((i) => i.target.startsWith('src/lib/'))).toBe(true);
  });
});
