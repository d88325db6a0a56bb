// The blob store of a test server, opened as the server opens it (openBlobStore with the server's
// own configuration), so that tests check stored files through the BlobStore interface: the same
// assertions hold whichever store the server is configured with.
import { loadConfig } from '../../src/config.ts';
import type { BlobStore } from '../../src/server/store/blobs.ts';
import { openBlobStore } from '../../src/server/store/open.ts';
import type { RunningServer } from './server.ts';

export function serverBlobs(server: Pick<RunningServer, 'env'>): BlobStore {
  return openBlobStore(loadConfig(server.env));
}

/** The names of the blobs directly in a folder of the store, sorted (e.g. a session's masks). */
export async function blobNames(blobs: BlobStore, folder: string): Promise<string[]> {
  return (await blobs.list(folder)).map((key) => key.slice(folder.length + 1)).sort();
}
