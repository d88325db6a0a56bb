import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.ts';
import { describeBytes, readBody, readJson } from './body.ts';

const jsonRequest = (text: string, headers: Record<string, string> = {}) =>
  new Request('http://studio.test/api/jobs', { method: 'POST', body: text, headers: { 'content-type': 'application/json', ...headers } });

/** A body sent in chunks without a content-length, as a streaming client does. */
function streamedRequest(chunks: number, chunkBytes: number, seen = { sent: 0, cancelled: false }) {
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.sent < chunks) {
        seen.sent++;
        controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
      } else controller.close();
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  const init = { method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json' } };
  return new Request('http://studio.test/api/jobs', init as RequestInit);
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe('body limits', () => {
  it('names limits under a megabyte in kilobytes', () => {
    expect(describeBytes(64 * 1024)).toBe('64 KB');
    expect(describeBytes(40 * 1024 * 1024)).toBe('40 MB');
    expect(describeBytes(1.5 * 1024 * 1024)).toBe('1.5 MB');
    expect(describeBytes(100)).toBe('1 KB');
  });

  it('says how large a JSON body may be, declared or streamed', async () => {
    const declared = await refusal(readJson(jsonRequest(JSON.stringify({ prompt: 'a'.repeat(70_000) })), 64 * 1024));
    expect(declared.status).toBe(413);
    expect(declared.message).toBe('The request is larger than 64 KB.');
    const streamed = await refusal(readJson(streamedRequest(20, 4096), 64 * 1024));
    expect(streamed.message).toBe('The request is larger than 64 KB.');
  });

  it('reads the rest of a refused body instead of cancelling it (so the answer reaches the client)', async () => {
    const seen = { sent: 0, cancelled: false };
    await refusal(readBody(streamedRequest(40, 4096, seen), 64 * 1024));
    await expect.poll(() => seen.sent, { timeout: 2000 }).toBe(40);
    expect(seen.cancelled).toBe(false);
  });
});
