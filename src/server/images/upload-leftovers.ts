// What an upload leaves on disk before its images row exists, and the start-up sweep that removes what a
// crash left of it. An upload writes, in order:
//   1. its body, to a temp file in this process's folder under <data dir>/uploads/;
//   2. a marker in the same folder naming the new image id, before any of its files;
//   3. the image's files under images/<id>/ (a folder no row points at yet), then its images row;
//   4. then removes the marker and the temp file.
// After a crash, another process's upload folder holds only leftovers: its temp files go, and each marker
// names an image folder that goes unless its row exists. The marker is what makes a folder holding
// nothing but a half-written blob store temp file recognisable (listings skip those). Image folders
// without a row that no marker names (a crash while a session was being deleted, rows first) go too.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../app/context.ts';

/** This process's upload folder: a sweep (at a later start) takes every folder but its own. */
const RUN = `${process.pid}-${randomBytes(4).toString('hex')}`;
const MARKER = /^image-([A-Za-z0-9_-]{6,64})$/;

const uploadsRoot = (dataDir: string) => path.join(dataDir, 'uploads');

/** Where this process receives upload bodies (created on demand). */
export function uploadWorkDir(dataDir: string): string {
  return path.join(uploadsRoot(dataDir), RUN);
}

/** Notes that images/<id>/ is about to be written; the returned function removes the note once the row exists. */
export async function markImageWrite(dataDir: string, imageId: string): Promise<() => Promise<void>> {
  const dir = uploadWorkDir(dataDir);
  await mkdir(dir, { recursive: true });
  const marker = path.join(dir, `image-${imageId}`);
  await writeFile(marker, '');
  return () => rm(marker, { force: true });
}

export interface SweepSummary {
  tempFiles: number;
  imageFolders: number;
}

const sweeps = new WeakMap<AppContext, Promise<SweepSummary>>();

/** Resolves when the start-up sweep of `ctx` (if one was started) is over: uploads write only after it. */
export async function uploadLeftoversSwept(ctx: AppContext): Promise<void> {
  await sweeps.get(ctx);
}

/** Removes upload temp files and image folders without an images row, left by a crash. Once per context. */
export function sweepUploadLeftovers(ctx: AppContext): Promise<SweepSummary> {
  let sweep = sweeps.get(ctx);
  if (!sweep) {
    sweep = removeLeftovers(ctx).catch((err) => {
      console.error('[uploads] start-up sweep failed', err);
      return { tempFiles: 0, imageFolders: 0 };
    });
    sweeps.set(ctx, sweep);
  }
  return sweep;
}

async function removeLeftovers({ config, db, blobs }: AppContext): Promise<SweepSummary> {
  const rows = new Set((db.prepare('SELECT id FROM images').all() as { id: string }[]).map((r) => r.id));
  const summary: SweepSummary = { tempFiles: 0, imageFolders: 0 };
  const removeFolder = async (id: string) => {
    await blobs.deletePrefix(`images/${id}`);
    summary.imageFolders++;
  };
  const root = uploadsRoot(config.dataDir);
  const runs = await readdir(root).catch(() => [] as string[]);
  for (const run of runs) {
    if (run === RUN) continue;
    const dir = path.join(root, run);
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const id = MARKER.exec(name)?.[1];
      if (!id) summary.tempFiles++;
      else if (!rows.has(id)) await removeFolder(id);
    }
    await rm(dir, { recursive: true, force: true });
  }
  const folders = new Set((await blobs.list('images')).map((key) => key.split('/')[1]));
  for (const id of folders) if (!rows.has(id)) await removeFolder(id);
  if (summary.tempFiles || summary.imageFolders) {
    const { tempFiles, imageFolders } = summary;
    console.log(`[uploads] removed what an interrupted run left: ${tempFiles} temp file(s), ${imageFolders} image folder(s)`);
  }
  return summary;
}
