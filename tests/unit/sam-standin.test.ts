// The generated SAM stand-ins: real signatures, meaningful masks, same results in onnxruntime-node
// and onnxruntime-web (the browser's wasm backend, here through its Node build). These are MobileSAM's
// (generated from its description); the figures below are its real exports' signature.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import sharp from 'sharp';
import { SamEncoder } from '../../src/server/embedding/encoder.ts';
import { SAM2_SHAPED } from '../../src/lib/sam/__fixtures__/sam2-shaped.ts';
import { MOBILE_SAM } from '../../src/lib/sam/families/mobile-sam.ts';
import { buildDecoderFeeds } from '../../src/lib/sam/feeds.ts';
import {
  decoderInputNames,
  decoderOutputNames,
  embeddingLength,
  encoderOutputNames,
  samModelFiles,
  signatureProblem,
  type SamModelDescription,
} from '../../src/lib/sam/model.ts';
import { decodeEmbeddingNpy, encodeEmbeddingNpy } from '../../src/lib/sam/npy.ts';
import { STANDIN_MARKER, writeSamStandins } from '../support/sam-standin/generate.ts';

const ENCODER_FILE = MOBILE_SAM.encoder.file;
const DECODER_SINGLE_FILE = MOBILE_SAM.decoder.files.single.file;
const DECODER_MULTI_FILE = MOBILE_SAM.decoder.files.multi.file;

type Ort = typeof ortNode;
type Session = ortNode.InferenceSession;
type Tensor = ortNode.Tensor;
type Rect = { x0: number; y0: number; x1: number; y1: number; rgb: [number, number, number] };
type Scene = { width: number; height: number; rects: Rect[] };
type Prompt = [x: number, y: number, label: number];

const GREY: [number, number, number] = [128, 128, 128];
const RED: [number, number, number] = [255, 0, 0];
const BLUE: [number, number, number] = [0, 0, 255];
const PINK: [number, number, number] = [255, 60, 60]; // near red, but not the same colour

const rect = (x0: number, y0: number, x1: number, y1: number, rgb: [number, number, number]): Rect => ({ x0, y0, x1, y1, rgb });

// Landscape: red, blue and pink rectangles on grey.
const red = rect(150, 150, 450, 400, RED);
const blue = rect(600, 100, 800, 300, BLUE);
const pink = rect(90, 460, 270, 570, PINK);
const LANDSCAPE: Scene = { width: 900, height: 600, rects: [red, blue, pink] };
// Portrait: the same scene transposed.
const transpose = (r: Rect): Rect => rect(r.y0, r.x0, r.y1, r.x1, r.rgb);
const PORTRAIT: Scene = { width: 600, height: 900, rects: LANDSCAPE.rects.map(transpose) };
// Two red patches of the same colour.
const redA = rect(100, 100, 300, 400, RED);
const redB = rect(500, 100, 700, 400, RED);
const TWIN: Scene = { width: 800, height: 500, rects: [redA, redB] };

function render(scene: Scene): Buffer {
  const { width, height } = scene;
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = GREY;
      for (const r of scene.rects) if (x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1) c = r.rgb;
      rgb.set(c, (y * width + x) * 3);
    }
  }
  return rgb;
}

/** The resized frame the encoder sees: longest side 1024 (as SAM's ResizeLongestSide). */
function resizedSize(width: number, height: number) {
  const scale = 1024 / Math.max(width, height);
  return { w: Math.floor(width * scale + 0.5), h: Math.floor(height * scale + 0.5), scale };
}

async function encoderInput(scene: Scene): Promise<{ data: Float32Array; dims: number[] }> {
  const { w, h } = resizedSize(scene.width, scene.height);
  const raw = await sharp(render(scene), { raw: { width: scene.width, height: scene.height, channels: 3 } })
    .resize(w, h, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { data: Float32Array.from(raw), dims: [h, w, 3] };
}

const truth = (scene: Scene, r: Rect): Uint8Array => {
  const m = new Uint8Array(scene.width * scene.height);
  for (let y = r.y0; y < r.y1; y++) m.fill(1, y * scene.width + r.x0, y * scene.width + r.x1);
  return m;
};
const boxMask = (scene: Scene, x0: number, y0: number, x1: number, y1: number) => truth(scene, rect(x0, y0, x1, y1, GREY));

function iou(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    inter += a[i] & b[i];
    union += a[i] | b[i];
  }
  return union ? inter / union : 1;
}
/** Fraction of `region` covered by `mask`. */
function coverage(mask: Uint8Array, region: Uint8Array): number {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < mask.length; i++) {
    total += region[i];
    inside += mask[i] & region[i];
  }
  return total ? inside / total : 0;
}
const area = (m: Uint8Array) => m.reduce((s, v) => s + v, 0);

