// Shared helpers for the benchmarks under bench/: the built server, headless Chromium, in-page
// instrumentation of the SAM worker, percentiles, and test photos made at run time (never committed).
// Benchmarks print numbers; they never assert timings.
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/support/chromium.ts';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startServer, type RunningServer } from '../tests/support/server.ts';
import { ownerState } from '../tests/support/e2e-sign-in.ts';
import { SAM_MODEL } from '../src/lib/sam/model.ts';
import { faithfulModelsDir, photosDir, ROOT, testModelsDir } from '../tests/support/paths.ts';

export { ROOT, photosDir, testModelsDir };
export type { RunningServer };

// ---- server ------------------------------------------------------------------------------------

function newestSource(dir: string): { file: string; mtimeMs: number } | null {
  let newest: { file: string; mtimeMs: number } | null = null;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || /\.test\.ts$/.test(e.name)) continue;
    const file = path.join(e.parentPath, e.name);
    const mtimeMs = statSync(file).mtimeMs;
    if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
  }
  return newest;
}

/**
 * The built server (dist/) with the assembled test models; notes when src/ is newer than the build.
 * When dist/ is being rebuilt (missing, or the server fails to start), waits and tries again a few times.
 */
export async function startBenchServer(env: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(path.join(testModelsDir, 'PREPARED.json')))
    throw new Error('test models missing: run `node tests/support/prepare-models.ts` first.');
  const entry = path.join(ROOT, 'dist/server/entry.mjs');
  for (let attempt = 1; ; attempt++) {
    try {
      if (!existsSync(entry)) throw new Error('dist/ is missing: run `npx astro build` first.');
      // Our own data dir, so that it is removed also when the server fails to start.
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-data-'));
      const removeData = () => rmSync(dataDir, { recursive: true, force: true });
      const started = await startServer({ env: { ATELIER_MODELS_DIR: benchModelsDir(), ...env }, dataDir }).catch((err) => {
        removeData();
        throw err;
      });
      const server: RunningServer = {
        ...started,
        async stop(opts) {
          await started.stop(opts);
          if (!opts?.keepData) removeData();
        },
      };
      const newest = newestSource(path.join(ROOT, 'src'));
      if (newest && newest.mtimeMs > statSync(entry).mtimeMs) {
        console.warn(
          `[bench] note: ${path.relative(ROOT, newest.file)} is newer than dist/; ` +
            'figures are for the last build (`npx astro build` to refresh).',
        );
      }
      return server;
    } catch (err) {
      if (attempt >= 4) throw err;
      console.warn(
        `[bench] the server did not start (${String((err as Error).message).split('\n')[0]}); dist/ may be being rebuilt, retrying in 20 s`,
      );
      await new Promise((r) => setTimeout(r, 20_000));
    }
  }
}

/** A models dir inside `parent` with links to the test models except those matching `exclude`. */
export function modelsDirWithout(parent: string, exclude: RegExp): string {
  const dir = path.join(parent, 'models');
  mkdirSync(dir, { recursive: true });
  const from = benchModelsDir();
  for (const f of readdirSync(from)) if (!exclude.test(f)) symlinkSync(path.join(from, f), path.join(dir, f));
  return dir;
}

// ---- which models ------------------------------------------------------------------------------

/**
 * `--models` of every bench: `real` (the real weights, used by default when present), `faithful` (generated with the
 * real networks' operators, shapes and parameter counts, random weights: what speed costs; `node
 * tests/support/prepare-models.ts --faithful`), `standin` (the tiny generated models tests use for pixels).
 */
export const MODELS_OPTION = { models: { type: 'string' } } as const;
export type ModelsKind = 'real' | 'faithful' | 'standin';

function realWeightsPresent(): boolean {
  try {
    return JSON.parse(readFileSync(path.join(testModelsDir, 'PREPARED.json'), 'utf8')).sam === 'real';
  } catch {
    return false;
  }
}

let chosen: { kind: ModelsKind; dir: string } | null = null;

