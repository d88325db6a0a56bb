// Pose detection + completion on a 12 MP photo in headless Chromium, after the model is loaded.
//
//   node bench/pose-detect.ts [--runs 10] [--photo person-catvton-049713.jpg] [--models lite,full,heavy]
//
// A 12 MP JPEG (3000×4000) is made at run time from a fixture (bench/lib.ts make12MpJpeg) and
// uploaded; /s/<id>#pose is opened in a fresh browser profile and the pose island starts its worker
// (model load + first detection, as a merchant sees it). Then, through the worker's own protocol
// (src/lib/pose/protocol.ts), `--runs` detections each on:
//   app path   the session's display JPEG (2048 px long side), decoded to ≤ 1024 px: what the island does
//   12 MP      the stored 12 MP original (PNG), decoded at full size: detection on a 12 MP bitmap
// Times come from the worker (performance.now() around each step): fetch, decode, detect
// (PoseLandmarker.detect), complete (completePose: MediaPipe → OpenPose-18 + completion); "round
// trip" is postMessage → reply on the page's clock. Other landmark models (--models) are loaded in
// extra workers from the same script: cold model load (fetch + graph creation) and warm figures.
// Benchmarks print numbers; they never assert timings.
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import {
  VIEWPORT,
  launchChromium,
  signIn,
  machineLine,
  make12MpJpeg,
  ms,
  photosDir,
  printTable,
  startBenchServer,
  stats,
  tempPhotoDir,
  uploadFile,
  MODELS_OPTION,
  useModels,
} from './lib.ts';
import type { DetectTimings } from '../src/lib/pose/protocol.ts';

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    runs: { type: 'string', default: '10' },
    photo: { type: 'string', default: 'person-catvton-049713.jpg' },
    models: { type: 'string', default: 'lite,full,heavy' },
  },
});
useModels(args.models);
const RUNS = Number(args.runs);

/** Captures the island's pose worker and exposes a request/reply helper on window.__poseBench. */
const INSTRUMENT = `(() => {
  const Orig = window.Worker;
  const bench = { url: null, worker: null, createdAt: null, replies: [], seq: 100000 };
  window.Worker = class extends Orig {
    constructor(url, opts) {
      super(url, opts);
      if (opts && opts.name === 'pose-detector' && !bench.worker) {
        bench.url = String(url);
        bench.worker = this;
        bench.createdAt = performance.now();
        this.addEventListener('message', (e) => {
          const d = e.data;
          if (d && typeof d === 'object' && d.type !== 'progress') {
            const { type, seq, loadMs, timings, message } = d;
            bench.replies.push({ type, seq, t: performance.now(), loadMs, timings, message });
          }
        });
      }
    }
  };
  bench.request = (worker, msg) => new Promise((resolve) => {
    const seq = ++bench.seq;
    const t0 = performance.now();
    const on = (e) => {
      const d = e.data;
      if (!d || d.seq !== seq || d.type === 'progress') return;
      worker.removeEventListener('message', on);
      resolve({ type: d.type, wall: performance.now() - t0, loadMs: d.loadMs, timings: d.timings, input: d.input, message: d.message,
        detectedJoints: d.detectedJoints, origin: d.pose ? d.pose.origin : null });
    };
    worker.addEventListener('message', on);
    worker.postMessage({ ...msg, seq });
  });
  window.__poseBench = bench;
})();`;

interface Reply {
  type: string;
  wall: number;
  loadMs?: number;
  timings?: DetectTimings;
  input?: { width: number; height: number };
  message?: string;
  detectedJoints?: number;
  origin?: string | null;
}

declare global {
  interface Window {
    __poseBench: {
      url: string | null;
      worker: Worker | null;
      createdAt: number | null;
      replies: { type: string; seq: number; t: number; loadMs?: number; timings?: DetectTimings; message?: string }[];
      request(worker: Worker, msg: object): Promise<Reply>;
      extra?: Record<string, Worker>;
    };
  }
}

type Target = { imageUrl: string; maxSide?: number; photo: { width: number; height: number } };

/** `runs` detections on one worker (the island's, or an extra one by role). */
async function series(page: Page, role: string | null, target: Target, runs: number): Promise<Reply[]> {
  const out: Reply[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await page.evaluate(
      ({ role, target }) => {
        const b = window.__poseBench;
        const worker = role ? b.extra![role]! : b.worker!;
        return b.request(worker, {
          type: 'detect',
          imageUrl: target.imageUrl,
          photo: target.photo,
          maskUrl: null,
          ...(target.maxSide ? { maxSide: target.maxSide } : {}),
        });
      },
      { role, target },
    );
    if (r.type !== 'detected') throw new Error(`detect failed: ${r.message}`);
    out.push(r);
  }
  return out;
}

function summary(label: string, replies: Reply[]): (string | number)[][] {
  const col = (f: (t: DetectTimings, r: Reply) => number) => stats(replies.map((r) => f(r.timings!, r)));
  const rows: [string, ReturnType<typeof stats>][] = [
    ['fetch', col((t) => t.fetchMs)],
    ['decode', col((t) => t.decodeMs)],
    ['detect', col((t) => t.detectMs)],
    ['complete', col((t) => t.completeMs)],
    ['detect + complete', col((t) => t.detectMs + t.completeMs)],
    ['round trip', col((_, r) => r.wall)],
  ];
  return rows.map(([name, s]) => [`${label} · ${name}`, ms(s.p50), ms(s.min), ms(s.p95), ms(s.max)]);
}

