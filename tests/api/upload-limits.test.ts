// What anonymous clients can hold on the server: upload bodies go to temp files (not memory), at most
// ATELIER_MAX_UPLOADS are let in at once, slow or stalled senders are cut off, clients that drop an upload
// cost nothing (and log nothing), and none of these limits touches a generation event stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../support/server.ts';
import { pacedUpload } from '../support/paced-upload.ts';
import { createSession, postJob } from '../support/session.ts';
import { startSdDouble, type SdDouble } from '../sd-double/server.ts';

const IDLE_S = 2;
const REQUEST_S = 6;
const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
let sd: SdDouble;
let server: RunningServer;
let photo: Buffer;

beforeAll(async () => {
  // One backend and slow jobs: a second job waits, silent, for the first (see the SSE test).
  sd = await startSdDouble({ stepMs: 400, steps: 12, controlnetModels: [OPENPOSE] });
  server = await startServer({
    env: {
      SD_WEBUI_URL: sd.url,
      ATELIER_MAX_UPLOAD_MB: '2',
      ATELIER_MAX_UPLOADS: '2',
      ATELIER_HEADERS_TIMEOUT_S: '2',
      ATELIER_REQUEST_TIMEOUT_S: String(REQUEST_S),
      ATELIER_BODY_IDLE_TIMEOUT_S: String(IDLE_S),
    },
  });
  // A grainy photo of about a megabyte, so that a body arrives in many pieces.
  const grain = { type: 'gaussian', mean: 128, sigma: 40 } as const;
  photo = await sharp({ create: { width: 900, height: 1200, channels: 3, background: '#808080', noise: grain } })
    .jpeg({ quality: 92 })
    .toBuffer();
});
afterAll(async () => {
  await server?.stop();
  await sd?.stop();
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
  sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 20 + (variant++ % 200), g: 90, b: 160 } } })
    .jpeg()
    .toBuffer();

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
        if (pieces++ < 12)
          controller.enqueue(chunk); // 3 MB against a 2 MB limit
        else controller.close();
      },
    });
    const init = { method: 'POST', body, duplex: 'half', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    const res = await fetch(`${server.url}/api/images`, init as RequestInit);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatchObject({ code: 'file_too_large', message: expect.stringMatching(/larger than 2 MB/) });
    await expect.poll(receiving, { timeout: 5000 }).toEqual([]);
  });

  it(`at most ATELIER_MAX_UPLOADS (2) at once: one more is told when to try again`, async () => {
    const held = [pacedUpload(server.url, photo), pacedUpload(server.url, photo)];
    for (const up of held) up.send(200_000);
    // A little at a time, so neither is taken for a stalled body meanwhile.
    const drip = setInterval(() => {
      for (const up of held) up.send(1000);
    }, 300);
    await expect.poll(() => receiving().length, { timeout: 10_000 }).toBe(2);

    const refused = await upload(await smallPhoto());
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    const { error } = await refused.json();
    expect(error.code).toBe('busy');
    expect(error.message).toMatch(/try again in \d+ seconds/);

    clearInterval(drip);
    for (const up of held) up.finish();
    // The same photo twice: the second shares the first's work; both are sessions.
    expect((await Promise.all(held.map((up) => up.answer))).map((a) => a.status)).toEqual([201, 201]);
    expect((await upload(await smallPhoto())).status).toBe(201);
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

describe('slow and stalled senders are cut off', () => {
  it('headers that never finish (slow loris): the server answers 408 and closes', async () => {
    const url = new URL(server.url);
    const socket = net.connect(Number(url.port), url.hostname);
    let received = '';
    socket.on('data', (c) => (received += c.toString()));
    socket.write(`POST /api/images HTTP/1.1\r\nHost: ${url.host}\r\n`);
    const drip = setInterval(() => socket.writable && socket.write(`X-Drip-${Date.now()}: 1\r\n`), 300);
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    clearInterval(drip);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a body that stops arriving: the connection is closed', async () => {
    const up = pacedUpload(server.url, photo);
    up.send(100_000);
    await up.closed;
    await expect(up.answer).rejects.toThrow();
    expect(up.sent).toBeLessThan(up.total);
    await expect.poll(receiving, { timeout: 5000 }).toEqual([]);
  });

  it('a body that trickles, never idle: cut at the request time limit', async () => {
    const up = pacedUpload(server.url, photo);
    up.send(1000);
    const trickle = setInterval(() => up.send(200), (IDLE_S * 1000) / 4);
    await up.closed;
    clearInterval(trickle);
    // Node answers 408 when it can; either way the body was never taken in full.
    const answer = await up.answer.catch(() => null);
    if (answer) expect(answer.status).toBe(408);
    expect(up.sent).toBeLessThan(up.total);
    await expect.poll(receiving, { timeout: 5000 }).toEqual([]);
  });
});

describe('generation event streams', () => {
  it('stay open through silences and past the request time limit until the job ends', async () => {
    const s = await createSession(server.url);
    const presets = { modelPreset: 'f-east-asian-20s-slim', scenePreset: 'studio-white' };
    const request = { sessionId: s.id, recipe: 'model-shot', ...presets, count: 1, seed: 7 };
    const job = async () => (await (await postJob(server.url, request)).json()).job;
    const first = await job();
    const second = await job(); // waits for the first: its stream says nothing meanwhile
    expect(first.state).toBe('queued');

    const started = performance.now();
    const res = await fetch(`${server.url}/api/jobs/${second.id}/events`);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const states: string[] = [];
    let last = performance.now();
    let longestSilence = 0;
    let buffered = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      longestSilence = Math.max(longestSilence, performance.now() - last);
      last = performance.now();
      buffered += new TextDecoder().decode(chunk);
      for (const m of buffered.matchAll(/^data: (.*)$/gm)) states.push(JSON.parse(m[1]).state);
      buffered = buffered.slice(buffered.lastIndexOf('\n\n') + 2);
    }
    expect(states.at(-1)).toBe('succeeded');
    // The premise, not a speed: the stream outlasted both limits a request body gets.
    expect(longestSilence).toBeGreaterThan(IDLE_S * 1000);
    expect(performance.now() - started).toBeGreaterThan(REQUEST_S * 1000);
  });
});