/** Chooses the models for this run (call once, with the bench's `--models`); prints which. */
export function useModels(requested: string | undefined): { kind: ModelsKind; dir: string } {
  const kind = (requested ?? (realWeightsPresent() ? 'real' : 'standin')) as ModelsKind;
  if (kind === 'real' && !realWeightsPresent())
    throw new Error('--models real: the real SAM weights are not installed (models/MODELS.md).');
  if (kind === 'faithful' && !existsSync(path.join(faithfulModelsDir, 'PREPARED.json')))
    throw new Error('--models faithful: run `node tests/support/prepare-models.ts --faithful` first.');
  if (!['real', 'faithful', 'standin'].includes(kind)) throw new Error(`--models ${kind}: real, faithful or standin`);
  chosen = { kind, dir: kind === 'faithful' ? faithfulModelsDir : testModelsDir };
  console.log(`models: ${samModelsKind()}`);
  return chosen;
}

/** The models dir of this run (the test models unless useModels chose otherwise). */
export const benchModelsDir = () => chosen?.dir ?? testModelsDir;

/** What the server is running with, in words. */
export function samModelsKind(): string {
  const kind = chosen?.kind ?? (realWeightsPresent() ? 'real' : 'standin');
  if (kind === 'real') return `real ${SAM_MODEL.title} weights`;
  if (kind === 'faithful') return `cost-faithful stand-ins (${SAM_MODEL.title} architecture, random weights; tests/.generated/faithful)`;
  return 'tiny generated stand-in SAM models (tests/.generated/models)';
}

/** VmRSS (current) and VmHWM (peak since start) of a process, in MiB, from /proc/<pid>/status. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Samples RSS every `everyMs`; stop() returns the peak seen. */
export function sampleRss(pid: number, everyMs = 50) {
  let peak = memoryOf(pid).rss;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, memoryOf(pid).rss);
    } catch {
      /* process gone */
    }
  }, everyMs);
  return {
    peak: () => peak,
    stop(): number {
      clearInterval(timer);
      return peak;
    },
  };
}

export interface UploadResult {
  status: number;
  ms: number;
  sessionId: string | null;
  imageId: string | null;
  embeddingUrl: string | null;
  body: unknown;
}

/** POST /api/images with one file, as the page does (multipart field "image"). */
export async function uploadFile(baseUrl: string, file: string): Promise<UploadResult> {
  const bytes = readFileSync(file);
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), path.basename(file));
  const started = performance.now();
  const res = await fetch(`${baseUrl}/api/images`, { method: 'POST', body: form });
  const body = (await res.json()) as { session?: { id: string; image: { id: string }; embedding: { url: string } } };
  const ms = performance.now() - started;
  return {
    status: res.status,
    ms,
    sessionId: body.session?.id ?? null,
    imageId: body.session?.image.id ?? null,
    embeddingUrl: body.session?.embedding.url ?? null,
    body,
  };
}

// ---- browser -----------------------------------------------------------------------------------

export { CHROMIUM_ARGS } from '../tests/support/chromium.ts';
export const VIEWPORT = { width: 1280, height: 860 };

/** Signs a browser context in as the benches' studio owner (tests/support/auth.ts), on every port of the host. */
export async function signIn(context: BrowserContext, baseUrl: string): Promise<void> {
  const { cookies } = await ownerState(baseUrl);
  await context.addCookies(cookies as Parameters<BrowserContext['addCookies']>[0]);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * Chromium with a profile directory, so the HTTP cache is on disk as in a normal browser. (A fresh
 * context of launchChromium() keeps its cache in memory and does not keep entries of more than a few
 * MB, such as ORT's 14 MB wasm or real SAM decoders.)
 */
export function launchPersistentChromium(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, viewport: VIEWPORT });
}

/** One message between the island and the SAM worker, as seen by the page (performance.now() times). */
export interface BenchMessage {
  dir: 'in' | 'out';
  t: number;
  /** First animation frame after the message arrived (replies with a state only). */
  frame?: number;
  type: string;
  seq: number;
  stage?: string;
  loaded?: number;
  total?: number;
  decodeMs?: number | null;
  loadMs?: number;
  threads?: number;
  area?: number;
}

