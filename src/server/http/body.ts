import { ApiError } from './errors.ts';

const KB = 1024;
const MB = 1024 * 1024;

/** A byte limit in words: "64 KB", "40 MB", "1.5 MB" (never "0 MB"). */
export function describeBytes(bytes: number): string {
  if (bytes < MB) return `${Math.max(1, Math.round(bytes / KB))} KB`;
  const mb = bytes / MB;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** Reads a raw request body, refusing it as soon as it passes `maxBytes` (the rest is read and thrown away). */
export async function readBody(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardBody(request);
    throw tooLarge(maxBytes);
  }
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      // Not cancel(): that would close the connection before the 413 reaches the client.
      reader.releaseLock();
      discardBody(request);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function tooLarge(maxBytes: number) {
  const max = describeBytes(maxBytes);
  return new ApiError(413, 'body_too_large', `The request is larger than ${max}.`, {}, { max });
}

/**
 * Reads what is left of a body and throws it away, in the background. A client still sending when the
 * answer comes (busy, too large) sees that answer only if the connection is not closed under its upload;
 * the server's header, request and idle timeouts bound how long this may take.
 */
export function discardBody(request: Request): void {
  if (!request.body || request.body.locked) return;
  request.body.pipeTo(new WritableStream()).catch(() => {});
}

/** Reads and parses a JSON body (bounded); a clear 400 when it is not JSON. */
export async function readJson(request: Request, maxBytes: number): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) throw new ApiError(415, 'expected_json', 'Send the request body as application/json.');
  const text = (await readBody(request, maxBytes)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}
