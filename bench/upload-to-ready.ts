// Upload of a 12 MP JPEG → first click ready (embedding computed and downloaded, decoder warm).
//
//   node bench/upload-to-ready.ts [--photo person-idm-00034.jpg] [--warm-runs 2] [--api-runs 3] [--profile] [--no-pose]
//
// Browser: the home page's file input ([data-testid=upload-input]) gets a fresh 12 MP JPEG; timed until
// the editor's stage has data-ready=true (set when the worker has loaded the decoder(s) and the
// embedding and run a warm-up decode). Split, on the page's clock:
//   upload + server  file input change → navigation to /s/<id> starts (the POST's duration: upload,
//                    normalise, SAM encoder, PNG/JPEG copies, storage, and the 201)
//   navigation       → the island creates its SAM worker (HTML, JS, hydration)
//   downloads        → embedding .npy and decoder(s) downloaded by the worker
//   worker init      → ready: ORT wasm runtime fetched/compiled, sessions created, embedding parsed,
//                    warm-up decode, first overlay
// "cold" is a new browser profile (empty disk cache); "warm" is the same browser again with another
// photo (JS, ORT wasm and decoder in the HTTP cache). Each upload is a distinct photo: the server
// deduplicates. --profile prints a V8 CPU profile of the worker's init in the cold run. The session
// page also starts other workers (the pose detector loads its model and detects on page load):
// --no-pose serves a models dir without the pose bundles (the pose step then says they are missing
// and starts nothing), to see the editor's figures without that competition.
// Then the same through the API alone (POST → 201, GET embedding.npy), and the server's steps timed
// one by one in this process with the server's own functions.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BrowserContext, Request } from 'playwright-core';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { SamEncoder } from '../src/server/embedding/encoder.ts';
import { encodeDisplayJpeg, encodeOriginalPng, normaliseUpload } from '../src/server/images/normalise.ts';
import { SAM_MODEL } from '../src/lib/sam/model.ts';
import { encodeEmbeddingNpy } from '../src/lib/sam/npy.ts';
import {
  INSTRUMENT_PAGE,
  attachWorkerProfiler,
  fileMiB,
  launchPersistentChromium,
  signIn,
  loadLine,
  machineLine,
  make12MpJpeg,
  modelsDirWithout,
  ms,
  photosDir,
  printProfile,
  printTable,
  startBenchServer,
  stats,
  tempPhotoDir,
  benchModelsDir,
  uploadFile,
  MODELS_OPTION,
  useModels,
} from './lib.ts';

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    photo: { type: 'string', default: 'person-idm-00034.jpg' },
    'api-runs': { type: 'string', default: '3' },
    'warm-runs': { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
    'no-pose': { type: 'boolean', default: false },
  },
});
useModels(args.models);
const API_RUNS = Number(args['api-runs']);
const fixture = path.join(photosDir, args.photo);

interface PageRun {
  label: string;
  total: number;
  post: number;
  uploadAndServer: number;
  navigation: number;
  htmlDone: number;
  downloads: number;
  workerInit: number;
  workerLoadMs: number;
  transfers: { what: string; bytes: number; ms: number; cached: boolean; start: number }[];
  timeline: [string, number][];
}

let cpuProfile: Awaited<ReturnType<Awaited<ReturnType<typeof attachWorkerProfiler>>['stop']>> | null = null;

function watchRequests(context: BrowserContext) {
  const done: { req: Request; bytes: number; cached: boolean }[] = [];
  context.on('requestfinished', async (req) => {
    const sizes = await req.sizes().catch(() => null);
    // Playwright reports no body bytes for a response served from the HTTP cache.
    const bytes = sizes?.responseBodySize ?? 0;
    done.push({ req, bytes, cached: bytes <= 0 });
  });
  return done;
}

