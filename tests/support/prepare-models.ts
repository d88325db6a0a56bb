// Assembles tests/.generated/models: the real model files where `npm run models` fetched and verified
// them, generated SAM stand-ins (same input/output signatures) where the real SAM weights are absent.
import { existsSync, mkdirSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { MANIFEST, verifyModelFile } from '../../src/server/models/manifest.ts';
import { buildPoseTaskBundles } from '../../models/build-pose.ts';
import { writeSamStandins } from './sam-standin/generate.ts';
import { testModelsDir } from './paths.ts';

export async function prepareTestModels(): Promise<{ sam: 'real' | 'standin' }> {
  const realDir = loadConfig({ ...process.env, ATELIER_MODELS_DIR: process.env.ATELIER_MODELS_DIR ?? './models/files' }).modelsDir;
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

  // Pose bundles are built from the @mediapipe/pose npm package: always real.
  const poseEntries = MANIFEST.filter((m) => m.kind === 'pose');
  const missingPose = poseEntries.filter((m) => !existsSync(path.join(realDir, m.file)));
  if (missingPose.length) await buildPoseTaskBundles(testModelsDir);
  else for (const m of poseEntries) copyFileSync(path.join(realDir, m.file), path.join(testModelsDir, m.file));

  writeFileSync(path.join(testModelsDir, 'PREPARED.json'), JSON.stringify({ sam: samReal ? 'real' : 'standin' }));
  return { sam: samReal ? 'real' : 'standin' };
}

if (import.meta.main) {
  const r = await prepareTestModels();
  console.log(`test models ready in ${testModelsDir} (SAM: ${r.sam === 'real' ? 'real weights' : 'generated stand-ins'})`);
}
