// PWA: what the first visit costs, what the service worker precaches, and how fast repeat visits are.
//
//   node bench/pwa.ts [--runs 5] [--photo person-idm-00034.jpg]
//
// The built server runs behind a byte-counting proxy (every byte the server sends: page, workers,
// and the service worker's own precache fetches, which page-level tools do not see). Chromium has a
// profile directory (disk cache, as a normal browser). A session with a mask and a pose is made through
// the API first.
//   first visit     /s/<id> in the new profile until the editor is ready, the pose step has loaded, the
//                   service worker is installed and controls the page, and the network is quiet;
//                   bytes: the proxy's count, and the page's own (CDP Network.loadingFinished
//                   encodedDataLength of the page target: the document, its scripts and its workers)
//   precache        the entries of the generated dist/client/sw.js (files in dist/client and, for
//                   models precached at build time, the models dir), and what the browser stored
//   repeat visits   the service worker controls the page: navigation start → islands hydrated
//                   (interactive), → editor ready (first click possible) on /s/<id>; → sessions list
//                   hydrated and merged with this device's sessions on /; online (HTML from the
//                   network, the rest from the worker's caches) and offline (the worker's offline shell)
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ROOT,
  launchPersistentChromium,
  signIn,
  machineLine,
  ms,
  printTable,
  startBenchServer,
  stats,
  MODELS_OPTION,
  samModelsKind,
  useModels,
} from './lib.ts';
import { createSession } from '../tests/support/session.ts';

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    runs: { type: 'string', default: '5' },
    photo: { type: 'string', default: 'person-idm-00034.jpg' },
  },
});
useModels(args.models);
const RUNS = Number(args.runs);
const MB = 1024 * 1024;
const mb = (n: number) => `${(n / MB).toFixed(2)} MiB`;

// ---- a byte-counting proxy -----------------------------------------------------------------------

