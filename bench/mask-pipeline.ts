// Where a click's time goes after the decoder: the SAM worker's JavaScript steps, timed in Node (same
// V8 as Chromium, no browser, no contention with the page) on the real functions from src/lib/sam.
//
//   node bench/mask-pipeline.ts [--reps 15]
//
// Mirrors src/workers/sam.worker.ts for one click (decode output → piece → selection → overlay → state)
// and for the undo after it, for a 768×1024 photo and a 12 MP (3000×4000) one. The decoder's output is
// synthetic (4 candidates at the worker's `work` size, the 1024-long-side frame); the decoder run
// itself and putImageData are not included (see bench/click-to-mask.ts for those in the browser).
import { parseArgs } from 'node:util';
import { fitInside, samInputSize, type Size } from '../src/lib/sam/coords.ts';
import { area, maskFromLogits, renderOverlay, resampleNearest, upscaleLogitsToMask } from '../src/lib/sam/mask.ts';
import { Selection } from '../src/lib/sam/selection.ts';
import { machineLine, ms, printTable, stats, MODELS_OPTION, useModels } from './lib.ts';

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    reps: { type: 'string', default: '15' },
  },
});
useModels(args.models);
const REPS = Number(args.reps);
const OVERLAY_MAX_SIDE = 1536; // as in the worker
const FILL = [37, 99, 235, 110] as const;
const EDGE = [250, 204, 21, 255] as const;

/** Logits of 4 candidates: ellipses of growing size around a centre, like nested SAM masks. */
function syntheticLogits(work: Size, cx: number, cy: number): Float32Array {
  const n = work.width * work.height;
  const out = new Float32Array(4 * n);
  for (let k = 0; k < 4; k++) {
    const r = 0.12 + 0.08 * k;
    for (let y = 0; y < work.height; y++) {
      for (let x = 0; x < work.width; x++) {
        const dx = x / work.width - cx;
        const dy = y / work.height - cy;
        out[k * n + y * work.width + x] = 10 * (r - Math.hypot(dx, dy * 1.3));
      }
    }
  }
  return out;
}

function run(photo: Size) {
  let work = samInputSize(photo.width, photo.height);
  if (work.width > photo.width || work.height > photo.height) work = { ...photo };
  const overlay = fitInside(photo, OVERLAY_MAX_SIDE);
  const baseOverlay = new Uint8ClampedArray(overlay.width * overlay.height * 4);
  const selection = new Selection(photo.width, photo.height);
  const n = work.width * work.height;
  const steps: Record<string, number[]> = {};
  const record = (name: string, ms: number) => {
    steps[name] ??= [];
    steps[name].push(ms);
  };
  const time = <T>(name: string, f: () => T): T => {
    const t0 = performance.now();
    const r = f();
    record(name, performance.now() - t0);
    return r;
  };
  const refreshOverlay = (prefix: string) => {
    const full = time(`${prefix}selection.mask() (fold)`, () => selection.mask());
    const small = time(`${prefix}resampleNearest → overlay`, () =>
      resampleNearest(full, photo.width, photo.height, overlay.width, overlay.height),
    );
    time(`${prefix}renderOverlay`, () => renderOverlay(small, overlay.width, overlay.height, baseOverlay, FILL, EDGE));
  };
  for (let i = 0; i < REPS + 2; i++) {
    const logits = syntheticLogits(work, 0.3 + 0.02 * i, 0.5);
    const t0 = performance.now();
    const mask = time('candidate mask (threshold/upscale)', () =>
      work.width === photo.width && work.height === photo.height
        ? maskFromLogits(logits, n, 1)
        : upscaleLogitsToMask(logits, work.width, work.height, photo.width, photo.height, n),
    );
    selection.apply({
      kind: 'piece',
      piece: { mode: 'add', points: [], box: null, candidate: 1, scores: [0, 1, 0, 0], mask, lowRes: null },
    });
    refreshOverlay('');
    time('state(): area()', () => area(selection.mask()));
    record('= click total (JS after decode)', performance.now() - t0);
    const u0 = performance.now();
    selection.undo();
    refreshOverlay('undo: ');
    time('undo: state(): area()', () => area(selection.mask()));
    record('= undo total', performance.now() - u0);
  }
  // The first two repetitions warm the JIT.
  const rows: (string | number)[][] = [['step', 'p50', 'p95', 'min']];
  for (const [name, vals] of Object.entries(steps)) {
    const s = stats(vals.slice(2));
    rows.push([name, ms(s.p50), ms(s.p95), ms(s.min)]);
  }
  console.log(
    `\nphoto ${photo.width}×${photo.height}, decoder output ${work.width}×${work.height}×4, overlay ${overlay.width}×${overlay.height}`,
  );
  printTable(rows);
}

console.log(`mask-pipeline · ${machineLine()} · ${REPS} repetitions`);
run({ width: 768, height: 1024 });
run({ width: 3000, height: 4000 });