async function runInPage(context: BrowserContext, label: string, photoFile: string, baseUrl: string, profile: boolean): Promise<PageRun> {
  const requests = watchRequests(context);
  const page = await context.newPage();
  const profiler = profile ? await attachWorkerProfiler(context, page, { startOnAttach: true }) : null;

  await page.goto(`${baseUrl}/`);
  const postDone = page.waitForResponse((r) => r.url().endsWith('/api/images') && r.request().method() === 'POST', { timeout: 120_000 });
  await page.getByTestId('upload-input').setInputFiles(photoFile);
  const post = await postDone;
  if (post.status() !== 201) throw new Error(`upload answered ${post.status()}`);
  await page.waitForURL(/\/s\/[A-Za-z0-9_-]+$/, { timeout: 60_000 });
  await page.waitForSelector('[data-testid=editor-stage][data-ready=true]', { timeout: 120_000 });
  await page.waitForTimeout(200); // let requestfinished events arrive
  const p = await page.evaluate(() => {
    const b = window.__bench;
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const lastProgress = (stage: string) => b.messages.filter((m) => m.type === 'progress' && m.stage === stage).pop();
    return {
      timeOrigin: performance.timeOrigin,
      changeAt: Number(sessionStorage.getItem('__benchChangeAt')),
      htmlDone: nav.responseEnd,
      worker: b.workers.find((w) => w.name === 'sam-decoder')?.t ?? NaN,
      // Other workers the page starts meanwhile (e.g. the pose detector): created, and their replies.
      others: [
        ...b.workers.filter((w) => w.name !== 'sam-decoder').map((w): [string, number] => [`${w.name || 'worker'} worker created`, w.t]),
        ...b.others
          .filter((m) => m.dir === 'in' && m.type !== 'progress')
          .map((m): [string, number] => [`${m.worker} worker: ${m.type}`, m.t]),
      ],
      decoderDone: lastProgress('decoder')?.t ?? NaN,
      embeddingDone: lastProgress('embedding')?.t ?? NaN,
      ready: b.messages.find((m) => m.type === 'ready')!,
    };
  });
  const timing = post.request().timing();
  const postMs = timing.responseEnd;
  // Worker requests (multi decoder, ORT wasm) have only Playwright's wall-clock timing.
  const pageClock = (r: Request) => r.timing().startTime + r.timing().responseEnd - p.timeOrigin;
  const { single: singleDecoder, multi: multiDecoder } = SAM_MODEL.decoder.files;
  const multi = requests.find((r) => r.req.url().includes(multiDecoder.file));
  const downloadsDone = Math.max(p.decoderDone, p.embeddingDone, multi ? pageClock(multi.req) : 0);
  const interesting: [string, RegExp][] = [
    ['POST /api/images (upload)', /\/api\/images$/],
    ['embedding.npy', /embedding\.npy/],
    ['decoder (single)', new RegExp(RegExp.escape(singleDecoder.file))],
    ['decoder (multi)', new RegExp(RegExp.escape(multiDecoder.file))],
    ['ORT wasm runtime', /ort-wasm[^/]*\.wasm$/],
    ['photo.jpg (display copy)', /photo\.jpg/],
    ['pose model', /\/models\/pose_/],
    ['MediaPipe wasm', /vision_wasm/],
  ];
  const transfers = interesting.flatMap(([what, re]) =>
    requests
      .filter((r) => re.test(new URL(r.req.url()).pathname))
      .map((r) => ({
        what,
        bytes: what.startsWith('POST') ? readFileSync(photoFile).byteLength : r.bytes,
        ms: r.req.timing().responseEnd,
        cached: r.cached,
        start: r.req.timing().startTime - p.timeOrigin,
      })),
  );
  if (profiler) {
    cpuProfile = await profiler.stop();
    await profiler.detach();
  }
  await page.close();
  return {
    label,
    total: p.ready.t + (p.timeOrigin - p.changeAt),
    post: postMs,
    uploadAndServer: p.timeOrigin - p.changeAt,
    navigation: p.worker,
    htmlDone: p.htmlDone,
    downloads: downloadsDone - p.worker,
    workerInit: p.ready.t - downloadsDone,
    workerLoadMs: p.ready.loadMs ?? NaN,
    transfers,
    timeline: [
      ['file chosen', p.changeAt - p.timeOrigin],
      ['navigation start', 0],
      ['HTML received', p.htmlDone],
      ['worker created', p.worker],
      ...transfers
        .filter((t) => !t.what.startsWith('POST'))
        .flatMap((t): [string, number][] => [
          [`${t.what} request`, t.start],
          [`${t.what} done${t.cached ? ' (HTTP cache)' : ''}`, t.start + t.ms],
        ]),
      ['decoder progress done', p.decoderDone],
      ['embedding progress done', p.embeddingDone],
      ['ready', p.ready.t],
      ...p.others,
    ],
  };
}

