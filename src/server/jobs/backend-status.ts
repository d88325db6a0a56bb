// GET /api/backend: what each generation server offers and whether it answers, cached briefly so
// a page full of dropdowns doesn't hammer the GPU servers.
import { LRUCache } from 'lru-cache';
import { app } from '../app/context.ts';
import { isBackendError } from '../../lib/sd/errors.ts';
import { FAMILIES, checkpointFamily, pickOpenposeModel, type FamilySource, type ModelFamily } from '../../lib/sd/family.ts';
import type { SdClient } from '../backend/client.ts';
import { queuedCount } from './store.ts';
import { startJobs } from './service.ts';

export interface BackendStatus {
  /** Position in SD_WEBUI_URL (the address itself never reaches the browser). */
  index: number;
  reachable: boolean;
  kind: 'a1111' | 'forge' | null;
  checkpoint: string | null;
  busy: boolean;
  runningJob: string | null;
  resting: boolean;
  error: { code: string; message: string } | null;
  checkpoints: CheckpointStatus[];
  loras: { name: string; alias: string }[];
  controlnetModels: string[];
  samplers: string[];
}

/** A checkpoint with its family and whether the pose-guided recipes can run on it here. */
export interface CheckpointStatus {
  title: string;
  family: ModelFamily;
  familyLabel: string;
  familySource: FamilySource;
  /** An OpenPose ControlNet model of this family is installed (model shot, pose change, outfit swap). */
  poseGuide: boolean;
}

const cache = new LRUCache<string, Promise<Omit<BackendStatus, 'runningJob' | 'resting'>>>({ max: 16, ttl: 10_000 });

async function probe(client: SdClient, index: number): Promise<Omit<BackendStatus, 'runningJob' | 'resting'>> {
  try {
    const signal = AbortSignal.timeout(8000);
    const [lists, options, progress] = await Promise.all([
      client.lists({ signal }),
      client.options({ signal }),
      client.progress({ signal }),
    ]);
    const { modelFamilies } = app().config;
    const checkpoints = await Promise.all(
      lists.checkpoints.map(async (c): Promise<CheckpointStatus> => {
        const metadata = await client.checkpointMetadata(c.title, { signal }).catch(() => null);
        const f = checkpointFamily(c.title, { overrides: modelFamilies, metadata });
        const info = FAMILIES[f.family];
        const poseGuide =
          info.controlnet &&
          pickOpenposeModel(lists.controlnetModels ?? [], f.family, { kind: lists.kind, overrides: modelFamilies }) !== null;
        return { title: c.title, family: f.family, familyLabel: info.label, familySource: f.source, poseGuide };
      }),
    );
    return {
      index,
      reachable: true,
      kind: lists.kind,
      checkpoint: typeof options.sd_model_checkpoint === 'string' ? options.sd_model_checkpoint : null,
      busy: progress.state.job_count > 0,
      error: null,
      checkpoints,
      loras: lists.loras.map((l) => ({ name: l.name, alias: l.alias ?? l.name })),
      controlnetModels: lists.controlnetModels ?? [],
      samplers: lists.samplers.map((s) => s.name),
    };
  } catch (err) {
    const e = isBackendError(err)
      ? { code: err.code, message: err.message }
      : { code: 'unreachable', message: 'The generation server did not answer.' };
    return {
      index,
      reachable: false,
      kind: null,
      checkpoint: null,
      busy: false,
      error: e,
      checkpoints: [],
      loras: [],
      controlnetModels: [],
      samplers: [],
    };
  }
}

export async function backendStatus(refresh = false) {
  const sched = startJobs();
  if (!sched) return { configured: false, queued: 0, backends: [] as BackendStatus[] };
  const backends = await Promise.all(
    sched.clients.map(async (client, index) => {
      if (refresh) cache.delete(client.url);
      let p = cache.get(client.url);
      if (!p) {
        p = probe(client, index);
        cache.set(client.url, p);
      }
      const s = await p;
      return { ...s, runningJob: sched.runningOn(client)?.id ?? null, resting: sched.isResting(client) };
    }),
  );
  return { configured: true, queued: queuedCount(app().db), backends };
}
