// Click → mask drawn, in headless Chromium, for a fixture photo and a 12 MP one.
//
//   node bench/click-to-mask.ts [--press-ms 80] [--clicks 50] [--photo person-idm-00034.jpg] [--no-undo] [--only small|12mp] [--profile]
//
// For each photo: upload through the API, open /s/<id>, wait for the editor to be ready, then click at
// `--clicks` varied points on the editor canvas, in two ways:
//   - "click": pen-type pointer events (no hover preview), so every click runs the decoder: the cost
//     of a click without a preview, e.g. on a touch screen or a quick mouse click;
//   - "hover+click": the mouse moves to the point, the worker's hover preview is awaited, then the
//     click, which reuses the preview's decode: what a desktop user who aims first gets.
// Times are taken in the page: from the pointerup (capture phase, just before the island's handler
// sends the click to the worker) to the arrival of the worker's `state` reply for that click (the
// worker draws the overlay before it replies), and to the next animation frame after it. By default
// each click is undone before the next (not timed) so every click does the same work.
// --profile also prints a V8 CPU profile of the worker during the "click" series (top self time).
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import {
  INSTRUMENT_PAGE,
  attachWorkerProfiler,
  printProfile,
  VIEWPORT,
  fileMiB,
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

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    clicks: { type: 'string', default: '50' },
    'press-ms': { type: 'string', default: '80' },
    photo: { type: 'string', default: 'person-idm-00034.jpg' },
    'no-undo': { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
useModels(args.models);
const CLICKS = Number(args.clicks);
const UNDO = !args['no-undo'];
const PRESS_MS = Number(args['press-ms']);

/** Halton (2, 3) points in [0.1, 0.9]²: spread over the photo, all distinct. */
function halton(i: number, base: number): number {
  let f = 1;
  let r = 0;
  for (let n = i; n > 0; n = Math.floor(n / base)) {
    f /= base;
    r += f * (n % base);
  }
  return r;
}
const points = Array.from({ length: CLICKS }, (_, i) => ({ fx: 0.1 + 0.8 * halton(i + 1, 2), fy: 0.1 + 0.8 * halton(i + 1, 3) }));

interface ClickTiming {
  toReply: number;
  toFrame: number;
  /** Decoder run of the click ("click"), or of the hover preview the click reused ("hover+click"). */
  decodeMs: number | null;
  postToReply: number;
  /** "hover+click": pointermove → the worker's preview reply (hover decode + preview drawn). */
  hoverToPreview: number | null;
}

const lastSeq = (page: Page) => page.evaluate(() => Math.max(0, ...window.__bench.messages.map((m) => m.seq ?? 0)));

async function openEditor(context: BrowserContext, baseUrl: string, sessionId: string, profile: boolean) {
  const page = await context.newPage();
  const profiler = profile ? await attachWorkerProfiler(context, page, { startOnAttach: false }) : null;
  await page.goto(`${baseUrl}/s/${sessionId}`);
  await page.waitForSelector('[data-testid=editor-stage][data-ready=true]', { timeout: 120_000 });
  const ready = await page.evaluate(() => window.__bench.messages.find((m) => m.type === 'ready')!);
  // Other workers the page starts (the pose detector) share the 2 cores: let them finish first, so
  // the clicks measure the editor alone, and say how long they ran after the editor was ready.
  const others = await page.evaluate(async () => {
    const b = window.__bench;
    const names = b.workers.map((w) => w.name).filter((n) => n !== 'sam-decoder');
    const settled = () => names.every((n) => b.others.some((m) => m.worker === n && m.dir === 'in' && /^(detected|error)$/.test(m.type)));
    const started = performance.now();
    while (!settled() && performance.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
    const last = Math.max(0, ...b.others.filter((m) => m.dir === 'in').map((m) => m.t));
    return { names, settled: settled(), last };
  });
  const busy = others.settled ? `busy until ${Math.round(others.last - ready.t)} ms after the editor was ready` : 'still busy after 20 s';
  const note = others.names.length ? `other workers on the page: ${others.names.join(', ')}, ${busy}` : 'no other workers on the page';
  return { page, threads: ready.threads ?? 0, profiler, note };
}

async function clickSeries(page: Page, context: BrowserContext, kind: 'click' | 'hover+click'): Promise<ClickTiming[]> {
  const canvas = page.getByTestId('editor-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  // Only the part of the canvas inside the viewport can be clicked.
  const visibleH = Math.min(box.height, VIEWPORT.height - box.y);
  const cdp = await context.newCDPSession(page);
  const out: ClickTiming[] = [];
  for (const p of points) {
    const x = box.x + box.width * p.fx;
    const y = box.y + visibleH * p.fy;
    let after = await lastSeq(page);
    let hoverToPreview: number | null = null;
    if (kind === 'click') {
      const ev = { x, y, button: 'left' as const, clickCount: 1, pointerType: 'pen' as const };
      await cdp.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...ev });
      // A human tap holds the pen/finger down for ~80–120 ms; --press-ms 0 releases at once.
      if (PRESS_MS > 0) await new Promise((r) => setTimeout(r, PRESS_MS));
      await cdp.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...ev });
    } else {
      await page.mouse.move(x, y);
      const preview = await page.evaluate(async (a) => {
        const b = window.__bench;
        const reply = await b.next('preview', a);
        const sent = b.messages.find((m) => m.dir === 'out' && m.type === 'hover' && m.seq > a)!;
        const move = b.pointer.filter((e) => e.type === 'pointermove' && e.t <= sent.t).pop()!;
        return reply.t - move.t;
      }, after);
      hoverToPreview = preview;
      after = await lastSeq(page);
      await page.mouse.down();
      await page.mouse.up();
    }
    const t = await page.evaluate(async (a) => {
      const b = window.__bench;
      const reply = await b.next('state', a);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const sent = b.messages.find((m) => m.dir === 'out' && m.seq === reply.seq)!;
      const up = b.pointer.filter((e) => e.type === 'pointerup' && e.t <= sent.t).pop()!;
      return {
        sentType: sent.type,
        pointerType: up.pointerType,
        up: up.t,
        sent: sent.t,
        reply: reply.t,
        frame: reply.frame ?? NaN,
        decodeMs: reply.decodeMs ?? null,
      };
    }, after);
    if (t.sentType !== 'click') throw new Error(`expected the reply to a click, got one to ${t.sentType}`);
    const expected = kind === 'click' ? 'pen' : 'mouse';
    if (t.pointerType !== expected) throw new Error(`expected ${expected} pointer events, got ${t.pointerType}`);
    out.push({ toReply: t.reply - t.up, toFrame: t.frame - t.up, decodeMs: t.decodeMs, postToReply: t.reply - t.sent, hoverToPreview });
    if (UNDO) {
      const a = await lastSeq(page);
      await page.keyboard.press('Control+z');
      await page.evaluate((s) => window.__bench.next('state', s), a);
    }
    if (kind === 'hover+click') {
      // Leave the canvas so the next move starts a fresh hover.
      await page.mouse.move(1, 1);
    }
    await page.waitForTimeout(30);
  }
  await cdp.detach();
  return out;
}

