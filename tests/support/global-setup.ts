// Vitest global setup: the API tests need the built server and the assembled test models.
// `npm test` prepares both before vitest starts; a bare `npx vitest run` of unit tests needs neither.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { testModelsDir } from './paths.ts';

export default function setup() {
  if (!existsSync(path.join(testModelsDir, 'PREPARED.json'))) {
    console.warn('[tests] test models not prepared: run `node tests/support/prepare-models.ts` (npm test does) before API tests.');
  }
}
