import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** Where the test harness assembles the models the server uses in tests (real where present, stand-ins otherwise). */
export const testModelsDir = path.join(ROOT, 'tests/.generated/models');
/** Cost-faithful SAM stand-ins for benches (`node tests/support/prepare-models.ts --faithful`); never used by tests. */
export const faithfulModelsDir = path.join(ROOT, 'tests/.generated/faithful');
export const photosDir = path.resolve(ROOT, '../shared/fixtures/photos');
export const photo = (name: string) => path.join(photosDir, name);
