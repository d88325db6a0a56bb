import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { app } from '../app/context.ts';
import { notFound } from './errors.ts';

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

/** Streams a file from disk (model files). */
export async function fileResponse(file: string, contentType: string, cacheControl: string): Promise<Response> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch {
    throw notFound('The file');
  }
  const body = Readable.toWeb(createReadStream(file)) as ReadableStream<Uint8Array>;
  return new Response(body, { headers: { 'content-type': contentType, 'content-length': String(size), 'cache-control': cacheControl } });
}
