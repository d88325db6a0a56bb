import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { app } from '../app/context.ts';
import { notFound } from './errors.ts';
import { ENCODINGS, type Encoding, pickEncoding } from './precompress.ts';

// private: a shop's files are for its own people; a shared cache (a proxy) must not keep them for others.
export const IMMUTABLE = 'private, max-age=31536000, immutable';
/** The browser-side model files: public weights, no shop data. */
export const PUBLIC_IMMUTABLE = 'public, max-age=31536000, immutable';

/** Streams a stored blob. Content under an id never changes, so callers may mark it immutable. */
export async function blobResponse(key: string, contentType: string, cacheControl: string): Promise<Response> {
  const { blobs } = app();
  const size = await blobs.size(key);
  if (size === null) throw notFound('The file');
  return new Response(blobs.stream(key), {
    headers: { 'content-type': contentType, 'content-length': String(size), 'cache-control': cacheControl },
  });
}

/**
 * Streams a file from disk (model files); its precompressed copy (`file.br`, `file.gz`, see precompress.ts) when the
 * request accepts that encoding. The answer varies with Accept-Encoding either way, so caches keep both.
 */
export async function fileResponse(
  file: string,
  contentType: string,
  cacheControl: string,
  acceptEncoding?: string | null,
): Promise<Response> {
  let size: number;
  let mtimeMs: number;
  try {
    ({ size, mtimeMs } = await stat(file));
  } catch {
    throw notFound('The file');
  }
  const copies: { name: Encoding; size: number }[] = [];
  for (const { name, suffix } of ENCODINGS) {
    const copy = await stat(file + suffix).catch(() => null);
    // A copy older than the file (the model was replaced since) is not served.
    if (copy && copy.mtimeMs >= mtimeMs) copies.push({ name, size: copy.size });
  }
  const encoding = pickEncoding(
    acceptEncoding,
    copies.map((c) => c.name),
  );
  const headers: Record<string, string> = { 'content-type': contentType, 'cache-control': cacheControl, vary: 'Accept-Encoding' };
  let source = file;
  if (encoding) {
    source = file + ENCODINGS.find((e) => e.name === encoding)!.suffix;
    size = copies.find((c) => c.name === encoding)!.size;
    headers['content-encoding'] = encoding;
  }
  headers['content-length'] = String(size);
  const body = Readable.toWeb(createReadStream(source)) as ReadableStream<Uint8Array>;
  return new Response(body, { headers });
}
