// Measures, in this browser, how far each new result's body is from the pose it was asked for (MediaPipe on
// the result, against the session's saved pose: src/lib/pose/error.ts) and stores it with the result. One
// detector, created when there is something to measure, one result at a time.
import * as api from './api.ts';
import { PoseClient } from './pose-client.ts';
import { poseError } from '../lib/pose/error.ts';
import { recipeSpec, type Recipe } from '../lib/recipes/table.ts';
import type { ResultJson } from '../lib/api/types.ts';
import type { Pose } from '../lib/pose/types.ts';

export interface PoseChecker {
  /** Queues the results not measured yet; `onMeasured` gets each result back with its figures. */
  check(results: readonly ResultJson[], target: Pose): void;
  dispose(): void;
}

export function createPoseChecker(modelUrl: string, onMeasured: (r: ResultJson) => void): PoseChecker {
  let client: PoseClient | null = null;
  let ready: Promise<unknown> | null = null;
  const asked = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  return {
    check(results, target) {
      for (const r of results) {
        const recipe = r.params.recipe as Recipe | undefined;
        const posed = recipe !== undefined && recipeSpec(recipe).poseGuide === 'saved-pose';
        if (!posed || !r.checks || r.checks.poseError !== undefined || asked.has(r.id)) continue;
        asked.add(r.id);
        chain = chain.then(async () => {
          try {
            client ??= new PoseClient();
            ready ??= client.init({ modelUrl });
            await ready;
            const found = await client.detect({
              imageUrl: r.url,
              photo: { width: target.width, height: target.height },
              maskUrl: null,
              maxSide: 640,
            });
            const m = poseError(target, found.landmarks);
            if (m) onMeasured(await api.putPoseCheck(r.id, { error: m.error, joints: m.joints }));
          } catch {
            // No measure this time (offline, no detector): the result simply has no pose figure.
          }
        });
      }
    },
    dispose() {
      client?.terminate();
    },
  };
}
