// Which model files this server can use. Real files are the ones `npm run models` fetched and
// verified; generated stand-ins (tests only) are accepted only when the test harness says so.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { MANIFEST, verifyModelFile, type ModelEntry } from './manifest.ts';

export const FETCH_COMMAND = 'npm run models';
/** Without internet: the files put in a folder by hand, then installed (checked) from there. */
export const MIRROR_COMMAND = 'ATELIER_MODELS_MIRROR=/folder/with/the/files npm run models';
/** Both ways to install model files, as a clause. */
export const FETCH_HOWTO = `run \`${FETCH_COMMAND}\` to download, or put the files in a folder and run \`${MIRROR_COMMAND}\``;
const STANDIN_MARKER = 'STANDIN.json';

export type ModelState = 'ok' | 'standin' | 'missing' | 'invalid';

export interface ModelStatus {
  file: string;
  role: string;
  side: 'server' | 'browser';
  state: ModelState;
  /** Cache-busting version for URLs (sha256 prefix, or the file's mtime for stand-ins). */
  version: string | null;
  message?: string;
}

const verified = new Map<string, Promise<boolean>>();

function verifiedOnce(file: string, entry: ModelEntry): Promise<boolean> {
  const key = `${file}:${statSync(file).mtimeMs}`;
  let p = verified.get(key);
  if (!p) {
    p = verifyModelFile(file, entry).then((r) => r.ok);
    verified.set(key, p);
  }
  return p;
}

export async function modelStatuses(dir: string, allowStandins: boolean): Promise<ModelStatus[]> {
  const standins = existsSync(path.join(dir, STANDIN_MARKER));
  return Promise.all(
    MANIFEST.map(async (entry): Promise<ModelStatus> => {
      const file = path.join(dir, entry.file);
      const base = { file: entry.file, role: entry.role, side: entry.side };
      if (!existsSync(file)) {
        return { ...base, state: 'missing', version: null, message: `${entry.file} is missing: ${FETCH_HOWTO}.` };
      }
      if (entry.kind === 'sam' && standins) {
        if (!allowStandins) {
          return {
            ...base,
            state: 'missing',
            version: null,
            message: `${entry.file} is a generated test stand-in, not the real model: ${FETCH_HOWTO}.`,
          };
        }
        return { ...base, state: 'standin', version: `t${Math.round(statSync(file).mtimeMs)}` };
      }
      if (!(await verifiedOnce(file, entry))) {
        return {
          ...base,
          state: 'invalid',
          version: null,
          message: `${entry.file} does not match its checksum: run \`${FETCH_COMMAND}\` again.`,
        };
      }
      return { ...base, state: 'ok', version: (entry.sha256 ?? String(statSync(file).size)).slice(0, 12) };
    }),
  );
}

export function isUsable(s: ModelStatus | undefined): boolean {
  return s?.state === 'ok' || s?.state === 'standin';
}

export function modelPath(dir: string, role: string): string {
  const entry = MANIFEST.find((m) => m.role === role);
  if (!entry) throw new Error(`no model with role ${role} in the manifest`);
  return path.join(dir, entry.file);
}
