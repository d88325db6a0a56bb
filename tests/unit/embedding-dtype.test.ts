// Float16 on the wire: the masks decoded from the float16-rounded embedding (what the server sends,
// src/server/sessions/service.ts EMBEDDING_WIRE_DTYPE) must match the float32 ones, IoU >= 0.99 for every
// mask, on every fixture photo and a grid of clicks, for both decoders the worker uses.
//
// The models: the active SAM family's (src/lib/sam/model.ts, MobileSAM) real files in models/files when
// `npm run models` fetched them and they verify; else tests/.generated/models (`node tests/support/prepare-models.ts`);
// else stand-ins generated here. With the stand-ins this proves the float16 path
// of the pipeline (npy encode/parse, rounding, decoder feeds), not real SAM's sensitivity to float16.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { SamEncoder } from '../../src/server/embedding/encoder.ts';
import { normaliseUpload } from '../../src/server/images/normalise.ts';
import { samInputSize, type Size } from '../../src/lib/sam/coords.ts';
import { buildDecoderFeeds } from '../../src/lib/sam/feeds.ts';
import { decodeEmbeddingNpy, encodeEmbeddingNpy } from '../../src/lib/sam/npy.ts';
import { MANIFEST, verifyModelFile } from '../../src/server/models/manifest.ts';
import { ROOT, photosDir, testModelsDir } from '../support/paths.ts';
import { SAM_MODEL } from '../../src/lib/sam/model.ts';
import { writeSamStandins } from '../support/sam-standin/generate.ts';

const MIN_IOU = 0.99;
/** 12 clicks: 4 columns × 3 rows over the photo. */
const GRID = [0.2, 0.4, 0.6, 0.8].flatMap((fx) => [0.3, 0.5, 0.7].map((fy) => ({ fx, fy })));

const photos = readdirSync(photosDir)
  .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
  .sort();

let modelsDir: string;
let modelsKind: string;
let generatedDir: string | null = null;
let encoder: SamEncoder;
const decoders: Record<'single' | 'multi', ort.InferenceSession> = {} as never;

/** models/files when `npm run models` fetched the real SAM files and they verify. */
async function realSamDir(): Promise<string | null> {
  const dir = path.join(ROOT, 'models/files');
  const sam = MANIFEST.filter((m) => m.kind === 'sam');
  const ok = await Promise.all(sam.map((m) => verifyModelFile(path.join(dir, m.file), m).then((r) => r.ok)));
  return ok.every(Boolean) ? dir : null;
}

beforeAll(async () => {
  const prepared = path.join(testModelsDir, 'PREPARED.json');
  const real = await realSamDir();
  if (real) {
    modelsDir = real;
    modelsKind = `real ${SAM_MODEL.title} (models/files)`;
  } else if (existsSync(prepared)) {
    modelsDir = testModelsDir;
    const real = JSON.parse(readFileSync(prepared, 'utf8')).sam === 'real';
    modelsKind = real ? `real ${SAM_MODEL.title}` : 'stand-in SAM (tests/.generated/models)';
  } else {
    generatedDir = mkdtempSync(path.join(os.tmpdir(), 'sam-dtype-'));
    await writeSamStandins(generatedDir);
    modelsDir = generatedDir;
    modelsKind = 'stand-in SAM (generated for this test)';
  }
  encoder = await SamEncoder.load(path.join(modelsDir, SAM_MODEL.encoder.file));
  decoders.single = await ort.InferenceSession.create(path.join(modelsDir, SAM_MODEL.decoder.files.single.file));
  decoders.multi = await ort.InferenceSession.create(path.join(modelsDir, SAM_MODEL.decoder.files.multi.file));
});

afterAll(async () => {
  await Promise.all(Object.values(decoders).map((s) => s?.release()));
  if (generatedDir) rmSync(generatedDir, { recursive: true, force: true });
});

function iou(a: Float32Array, b: Float32Array, offset: number, n: number): { iou: number; area: number } {
  let inter = 0;
  let union = 0;
  let area = 0;
  for (let i = offset; i < offset + n; i++) {
    const x = a[i] > 0 ? 1 : 0;
    const y = b[i] > 0 ? 1 : 0;
    inter += x & y;
    union += x | y;
    area += x;
  }
  return { iou: union ? inter / union : 1, area };
}

