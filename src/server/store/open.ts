// Which blob store the app uses: the one place that picks an implementation from the configuration.
// The server (src/server/app/context.ts) and the tests that inspect a server's data both open it here.
// Another store (S3, …): implement BlobStore beside fs-blobs.ts, run describeBlobStoreContract on it,
// give it its settings in src/config.ts and choose it below.
import path from 'node:path';
import type { Config } from '../../config.ts';
import type { BlobStore } from './blobs.ts';
import { FsBlobStore } from './fs-blobs.ts';

export function openBlobStore(config: Config): BlobStore {
  return new FsBlobStore(path.join(config.dataDir, 'blobs'));
}