async function main() {
  console.log(`pose-detect · ${machineLine()}`);
  const photos = tempPhotoDir();
  const server = await startBenchServer();
  const browser = await launchChromium();
  try {
    const fixture = path.join(photosDir, args.photo!);
    const file = await make12MpJpeg(photos.dir, fixture, 0);
    const up = await uploadFile(server.url, file);
    if (up.status !== 201 || !up.sessionId) throw new Error(`upload failed: ${JSON.stringify(up.body)}`);
    const session = (await (await fetch(`${server.url}/api/sessions/${up.sessionId}`)).json()).session;
    const size = { width: session.image.width as number, height: session.image.height as number };
    const mp = ((size.width * size.height) / 1e6).toFixed(1);
    console.log(
      `photo: ${path.basename(file)} (${size.width}×${size.height}, ${mp} MP), made from ${args.photo}; ` +
        `${RUNS} runs per series after the model is loaded`,
    );
    const health = await (await fetch(`${server.url}/api/health`)).json();
    const modelUrl = (role: string) => {
      const m = health.models.find((x: { role: string }) => x.role === role);
      return m?.version ? `/models/${m.file}?v=${m.version}` : null;
    };

    // 1. The island as a merchant gets it: fresh profile, page load → model ready → first pose.
    const context = await browser.newContext({ viewport: VIEWPORT });
    await signIn(context, server.url);
    await context.addInitScript(INSTRUMENT);
    const page = await context.newPage();
    await page.goto(`${server.url}/s/${up.sessionId}#pose`);
    await page.waitForFunction(() => window.__poseBench.replies.some((r) => r.type === 'detected' || r.type === 'error'), null, {
      timeout: 120_000,
    });
    const first = await page.evaluate(() => {
      const b = window.__poseBench;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return { createdAt: b.createdAt!, domContentLoaded: nav.domContentLoadedEventEnd, replies: b.replies };
    });
    const ready = first.replies.find((r) => r.type === 'ready');
    const detected = first.replies.find((r) => r.type === 'detected');
    if (!ready || !detected) throw new Error(`the island's worker failed: ${JSON.stringify(first.replies)}`);
    const status = await page.getByTestId('pose-status').getAttribute('data-state');
    console.log('\nisland (cold: new browser profile, nothing cached; full landmark model)');
    printTable([
      ['step', 'time'],
      ['navigation → worker created', ms(first.createdAt)],
      ['model load (worker: .task fetch + wasm + graph)', ms(ready.loadMs)],
      ['worker created → ready', ms(ready.t - first.createdAt)],
      ['first detection (cold graph) detect + complete', ms(detected.timings!.detectMs + detected.timings!.completeMs)],
      ['navigation → first pose shown', ms(detected.t)],
    ]);
    console.log(`status: ${status}`);

    const appPath: Target = { imageUrl: session.image.url, maxSide: 1024, photo: size };
    const full12: Target = { imageUrl: session.image.originalUrl, photo: size };

    // 2. Warm detections through the island's worker.
    const rows: (string | number)[][] = [['series (full model)', 'median', 'min', 'p95', 'max']];
    const appRuns = await series(page, null, appPath, RUNS);
    rows.push(...summary(`app path ${appRuns[0]!.input!.width}×${appRuns[0]!.input!.height}`, appRuns));
    const bigRuns = await series(page, null, full12, RUNS);
    rows.push(...summary(`12 MP ${bigRuns[0]!.input!.width}×${bigRuns[0]!.input!.height}`, bigRuns));
    console.log('\nwarm (after the model is loaded and one detection ran)');
    printTable(rows);
    console.log(`joints seen by MediaPipe: ${appRuns[0]!.detectedJoints}/18 (app path), ${bigRuns[0]!.detectedJoints}/18 (12 MP)`);

    // 3. Each landmark model in its own worker (same script, same page; wasm and model from the server).
    const roles = args
      .models!.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const modelRows: (string | number)[][] = [
      ['model', 'load', 'first detect', 'app path detect+complete (median)', '12 MP detect+complete (median)', 'seen'],
    ];
    for (const short of roles) {
      const role = `pose-${short}`;
      const url = modelUrl(role);
      if (!url) {
        modelRows.push([role, 'missing', '', '', '', '']);
        continue;
      }
      const load = await page.evaluate(
        ({ role, url }) => {
          const b = window.__poseBench;
          b.extra ??= {};
          const w = new Worker(b.url!, { type: 'module', name: `pose-bench-${role}` });
          b.extra[role] = w;
          return b.request(w, { type: 'init', modelUrl: url });
        },
        { role, url },
      );
      if (load.type !== 'ready') throw new Error(`${role}: ${load.message}`);
      const firstRun = await series(page, role, appPath, 1);
      const warmApp = await series(page, role, appPath, RUNS);
      const warmBig = await series(page, role, full12, Math.max(3, Math.round(RUNS / 2)));
      const med = (rs: Reply[]) => stats(rs.map((r) => r.timings!.detectMs + r.timings!.completeMs)).p50;
      modelRows.push([
        role,
        ms(load.loadMs),
        ms(firstRun[0]!.timings!.detectMs + firstRun[0]!.timings!.completeMs),
        ms(med(warmApp)),
        ms(med(warmBig)),
        `${warmApp[0]!.detectedJoints}/18`,
      ]);
      await page.evaluate((role) => window.__poseBench.extra![role]!.terminate(), role);
    }
    console.log('\nlandmark models (extra workers; "load" is warm-ish: wasm already in the HTTP cache, model fetched from the server)');
    printTable(modelRows);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
    photos.remove();
  }
}

await main();
