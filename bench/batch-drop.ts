// A season dropped on the Batch page: N distinct 12 MP JPEGs chosen at once, timed from the file input's change to
// every photo prepared (ready or needing a look), in headless Chromium against the built server. The split comes
// from the page's own performance measures (src/client/batch-runner.ts):
//   upload     request body sent (3 uploads at a time; waits for the uploads-per-minute limit excluded)
//   server     body sent → 201 (normalise, SAM encoder, copies, storage)
//   pose       pose detection in the pose worker (and placing a body from the silhouette when none was seen)
//   selection  SAM worker: decoder + embedding load, proposal, mask PNG made and saved (then each of the four)
// The next photo's pose is detected while this one's selection runs, so pose overlaps selection.
// Per stage: the sum over photos and p50/p95 per photo; uploads overlap each other and the preparation of earlier
// photos, so the wall time is less than the sums. The server's RSS is sampled throughout (peak reported).
// The workspace's uploads-per-minute limit is the shipped default unless --uploads-per-minute says otherwise.
//
//   node bench/batch-drop.ts [--photos 100] [--uploads-per-minute 120] [--fixture-size | --smooth]
import { parseArgs } from 'node:util';
import {
  fixturePhotos,
  launchChromium,
  machineLine,
  make12MpJpeg,
  makeVariantJpeg,
  mib,
  printTable,
  sampleRss,
  signIn,
  startBenchServer,
  stats,
  tempPhotoDir,
  VIEWPORT,
  MODELS_OPTION,
  useModels,
} from './lib.ts';

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    photos: { type: 'string', default: '100' },
    'uploads-per-minute': { type: 'string', default: '120' },
    'fixture-size': { type: 'boolean', default: false },
    // Without sensor grain: 12 MP made ~5× faster (for the 500-photo memory run); JPEGs ~1 MB instead of ~4.
    smooth: { type: 'boolean', default: false },
  },
});
useModels(args.models);
const N = Number(args.photos);

console.log(machineLine());
console.log('pose: real MediaPipe pose landmarker (lite on phones, full on desktops)');
const tmp = tempPhotoDir();
const fixtures = fixturePhotos();
const files: string[] = [];
const madeAt = performance.now();
for (let i = 0; i < N; i++) {
  const fixture = fixtures[i % fixtures.length]!;
  const variant = Math.floor(i / fixtures.length);
  files.push(
    args['fixture-size']
      ? await makeVariantJpeg(tmp.dir, fixture, variant)
      : await make12MpJpeg(tmp.dir, fixture, variant, { grain: !args.smooth }),
  );
}
console.log(`${N} ${args['fixture-size'] ? 'fixture-size' : '12 MP'} JPEGs made in ${((performance.now() - madeAt) / 1000).toFixed(0)} s`);

const server = await startBenchServer({ ATELIER_WORKSPACE_UPLOADS_PER_MINUTE: args['uploads-per-minute']! });
const rss = sampleRss(server.process.pid!, 200);
const browser = await launchChromium();
try {
  const context = await browser.newContext({ viewport: VIEWPORT, serviceWorkers: 'block' });
  await signIn(context, server.url);
  const page = await context.newPage();
  await page.goto(`${server.url}/batch`);
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await page.getByTestId('batch-page').and(page.locator('[data-ready=true]')).waitFor();
  await page.evaluate(() => {
    const input = document.querySelector<HTMLInputElement>('[data-testid=batch-input]')!;
    input.addEventListener('change', () => performance.mark('atelier:drop'), { capture: true });
  });
  await page.getByTestId('batch-input').setInputFiles(files);
  const settled = async () =>
    page.evaluate(
      () =>
        [...document.querySelectorAll('[data-testid=batch-item]')].filter((e) =>
          /^(ready|check|failed|skipped)$/.test(e.getAttribute('data-state')!),
        ).length,
    );
  let last = -1;
  for (;;) {
    const n = await settled();
    if (n !== last && (n % 10 === 0 || n === N)) console.log(`  ${n}/${N} prepared, server RSS peak so far ${mib(rss.peak())}`);
    last = n;
    if (n >= N) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const peak = rss.stop();
  const timing = await page.evaluate(() => {
    const drop = performance.getEntriesByName('atelier:drop')[0]!.startTime;
    const measures = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('atelier:'));
    const end = Math.max(...measures.map((m) => m.startTime + m.duration));
    const uploaded = Math.max(...measures.filter((m) => m.name === 'atelier:server').map((m) => m.startTime + m.duration));
    return {
      wall: end - drop,
      allUploaded: uploaded - drop,
      stages: measures.map((m) => ({ stage: m.name.slice('atelier:'.length), ms: m.duration })),
    };
  });
  const states = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=batch-item]')].reduce<Record<string, number>>((a, e) => {
      const s = e.getAttribute('data-state')!;
      a[s] = (a[s] ?? 0) + 1;
      return a;
    }, {}),
  );
  const rows: (string | number)[][] = [];
  for (const stage of ['upload', 'server', 'pose', 'select', 'select-load', 'select-propose', 'select-export', 'select-save']) {
    const values = timing.stages.filter((s) => s.stage === stage).map((s) => s.ms);
    const st = stats(values);
    rows.push([stage, st.n, (values.reduce((a, b) => a + b, 0) / 1000).toFixed(1), st.p50.toFixed(0), st.p95.toFixed(0)]);
  }
  console.log(
    `\n${N} photos: drop → all prepared ${(timing.wall / 1000).toFixed(1)} s; all uploaded at ${(timing.allUploaded / 1000).toFixed(1)} s`,
  );
  console.log(`states: ${JSON.stringify(states)}; server RSS peak ${mib(peak)} (sampled every 200 ms)`);
  printTable([['stage', 'n', 'sum s', 'p50 ms/photo', 'p95 ms/photo'], ...rows]);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
  tmp.remove();
}
