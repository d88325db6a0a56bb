// The blob store in a local folder: one file per key. Writes go to a temp file renamed over the
// target (rename is atomic on one file system), so a reader never sees half a file and a failed
// request leaves nothing behind.
import { randomBytes } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { assertBlobKey, type BlobStore } from './blobs.ts';

/** Marks a put still being written; never a key, so listings skip it. */
const TEMP_MARK = '.tmp-';

export class FsBlobStore implements BlobStore {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }

  private file(key: string): string {
    assertBlobKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}${TEMP_MARK}${randomBytes(6).toString('hex')}`;
    try {
      await writeFile(tmp, data);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.file(key));
  }

  async has(key: string): Promise<boolean> {
    const file = this.file(key);
    try {
      return (await stat(file)).isFile();
    } catch {
      return false;
    }
  }

  async size(key: string): Promise<number | null> {
    try {
      const info = await stat(this.file(key));
      // A folder is not a blob (in object stores folders are only key prefixes).
      return info.isFile() ? info.size : null;
    } catch {
      return null;
    }
  }

  stream(key: string): ReadableStream<Uint8Array> {
    return Readable.toWeb(createReadStream(this.file(key))) as ReadableStream<Uint8Array>;
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    await rm(this.file(prefix), { recursive: true, force: true });
  }

  async clearInterruptedPuts(): Promise<number> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.root, { recursive: true, withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    const temps = entries.filter((e) => e.isFile() && e.name.includes(TEMP_MARK));
    for (const e of temps) await rm(path.join(e.parentPath, e.name), { force: true });
    return temps.length;
  }

  async list(prefix: string): Promise<string[]> {
    const dir = prefix === '' ? this.root : this.file(prefix);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { recursive: true, withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw err;
    }
    return entries
      .filter((e) => e.isFile() && !e.name.includes(TEMP_MARK))
      .map((e) => path.relative(this.root, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
  }
}
