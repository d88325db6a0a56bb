// Receives one file field of a multipart/form-data request with busboy, streamed to a temp file (never held
// in memory) and hashed on the way, refused as soon as it passes the byte limit. Every stream involved has
// its error handled: a client that disconnects mid-body costs an unfinished request and nothing else (the
// temp file is removed, nothing is thrown outside the request).
import Busboy from 'busboy';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { describeBytes } from './body.ts';
import { ApiError } from './errors.ts';

export interface ReceivedFile {
  /** The temp file holding the upload; remove() deletes it (the caller's job once done with it). */
  path: string;
  bytes: number;
  sha256: string;
  filename: string;
  mimeType: string;
  remove(): Promise<void>;
}

interface SavedFile {
  path: string;
  bytes: number;
  sha256: string;
}

/** The server could not write the temp file (as opposed to the part ending early: the client's doing). */
class TempFileError extends Error {}

/** Writes a file part to `file`, hashing it; on any failure the partial file is removed. */
async function saveToFile(part: Readable, file: string): Promise<SavedFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  const out = createWriteStream(file, { flags: 'wx' });
  let writeFailed = false;
  out.once('error', () => (writeFailed = true));
  try {
    await pipeline(
      part,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          bytes += chunk.byteLength;
          yield chunk;
        }
      },
      out,
    );
  } catch (err) {
    await rm(file, { force: true });
    throw writeFailed ? new TempFileError(`could not write the upload to ${file}`, { cause: err }) : err;
  }
  return { path: file, bytes, sha256: hash.digest('hex') };
}

/** The first of: the body parsed; parsing failed (the client left, or not multipart); over the limit; not writable. */
type Outcome = { kind: 'parsed' } | { kind: 'broken' } | { kind: 'too_large' } | { kind: 'save_failed'; error: unknown };

export async function receiveFile(request: Request, field: string, opts: { maxBytes: number; dir: string }): Promise<ReceivedFile> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    throw new ApiError(415, 'expected_multipart', `Send the photo as multipart/form-data in a field named "${field}".`);
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > opts.maxBytes + 64 * 1024) throw tooLarge(opts.maxBytes);
  if (!request.body) throw new ApiError(400, 'missing_field', `The request has no "${field}" file.`);

  let bb: Busboy.Busboy;
  try {
    // One byte over the limit is what busboy reports as truncated (a file of exactly the limit is fine).
    bb = Busboy({
      headers: { 'content-type': type },
      limits: { files: 1, fileSize: opts.maxBytes + 1, fields: 10, parts: 12 },
      // Browsers send the file's name as UTF-8 bytes; busboy's default (latin1) would garble "春季连衣裙.jpg".
      defParamCharset: 'utf8',
    });
  } catch {
    throw new ApiError(400, 'bad_multipart', 'The upload is not valid multipart/form-data.');
  }
  await mkdir(opts.dir, { recursive: true });

  let saving: Promise<SavedFile> | null = null;
  let info: Busboy.FileInfo | null = null;
  let truncated = false;
  const otherFiles: string[] = [];
  let settle!: (outcome: Outcome) => void;
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));

  bb.on('file', (name, part, fileInfo) => {
    if (name !== field || saving) {
      otherFiles.push(name);
      part.on('error', () => {}); // ends with the form, whatever ends it
      part.resume();
      return;
    }
    info = fileInfo;
    part.once('limit', () => {
      truncated = true;
      settle({ kind: 'too_large' });
    });
    saving = saveToFile(part, path.join(opts.dir, `upload-${randomBytes(8).toString('hex')}.part`));
    saving.catch((error: unknown) => {
      if (error instanceof TempFileError) settle({ kind: 'save_failed', error });
    });
  });
  const source = Readable.fromWeb(request.body as NodeReadableStream<Uint8Array>);
  // The client went away: busboy ends the file part with an error, which removes the temp file.
  source.on('error', (err) => {
    bb.destroy(err);
    settle({ kind: 'broken' });
  });
  bb.on('error', () => {
    // Not valid multipart: the rest is read into nothing (not cancelled, which would drop the connection).
    source.unpipe(bb);
    source.resume();
    settle({ kind: 'broken' });
  });
  bb.on('finish', () => settle({ kind: 'parsed' }));
  source.pipe(bb);

  const first = await outcome;
  const dropFile = () => void saving?.then((f) => rm(f.path, { force: true })).catch(() => {});
  if (first.kind === 'too_large') {
    // busboy reads the rest of the body and drops it, so the 413 reaches a client still sending.
    dropFile();
    throw tooLarge(opts.maxBytes);
  }
  if (first.kind === 'save_failed') {
    // The server could not write: keep reading the body (into nothing) so the client gets the answer.
    source.unpipe(bb);
    source.resume();
    throw first.error;
  }
  if (first.kind === 'broken') {
    dropFile();
    throw new ApiError(400, 'bad_multipart', 'The upload is incomplete or not valid multipart/form-data.');
  }
  if (!saving || !info) {
    const hint = otherFiles.length ? ` (got a file in "${otherFiles[0]}")` : '';
    throw new ApiError(400, 'missing_field', `The request has no file in the field "${field}"${hint}.`);
  }
  // Parsed: the file part is complete; only its last writes may still be on their way to disk.
  const saved = await (saving as Promise<SavedFile>);
  if (truncated) {
    await rm(saved.path, { force: true });
    throw tooLarge(opts.maxBytes);
  }
  const { filename, mimeType } = info as Busboy.FileInfo;
  return { ...saved, filename: filename ?? '', mimeType, remove: () => rm(saved.path, { force: true }) };
}

function tooLarge(maxBytes: number) {
  const max = describeBytes(maxBytes);
  return new ApiError(413, 'file_too_large', `The file is larger than ${max}. Please upload a smaller photo.`, {}, { max });
}
