// The model manifest (models/manifest.json) and file verification. Server side only (node:fs). Used by
// `npm run models` (models/fetch.ts), the server and the tests; the pose bundles are built by models/build-pose.ts.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
// Imported (not read from disk at run time) so it works from source and when bundled into dist/server.
import manifestJson from '../../../models/manifest.json' with { type: 'json' };
import { SAM_FAMILIES, SAM_MODEL, samModelFiles, type SamModelDescription } from '../../lib/sam/model.ts';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
const FileName = z.string().regex(/^[\w.-]+$/, 'must be a plain file name');

const PoseBuildSchema = z.object({
  npmPackage: z.literal('@mediapipe/pose'),
  npmVersion: z.string(),
  format: z.string(),
  alignment: z.number().int().positive(),
  mtime: z.string(),
  members: z
    .array(
      z.object({
        /** Name inside the `.task` zip. */
        name: FileName,
        /** File of the npm package it is made from (pinned by size and sha256). */
        from: FileName,
        size: z.number().int().positive(),
        sha256: Sha256,
        /** Input normalization declared in the TFLite metadata added to the model. */
        inputNormalization: z.object({ mean: z.array(z.number()).min(1), std: z.array(z.number()).min(1) }),
      }),
    )
    .length(2),
});

const ModelEntrySchema = z
  .object({
    file: FileName,
    kind: z.enum(['sam', 'pose']),
    role: z.enum(['sam-encoder', 'sam-decoder-single', 'sam-decoder-multi', 'pose-lite', 'pose-full', 'pose-heavy']),
    side: z.enum(['server', 'browser']),
    description: z.string(),
    /** Canonical download URL; null for files built locally (pose bundles). */
    url: z.url().nullable(),
    size: z.number().int().positive(),
    sha256: Sha256,
    license: z.string(),
    licenseUrl: z.url(),
    licenseNote: z.string().optional(),
    /** How a pose bundle is built from the npm package. */
    build: PoseBuildSchema.optional(),
  })
  .refine((e) => (e.kind === 'pose' ? e.build !== undefined : e.url !== null && e.build === undefined), {
    message: 'sam entries need a url, pose entries a build description',
  });

export type ModelEntry = z.infer<typeof ModelEntrySchema>;
export type ModelKind = ModelEntry['kind'];
export type ModelRole = ModelEntry['role'];
export type PoseBuild = z.infer<typeof PoseBuildSchema>;

/** The manifest role and side of each file a SAM model description names. */
const SAM_USE_ROLE = {
  encoder: { role: 'sam-encoder', side: 'server' },
  'decoder-single': { role: 'sam-decoder-single', side: 'browser' },
  'decoder-multi': { role: 'sam-decoder-multi', side: 'browser' },
} as const;

/**
 * The entries this build uses, in manifest order: the pose bundles and the files of the active SAM family.
 * Every SAM entry must be a file of one described family, with the role and side of its use there, and
 * the active family must have all its files listed; other families' entries stay in the file, unused.
 */
export function parseManifest(
  json: unknown,
  families: readonly SamModelDescription[] = SAM_FAMILIES,
  active: SamModelDescription = SAM_MODEL,
): ModelEntry[] {
  const models = z.object({ models: z.array(ModelEntrySchema) }).parse(json).models;
  const fail = (why: string): never => {
    throw new Error(`models/manifest.json: ${why}`);
  };
  const duplicate = (entries: ModelEntry[], key: 'file' | 'role') => {
    const seen = new Set<string>();
    for (const m of entries) {
      if (seen.has(m[key])) fail(`duplicate ${key} "${m[key]}"`);
      seen.add(m[key]);
    }
  };
  duplicate(models, 'file');
  const familyOf = new Map<string, SamModelDescription>();
  for (const family of families) for (const { file } of samModelFiles(family)) familyOf.set(file, family);
  for (const m of models.filter((e) => e.kind === 'sam')) {
    const family = familyOf.get(m.file) ?? fail(`${m.file} is a SAM file of no model description (src/lib/sam/families)`);
    const use = samModelFiles(family).find((f) => f.file === m.file)!.use;
    const expected = SAM_USE_ROLE[use];
    if (m.role !== expected.role || m.side !== expected.side) {
      fail(`${m.file} is the ${use} of ${family.family}: its role must be ${expected.role} (${expected.side}), not ${m.role} (${m.side})`);
    }
  }
  for (const { file } of samModelFiles(active)) {
    if (!models.some((m) => m.file === file)) fail(`${active.family} needs an entry for ${file}`);
  }
  const activeFiles = new Set(samModelFiles(active).map((f) => f.file));
  const used = models.filter((m) => m.kind !== 'sam' || activeFiles.has(m.file));
  duplicate(used, 'role');
  return used;
}

/** Every model file Atelier uses (the active SAM family's and the pose bundles), in manifest order. */
export const MANIFEST: readonly ModelEntry[] = Object.freeze(parseManifest(manifestJson));

export function modelEntry(role: ModelRole): ModelEntry {
  const entry = MANIFEST.find((m) => m.role === role);
  if (!entry) throw new Error(`no model with role ${role} in models/manifest.json`);
  return entry;
}

/** Where the model with this role lives inside a models directory (`config.modelsDir`). */
export function modelFilePath(modelsDir: string, role: ModelRole): string {
  return path.join(modelsDir, modelEntry(role).file);
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface VerifyResult {
  ok: boolean;
  /** Why not ok: `missing`, `size` or `sha256` mismatch. */
  problem?: 'missing' | 'size' | 'sha256';
  reason?: string;
}

/** Checks a file against its manifest entry: size first (cheap), then a streaming sha256. */
export async function verifyModelFile(file: string, entry: Pick<ModelEntry, 'size' | 'sha256'>): Promise<VerifyResult> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) return { ok: false, problem: 'missing', reason: `${file} is not a regular file` };
    size = s.size;
  } catch {
    return { ok: false, problem: 'missing', reason: `${file} does not exist` };
  }
  if (size !== entry.size) {
    return { ok: false, problem: 'size', reason: `size mismatch: expected ${entry.size} bytes, found ${size}` };
  }
  const actual = await sha256File(file);
  if (actual !== entry.sha256) {
    return { ok: false, problem: 'sha256', reason: `sha256 mismatch: expected ${entry.sha256}, got ${actual}` };
  }
  return { ok: true };
}

/** A temporary name beside `dest` (same directory, so the final rename is atomic). */
export function partialPath(dest: string): string {
  return path.join(path.dirname(dest), `.${path.basename(dest)}.${process.pid}.${randomBytes(3).toString('hex')}.partial`);
}

/** Writes `data` to `dest` through a temporary file and a rename: readers see the old file or the whole new one. */
export async function writeFileAtomic(dest: string, data: Uint8Array): Promise<void> {
  await mkdir(path.dirname(dest), { recursive: true });
  const tmp = partialPath(dest);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
