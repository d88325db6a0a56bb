// Blob store for photos, masks, embeddings and results: the interface every store implements, and the
// key rules they share. Keys are slash-separated paths built only from validated ids, so nothing outside
// the store can be named. What each store must do is pinned by describeBlobStoreContract (blobs.contract.ts).

/**
 * A key/value store of immutable-by-convention byte blobs, addressed by slash-separated keys.
 * Every operation is asynchronous, so a store may live over the network (S3) as well as on disk.
 * A "folder" is a key prefix: `images/abc` holds `images/abc/photo.jpg`, never `images/abcd/…`.
 */
export interface BlobStore {
  /** Writes atomically: readers see the old blob or the new one, never part of it; a failed put leaves nothing. */
  put(key: string, data: Uint8Array): Promise<void>;
  /** The blob's bytes; rejects when there is none. */
  get(key: string): Promise<Buffer>;
  has(key: string): Promise<boolean>;
  /** Byte length, or null when there is no blob under the key (nor can be: an invalid key). */
  size(key: string): Promise<number | null>;
  /** The blob's bytes as a stream; a missing blob errors the stream (check `size` first). */
  stream(key: string): ReadableStream<Uint8Array>;
  /** Removes a blob; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /** Removes a folder and everything under it. */
  deletePrefix(prefix: string): Promise<void>;
  /** Keys of the blobs under a folder, recursively, in no particular order; '' lists the whole store. */
  list(prefix: string): Promise<string[]>;
  /**
   * Removes what puts cut off by a crash left behind (a local temp file, an unfinished multipart upload) and
   * says how many. Only safe while no put is in flight: the start-up sweep calls it before the studio listens.
   */
  clearInterruptedPuts(): Promise<number>;
}

const KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)*$/;

export function isBlobKey(key: string): boolean {
  return KEY.test(key) && !key.includes('..');
}

export function assertBlobKey(key: string): void {
  if (!isBlobKey(key)) throw new Error(`invalid blob key: ${key}`);
}
