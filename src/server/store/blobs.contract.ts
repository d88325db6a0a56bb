// What every BlobStore must do, as a reusable suite: a store's own test file calls
// describeBlobStoreContract with a factory of fresh, empty stores (see fs-blobs.test.ts).
// It pins what the callers rely on: sessions/service.ts (parallel puts into a new folder, `has` of
// an embedding), jobs/runner.ts and scheduler.ts (result puts, deletes of keys that may be missing),
// jobs/service.ts (the orphan sweep parses keys listed under `results`), sessions/delete.ts
// (folder deletes), http/files.ts (size, then stream) and results.zip (get).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BlobStore } from './blobs.ts';

export interface BlobStoreFixture {
  /** A store holding no blobs, used by one test only. */
  store: BlobStore;
  /** Removes whatever the test left in it. */
  dispose(): Promise<void>;
}

/** `length` bytes of a pattern that differs for each `seed`, so two blobs never match in part. */
function pattern(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 101 + (i >> 8)) & 0xff;
  return out;
}

// base64url ids as newId() makes them, with the characters that need care ('-', '_').
const JOB = 'Jb-_0aZ9xQ2w3e4r5t6y7u';
const RESULT = 'Rs_-9zA0qW2e3r4t5y6u7i';

async function readStream(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  return Buffer.from(await new Response(stream).arrayBuffer());
}