/** Cold: a new browser profile (empty disk cache). Warm: the same profile again, with another photo. */
async function browserRuns(baseUrl: string, photos: string[], profileDir: string): Promise<PageRun[]> {
  const runs: PageRun[] = [];
  const context = await launchPersistentChromium(profileDir);
  await signIn(context, baseUrl);
  await context.addInitScript(INSTRUMENT_PAGE);

  try {
    runs.push(await runInPage(context, 'cold (new profile)', photos[0], baseUrl, args.profile));
    for (let i = 1; i < photos.length; i++) runs.push(await runInPage(context, `warm #${i} (cached)`, photos[i], baseUrl, false));
  } finally {
    await context.close();
  }
  return runs;
}

function printPageRuns(runs: PageRun[]) {
  printTable([
    ['browser: change → ready', ...runs.map((r) => r.label)],
    ['upload + server (change → navigation)', ...runs.map((r) => ms(r.uploadAndServer, 0))],
    ['  of which the POST (Playwright timing)', ...runs.map((r) => ms(r.post, 0))],
    ['navigation → worker created', ...runs.map((r) => ms(r.navigation, 0))],
    ['  of which the HTML response', ...runs.map((r) => ms(r.htmlDone, 0))],
    ['embedding + decoder downloads', ...runs.map((r) => ms(r.downloads, 0))],
    ['worker init → ready (ORT, warm decode)', ...runs.map((r) => ms(r.workerInit, 0))],
    ['  worker loadMs (fetches + init)', ...runs.map((r) => ms(r.workerLoadMs, 0))],
    ['TOTAL upload → first click ready', ...runs.map((r) => ms(r.total, 0))],
  ]);
  for (const r of runs) {
    const events = [...r.timeline].sort((a, b) => a[1] - b[1]);
    console.log(`\n  timeline, ${r.label} (ms from the navigation to /s/<id>):`);
    for (const [what, t] of events) console.log(`    ${t.toFixed(0).padStart(6)}  ${what}`);
    console.log(`  bytes: ${r.transfers.map((t) => `${t.what} ${t.cached ? 'cached' : `${(t.bytes / 1024).toFixed(0)} KiB`}`).join('; ')}`);
  }
}

async function apiRuns(baseUrl: string, photos: string[]) {
  const rows: (string | number)[][] = [['API alone (Node fetch)', 'POST → 201', 'GET embedding.npy', 'bytes', 'GET photo.jpg']];
  const posts: number[] = [];
  for (const file of photos) {
    const up = await uploadFile(baseUrl, file);
    if (up.status !== 201) throw new Error(`upload answered ${up.status}: ${JSON.stringify(up.body)}`);
    posts.push(up.ms);
    const t0 = performance.now();
    const npy = new Uint8Array(await (await fetch(baseUrl + up.embeddingUrl)).arrayBuffer());
    const t1 = performance.now();
    await (await fetch(`${baseUrl}/api/images/${up.imageId}/photo.jpg`)).arrayBuffer();
    const t2 = performance.now();
    rows.push([path.basename(file), ms(up.ms, 0), ms(t1 - t0), npy.byteLength, ms(t2 - t1)]);
  }
  printTable(rows);
  const s = stats(posts);
  console.log(`  POST → 201: p50 ${ms(s.p50, 0)}, min ${ms(s.min, 0)}, max ${ms(s.max, 0)} (${posts.length} distinct 12 MP photos)`);
}

