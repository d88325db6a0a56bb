// Compressed copies of the browser-side model files (decoders, pose bundles), made in the background after start:
// models arrive by download, mirror or a copy by hand, and whichever way, the next visitor gets them compressed.
// A models dir that cannot be written to is served uncompressed.
import path from 'node:path';
import { precompressFile } from '../http/precompress.ts';
import { MANIFEST } from './manifest.ts';
import { existsSync } from 'node:fs';

export async function precompressBrowserModels(dir: string): Promise<void> {
  for (const entry of MANIFEST) {
    const file = path.join(dir, entry.file);
    if (entry.side !== 'browser' || !existsSync(file)) continue;
    await precompressFile(file).catch((err) => console.warn(`[models] ${entry.file}: no compressed copy (${(err as Error).message})`));
  }
}
