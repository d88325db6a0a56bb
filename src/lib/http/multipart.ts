// Reads one file field from a multipart/form-data request with busboy, streaming, and stops at the
// byte limit instead of buffering an oversized upload.
import Busboy from 'busboy';
import { Readable } from 'node:stream';
import { ApiError } from './errors.ts';

export interface UploadedFile {
  bytes: Buffer;
  filename: string;
  mimeType: string;
}

export async function readSingleFile(request: Request, field: string, maxBytes: number): Promise<UploadedFile> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    throw new ApiError(415, 'expected_multipart', `Send the photo as multipart/form-data in a field named "${field}".`);
  }
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) throw tooLarge(maxBytes);
  if (!request.body) throw new ApiError(400, 'missing_field', `The request has no "${field}" file.`);

  return new Promise<UploadedFile>((resolve, reject) => {
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({ headers: { 'content-type': type }, limits: { files: 1, fileSize: maxBytes, fields: 10, parts: 12 } });
    } catch {
      reject(new ApiError(400, 'bad_multipart', 'The upload is not valid multipart/form-data.'));
      return;
    }
    let found: UploadedFile | null = null;
    let failed: ApiError | null = null;
    const otherFiles: string[] = [];
    bb.on('file', (name, stream, info) => {
      if (name !== field || found) {
        otherFiles.push(name);
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failed = tooLarge(maxBytes);
      });
      stream.on('end', () => {
        found = { bytes: Buffer.concat(chunks), filename: info.filename ?? '', mimeType: info.mimeType };
      });
    });
    bb.on('error', () => reject(failed ?? new ApiError(400, 'bad_multipart', 'The upload is incomplete or not valid multipart/form-data.')));
    bb.on('close', () => {
      if (failed) return reject(failed);
      if (!found) {
        const hint = otherFiles.length ? ` (got a file in "${otherFiles[0]}")` : '';
        return reject(new ApiError(400, 'missing_field', `The request has no file in the field "${field}"${hint}.`));
      }
      resolve(found);
    });
    Readable.fromWeb(request.body as import('node:stream/web').ReadableStream).on('error', () => bb.destroy()).pipe(bb);
  });
}

function tooLarge(maxBytes: number) {
  return new ApiError(413, 'file_too_large', `The file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB. Please upload a smaller photo.`);
}
