// What anonymous clients can hold on the server: upload bodies go to temp files (not memory), and clients
// that drop an upload cost nothing (and log nothing).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../support/server.ts';
import { pacedUpload } from '../support/paced-upload.ts';

let server: RunningServer;
let photo: Buffer;

beforeAll(async () => {
  server = await startServer({ env: { ATELIER_MAX_UPLOAD_MB: '2' } });
  // A grainy photo of about a megabyte, so that a body arrives in many pieces.
  const grain = { type: 'gaussian', mean: 128, sigma: 40 } as const;
  photo = await sharp({ create: { width: 900, height: 1200, channels: 3, background: '#808080', noise: grain } })
    .jpeg({ quality: 92 })
    .toBuffer();
});
afterAll(async () => {
  await server?.stop();
});

/** Upload bodies being received: temp files under <data dir>/uploads/, with their sizes. */
function receiving(): number[] {
  const root = path.join(server.dataDir, 'uploads');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.part'))
    .map((e) => statSync(path.join(e.parentPath, e.name)).size);
}

async function upload(bytes: Buffer) {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'photo.jpg');
  return fetch(`${server.url}/api/images`, { method: 'POST', body: form });
}

/** A distinct photo each time (the server deduplicates by content). */
let variant = 0;
const smallPhoto = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20 + (variant++ % 200), g: 90, b: 160 } } }).jpeg().toBuffer();

describe('upload bodies', () => {
  it('are received into a temp file, not memory, removed once the upload is done', async () => {
    expect(photo.byteLength).toBeGreaterThan(600_000);
    const up = pacedUpload(server.url, photo);
    up.send(500_000);
    await expect.poll(() => Math.max(0, ...receiving()), { timeout: 10_000 }).toBeGreaterThanOrEqual(450_000);
    up.finish();
    const answer = await up.answer;
    expect(answer.status).toBe(201);
    expect(receiving()).toEqual([]);
  });

  it('over the limit while being sent (no length declared): 413 and no temp file left', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x61);
    let pieces = 0;
    const boundary = 'atelier-streamed';
    const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.jpg"\r\n\r\n`);
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pieces === 0) controller.enqueue(head);
        if (pieces++ < 12) controller.enqueue(chunk); // 3 MB against a 2 MB limit
        else controller.close();
      },
    });
    const init = { method: 'POST', body, duplex: 'half', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    const res = await fetch(`${server.url}/api/images`, init as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: 'file_too_large', message: expect.stringMatching(/larger than 2 MB/) });
    await expect.poll(receiving, { timeout: 5000 }).toEqual([]);
  });

  it('a client that drops its upload mid-body costs nothing and logs no uncaught error', async () => {
    const dropped = Array.from({ length: 5 }, () => pacedUpload(server.url, photo));
    for (const up of dropped) up.send(300_000);
    await expect.poll(() => receiving().length, { timeout: 10_000 }).toBeGreaterThan(0);
    for (const up of dropped) up.abort();
    await Promise.all(dropped.map((up) => up.closed));
    await expect.poll(receiving, { timeout: 5000 }).toEqual([]);
    expect((await upload(await smallPhoto())).status).toBe(201);
    expect(server.logs()).not.toMatch(/uncaught|unhandled/i);
  });
});
