// The local-folder blob store: the BlobStore contract, plus what only a folder has (its layout on
// disk, which existing data dirs rely on, and the temp files of puts in progress).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.ts';
import { describeBlobStoreContract } from './blobs.contract.ts';
import { FsBlobStore } from './fs-blobs.ts';
import { openBlobStore } from './open.ts';

describeBlobStoreContract('local folder (FsBlobStore)', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'atelier-blobs-'));
  return { store: new FsBlobStore(path.join(root, 'blobs')), dispose: () => rm(root, { recursive: true, force: true }) };
});

describe('FsBlobStore on disk', () => {
  let root: string;
  let store: FsBlobStore;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'atelier-blobs-'));
    store = new FsBlobStore(root);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const filesUnder = (dir: string) =>
    (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[]).filter((e) => e.isFile()).map((e) => e.name);

  it('keeps a key as the file of the same relative path, so data dirs of earlier versions read as before', async () => {
    await store.put('images/abc/photo.jpg', Buffer.from('new'));
    expect(await readFile(path.join(root, 'images/abc/photo.jpg'), 'utf8')).toBe('new');
    mkdirSync(path.join(root, 'sessions/s1'), { recursive: true });
    writeFileSync(path.join(root, 'sessions/s1/mask-3.png'), 'old');
    expect((await store.get('sessions/s1/mask-3.png')).toString()).toBe('old');
    expect((await store.list('')).sort()).toEqual(['images/abc/photo.jpg', 'sessions/s1/mask-3.png']);
  });

  it('does not list the temp file of a put in progress', async () => {
    await store.put('results/j/r.png', Buffer.from('done'));
    writeFileSync(path.join(root, 'results/j/s.png.tmp-0123456789ab'), 'half');
    expect(await store.list('results')).toEqual(['results/j/r.png']);
  });

  it('clearInterruptedPuts removes the temp files a crash left mid-put, in any folder, and nothing else', async () => {
    await store.put('results/j/r.png', Buffer.from('done'));
    await store.put('sessions/s/mask-1-k.png', Buffer.from('mask'));
    writeFileSync(path.join(root, 'results/j/s.png.tmp-0123456789ab'), 'half');
    writeFileSync(path.join(root, 'sessions/s/mask-2-k.png.tmp-ba9876543210'), 'half');
    expect(await store.clearInterruptedPuts()).toBe(2);
    expect(filesUnder(root).sort()).toEqual(['mask-1-k.png', 'r.png']);
    expect(await store.clearInterruptedPuts()).toBe(0);
    expect(await new FsBlobStore(path.join(root, 'missing')).clearInterruptedPuts()).toBe(0);
  });

  it('a failed put leaves no temp file and the blob it meant to replace as it was', async () => {
    await store.put('a/b/c.bin', Buffer.from('inside'));
    // `a/b` is a folder holding a file: the rename over it fails after the temp file was written.
    await expect(store.put('a/b', Buffer.from('x'))).rejects.toThrow();
    expect(filesUnder(root)).toEqual(['c.bin']);
    expect((await store.get('a/b/c.bin')).toString()).toBe('inside');
  });

  it('openBlobStore(config) is the blobs folder of the data dir, the one the server writes', async () => {
    const config = loadConfig({ ATELIER_DATA_DIR: root });
    const server = openBlobStore(config);
    await server.put('images/abc/thumb.jpg', Buffer.from('t'));
    expect(await readFile(path.join(root, 'blobs/images/abc/thumb.jpg'), 'utf8')).toBe('t');
    expect(await openBlobStore(config).list('')).toEqual(['images/abc/thumb.jpg']);
  });
});