interface Decoded {
  masks: Tensor;
  iou: Float32Array;
  lowRes: Tensor;
}

let dir: string;
let generateMs = 0;
const node: Record<'encoder' | 'single' | 'multi', Session> = {} as never;
const embeddings = new Map<Scene, Tensor>();

async function embed(scene: Scene): Promise<Tensor> {
  let e = embeddings.get(scene);
  if (!e) {
    const input = await encoderInput(scene);
    const out = await node.encoder.run({ input_image: new ortNode.Tensor('float32', input.data, input.dims) });
    e = out.image_embeddings as Tensor;
    embeddings.set(scene, e);
  }
  return e;
}

interface DecodeOptions {
  mask?: Float32Array;
  hasMask?: boolean;
}

function decoderFeeds(ort: Ort, scene: Scene, embedding: Tensor, prompts: Prompt[], opts: DecodeOptions = {}) {
  const { scale } = resizedSize(scene.width, scene.height);
  // Points in original pixels -> the resized (1024 long side) frame.
  const coords = new Float32Array(prompts.flatMap(([x, y]) => [x * scale, y * scale]));
  return {
    image_embeddings: new ort.Tensor('float32', embedding.data as Float32Array, embedding.dims),
    point_coords: new ort.Tensor('float32', coords, [1, prompts.length, 2]),
    point_labels: new ort.Tensor(
      'float32',
      Float32Array.from(prompts, (p) => p[2]),
      [1, prompts.length],
    ),
    mask_input: new ort.Tensor('float32', opts.mask ?? new Float32Array(256 * 256), [1, 1, 256, 256]),
    has_mask_input: new ort.Tensor('float32', new Float32Array([opts.hasMask ? 1 : 0]), [1]),
    orig_im_size: new ort.Tensor('float32', new Float32Array([scene.height, scene.width]), [2]),
  };
}

async function decode(session: Session, scene: Scene, prompts: Prompt[], opts: DecodeOptions = {}): Promise<Decoded> {
  const out = await session.run(decoderFeeds(ortNode, scene, await embed(scene), prompts, opts));
  return {
    masks: out.masks as Tensor,
    iou: out.iou_predictions.data as Float32Array,
    lowRes: out.low_res_masks as Tensor,
  };
}

/** Binary mask of candidate `c` at the original size. */
function maskOf(d: Decoded, c = 0): Uint8Array {
  const [, , h, w] = d.masks.dims;
  const data = d.masks.data as Float32Array;
  return Uint8Array.from(data.subarray(c * h * w, (c + 1) * h * w), (v) => (v > 0 ? 1 : 0));
}

function lowResOf(d: Decoded, c = 0): Float32Array {
  return (d.lowRes.data as Float32Array).slice(c * 256 * 256, (c + 1) * 256 * 256);
}

/** A low-res (256x256, resized-and-padded frame) mask_input with `value` over a rectangle given in original pixels. */
function lowResPrior(scene: Scene, r: Rect, value: number, base = 0): Float32Array {
  const { scale } = resizedSize(scene.width, scene.height);
  const m = new Float32Array(256 * 256).fill(base);
  const f = scale / 4;
  for (let y = Math.ceil(r.y0 * f); y < Math.floor(r.y1 * f); y++)
    for (let x = Math.ceil(r.x0 * f); x < Math.floor(r.x1 * f); x++) m[y * 256 + x] = value;
  return m;
}

const centre = (r: Rect): Prompt => [Math.round((r.x0 + r.x1) / 2), Math.round((r.y0 + r.y1) / 2), 1];
const PAD: Prompt = [0, 0, -1];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sam-standin-'));
  const t0 = performance.now();
  await writeSamStandins(dir, MOBILE_SAM);
  generateMs = performance.now() - t0;
  node.encoder = await ortNode.InferenceSession.create(path.join(dir, ENCODER_FILE));
  node.single = await ortNode.InferenceSession.create(path.join(dir, DECODER_SINGLE_FILE));
  node.multi = await ortNode.InferenceSession.create(path.join(dir, DECODER_MULTI_FILE));
});