export interface BenchLog {
  timeOrigin: number;
  workers: { t: number; name: string }[];
  /** Messages to and from the SAM worker. */
  messages: BenchMessage[];
  /** Messages to and from other workers (e.g. the pose detector), by worker name. */
  others: { worker: string; dir: 'in' | 'out'; t: number; type: string; seq: number }[];
  pointer: { type: string; t: number; timeStamp: number; pointerType: string }[];
  /** Other DOM events: the file input's change (upload start). */
  events: { type: string; t: number; target: string }[];
}

declare global {
  interface Window {
    __bench: BenchLog & { next(type: string, after: number): Promise<BenchMessage> };
  }
}

/**
 * Init script for a page: wraps window.Worker so every message between the island and the SAM worker
 * (the worker named "sam-decoder"; other workers' messages go to `others`) is logged with the page's
 * clock (a listener added in the constructor runs before the island's onmessage), and logs
 * pointerdown/up/move and change events in the capture phase (before the island's handlers).
 * `window.__bench.next(type, afterSeq)` resolves with the first message of that type with a larger seq.
 */
export const INSTRUMENT_PAGE = `(() => {
  if (window.__bench) return;
  const SAM_WORKER = 'sam-decoder'; // the name SamClient gives its worker
  const log = { timeOrigin: performance.timeOrigin, workers: [], messages: [], others: [], pointer: [], events: [] };
  const waiters = [];
  const settle = (m) => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i];
      if (m.type === w.type && m.seq > w.after) { waiters.splice(i, 1); w.resolve(m); }
    }
  };
  const Orig = window.Worker;
  class BenchWorker extends Orig {
    constructor(url, opts) {
      super(url, opts);
      const name = (opts && opts.name) || '';
      const sam = name === SAM_WORKER;
      this.__benchSam = sam;
      log.workers.push({ t: performance.now(), name });
      this.addEventListener('message', (e) => {
        const d = e.data;
        if (!d || typeof d !== 'object') return;
        if (!sam) {
          log.others.push({ worker: name, dir: 'in', t: performance.now(), type: d.type, seq: d.seq });
          return;
        }
        const m = { dir: 'in', t: performance.now(), type: d.type, seq: d.seq, stage: d.stage, loaded: d.loaded, total: d.total,
          decodeMs: d.decodeMs, loadMs: d.loadMs, threads: d.threads, area: d.state ? d.state.area : undefined };
        log.messages.push(m);
        if (d.state) requestAnimationFrame(() => { m.frame = performance.now(); });
        settle(m);
      });
    }
    postMessage(msg, transfer) {
      if (msg && typeof msg === 'object') {
        const m = { dir: 'out', t: performance.now(), type: msg.type, seq: msg.seq };
        if (this.__benchSam) log.messages.push(m);
        else log.others.push({ worker: '', ...m });
      }
      return super.postMessage(msg, transfer);
    }
  }
  window.Worker = BenchWorker;
  for (const type of ['pointerdown', 'pointerup', 'pointermove']) {
    addEventListener(
      type,
      (e) => log.pointer.push({ type, t: performance.now(), timeStamp: e.timeStamp, pointerType: e.pointerType }),
      true,
    );
  }
  addEventListener('change', (e) => {
    log.events.push({ type: 'change', t: performance.now(), target: (e.target && e.target.dataset && e.target.dataset.testid) || '' });
    // Survives the navigation to the new session (same tab, same origin).
    sessionStorage.setItem('__benchChangeAt', String(performance.timeOrigin + performance.now()));
  }, true);
  log.next = (type, after) => {
    const hit = log.messages.find((m) => m.dir === 'in' && m.type === type && m.seq > after);
    return hit ? Promise.resolve(hit) : new Promise((resolve) => waiters.push({ type, after, resolve }));
  };
  window.__bench = log;
})();`;

