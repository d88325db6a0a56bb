// Install-time: builds the pose `.task` bundles from the `@mediapipe/pose` npm package, checked against the
// manifest. Run by `npm run models` (fetch.ts) and by the tests' model preparation; never by the server.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { MANIFEST, writeFileAtomic, type ModelEntry, type ModelRole } from '../src/server/models/manifest.ts';
import { addInputNormalizationMetadata, packTaskBundle, type BundleMember } from './pose-bundle.ts';

/** Raised when a pose bundle's sources are absent or are not the pinned bytes. */
export class ModelSourceError extends Error {
  readonly problem: 'missing' | 'mismatch';
  constructor(problem: 'missing' | 'mismatch', message: string) {
    super(message);
    this.name = 'ModelSourceError';
    this.problem = problem;
  }
}

/** The installed `@mediapipe/pose` package folder (resolved from node_modules, from source or from dist/server). */
export function poseSourceDir(): string {
  try {
    return path.dirname(createRequire(import.meta.url).resolve('@mediapipe/pose/package.json'));
  } catch {
    throw new ModelSourceError('missing', 'the npm package @mediapipe/pose is not installed (run npm install)');
  }
}

/**
 * Builds one pose `.task` bundle in memory from the npm package files (adding the TFLite metadata the
 * Tasks API needs), checking every source file and the result against the manifest. Throws
 * ModelSourceError when a source is missing or differs.
 */
export async function buildPoseTaskBundle(entry: ModelEntry, sourceDir: string = poseSourceDir()): Promise<Uint8Array> {
  const build = entry.build;
  if (entry.kind !== 'pose' || !build) throw new Error(`${entry.file} is not a pose bundle`);
  const members: BundleMember[] = [];
  for (const member of build.members) {
    const from = path.join(sourceDir, member.from);
    let data: Buffer;
    try {
      data = await readFile(from);
    } catch {
      throw new ModelSourceError('missing', `${from} not found (expected in ${build.npmPackage}@${build.npmVersion})`);
    }
    const sha = createHash('sha256').update(data).digest('hex');
    if (data.length !== member.size || sha !== member.sha256) {
      throw new ModelSourceError(
        'mismatch',
        `${from} is not the pinned file (${data.length} bytes, sha256 ${sha}; expected ${member.size} bytes, ` +
          `sha256 ${member.sha256}); is ${build.npmPackage}@${build.npmVersion} installed?`,
      );
    }
    const modelName = path.basename(member.name, '.tflite');
    members.push({ name: member.name, data: addInputNormalizationMetadata(data, modelName, member.inputNormalization) });
  }
  const bundle = packTaskBundle(members, { alignment: build.alignment, mtime: build.mtime });
  const sha = createHash('sha256').update(bundle).digest('hex');
  if (bundle.length !== entry.size || sha !== entry.sha256) {
    throw new ModelSourceError(
      'mismatch',
      `built ${entry.file} is ${bundle.length} bytes, sha256 ${sha}; the manifest pins ${entry.size} bytes, sha256 ${entry.sha256}`,
    );
  }
  return bundle;
}

/**
 * Writes the pose `.task` bundles (all of them, or `roles`) into `outDir`, each atomically
 * (temporary file + rename). Every bundle is verified against the manifest before it is written.
 */
export async function buildPoseTaskBundles(
  outDir: string,
  options: { roles?: readonly ModelRole[]; sourceDir?: string } = {},
): Promise<void> {
  const sourceDir = options.sourceDir ?? poseSourceDir();
  const entries = MANIFEST.filter((m) => m.kind === 'pose' && (!options.roles || options.roles.includes(m.role)));
  for (const entry of entries) {
    const bundle = await buildPoseTaskBundle(entry, sourceDir);
    await writeFileAtomic(path.join(outDir, entry.file), bundle);
  }
}