function countingProxy(target: URL) {
  let bytes = 0;
  let requests = 0;
  let lastActivity = Date.now();
  const byPath = new Map<string, number>();
  const server = http.createServer((req, res) => {
    requests++;
    lastActivity = Date.now();
    const up = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (ur) => {
      const head = `HTTP/1.1 ${ur.statusCode}\r\n${ur.rawHeaders.reduce((s, v, i) => s + v + (i % 2 ? '\r\n' : ': '), '')}\r\n`;
      bytes += head.length;
      res.writeHead(ur.statusCode ?? 502, ur.rawHeaders);
      ur.on('data', (c: Buffer) => {
        bytes += c.length;
        lastActivity = Date.now();
        const p = new URL(req.url ?? '/', 'http://x').pathname.replace(/[A-Za-z0-9_-]{20,}/g, ':id');
        byPath.set(p, (byPath.get(p) ?? 0) + c.length);
      });
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return {
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`)),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    reset() {
      bytes = 0;
      requests = 0;
      byPath.clear();
      lastActivity = Date.now();
    },
    get bytes() {
      return bytes;
    },
    get requests() {
      return requests;
    },
    byPath: () => [...byPath.entries()].sort((a, b) => b[1] - a[1]),
    /** Resolves once nothing was sent for `quietMs`. */
    async quiet(quietMs = 1500, maxMs = 60_000) {
      const until = Date.now() + maxMs;
      while (Date.now() - lastActivity < quietMs && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    },
  };
}

// ---- page instrumentation ----------------------------------------------------------------------

/** Times (performance.now(), ms after navigation start) of: all islands hydrated, editor ready, list ready. */
const MARKS = `(() => {
  const marks = (window.__pwaMarks = {});
  const check = () => {
    const islands = document.querySelectorAll('astro-island');
    if (islands.length && marks.hydrated === undefined && [...islands].every((i) => !i.hasAttribute('ssr'))) {
      marks.hydrated = performance.now();
    }
    if (marks.editor === undefined && document.querySelector('[data-testid="editor-stage"][data-ready="true"]')) {
      marks.editor = performance.now();
    }
    if (marks.list === undefined && document.querySelector('[data-testid="sessions"][data-ready="true"]')) {
      marks.list = performance.now();
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['ssr', 'data-ready'],
  });
})();`;

interface Marks {
  hydrated?: number;
  editor?: number;
  list?: number;
}

async function visit(page: Page, url: string, until: 'editor' | 'list'): Promise<Marks & { fromWorker: number; network: number }> {
  let fromWorker = 0;
  let network = 0;
  const onResponse = (r: import('playwright-core').Response) => (r.fromServiceWorker() ? fromWorker++ : network++);
  page.on('response', onResponse);
  await page.goto(url);
  await page.waitForFunction((k) => (window as unknown as { __pwaMarks: Marks }).__pwaMarks[k as keyof Marks] !== undefined, until, {
    timeout: 60_000,
  });
  page.off('response', onResponse);
  const marks = await page.evaluate(() => (window as unknown as { __pwaMarks: Marks }).__pwaMarks);
  return { ...marks, fromWorker, network };
}

// ---- precache ------------------------------------------------------------------------------------

function precacheFromSwJs(): { entries: number; bytes: number; missing: string[]; biggest: [string, number][] } {
  const sw = readFileSync(path.join(ROOT, 'dist/client/sw.js'), 'utf8');
  const urls = [...sw.matchAll(/\{url:"([^"]+)",revision:[^}]+\}/g)].map((m) => m[1]);
  let bytes = 0;
  const missing: string[] = [];
  const sizes: [string, number][] = [];
  const modelsDir = process.env.ATELIER_MODELS_DIR ?? path.join(ROOT, 'models/files');
  for (const url of urls) {
    const clean = url.replace(/^\//, '').replace(/\?.*$/, '');
    const candidates = [
      path.join(ROOT, 'dist/client', clean),
      path.join(ROOT, 'dist/client', clean, 'index.html'),
      path.join(modelsDir, clean.replace(/^models\//, '')),
    ];
    const file = candidates.find((f) => existsSync(f) && statSync(f).isFile());
    if (!file) missing.push(url);
    else {
      const size = statSync(file).size;
      bytes += size;
      sizes.push([url, size]);
    }
  }
  return { entries: urls.length, bytes, missing, biggest: sizes.sort((a, b) => b[1] - a[1]).slice(0, 4) };
}

async function storedCaches(page: Page): Promise<{ name: string; entries: number; bytes: number }[]> {
  return page.evaluate(async () => {
    const out: { name: string; entries: number; bytes: number }[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      let bytes = 0;
      const reqs = await cache.keys();
      for (const r of reqs) bytes += (await (await cache.match(r))!.arrayBuffer()).byteLength;
      out.push({ name, entries: reqs.length, bytes });
    }
    return out;
  });
}

// ---- run -------------------------------------------------------------------------------------------

console.log(`PWA bench · ${machineLine()}`);
const server = await startBenchServer();
const proxy = countingProxy(new URL(server.url));
const base = await proxy.listen();
const profile = mkdtempSync(path.join(os.tmpdir(), 'atelier-bench-pwa-'));
let context: BrowserContext | null = null;
try {
  const session = await createSession(server.url, args.photo);
  context = await launchPersistentChromium(profile);
  await signIn(context, server.url);
  await context.addInitScript(MARKS);
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  let pageBytes = 0;
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (pageBytes += e.encodedDataLength));
  await cdp.send('Network.enable');

  // First visit.
  proxy.reset();
  const started = performance.now();
  const first = await visit(page, `${base}/s/${session.id}`, 'editor');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="pose-editor"]')?.getAttribute('data-status') !== 'loading',
    undefined,
    { timeout: 60_000 },
  );
  await page.evaluate(async () => void (await navigator.serviceWorker.ready));
  await page.waitForFunction(() => !!navigator.serviceWorker.controller, undefined, { timeout: 60_000 });
  await proxy.quiet();
  const firstMs = performance.now() - started - 1500;
  console.log(
    `\nFirst visit (/s/<id>, new profile): editor ready at ${ms(first.editor)} after navigation start; ` +
      `all done (worker installed, caches warm, network quiet) after ~${(firstMs / 1000).toFixed(1)} s`,
  );
  printTable([
    ['bytes', 'value'],
    ['server → browser, all (proxy: page, workers, service worker precache)', mb(proxy.bytes)],
    ['page target (CDP encodedDataLength)', mb(pageBytes)],
    ['requests (proxy)', proxy.requests],
  ]);
  console.log('largest transfers:');
  printTable([
    ['path', 'bytes'],
    ...proxy
      .byPath()
      .slice(0, 8)
      .map(([p, b]) => [p, mb(b)]),
  ]);

  const pre = precacheFromSwJs();
  const notFound = pre.missing.length ? ` (+${pre.missing.length} not found here: ${pre.missing.join(', ')})` : '';
  console.log(`\nPrecache (dist/client/sw.js): ${pre.entries} entries, ${mb(pre.bytes)}${notFound}`);
  printTable([['largest entries', 'bytes'], ...pre.biggest.map(([u, b]) => [u, mb(b)])]);
  console.log('Stored in the browser after the first visit:');
  printTable([['cache', 'entries', 'bytes'], ...(await storedCaches(page)).map((c) => [c.name, c.entries, mb(c.bytes)])]);

  // Repeat visits, controlled by the service worker.
  const rows: (string | number)[][] = [
    [
      'repeat visit',
      'hydrated (interactive) p50',
      'min–max',
      'editor / list ready p50',
      'min–max',
      'from worker',
      'bytes over the network',
    ],
  ];
  for (const [label, url, until, offline] of [
    ['studio /s/<id> online', `${base}/s/${session.id}`, 'editor', false],
    ['sessions / online', `${base}/`, 'list', false],
    ['studio /s/<id> offline', `${base}/s/${session.id}`, 'editor', true],
    ['sessions / offline', `${base}/`, 'list', true],
  ] as const) {
    await context.setOffline(offline);
    const hydrated: number[] = [];
    const ready: number[] = [];
    let fromWorker = 0;
    let total = 0;
    proxy.reset();
    for (let i = 0; i < RUNS; i++) {
      const r = await visit(page, url, until);
      if (r.hydrated !== undefined) hydrated.push(r.hydrated);
      ready.push(r[until]!);
      fromWorker += r.fromWorker;
      total += r.fromWorker + r.network;
    }
    await proxy.quiet(500);
    const h = stats(hydrated);
    const d = stats(ready);
    rows.push([
      label,
      ms(h.p50),
      `${ms(h.min, 0)}–${ms(h.max, 0)}`,
      ms(d.p50),
      `${ms(d.min, 0)}–${ms(d.max, 0)}`,
      `${fromWorker}/${total}`,
      `${mb(proxy.bytes / RUNS)}/visit`,
    ]);
  }
  await context.setOffline(false);
  console.log(`\nRepeat visits (${RUNS} each; times from navigation start, the page's clock):`);
  printTable(rows);
  const precachedModels = [...readFileSync(path.join(ROOT, 'dist/client/sw.js'), 'utf8').matchAll(/url:"(\/models\/[^"]+)"/g)].map(
    (m) => m[1],
  );
  const served = `${samModelsKind()}, real pose bundles`;
  const precached = precachedModels.length
    ? precachedModels.join(', ')
    : 'none (none verified in ATELIER_MODELS_DIR at build time: the /models/ runtime cache holds them)';
  console.log(`\nModels served: ${served}; precached at build time: ${precached}`);
} finally {
  await context?.close();
  await proxy.close();
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
}
