// A server killed in the middle of an upload leaves nothing the next start does not remove: the body's temp
// file, and image folders that no images row points at, including one holding only the blob store's
// half-written temp file (which store listings do not show).
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../support/server.ts';
import { serverBlobs } from '../support/blobs.ts';
import { pacedUpload } from '../support/paced-upload.ts';
import { markImageWrite } from '../../src/server/images/upload-leftovers.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-crash-'));
let server: RunningServer | null = null;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every file under the data dir whose name says it is unfinished: upload bodies and the blob store's temp files. */
function unfinishedFiles(): string[] {
  return readdirSync(dataDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && (e.name.endsWith('.part') || e.name.includes('.tmp-')))
    .map((e) => path.relative(dataDir, path.join(e.parentPath, e.name)));
}

const imageFolders = () => {
  const dir = path.join(dataDir, 'blobs/images');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
};

async function upload(base: string, bytes: Buffer) {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'photo.jpg');
  return fetch(`${base}/api/images`, { method: 'POST', body: form });
}

describe('a crash during an upload', () => {
  it('leaves nothing behind after the next start', async () => {
    server = await startServer({ dataDir });
    const keptPhoto = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#2a6f4e' } })
      .jpeg()
      .toBuffer();
    const kept = await (await upload(server.url, keptPhoto)).json();
    expect(kept.image.id).toBeTruthy();

    // A large upload on its way in when the process is killed.
    const grain = { type: 'gaussian', mean: 128, sigma: 40 } as const;
    const big = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: '#808080', noise: grain } })
      .jpeg()
      .toBuffer();
    const inFlight = pacedUpload(server.url, big);
    inFlight.send(Math.floor(big.length / 2));
    await expect.poll(() => unfinishedFiles().filter((f) => f.endsWith('.part')).length, { timeout: 10_000 }).toBe(1);
    server.process.kill('SIGKILL');
    await inFlight.closed;
    await server.stop({ keepData: true });

    // What a kill at a later moment of an upload leaves, between its temp file and its images row:
    // an image folder whose files are written but whose row is not ...
    const blobs = serverBlobs(server);
    await blobs.put('images/WrittenNoRow01/photo.jpg', keptPhoto);
    await blobs.put('images/WrittenNoRow01/embedding.npy', new Uint8Array(64));
    // ... and one whose first file was being written: only the store's temp file, under the upload's marker.
    await markImageWrite(dataDir, 'HalfWritten01');
    mkdirSync(path.join(dataDir, 'blobs/images/HalfWritten01'), { recursive: true });
    writeFileSync(path.join(dataDir, 'blobs/images/HalfWritten01/source.jpg.tmp-0a1b2c3d4e5f'), big.subarray(0, 100_000));
    expect(imageFolders()).toEqual(['HalfWritten01', kept.image.id, 'WrittenNoRow01'].sort());
    expect(unfinishedFiles().length).toBe(2);

    server = await startServer({ dataDir });
    await expect.poll(unfinishedFiles, { timeout: 10_000 }).toEqual([]);
    await expect.poll(imageFolders, { timeout: 10_000 }).toEqual([kept.image.id]);
    // Only the running server's own upload folder may exist (made when it receives an upload).
    const uploads = existsSync(path.join(dataDir, 'uploads')) ? readdirSync(path.join(dataDir, 'uploads')) : [];
    expect(uploads.filter((run) => !run.startsWith(`${server!.process.pid}-`))).toEqual([]);
    // The sweep runs beside the start: its line may come a moment after the files are gone.
    await expect
      .poll(() => server!.logs(), { timeout: 10_000 })
      .toMatch(/removed what an interrupted run left: 1 temp file\(s\), 2 image folder\(s\)/);

    // The photo stored before the crash is untouched, and uploads work.
    expect((await fetch(`${server.url}/api/images/${kept.image.id}/photo.jpg`)).status).toBe(200);
    expect((await upload(server.url, big)).status).toBe(201);
  });
});