afterAll(async () => {
  await Promise.all(Object.values(node).map((s) => s?.release()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('generation', () => {
  it('writes the three models and the stand-in marker, small and fast', () => {
    for (const f of [ENCODER_FILE, DECODER_SINGLE_FILE, DECODER_MULTI_FILE]) {
      expect(existsSync(path.join(dir, f))).toBe(true);
      expect(statSync(path.join(dir, f)).size).toBeLessThan(1_000_000);
    }
    const marker = JSON.parse(readFileSync(path.join(dir, STANDIN_MARKER), 'utf8'));
    expect(marker.standin).toBe(true);
    expect(marker.files.map((f: { file: string }) => f.file)).toEqual([ENCODER_FILE, DECODER_SINGLE_FILE, DECODER_MULTI_FILE]);
    for (const f of marker.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(generateMs).toBeLessThan(3000);
  });
});

describe('signatures match the real exports', () => {
  const meta = (s: Session, which: 'inputMetadata' | 'outputMetadata') =>
    s[which].map((m) => ({ name: m.name, type: m.isTensor ? m.type : '?', shape: m.isTensor ? [...m.shape] : [] }));
  const dynamic = expect.any(String);

  it('encoder: input_image float32 [H, W, 3] (dynamic H, W) -> image_embeddings float32 [1, 256, 64, 64]', () => {
    expect(node.encoder.inputNames).toEqual(['input_image']);
    expect(node.encoder.outputNames).toEqual(['image_embeddings']);
    expect(meta(node.encoder, 'inputMetadata')).toEqual([
      { name: 'input_image', type: 'float32', shape: ['image_height', 'image_width', 3] },
    ]);
    expect(meta(node.encoder, 'outputMetadata')).toEqual([{ name: 'image_embeddings', type: 'float32', shape: [1, 256, 64, 64] }]);
  });

  it.each([
    ['single', 1],
    ['multi', 4],
  ] as const)('decoder %s: six float32 inputs, outputs masks / iou_predictions / low_res_masks with %i mask(s)', (which, c) => {
    const s = node[which];
    expect(s.inputNames).toEqual(['image_embeddings', 'point_coords', 'point_labels', 'mask_input', 'has_mask_input', 'orig_im_size']);
    expect(s.outputNames).toEqual(['masks', 'iou_predictions', 'low_res_masks']);
    expect(meta(s, 'inputMetadata')).toEqual([
      { name: 'image_embeddings', type: 'float32', shape: [1, 256, 64, 64] },
      { name: 'point_coords', type: 'float32', shape: [1, 'num_points', 2] },
      { name: 'point_labels', type: 'float32', shape: [1, 'num_points'] },
      { name: 'mask_input', type: 'float32', shape: [1, 1, 256, 256] },
      { name: 'has_mask_input', type: 'float32', shape: [1] },
      { name: 'orig_im_size', type: 'float32', shape: [2] },
    ]);
    expect(meta(s, 'outputMetadata')).toEqual([
      { name: 'masks', type: 'float32', shape: [1, c, dynamic, dynamic] },
      { name: 'iou_predictions', type: 'float32', shape: [1, c] },
      { name: 'low_res_masks', type: 'float32', shape: [1, c, 256, 256] },
    ]);
  });
});

describe('encoder', () => {
  it.each([
    ['landscape', LANDSCAPE, [683, 1024, 3]],
    ['portrait', PORTRAIT, [1024, 683, 3]],
  ] as const)('embeds a %s image (pads in-graph) to [1, 256, 64, 64]', async (_, scene, inputDims) => {
    const input = await encoderInput(scene);
    expect(input.dims).toEqual(inputDims);
    const e = await embed(scene);
    expect(e.dims).toEqual([1, 256, 64, 64]);
    expect(e.type).toBe('float32');
  });

  it('embedding distance reflects colour: alike inside a region, far across regions', async () => {
    const e = (await embed(LANDSCAPE)).data as Float32Array;
    const { scale } = resizedSize(LANDSCAPE.width, LANDSCAPE.height);
    const at = (x: number, y: number) => {
      const cell = Math.floor((y * scale) / 16) * 64 + Math.floor((x * scale) / 16);
      return Float32Array.from({ length: 256 }, (_, c) => e[c * 4096 + cell]);
    };
    const dist = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((v, i) => v - b[i]));
    const redA = at(200, 200);
    const redB = at(400, 350);
    expect(dist(redA, redB)).toBeLessThan(0.05);
    expect(dist(redA, at(850, 500))).toBeGreaterThan(3); // red vs grey
    expect(dist(redA, at(700, 200))).toBeGreaterThan(dist(redA, at(850, 500))); // red vs blue is further still
    expect(dist(redA, at(180, 515))).toBeLessThan(dist(redA, at(850, 500))); // pink is nearer red than grey is
  });
});

describe('decoder behaviour', () => {
  it('a click inside the red rectangle selects it, at the original size, and not the blue one', async () => {
    const d = await decode(node.single, LANDSCAPE, [centre(red), PAD]);
    expect(d.masks.dims).toEqual([1, 1, 600, 900]);
    expect(d.lowRes.dims).toEqual([1, 1, 256, 256]);
    const m = maskOf(d);
    expect(iou(m, truth(LANDSCAPE, red))).toBeGreaterThan(0.9);
    expect(coverage(m, truth(LANDSCAPE, blue))).toBe(0);
    expect(d.iou[0]).toBeGreaterThan(0.5);
    expect(d.iou[0]).toBeLessThanOrEqual(1);
  });

  it('masks align with the photo for a portrait image too', async () => {
    const d = await decode(node.single, PORTRAIT, [centre(PORTRAIT.rects[0]), PAD]);
    expect(d.masks.dims).toEqual([1, 1, 900, 600]);
    expect(iou(maskOf(d), truth(PORTRAIT, PORTRAIT.rects[0]))).toBeGreaterThan(0.9);
    const d2 = await decode(node.single, PORTRAIT, [centre(PORTRAIT.rects[1]), PAD]);
    expect(iou(maskOf(d2), truth(PORTRAIT, PORTRAIT.rects[1]))).toBeGreaterThan(0.9);
  });

  it('a background click excludes what is nearer to it than to the positive click', async () => {
    const both = maskOf(await decode(node.single, TWIN, [centre(redA), PAD]));
    expect(coverage(both, truth(TWIN, redA))).toBeGreaterThan(0.9);
    expect(coverage(both, truth(TWIN, redB))).toBeGreaterThan(0.9); // same colour: selected too

    const [bx, by] = centre(redB);
    const one = maskOf(await decode(node.single, TWIN, [centre(redA), [bx, by, 0]]));
    expect(iou(one, truth(TWIN, redA))).toBeGreaterThan(0.9);
    expect(coverage(one, truth(TWIN, redB))).toBeLessThan(0.05);

    // A background click on grey leaves the red selection as it was.
    const withGrey = maskOf(await decode(node.single, LANDSCAPE, [centre(red), [850, 550, 0]]));
    expect(iou(withGrey, truth(LANDSCAPE, red))).toBeGreaterThan(0.9);
  });

  it('a box alone selects what in it is like its centre, and nothing outside it', async () => {
    const around = maskOf(
      await decode(node.single, LANDSCAPE, [
        [130, 130, 2],
        [470, 420, 3],
      ]),
    );
    expect(iou(around, truth(LANDSCAPE, red))).toBeGreaterThan(0.9);

    // A box over the red rectangle and part of the blue one: centre (390, 260) is red.
    const wide = maskOf(
      await decode(node.single, LANDSCAPE, [
        [130, 120, 2],
        [650, 400, 3],
      ]),
    );
    expect(iou(wide, truth(LANDSCAPE, red))).toBeGreaterThan(0.9);
    expect(coverage(wide, truth(LANDSCAPE, blue))).toBe(0);

    // A box over the left half of the red rectangle, with a click: the mask stays in the box.
    const box = boxMask(LANDSCAPE, 120, 120, 300, 430);
    const half = maskOf(
      await decode(node.single, LANDSCAPE, [
        [200, 275, 1],
        [120, 120, 2],
        [300, 430, 3],
      ]),
    );
    const outside = area(half) - area(half.map((v, i) => v & box[i]));
    expect(outside / area(half)).toBeLessThan(0.01);
    const redInBox = truth(LANDSCAPE, red).map((v, i) => v & box[i]);
    expect(iou(half, redInBox)).toBeGreaterThan(0.9);
  });

  it('padding points (label -1) are ignored wherever they are', async () => {
    const alone = await decode(node.multi, LANDSCAPE, [centre(red)]);
    const padded = await decode(node.multi, LANDSCAPE, [centre(red), PAD]);
    const onBlue = await decode(node.multi, LANDSCAPE, [centre(red), [700, 200, -1]]);
    const ref = alone.lowRes.data as Float32Array;
    for (const other of [padded, onBlue]) {
      const data = other.lowRes.data as Float32Array;
      let maxDiff = 0;
      for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[i] - data[i]));
      expect(maxDiff).toBeLessThan(1e-4);
      expect(Array.from(other.iou)).toEqual(Array.from(alone.iou));
    }
  });

  it('multi returns 4 candidates: tight within medium within loose, scored so the fitting one wins', async () => {
    const d = await decode(node.multi, LANDSCAPE, [centre(pink), PAD]);
    expect(d.masks.dims).toEqual([1, 4, 600, 900]);
    expect(d.lowRes.dims).toEqual([1, 4, 256, 256]);
    for (const v of d.iou) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    const [, tight, medium, loose] = [0, 1, 2, 3].map((c) => maskOf(d, c));
    expect(area(tight)).toBeLessThanOrEqual(area(medium));
    expect(area(medium)).toBeLessThanOrEqual(area(loose));
    expect(coverage(medium, tight)).toBe(1);
    expect(coverage(loose, medium)).toBe(1);
    // Medium is the pink rectangle; loose also takes the similar red one.
    expect(iou(medium, truth(LANDSCAPE, pink))).toBeGreaterThan(0.9);
    expect(coverage(loose, truth(LANDSCAPE, red))).toBeGreaterThan(0.9);
    // The iou predictions rank medium above loose, and the single decoder returns the best of 1..3.
    const best = 1 + [d.iou[1], d.iou[2], d.iou[3]].indexOf(Math.max(d.iou[1], d.iou[2], d.iou[3]));
    expect(best).toBe(2);
    expect(d.iou[3]).toBeLessThan(d.iou[2]);
    const single = await decode(node.single, LANDSCAPE, [centre(pink), PAD]);
    expect(single.iou[0]).toBeCloseTo(d.iou[best], 5);
    expect(iou(maskOf(single), maskOf(d, best))).toBe(1);

    // With three or more points the single decoder returns token 0, like SamOnnxModel.select_masks.
    const three: Prompt[] = [centre(pink), [200, 500, 1], PAD];
    const s3 = await decode(node.single, LANDSCAPE, three);
    const m3 = await decode(node.multi, LANDSCAPE, three);
    expect(s3.iou[0]).toBeCloseTo(m3.iou[0], 5);
    expect(iou(maskOf(s3), maskOf(m3, 0))).toBe(1);
  });

  it('mask_input refines only when has_mask_input is 1, in the direction of the previous logits', async () => {
    const prompts: Prompt[] = [centre(red), PAD];
    const base = await decode(node.multi, LANDSCAPE, prompts);
    const noise = Float32Array.from({ length: 256 * 256 }, (_, i) => ((i * 7919) % 41) - 20);
    const ignored = await decode(node.multi, LANDSCAPE, prompts, { mask: noise, hasMask: false });
    expect(Array.from(ignored.lowRes.data as Float32Array)).toEqual(Array.from(base.lowRes.data as Float32Array));

    // Feeding back the previous logits keeps the selection.
    const fedBack = await decode(node.multi, LANDSCAPE, prompts, { mask: lowResOf(base, 2), hasMask: true });
    expect(iou(maskOf(fedBack, 2), maskOf(base, 2))).toBeGreaterThan(0.99);

    // A positive prior over the pink rectangle pulls it in; a negative one over red's right half pushes that out.
    const grow = await decode(node.multi, LANDSCAPE, prompts, { mask: lowResPrior(LANDSCAPE, pink, 20), hasMask: true });
    expect(coverage(maskOf(base, 2), truth(LANDSCAPE, pink))).toBe(0);
    expect(coverage(maskOf(grow, 2), truth(LANDSCAPE, pink))).toBeGreaterThan(0.9);
    const rightHalf = rect(300, 150, 450, 400, RED);
    const shrink = await decode(node.multi, LANDSCAPE, prompts, { mask: lowResPrior(LANDSCAPE, rightHalf, -20), hasMask: true });
    expect(coverage(maskOf(shrink, 2), truth(LANDSCAPE, rightHalf))).toBeLessThan(0.05);
    expect(coverage(maskOf(shrink, 2), truth(LANDSCAPE, rect(150, 150, 300, 400, RED)))).toBeGreaterThan(0.9);
  });
});

describe('onnxruntime-web (wasm backend)', () => {
  it('runs the encoder and decoders and agrees with onnxruntime-node', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const load = (f: string) => ortWeb.InferenceSession.create(readFileSync(path.join(dir, f)), { executionProviders: ['wasm'] });
    const [encoder, single, multi] = await Promise.all([load(ENCODER_FILE), load(DECODER_SINGLE_FILE), load(DECODER_MULTI_FILE)]);
    try {
      expect(single.inputNames).toEqual(node.single.inputNames);
      expect(multi.outputNames).toEqual(node.multi.outputNames);

      const input = await encoderInput(LANDSCAPE);
      const webEmbedding = (await encoder.run({ input_image: new ortWeb.Tensor('float32', input.data, input.dims) })).image_embeddings;
      const nodeEmbedding = await embed(LANDSCAPE);
      const a = webEmbedding.data as Float32Array;
      const b = nodeEmbedding.data as Float32Array;
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      expect(maxDiff).toBeLessThan(1e-3);

      const prompts: Prompt[] = [centre(red), [850, 550, 0], PAD];
      for (const [web, nodeSession] of [
        [single, node.single],
        [multi, node.multi],
      ] as const) {
        const w = await web.run(decoderFeeds(ortWeb as unknown as Ort, LANDSCAPE, nodeEmbedding, prompts));
        const n = await decode(nodeSession, LANDSCAPE, prompts);
        expect(w.masks.dims).toEqual(n.masks.dims);
        const wl = w.low_res_masks.data as Float32Array;
        const nl = n.lowRes.data as Float32Array;
        let lowDiff = 0;
        for (let i = 0; i < wl.length; i++) lowDiff = Math.max(lowDiff, Math.abs(wl[i] - nl[i]));
        expect(lowDiff).toBeLessThan(1e-2); // logits span about +-10
        const wm = w.masks.data as Float32Array;
        const nm = n.masks.data as Float32Array;
        let disagree = 0;
        for (let i = 0; i < wm.length; i++) if (wm[i] > 0 !== nm[i] > 0) disagree++;
        expect(disagree / wm.length).toBeLessThan(1e-4);
        expect(Array.from(w.iou_predictions.data as Float32Array).map((v) => v.toFixed(4))).toEqual(
          Array.from(n.iou).map((v) => v.toFixed(4)),
        );
      }

      // Time one decode in ort-web (after the warm-up above).
      const feeds = decoderFeeds(ortWeb as unknown as Ort, LANDSCAPE, nodeEmbedding, [centre(red), PAD]);
      const t0 = performance.now();
      await single.run(feeds);
      const singleMs = performance.now() - t0;
      const t1 = performance.now();
      await multi.run(feeds);
      const multiMs = performance.now() - t1;
      console.log(
        `[sam-standin] ort-web (wasm, 1 thread) decode 900x600: single ${singleMs.toFixed(1)} ms, multi ${multiMs.toFixed(1)} ms`,
      );
      expect(singleMs).toBeLessThan(2000);
    } finally {
      await Promise.all([encoder.release(), single.release(), multi.release()]);
    }
  });
});

/** What the code reads from a description holds for the stand-ins generated from it. */
function expectMatchesDescription(model: SamModelDescription, sessions: Record<'encoder' | 'single' | 'multi', Session>) {
  const shape = (s: Session, name: string, which: 'inputMetadata' | 'outputMetadata') => {
    const m = s[which].find((v) => v.name === name)!;
    return m.isTensor ? { type: m.type, shape: [...m.shape] } : null;
  };
  expect(sessions.encoder.inputNames).toEqual([model.encoder.input]);
  expect(sessions.encoder.outputNames).toEqual(encoderOutputNames(model));
  const low = model.decoder.lowResSide;
  for (const which of ['single', 'multi'] as const) {
    const s = sessions[which];
    const count = model.decoder.files[which].maskCount;
    expect(signatureProblem(which, { inputs: decoderInputNames(model), outputs: decoderOutputNames(model) }, s)).toBeNull();
    expect(s.inputNames).toEqual(decoderInputNames(model));
    for (const t of model.embedding.tensors) {
      expect(shape(sessions.encoder, t.name, 'outputMetadata')).toEqual({ type: 'float32', shape: t.dims });
      expect(shape(s, t.name, 'inputMetadata')).toEqual({ type: 'float32', shape: t.dims });
    }
    for (const input of Object.values(model.decoder.inputs)) expect(shape(s, input.name, 'inputMetadata')?.type).toBe(input.dtype);
    expect(shape(s, model.decoder.inputs.maskInput.name, 'inputMetadata')?.shape).toEqual([1, 1, low, low]);
    const o = model.decoder.outputs;
    expect(shape(s, o.scores, 'outputMetadata')?.shape).toEqual([1, count]);
    expect(shape(s, o.lowResMasks, 'outputMetadata')?.shape).toEqual([1, count, low, low]);
    expect(shape(s, o.masks, 'outputMetadata')?.shape.slice(0, 2)).toEqual([1, count]);
  }
}

describe('stand-ins follow their description', () => {
  it('MobileSAM: names, shapes, dtypes and files as its description says', () => {
    expectMatchesDescription(MOBILE_SAM, node);
    const marker = JSON.parse(readFileSync(path.join(dir, STANDIN_MARKER), 'utf8'));
    expect(marker.family).toBe(MOBILE_SAM.family);
    expect(marker.files.map((f: { file: string }) => f.file)).toEqual(samModelFiles(MOBILE_SAM).map((f) => f.file));
  });

  // A family that differs from MobileSAM in every described way (three per-photo tensors, NCHW input
  // normalised here, stretched frame, int32 prompt inputs, renamed inputs, 3 candidates) runs through the
  // studio's own encoder, .npy and feed code with nothing but its description.
  it('a SAM 2-shaped family: generated, embedded, sent and decoded from its description alone', async () => {
    const model = SAM2_SHAPED;
    const dir2 = mkdtempSync(path.join(os.tmpdir(), 'sam2-standin-'));
    const sessions = {} as Record<'encoder' | 'single' | 'multi', Session>;
    try {
      await writeSamStandins(dir2, model);
      const files = model.decoder.files;
      sessions.encoder = await ortNode.InferenceSession.create(path.join(dir2, model.encoder.file));
      sessions.single = await ortNode.InferenceSession.create(path.join(dir2, files.single.file));
      sessions.multi = await ortNode.InferenceSession.create(path.join(dir2, files.multi.file));
      expectMatchesDescription(model, sessions);

      const encoder = await SamEncoder.load(path.join(dir2, model.encoder.file), model);
      const scene = LANDSCAPE;
      const embedding = await encoder.embed({ rgb: render(scene), width: scene.width, height: scene.height });
      expect(embedding.length).toBe(embeddingLength(model));
      const wire = decodeEmbeddingNpy(encodeEmbeddingNpy(embedding, model.embedding.wireDtype, model), model);

      const [x, y] = centre(red);
      for (const which of ['single', 'multi'] as const) {
        const feeds = buildDecoderFeeds(wire.values, { points: [{ x, y, label: 1 }] }, scene, scene, model);
        const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, new ortNode.Tensor(t.type, t.data, t.dims)]));
        const out = await sessions[which].run(ortFeeds);
        const count = files[which].maskCount;
        const o = model.decoder.outputs;
        const d: Decoded = { masks: out[o.masks], iou: out[o.scores].data as Float32Array, lowRes: out[o.lowResMasks] };
        expect(d.masks.dims).toEqual([1, count, scene.height, scene.width]);
        expect(d.lowRes.dims).toEqual([1, count, model.decoder.lowResSide, model.decoder.lowResSide]);
        const best = d.iou.indexOf(Math.max(...d.iou));
        expect(iou(maskOf(d, best), truth(scene, red)), which).toBeGreaterThan(0.9);
        expect(coverage(maskOf(d, best), truth(scene, blue))).toBe(0);
      }
    } finally {
      await Promise.all(Object.values(sessions).map((s) => s.release()));
      rmSync(dir2, { recursive: true, force: true });
    }
  });
});
