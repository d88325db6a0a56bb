import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pickEncoding, precompressDir, precompressFile } from './precompress.ts';

describe('precompressed copies', () => {
  it('writes brotli and gzip copies that decode to the file, and keeps them while the file is unchanged', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-precompress-'));
    const file = path.join(dir, 'app.js');
    const text = Array.from({ length: 2000 }, (_, i) => `export const v${i} = ${i};`).join('\n');
    writeFileSync(file, text);
    const sizes = await precompressFile(file);
    expect(sizes.br).toBeLessThan(sizes.original / 3);
    expect(zlib.brotliDecompressSync(readFileSync(`${file}.br`)).toString()).toBe(text);
    expect(zlib.gunzipSync(readFileSync(`${file}.gz`)).toString()).toBe(text);
    const before = statSync(`${file}.br`).mtimeMs;
    await precompressFile(file);
    expect(statSync(`${file}.br`).mtimeMs).toBe(before);
    // The file changes: its copies follow.
    writeFileSync(file, `${text}\n// changed`);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    await precompressFile(file);
    expect(zlib.brotliDecompressSync(readFileSync(`${file}.br`)).toString()).toBe(`${text}\n// changed`);
  });

  it('keeps no copy of what does not compress, nor of small files, and leaves other files alone', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-precompress-'));
    const random = new Uint8Array(200_000);
    for (let i = 0; i < random.length; i += 65536) crypto.getRandomValues(random.subarray(i, i + 65536));
    writeFileSync(path.join(dir, 'noise.wasm'), random);
    writeFileSync(path.join(dir, 'tiny.css'), 'a{}');
    writeFileSync(path.join(dir, 'photo.jpg'), 'x'.repeat(10_000));
    const totals = await precompressDir(dir);
    expect(totals.files).toBe(2);
    for (const f of ['noise.wasm.br', 'noise.wasm.gz', 'tiny.css.br', 'photo.jpg.br'])
      expect(() => statSync(path.join(dir, f)), f).toThrow();
  });

  it('picks brotli, then gzip, never an encoding refused with q=0, identity when nothing fits', () => {
    const both = ['br', 'gzip'] as const;
    expect(pickEncoding('gzip, deflate, br, zstd', both)).toBe('br');
    expect(pickEncoding('gzip, deflate', both)).toBe('gzip');
    expect(pickEncoding('br;q=0, gzip;q=0.5', both)).toBe('gzip');
    expect(pickEncoding('br', ['gzip'])).toBeNull();
    expect(pickEncoding('', both)).toBeNull();
    expect(pickEncoding(undefined, both)).toBeNull();
    expect(pickEncoding('*', both)).toBe('br');
    expect(pickEncoding('*, br;q=0', both)).toBe('gzip');
    expect(pickEncoding('identity', both)).toBeNull();
  });
});