function report(label: string, kind: 'click' | 'hover+click', rows: ClickTiming[]) {
  const line = (name: string, vals: number[]) => {
    const s = stats(vals);
    return [name, ms(s.p50), ms(s.p95), ms(s.min), ms(s.max), ms(vals[0])];
  };
  console.log(`\n${label}`);
  const decode = rows.map((r) => r.decodeMs ?? NaN).filter((v) => !Number.isNaN(v));
  const table: (string | number)[][] = [
    ['', 'p50', 'p95', 'min', 'max', '1st click'],
    line(
      'pointerup → state reply (mask drawn)',
      rows.map((r) => r.toReply),
    ),
    line(
      'pointerup → next frame',
      rows.map((r) => r.toFrame),
    ),
  ];
  if (kind === 'click') {
    table.push(line('  decoder session.run (decodeMs)', decode));
    table.push(
      line(
        '  rest in worker (post→reply − decode)',
        rows.map((r) => r.postToReply - (r.decodeMs ?? 0)),
      ),
    );
  } else {
    table.push(
      line(
        '  click in worker (post→reply, no decode)',
        rows.map((r) => r.postToReply),
      ),
    );
    table.push(
      line(
        'pointermove → hover preview drawn',
        rows.map((r) => r.hoverToPreview ?? NaN),
      ),
    );
    table.push(line('  decoder session.run of the preview', decode));
  }
  printTable(table);
}

const server = await startBenchServer();
const tmp = tempPhotoDir();
const browser = await launchChromium().catch(async (err) => {
  await server.stop();
  tmp.remove();
  throw err;
});
try {
  console.log(`click-to-mask · ${machineLine()}`);
  const order = UNDO ? 'each undone before the next' : 'accumulating (no undo)';
  console.log(`${CLICKS} clicks per series, ${order}; viewport ${VIEWPORT.width}×${VIEWPORT.height}`);
  const small = path.join(photosDir, args.photo);
  const photos: { label: string; file: string }[] = [];
  if (args.only !== '12mp') photos.push({ label: path.basename(small), file: small });
  if (args.only !== 'small') photos.push({ label: '12 MP', file: await make12MpJpeg(tmp.dir, small) });
  for (const ph of photos) {
    const up = await uploadFile(server.url, ph.file);
    if (up.status !== 201 || !up.sessionId) throw new Error(`upload of ${ph.file} answered ${up.status}: ${JSON.stringify(up.body)}`);
    const dims = (up.body as { image: { width: number; height: number } }).image;
    const context = await browser.newContext({ viewport: VIEWPORT });
    await signIn(context, server.url);
    await context.addInitScript(INSTRUMENT_PAGE);
    try {
      for (const kind of ['click', 'hover+click'] as const) {
        const { page, threads, profiler, note } = await openEditor(context, server.url, up.sessionId, args.profile && kind === 'click');
        await profiler?.start();
        const rows = await clickSeries(page, context, kind);
        const profile = await profiler?.stop();
        report(
          `${ph.label} (${dims.width}×${dims.height}, ${fileMiB(ph.file).toFixed(1)} MiB JPEG) · ${kind} · ort wasm threads ${threads}`,
          kind,
          rows,
        );
        console.log(`  (${note}; clicks started after that)`);
        if (profile) printProfile(profile);
        await profiler?.detach();
        await page.close();
      }
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
  await server.stop();
  tmp.remove();
}