/** The server's steps for one upload, one after another in this process (the server runs the last four concurrently). */
async function serverSteps(file: string) {
  const bytes = readFileSync(file);
  const encoder = await SamEncoder.load(path.join(benchModelsDir(), SAM_MODEL.encoder.file));
  const rows: (string | number)[][] = [['server step (in-process, sequential)', 'run 1', 'run 2']];
  const times: Record<string, number[]> = {};
  for (let rep = 0; rep < 2; rep++) {
    const time = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
      const t0 = performance.now();
      const r = await f();
      times[name] ??= [];
      times[name].push(performance.now() - t0);
      return r;
    };
    const img = await time('normaliseUpload (decode 12 MP JPEG → RGB)', () =>
      normaliseUpload(bytes, { maxBytes: 40 << 20, maxPixels: 50e6 }),
    );
    const emb = await time(`encoder.embed (resize to ${SAM_MODEL.encoder.resize.side} + ONNX run)`, () => encoder.embed(img));
    await time('encodeOriginalPng (full-res PNG)', () => encodeOriginalPng(img));
    await time('encodeDisplayJpeg 2048', () => encodeDisplayJpeg(img, 2048));
    await time('encodeDisplayJpeg 320 (thumb)', () => encodeDisplayJpeg(img, 320));
    const wire = SAM_MODEL.embedding.wireDtype;
    await time(`encodeEmbeddingNpy ${wire}`, async () => encodeEmbeddingNpy(emb, wire));
    // For comparison (not what the server does): the full-res PNG at a faster compression level.
    const raw = { raw: { width: img.width, height: img.height, channels: 3 as const } };
    await time('  (compare) PNG compressionLevel 1', () =>
      sharp(img.rgb, raw).png({ compressionLevel: 1, adaptiveFiltering: false }).toBuffer(),
    );
  }
  for (const [name, v] of Object.entries(times)) rows.push([name, ms(v[0], 0), ms(v[1], 0)]);
  printTable(rows);
  console.log(`  sharp concurrency ${sharp.concurrency()}, libuv threadpool ${process.env.UV_THREADPOOL_SIZE ?? 4}`);
}

const WARM_RUNS = Number(args['warm-runs']);
const tmp = tempPhotoDir();
const server = await startBenchServer(args['no-pose'] ? { ATELIER_MODELS_DIR: modelsDirWithout(tmp.dir, /^pose_/) } : {}).catch((err) => {
  tmp.remove();
  throw err;
});
try {
  console.log(`upload-to-ready · ${machineLine()}${args['no-pose'] ? ' · without pose models (--no-pose)' : ''}`);
  const photos: string[] = [];
  for (let v = 0; v < 1 + WARM_RUNS + API_RUNS; v++) photos.push(await make12MpJpeg(tmp.dir, fixture, v + 1));
  console.log(
    `photos: ${photos.length} distinct 12 MP JPEGs from ${args.photo} (${photos.map((f) => fileMiB(f).toFixed(1)).join(', ')} MiB)`,
  );

  // The server loads the SAM encoder on its first upload; do that first, and report it separately.
  const first = await uploadFile(server.url, path.join(photosDir, 'garment-idm-04469.jpg'));
  console.log(`server's first upload (768×1024 fixture, loads the encoder): ${ms(first.ms, 0)}\n`);

  printPageRuns(await browserRuns(server.url, photos.slice(0, 1 + WARM_RUNS), path.join(tmp.dir, 'chromium-profile')));
  if (cpuProfile) {
    console.log('\ncold run, worker from creation to ready:');
    printProfile(cpuProfile);
  }
  console.log('');
  await apiRuns(server.url, photos.slice(1 + WARM_RUNS));
  console.log('');
  await serverSteps(photos[0]);
  console.log(`\nload average at the end: ${loadLine()}`);
} finally {
  await server.stop();
  tmp.remove();
}