// ---- worker CPU profile --------------------------------------------------------------------------

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/**
 * Attaches the V8 sampling profiler to the page's SAM worker (Chrome DevTools Protocol, through a
 * second CDP session on the page). Call before the page opens the editor: new workers wait for the
 * debugger until the profiler is set up, so with `startOnAttach` the worker's init is profiled too.
 */
export async function attachWorkerProfiler(context: BrowserContext, page: Page, opts: { startOnAttach: boolean; urlPart?: string }) {
  const urlPart = opts.urlPart ?? 'sam.worker';
  const cdp = await context.newCDPSession(page);
  let id = 0;
  const pending = new Map<number, (r: { result?: unknown; error?: unknown }) => void>();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    if (m.id && pending.has(m.id)) {
      pending.get(m.id)!(m);
      pending.delete(m.id);
    }
  });
  const send = (sessionId: string, method: string, params: object = {}) =>
    new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
      const i = ++id;
      pending.set(i, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: i, method, params }) });
    });
  let sessionId: string | null = null;
  const attached = new Promise<void>((resolve) => {
    cdp.on('Target.attachedToTarget', async (e) => {
      if (!e.targetInfo.url.includes(urlPart) || sessionId) {
        await send(e.sessionId, 'Runtime.runIfWaitingForDebugger');
        return;
      }
      sessionId = e.sessionId;
      await send(sessionId, 'Profiler.enable');
      await send(sessionId, 'Profiler.setSamplingInterval', { interval: 250 });
      if (opts.startOnAttach) await send(sessionId, 'Profiler.start');
      await send(sessionId, 'Runtime.runIfWaitingForDebugger');
      resolve();
    });
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
  return {
    attached,
    async start() {
      await attached;
      await send(sessionId!, 'Profiler.start');
    },
    async stop(): Promise<CpuProfile> {
      await attached;
      const r = (await send(sessionId!, 'Profiler.stop')) as { result: { profile: CpuProfile } };
      return r.result.profile;
    },
    detach: () => cdp.detach(),
  };
}

/** Prints the functions with the most self time; minified bundle functions are shown with a snippet of their source. */
export function printProfile(profile: CpuProfile, top = 15) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((nodeId, i) => {
    const cf = byId.get(nodeId)!.callFrame;
    const file = cf.url.split('/').pop() ?? '';
    const key = file ? `${cf.functionName || '(anonymous)'} ${file}:${cf.lineNumber + 1}:${cf.columnNumber + 1}` : cf.functionName;
    self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i] / 1000);
  });
  const total = (profile.endTime - profile.startTime) / 1000;
  const sources = new Map<string, string[]>();
  const snippet = (key: string) => {
    const m = /^\S+ (\S+\.js):(\d+):(\d+)$/.exec(key);
    if (!m) return '';
    const file = path.join(ROOT, 'dist/client/_astro', m[1]);
    if (!sources.has(file)) sources.set(file, existsSync(file) ? readFileSync(file, 'utf8').split('\n') : []);
    return (sources.get(file)![Number(m[2]) - 1] ?? '').slice(Number(m[3]) - 1, Number(m[3]) + 69).replace(/\s+/g, ' ');
  };
  const rows: (string | number)[][] = [['self ms', '%', 'function (worker main thread)', 'source']];
  for (const [key, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    rows.push([v.toFixed(0), ((100 * v) / total).toFixed(1), key, snippet(key)]);
  }
  console.log(`  CPU profile of the worker's main thread, ${total.toFixed(0)} ms:`);
  printTable(rows);
}

// ---- numbers -----------------------------------------------------------------------------------

export interface Stats {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Percentile with linear interpolation between closest ranks (numpy's default). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  return {
    n: s.length,
    min: s[0] ?? NaN,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
  };
}

export const ms = (v: number | null | undefined, digits = 1) => (v == null || Number.isNaN(v) ? '—' : `${v.toFixed(digits)} ms`);
export const mib = (v: number) => `${v.toFixed(1)} MiB`;

