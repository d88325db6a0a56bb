// Generation job benchmarks against the SD WebUI test double (no GPU here):
//  1. server overhead per job vs the double's own processing time,
//  2. throughput with 1, 2 and 4 doubles (one job at a time each),
//  3. 100 browsers watching one job: backend progress polls stay one per second.
// Run: node bench/jobs.ts   (needs `npm run build` and `node tests/support/prepare-models.ts`)
import { startServer } from '../tests/support/server.ts';
import { createSession, postJob, waitForJob } from '../tests/support/session.ts';
import { startSdDouble, type SdDouble } from '../tests/sd-double/server.ts';

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function overhead() {
  const sd = await startSdDouble({ stepMs: 50, steps: 20, controlnetModels: [OPENPOSE] }); // ≈ 1 s per job
  const server = await startServer({ env: { SD_WEBUI_URL: sd.url } });
  try {
    const s = await createSession(server.url);
    const rows: { total: number; backend: number; overhead: number }[] = [];
    for (let i = 0; i < 8; i++) {
      sd.reset();
      const { job } = await (await postJob(server.url, { sessionId: s.id, recipe: 'model-shot', count: 1 })).json();
      const done = await waitForJob(server.url, job.id, ['succeeded']);
      // Server-side timestamps: from the job's creation to its results stored (no polling error).
      const total = Date.parse(done.finishedAt) - Date.parse(done.createdAt);
      const gen = sd.payloads.find((p) => p.path === '/sdapi/v1/img2img')!;
      const backend = gen.finishedAt! - gen.receivedAt;
      rows.push({ total, backend, overhead: total - backend });
    }
    const warm = rows.slice(1); // the first job also prepares the session's inputs
    console.log(
      '\n1. Server overhead per model-shot job (768×1024 photo, double ≈ 1 s/job): ' +
        'created → results stored, minus the backend request',
    );
    console.log(
      `   first job: total ${rows[0].total.toFixed(0)} ms, backend ${rows[0].backend.toFixed(0)} ms, ` +
        `overhead ${rows[0].overhead.toFixed(0)} ms`,
    );
    const o = warm.map((r) => r.overhead);
    console.log(
      `   next ${warm.length}: overhead mean ${mean(o).toFixed(0)} ms, p50 ${pct(o, 50).toFixed(0)} ms, p95 ${pct(o, 95).toFixed(0)} ms; ` +
        `${((100 * mean(o)) / mean(warm.map((r) => r.backend))).toFixed(1)} % of the backend time`,
    );
  } finally {
    await server.stop();
    await sd.stop();
  }
}

async function throughput() {
  console.log('\n2. Throughput (12 portrait jobs, each double ≈ 1 s/job)');
  let single = 0;
  for (const n of [1, 2, 4]) {
    const doubles: SdDouble[] = await Promise.all(
      Array.from({ length: n }, () => startSdDouble({ stepMs: 50, steps: 20, controlnetModels: [OPENPOSE] })),
    );
    const server = await startServer({ env: { SD_WEBUI_URL: doubles.map((d) => d.url).join(',') } });
    try {
      const s = await createSession(server.url);
      const jobs = 12;
      const t0 = performance.now();
      const ids = [];
      for (let i = 0; i < jobs; i++)
        ids.push((await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait', count: 1 })).json()).job.id);
      for (const id of ids) await waitForJob(server.url, id, ['succeeded'], 120_000);
      const rate = jobs / ((performance.now() - t0) / 1000);
      if (n === 1) single = rate;
      console.log(
        `   ${n} backend(s): ${rate.toFixed(2)} jobs/s = ${(rate / single).toFixed(2)} × one (target ≥ ${(0.95 * n).toFixed(2)})`,
      );
    } finally {
      await server.stop();
      await Promise.all(doubles.map((d) => d.stop()));
    }
  }
}

async function watchers() {
  const sd = await startSdDouble({ stepMs: 100, steps: 40, controlnetModels: [OPENPOSE] }); // ≈ 4 s
  const server = await startServer({ env: { SD_WEBUI_URL: sd.url } });
  try {
    const s = await createSession(server.url);
    const measure = async (count: number) => {
      sd.reset();
      const { job } = await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait', count: 1 })).json();
      const streams = await Promise.all(Array.from({ length: count }, () => fetch(`${server.url}/api/jobs/${job.id}/events`)));
      const t0 = performance.now();
      await Promise.all(
        streams.map(async (r) => {
          for await (const _ of r.body as unknown as AsyncIterable<Uint8Array>) void _;
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const polls = sd.payloads.filter((p) => p.path === '/sdapi/v1/progress').length;
      return { polls, seconds };
    };
    const one = await measure(1);
    const hundred = await measure(100);
    console.log('\n3. Browsers watching one job (SSE) vs backend /progress polls');
    console.log(`     1 watcher : ${one.polls} polls in ${one.seconds.toFixed(1)} s`);
    const noExtra = hundred.polls <= one.polls + 1 ? 'yes' : 'NO';
    console.log(`   100 watchers: ${hundred.polls} polls in ${hundred.seconds.toFixed(1)} s (no extra polls: ${noExtra})`);
  } finally {
    await server.stop();
    await sd.stop();
  }
}

await overhead();
await throughput();
await watchers();
