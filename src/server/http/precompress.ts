// Brotli and gzip copies written next to static files once (at build for dist/client, when models are installed
// for the model files), so that every request is answered compressed without compressing anything per request.
// ORT's and MediaPipe's wasm shrink from ~13 MiB to ~2.5–3 MiB each; model weights only by 10–15 %.
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/** Files worth compressing: text, wasm, model weights (.onnx, .task). Images and fonts are already compressed. */
export const COMPRESSIBLE = /\.(?:m?js|css|html|svg|json|webmanifest|txt|xml|wasm|onnx|task)$/i;
const MIN_BYTES = 1024;
/** A copy that saves less than this fraction is not kept (the original is served). */
const MIN_SAVING = 0.05;
/** Brotli's densest level costs minutes on tens of MiB; 9 is within ~5 % of it at a tenth of the time. */
const BROTLI_DENSE_BELOW = 2 * 1024 * 1024;

export const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;
export type Encoding = (typeof ENCODINGS)[number]['name'];

function compressor(encoding: Encoding, size: number) {
  if (encoding === 'gzip') return zlib.createGzip({ level: 9 });
  return zlib.createBrotliCompress({
    params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: size < BROTLI_DENSE_BELOW ? 11 : 9,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: size,
    },
  });
}

/**
 * Writes `file.br` and `file.gz` unless present and newer than the file. A copy is written to a temporary name and
 * renamed, so a cut-off run never leaves a truncated copy that would be served. Returns the sizes written or kept.
 */
export async function precompressFile(file: string): Promise<{ original: number; br: number | null; gzip: number | null }> {
  const original = await stat(file);
  const sizes: { original: number; br: number | null; gzip: number | null } = { original: original.size, br: null, gzip: null };
  if (original.size < MIN_BYTES) return sizes;
  for (const { name, suffix } of ENCODINGS) {
    const target = file + suffix;
    const existing = await stat(target).catch(() => null);
    if (existing && existing.mtimeMs >= original.mtimeMs) {
      sizes[name] = existing.size;
      continue;
    }
    const temp = `${target}.${process.pid}.tmp`;
    await pipeline(createReadStream(file), compressor(name, original.size), createWriteStream(temp));
    const written = (await stat(temp)).size;
    if (written > original.size * (1 - MIN_SAVING)) {
      await rm(temp, { force: true });
      await rm(target, { force: true });
      continue;
    }
    await rename(temp, target);
    sizes[name] = written;
  }
  return sizes;
}

/** Every compressible file under `dir`. */
export async function precompressDir(dir: string): Promise<{ files: number; original: number; br: number }> {
  const names = (await readdir(dir, { recursive: true })) as string[];
  const totals = { files: 0, original: 0, br: 0 };
  for (const name of names) {
    if (!COMPRESSIBLE.test(name)) continue;
    const file = path.join(dir, name);
    if (!(await stat(file)).isFile()) continue;
    const s = await precompressFile(file);
    totals.files++;
    totals.original += s.original;
    totals.br += s.br ?? s.original;
  }
  return totals;
}

/**
 * The encoding to answer with, from an Accept-Encoding header and the copies that exist: brotli before gzip,
 * an encoding refused with q=0 never, identity when nothing else fits.
 */
export function pickEncoding(acceptEncoding: string | null | undefined, available: readonly Encoding[]): Encoding | null {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v != null);
    accepted.set(token, q == null ? 1 : Number(q));
  }
  const wildcard = accepted.get('*');
  for (const { name } of ENCODINGS) {
    if (!available.includes(name)) continue;
    const q = accepted.get(name) ?? wildcard ?? 0;
    if (q > 0) return name;
  }
  return null;
}