export function describeBlobStoreContract(name: string, makeStore: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let fixture: BlobStoreFixture;
    let store: BlobStore;
    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterEach(() => fixture.dispose());

    describe('put, get, has, size, stream', () => {
      it('gives back exactly the bytes put, as a Buffer', async () => {
        const data = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
        await store.put('images/abc/original.png', data);
        const back = await store.get('images/abc/original.png');
        expect(Buffer.isBuffer(back)).toBe(true);
        expect(back.equals(data)).toBe(true);
        expect(await store.has('images/abc/original.png')).toBe(true);
        expect(await store.size('images/abc/original.png')).toBe(512);
        expect((await readStream(store.stream('images/abc/original.png'))).equals(data)).toBe(true);
      });

      it('stores the bytes a Uint8Array view shows, not the rest of its buffer', async () => {
        const whole = pattern(100, 1);
        const view = new Uint8Array(whole.buffer, whole.byteOffset + 10, 20);
        await store.put('a/view.bin', view);
        expect((await store.get('a/view.bin')).equals(whole.subarray(10, 30))).toBe(true);
        expect(await store.size('a/view.bin')).toBe(20);
      });

      it('keeps the bytes as they were when put resolved, whatever the caller does with its array after', async () => {
        const data = pattern(64, 2);
        const copy = Buffer.from(data);
        await store.put('a/b.bin', data);
        data.fill(0);
        expect((await store.get('a/b.bin')).equals(copy)).toBe(true);
      });

      it('keeps an empty blob as a blob', async () => {
        await store.put('a/empty.bin', new Uint8Array(0));
        expect(await store.has('a/empty.bin')).toBe(true);
        expect(await store.size('a/empty.bin')).toBe(0);
        expect((await store.get('a/empty.bin')).length).toBe(0);
        expect(await store.list('a')).toEqual(['a/empty.bin']);
      });

      it('streams a large blob whole', async () => {
        const data = pattern(3 * 1024 * 1024 + 7, 3);
        await store.put(`results/${JOB}/${RESULT}.png`, data);
        expect((await readStream(store.stream(`results/${JOB}/${RESULT}.png`))).equals(data)).toBe(true);
      });
    });

    describe('missing keys', () => {
      it('has is false, size is null, get rejects and a stream errors', async () => {
        await store.put('images/abc/photo.jpg', pattern(10, 4)); // a neighbour must not answer for it
        for (const key of ['images/abc/thumb.jpg', 'images/nope/photo.jpg', 'nothing']) {
          expect(await store.has(key)).toBe(false);
          expect(await store.size(key)).toBeNull();
          await expect(store.get(key)).rejects.toThrow();
        }
        await expect(readStream(store.stream('images/abc/thumb.jpg'))).rejects.toThrow();
      });

      it('a folder is not a blob', async () => {
        await store.put('images/abc/photo.jpg', pattern(10, 5));
        expect(await store.has('images/abc')).toBe(false);
        expect(await store.size('images/abc')).toBeNull();
        await expect(store.get('images/abc')).rejects.toThrow();
      });

      it('deleting a missing blob or folder resolves and changes nothing', async () => {
        await store.put('sessions/s1/mask-1.png', pattern(10, 6));
        await store.delete('sessions/s1/mask-2.png');
        await store.delete('sessions/s2/mask-1.png');
        await store.deletePrefix(`results/${JOB}`);
        expect(await store.list('')).toEqual(['sessions/s1/mask-1.png']);
      });

      it('lists a missing folder as empty', async () => {
        expect(await store.list('results')).toEqual([]);
        expect(await store.list('')).toEqual([]);
      });
    });

    describe('keys with folders', () => {
      it('lists the full keys under a folder, recursively, and only under it', async () => {
        const keys = [
          'images/abc/original.png',
          'images/abc/photo.jpg',
          'images/abcd/photo.jpg', // starts like images/abc but is another folder
          'images/abc/deep/er/still.bin',
          'sessions/s1/mask-1.png',
          `results/${JOB}/${RESULT}.png`,
        ];
        for (const [i, key] of keys.entries()) await store.put(key, pattern(8, i));
        expect((await store.list('images/abc')).sort()).toEqual(keys.filter((k) => k.startsWith('images/abc/')).sort());
        expect((await store.list('images')).sort()).toEqual(keys.filter((k) => k.startsWith('images/')).sort());
        expect((await store.list('')).sort()).toEqual([...keys].sort());
        // The orphan sweep (jobs/service.ts) takes a result's id from the key's last segment.
        expect(
          (await store.list('results')).map((k) =>
            k
              .split('/')
              .pop()!
              .replace(/\.png$/, ''),
          ),
        ).toEqual([RESULT]);
      });

      it('keeps keys in different folders apart', async () => {
        await store.put('sessions/s1/mask-1.png', pattern(8, 1));
        await store.put('sessions/s2/mask-1.png', pattern(8, 2));
        expect((await store.get('sessions/s1/mask-1.png')).equals(pattern(8, 1))).toBe(true);
        expect((await store.get('sessions/s2/mask-1.png')).equals(pattern(8, 2))).toBe(true);
      });

      it('delete removes one blob and leaves its neighbours', async () => {
        await store.put('sessions/s1/mask-1.png', pattern(8, 1));
        await store.put('sessions/s1/mask-2.png', pattern(8, 2));
        await store.delete('sessions/s1/mask-1.png');
        expect(await store.has('sessions/s1/mask-1.png')).toBe(false);
        expect(await store.list('sessions')).toEqual(['sessions/s1/mask-2.png']);
      });

      it('deletePrefix removes a folder and everything under it, not a folder whose name only starts the same', async () => {
        for (const key of ['images/abc/photo.jpg', 'images/abc/deep/x.bin', 'images/abcd/photo.jpg', 'images/ab/photo.jpg']) {
          await store.put(key, pattern(8, 7));
        }
        await store.deletePrefix('images/abc');
        expect((await store.list('')).sort()).toEqual(['images/ab/photo.jpg', 'images/abcd/photo.jpg']);
        expect(await store.has('images/abc/photo.jpg')).toBe(false);
        // The folder can be filled again (an upload after a failed one).
        await store.put('images/abc/photo.jpg', pattern(8, 8));
        expect(await store.list('images/abc')).toEqual(['images/abc/photo.jpg']);
      });
    });

    describe('overwrite', () => {
      it('a second put replaces the bytes and the size; the key is listed once', async () => {
        await store.put('sessions/s1/mask-1.png', pattern(100, 1));
        await store.put('sessions/s1/mask-1.png', pattern(40, 2));
        expect((await store.get('sessions/s1/mask-1.png')).equals(pattern(40, 2))).toBe(true);
        expect(await store.size('sessions/s1/mask-1.png')).toBe(40);
        expect(await store.list('sessions')).toEqual(['sessions/s1/mask-1.png']);
      });
    });

    describe('keys', () => {
      const invalid = ['', '/etc/passwd', '../outside', 'a/../b', 'a/..', 'a//b', 'a/', 'a\\b', '..', 'a b', '.hidden', 'é/x'];

      it('refuses every key that is not slash-separated plain names, so nothing outside the store is named', async () => {
        for (const key of invalid) {
          await expect(store.put(key, pattern(4, 1)), key).rejects.toThrow();
          await expect(store.get(key), key).rejects.toThrow();
          await expect(store.has(key), key).rejects.toThrow();
          await expect(store.delete(key), key).rejects.toThrow();
          await expect(store.deletePrefix(key), key).rejects.toThrow(); // '' included: never the whole store
          if (key !== '') await expect(store.list(key), key).rejects.toThrow();
        }
        expect(await store.list('')).toEqual([]);
      });

      it('has no blob under an invalid key', async () => {
        for (const key of invalid) expect(await store.size(key), key).toBeNull();
      });
    });

    describe('atomicity', () => {
      it('a reader never sees part of a blob being replaced', async () => {
        const key = `results/${JOB}/${RESULT}.png`;
        const before = pattern(4 * 1024 * 1024, 1);
        const after = pattern(3 * 1024 * 1024 + 1, 2); // another length, so a size between the two shows too
        await store.put(key, before);
        for (let round = 0; round < 3; round++) {
          const [older, newer] = round % 2 === 0 ? [before, after] : [after, before];
          let done = false;
          const writing = store.put(key, newer).finally(() => (done = true));
          let reads = 0;
          while (!done) {
            const [bytes, size] = await Promise.all([store.get(key), store.size(key)]);
            expect(bytes.equals(older) || bytes.equals(newer)).toBe(true);
            expect([older.length, newer.length]).toContain(size);
            reads++;
          }
          await writing;
          expect((await store.get(key)).equals(newer)).toBe(true);
          expect(reads).toBeGreaterThan(0);
        }
      });

      it('a new blob is absent or whole while it is written, and nothing else shows in its folder', async () => {
        const key = 'images/new/embedding.npy';
        const data = pattern(4 * 1024 * 1024, 3);
        let done = false;
        const writing = store.put(key, data).finally(() => (done = true));
        while (!done) {
          const [size, listed, bytes] = await Promise.all([store.size(key), store.list('images'), store.get(key).catch(() => null)]);
          if (bytes) expect(bytes.equals(data)).toBe(true);
          expect([null, data.length]).toContain(size);
          expect(listed.every((k) => k === key)).toBe(true);
        }
        await writing;
        expect(await store.list('images')).toEqual([key]);
      });

      it('concurrent puts of one key leave one of them, whole', async () => {
        const key = 'sessions/s1/mask-1.png';
        const versions = Array.from({ length: 8 }, (_, i) => pattern(256 * 1024 + i * 1000, i));
        await Promise.all(versions.map((v) => store.put(key, v)));
        const stored = await store.get(key);
        expect(versions.filter((v) => v.equals(stored))).toHaveLength(1);
        expect(await store.size(key)).toBe(stored.length);
        expect(await store.list('sessions')).toEqual([key]);
      });

      it('clearing interrupted puts after finished ones removes none of them', async () => {
        await Promise.all(['a', 'b'].map((n, i) => store.put(`results/${JOB}/${n}.png`, pattern(2000, i))));
        expect(await store.clearInterruptedPuts()).toBe(0);
        expect((await store.list('results')).sort()).toEqual([`results/${JOB}/a.png`, `results/${JOB}/b.png`]);
      });

      it('concurrent puts into one new folder all land (an upload writes its four files at once)', async () => {
        const names = ['original.png', 'photo.jpg', 'thumb.jpg', 'embedding.npy'];
        await Promise.all(names.map((n, i) => store.put(`images/img1/${n}`, pattern(1000 + i, i))));
        expect((await store.list('images/img1')).sort()).toEqual(names.map((n) => `images/img1/${n}`).sort());
        for (const [i, n] of names.entries()) expect((await store.get(`images/img1/${n}`)).equals(pattern(1000 + i, i))).toBe(true);
      });
    });
  });
}