/** The decoder's masks (logits) and scores for one positive click, at the worker's decode size. */
async function decode(session: ort.InferenceSession, embedding: Float32Array, photo: Size, x: number, y: number) {
  // As src/workers/sam.worker.ts: masks at the encoder's frame size, never larger than the photo.
  let work = samInputSize(photo.width, photo.height);
  if (work.width > photo.width || work.height > photo.height) work = { ...photo };
  const feeds = buildDecoderFeeds(embedding, { points: [{ x, y, label: 1 }] }, photo, work);
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  const out = await session.run(ortFeeds);
  const { masks, scores } = SAM_MODEL.decoder.outputs;
  const [, count, h, w] = out[masks].dims;
  return { masks: out[masks].data as Float32Array, scores: Array.from(out[scores].data as Float32Array), count, pixels: h * w };
}

const best = (scores: number[]) => scores.reduce((b, s, i) => (s > scores[b] ? i : b), 0);

describe('float16 embedding on the wire', () => {
  it(`gives the same masks as float32 (IoU >= ${MIN_IOU}) for every photo, click and decoder output`, async () => {
    const ious: number[] = [];
    const chosen: number[] = [];
    let nonEmpty = 0;
    let maxAbsError = 0;
    let sameChoice = 0;
    const worst: { iou: number; where: string } = { iou: 1, where: '' };
    for (const name of photos) {
      const img = await normaliseUpload(readFileSync(path.join(photosDir, name)), { maxBytes: 40 << 20, maxPixels: 50e6 });
      const f32 = await encoder.embed(img);
      // What the browser gets: the server's float16 .npy, parsed back to float32 for the decoder.
      const f16 = decodeEmbeddingNpy(encodeEmbeddingNpy(f32, 'float16'));
      expect(f16.dtype).toBe('float16');
      expect(decodeEmbeddingNpy(encodeEmbeddingNpy(f32, 'float32')).values).toEqual(f32);
      for (let i = 0; i < f32.length; i++) maxAbsError = Math.max(maxAbsError, Math.abs(f32[i] - f16.values[i]));

      const photo = { width: img.width, height: img.height };
      for (const { fx, fy } of GRID) {
        const x = fx * img.width;
        const y = fy * img.height;
        for (const kind of ['single', 'multi'] as const) {
          const a = await decode(decoders[kind], f32, photo, x, y);
          const b = await decode(decoders[kind], f16.values, photo, x, y);
          for (let k = 0; k < a.count; k++) {
            const r = iou(a.masks, b.masks, k * a.pixels, a.pixels);
            ious.push(r.iou);
            if (r.area > 0) nonEmpty++;
            if (r.iou < worst.iou) Object.assign(worst, { iou: r.iou, where: `${name} click (${fx}, ${fy}) ${kind} mask ${k}` });
          }
          // The mask a click gives in the editor: the best-scored candidate.
          const ka = best(a.scores);
          const kb = best(b.scores);
          if (ka === kb) sameChoice++;
          chosen.push(iouAcross(a.masks, ka, b.masks, kb, a.pixels));
        }
      }
    }
    const min = Math.min(...ious);
    const mean = ious.reduce((s, v) => s + v, 0) / ious.length;
    const minChosen = Math.min(...chosen);
    console.log(
      `[embedding-dtype] ${modelsKind}: ${photos.length} photos × ${GRID.length} clicks, ${ious.length} masks (${nonEmpty} non-empty); ` +
        `IoU float16 vs float32: min ${min.toFixed(5)}, mean ${mean.toFixed(5)}` +
        `${worst.where ? ` (worst: ${worst.where})` : ''}; ` +
        `chosen mask: min ${minChosen.toFixed(5)}, same candidate ${sameChoice}/${chosen.length}; ` +
        `max |f32 − f16| ${maxAbsError.toExponential(2)}`,
    );
    expect(photos.length).toBeGreaterThan(0);
    expect(nonEmpty).toBeGreaterThan(ious.length / 2); // the comparison is not between empty masks
    expect(min).toBeGreaterThanOrEqual(MIN_IOU);
    expect(minChosen).toBeGreaterThanOrEqual(MIN_IOU);
  });
});

/** IoU of candidate `ka` of one output with candidate `kb` of another. */
function iouAcross(a: Float32Array, ka: number, b: Float32Array, kb: number, n: number): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < n; i++) {
    const x = a[ka * n + i] > 0 ? 1 : 0;
    const y = b[kb * n + i] > 0 ? 1 : 0;
    inter += x & y;
    union += x | y;
  }
  return union ? inter / union : 1;
}