/** Prints rows as an aligned text table (first row is the header). */
export function printTable(rows: (string | number)[][]) {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0].map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  // Numbers right-aligned, text left-aligned.
  const line = (r: string[]) =>
    r
      .map((c, i) => (i > 0 && /^[-—\d.]/.test(c) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(line(cells[0]));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of cells.slice(1)) console.log(line(r));
}

/** 1-minute load average (the machine is shared: a load above the core count means contention). */
export const loadLine = () => os.loadavg()[0].toFixed(1);

export function machineLine(): string {
  const entry = path.join(ROOT, 'dist/server/entry.mjs');
  const built = existsSync(entry) ? statSync(entry).mtime.toISOString().slice(0, 16).replace('T', ' ') : 'missing';
  const day = new Date().toISOString().slice(0, 10);
  const cpus = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? '?'})`;
  return `${day} · dist built ${built} UTC · ${cpus} · load ${loadLine()} · node ${process.version} · SAM: ${samModelsKind()}`;
}

// ---- photos ------------------------------------------------------------------------------------

export function fixturePhotos(): string[] {
  return readdirSync(photosDir)
    .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
    .sort()
    .map((f) => path.join(photosDir, f));
}

/** A temp dir for photos made at run time; remove() deletes it. */
export function tempPhotoDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Grain images per size, made once per process. */
const grains: Record<string, Buffer> = {};

/**
 * A 12 MP JPEG (4000×3000 landscape or 3000×4000 portrait, following the fixture) made by upscaling a
 * fixture photo and adding sensor-like grain (so it weighs about what a phone's 12 MP JPEG does,
 * ~4 MB, instead of the ~0.4 MB of a smooth upscale). `variant` changes the bytes (a slight crop and
 * brightness change) so that uploads are distinct photos to the server,
 * which deduplicates by content.
 */
export async function make12MpJpeg(outDir: string, fixture: string, variant = 0, opts: { grain?: boolean } = {}): Promise<string> {
  const meta = await sharp(fixture).metadata();
  const portrait = (meta.height ?? 1) >= (meta.width ?? 1);
  const [width, height] = portrait ? [3000, 4000] : [4000, 3000];
  const crop = variant % 7;
  const out = path.join(outDir, `${path.basename(fixture, path.extname(fixture))}-12mp-v${variant}.jpg`);
  const pixels = await sharp(fixture)
    .extract({ left: crop, top: crop, width: meta.width! - 2 * crop, height: meta.height! - 2 * crop })
    .resize(width, height, { fit: 'cover', kernel: 'lanczos3' })
    .modulate({ brightness: 1 + variant * 0.002 })
    .removeAlpha()
    .raw()
    .toBuffer();
  if (opts.grain === false) {
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 92 })
      .toFile(out);
    return out;
  }
  const key = `${width}x${height}`;
  grains[key] ??= await sharp({
    create: { width, height, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 10 } },
  })
    .raw()
    .toBuffer();
  const grain = grains[key];
  for (let i = 0; i < pixels.length; i++) {
    const v = pixels[i] + grain[i] - 128;
    pixels[i] = Math.min(255, Math.max(0, v));
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 92 })
    .toFile(out);
  return out;
}

/** A variant of a fixture at roughly its own size (crop + resize), distinct bytes per `variant`. */
export async function makeVariantJpeg(outDir: string, fixture: string, variant: number): Promise<string> {
  const meta = await sharp(fixture).metadata();
  const crop = 4 + (variant % 5) * 6;
  const scale = 0.9 + (variant % 4) * 0.1;
  const width = Math.round((meta.width! - 2 * crop) * scale);
  const height = Math.round((meta.height! - 2 * crop) * scale);
  const out = path.join(outDir, `${path.basename(fixture, path.extname(fixture))}-v${variant}.jpg`);
  await sharp(fixture)
    .extract({ left: crop, top: crop, width: meta.width! - 2 * crop, height: meta.height! - 2 * crop })
    .resize(width, height)
    .jpeg({ quality: 90 })
    .toFile(out);
  return out;
}

export const fileMiB = (file: string) => statSync(file).size / 1024 / 1024;
