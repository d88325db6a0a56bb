// Assembles tests/.generated/models: the real model files where `npm run models` fetched and verified
// them, generated SAM stand-ins (same input/output signatures) where the real SAM weights are absent.
// With --faithful it assembles tests/.generated/faithful instead: the cost-faithful SAM stand-ins (the real
// architecture with random weights, tests/support/sam-standin/faithful.ts) for timing, under the real files'
// names, marked as stand-ins (STANDIN.json), with the pose bundles beside them. Point a server or a bench at
// it with ATELIER_MODELS_DIR=tests/.generated/faithful (and ATELIER_TEST_MODELS=1, as for the other stand-ins).
import { existsSync, mkdirSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { MANIFEST, verifyModelFile } from '../../src/server/models/manifest.ts';
import { buildPoseTaskBundles } from '../../models/build-pose.ts';
import { writeSamStandins } from './sam-standin/generate.ts';
import { FAITHFUL_KIND, writeFaithfulModels, type FaithfulFile } from './sam-standin/faithful.ts';
import { faithfulModelsDir, testModelsDir } from './paths.ts';

const realModelsDir = () =>
  loadConfig({ ...process.env, ATELIER_MODELS_DIR: process.env.ATELIER_MODELS_DIR ?? './models/files' }).modelsDir;

/** Pose bundles are built from the @mediapipe/pose npm package (or copied from the real models dir): always real. */
async function placePoseBundles(realDir: string, outDir: string): Promise<void> {
  const poseEntries = MANIFEST.filter((m) => m.kind === 'pose');
  const missingPose = poseEntries.filter((m) => !existsSync(path.join(realDir, m.file)));
  if (missingPose.length) await buildPoseTaskBundles(outDir);
  else for (const m of poseEntries) copyFileSync(path.join(realDir, m.file), path.join(outDir, m.file));
}

export async function prepareTestModels(): Promise<{ sam: 'real' | 'standin' }> {
  const realDir = realModelsDir();
  rmSync(testModelsDir, { recursive: true, force: true });
  mkdirSync(testModelsDir, { recursive: true });

  const samEntries = MANIFEST.filter((m) => m.kind === 'sam');
  const samReal = (await Promise.all(samEntries.map((m) => verifyModelFile(path.join(realDir, m.file), m).then((r) => r.ok)))).every(
    Boolean,
  );
  if (samReal) {
    for (const m of samEntries) copyFileSync(path.join(realDir, m.file), path.join(testModelsDir, m.file));
  } else {
    await writeSamStandins(testModelsDir);
  }

  await placePoseBundles(realDir, testModelsDir);

  writeFileSync(path.join(testModelsDir, 'PREPARED.json'), JSON.stringify({ sam: samReal ? 'real' : 'standin' }));
  return { sam: samReal ? 'real' : 'standin' };
}

/** Writes tests/.generated/faithful: cost-faithful SAM stand-ins, STANDIN.json, pose bundles, PREPARED.json. */
export async function prepareFaithfulModels(dir: string = faithfulModelsDir): Promise<{ dir: string; files: FaithfulFile[] }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { files } = writeFaithfulModels(dir);
  await placePoseBundles(realModelsDir(), dir);
  writeFileSync(path.join(dir, 'PREPARED.json'), JSON.stringify({ sam: 'standin', standin: FAITHFUL_KIND }));
  return { dir, files };
}

if (import.meta.main) {
  if (process.argv.includes('--faithful')) {
    const started = performance.now();
    const r = await prepareFaithfulModels();
    for (const f of r.files) {
      console.log(
        `  ${f.file}: ${f.stats.bytes} B, ${f.stats.params} parameters + ${f.stats.buffers} buffer values, ${f.stats.nodes} nodes`,
      );
    }
    console.log(`cost-faithful SAM stand-ins ready in ${r.dir} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } else {
    const r = await prepareTestModels();
    console.log(`test models ready in ${testModelsDir} (SAM: ${r.sam === 'real' ? 'real weights' : 'generated stand-ins'})`);
  }
}
