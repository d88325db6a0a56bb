// Queue fairness and server memory with a big batch queued, against the SD WebUI double (no GPU here):
// `--photos` sessions × 8 model looks × 8 scenes jobs in one batch (512 with the default 8 photos), then a single
// job from the studio; how long it waits to start, against the time one job takes, and the server's RSS (peak) while
// the batch is queued and running. The batch is cancelled at the end.
//
//   node bench/batch-queue.ts [--photos 8] [--run-seconds 30]
import { parseArgs } from 'node:util';
import { startSdDouble } from '../tests/sd-double/server.ts';
import { createSession, postJob, waitForJob } from '../tests/support/session.ts';
import { modelLooks, scenes as allScenes } from '../src/lib/presets/index.ts';
import { machineLine, printTable, sampleRss, startBenchServer, stats, MODELS_OPTION, useModels } from './lib.ts';

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    photos: { type: 'string', default: '8' },
    'run-seconds': { type: 'string', default: '30' },
  },
});
useModels(args.models);
const looks = modelLooks()
  .slice(0, 8)
  .map((p) => p.id);
const scenes = allScenes()
  .slice(0, 8)
  .map((p) => p.id);

console.log(machineLine());
const sd = await startSdDouble({ stepMs: 5, steps: 10, controlnetModels: ['control_v11p_sd15_openpose [cab727d4]'] });
const server = await startBenchServer({ SD_WEBUI_URL: sd.url });
const rss = sampleRss(server.process.pid!, 100);
const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
try {
  const ids: string[] = [];
  for (let i = 0; i < Number(args.photos); i++) ids.push((await createSession(server.url, 'person-idm-00034.jpg')).id);
  const { batch } = await (await post('/api/batches', { name: 'bench', sessionIds: ids })).json();
  const queuedAt = Date.now();
  const all = await (
    await post(`/api/batches/${batch.id}/jobs`, { recipe: 'model-shot', count: 1, modelPresets: looks, scenePresets: scenes })
  ).json();
  if (!all.queued) throw new Error(JSON.stringify(all));
  console.log(`batch: ${all.queued} jobs queued in ${Date.now() - queuedAt} ms (skipped ${all.skipped.length})`);
  // Let the batch run a while, then a single job arrives from the studio.
  await new Promise((r) => setTimeout(r, 5000));
  const single = await (await postJob(server.url, { sessionId: ids[0], recipe: 'model-shot', count: 1 })).json();
  const submitted = Date.now();
  const done = await waitForJob(server.url, single.job.id, ['succeeded', 'failed'], 120_000);
  const wait = Date.parse(done.startedAt) - submitted;
  await new Promise((r) => setTimeout(r, Number(args['run-seconds']) * 1000));
  const b = (await (await fetch(`${server.url}/api/batches/${batch.id}`)).json()).batch;
  const finished = await Promise.all(
    all.jobIds.slice(0, 400).map(async (id: string) => (await (await fetch(`${server.url}/api/jobs/${id}`)).json()).job),
  );
  const durations = finished
    .filter((j: { startedAt: string | null; finishedAt: string | null }) => j.startedAt && j.finishedAt)
    .map((j: { startedAt: string; finishedAt: string }) => Date.parse(j.finishedAt) - Date.parse(j.startedAt));
  const per = stats(durations);
  await post(`/api/batches/${batch.id}/cancel`, {});
  printTable([
    ['measure', 'value'],
    ['batch jobs queued', String(all.queued)],
    ['batch jobs done when measured', String(b.counts.succeeded)],
    ['one batch job, start → end (p50 / p95)', `${per.p50.toFixed(0)} / ${per.p95.toFixed(0)} ms (n ${per.n})`],
    ['single job: submitted → started', `${Math.max(0, wait)} ms`],
    ['server RSS peak while queued and running', `${rss.peak().toFixed(0)} MiB`],
  ]);
} finally {
  rss.stop();
  await server.stop();
  await sd.stop();
}
