// The cost-faithful SAM stand-ins (tests/support/sam-standin/faithful.ts): the real MobileSAM networks'
// operators, layer counts, parameter counts and file sizes, with random weights. The expected figures are
// derived here from the architecture (independently of the generator) and checked against published ones:
// - ChaoningZhang/MobileSAM README.md (commit 34bbbfdf), lines 40-56: image encoder "5M" parameters, mask
//   decoder 3.876M, whole pipeline 9.66M. Those "M" are 2^20 (mebi): the decoder figure is the prompt encoder
//   plus the mask decoder, 4,064,560 / 2^20 = 3.8763; 9.66 - 3.876 = 5.784 is TinyViT with its BatchNorms and
//   the unused 1000-class head, 6,065,532 / 2^20 = 5.7846.
// - ../shared/models/MODELS.md and models/manifest.json: Acly/MobileSAM's files are 28,157,093 B (encoder),
//   16,501,323 B (decoder, single mask); the manifest's 16,496,559 B for the multi-mask file is not yet
//   checked against a download.
// Each model is then run once with onnxruntime-node on a real-sized input; the times are printed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { MOBILE_SAM } from '../../src/lib/sam/families/mobile-sam.ts';
import { decoderInputNames, decoderOutputNames, encoderOutputNames } from '../../src/lib/sam/model.ts';
import { MANIFEST } from '../../src/server/models/manifest.ts';
import { writeFaithfulModels, type FaithfulFile } from '../support/sam-standin/faithful.ts';

const MEBI = 2 ** 20;
/** Published sizes (MODELS.md); the multi file's from the manifest. */
const REAL_BYTES = { encoder: 28_157_093, 'decoder-single': 16_501_323, 'decoder-multi': 16_496_559 };
/** MobileSAM README: mask decoder 3.876M, whole pipeline 9.66M (so the encoder 5.784M), in units of 2^20. */
const README = { decoder: 3.876, pipeline: 9.66 };

// ---- parameter counts from the architecture (torch's nn.Module parameters) ---------------------------
const linear = (i: number, o: number) => i * o + o;
const layerNorm = (c: number) => 2 * c;

// SAM decoder (segment_anything build_sam.py 81-98): embed 256, mask_in_chans 16, depth 2, mlp 2048, downsample 2.
const E = 256;
const promptEncoder =
  4 * E + // point_embeddings (prompt_encoder.py 45-47)
  E + // not_a_point_embed
  (1 * 4 * 2 * 2 + 4) + // mask_downscaling: Conv2d(1, 4, 2, 2)
  layerNorm(4) +
  (4 * 16 * 2 * 2 + 16) + // Conv2d(4, 16, 2, 2)
  layerNorm(16) +
  linear(16, E) + // Conv2d(16, 256, 1)
  E; // no_mask_embed
const attention = (downsample: number) => 3 * linear(E, E / downsample) + linear(E / downsample, E); // transformer.py 199-206
const twoWayBlock = attention(1) + 2 * attention(2) + linear(E, 2048) + linear(2048, E) + 4 * layerNorm(E);
const transformer = 2 * twoWayBlock + attention(2) + layerNorm(E);
const mlp3 = (i: number, h: number, o: number) => linear(i, h) + linear(h, h) + linear(h, o);
const maskDecoder =
  E + // iou_token
  4 * E + // mask_tokens
  transformer +
  (E * (E / 4) * 4 + E / 4) + // ConvTranspose2d(256, 64, 2, 2)
  layerNorm(E / 4) +
  ((E / 4) * (E / 8) * 4 + E / 8) + // ConvTranspose2d(64, 32, 2, 2)
  4 * mlp3(E, E, E / 8) + // hypernetwork MLPs
  mlp3(E, 256, 4); // IoU head
const DECODER_PARAMS = promptEncoder + maskDecoder;
const PE_GAUSSIAN = 2 * 128; // PositionEmbeddingRandom buffer

// TinyViT-5M (MobileSAM build_sam.py 53-65; tiny_vit_sam.py). Conv2d_BN: conv without bias + BatchNorm (weight, bias).
const dims = [64, 128, 160, 320];
const depths = [2, 2, 6, 2];
const heads = [2, 4, 5, 10];
const windows = [7, 7, 14, 7];
let convBnCount = 0;
let convBnChannels = 0;
const convBn = (i: number, o: number, k: number, groups = 1) => {
  convBnCount += 1;
  convBnChannels += o;
  return (i / groups) * o * k * k + 2 * o;
};
const mbConv = (d: number) => convBn(d, 4 * d, 1) + convBn(4 * d, 4 * d, 3, 4 * d) + convBn(4 * d, d, 1);
const patchMerging = (d: number, o: number) => convBn(d, o, 1) + convBn(o, o, 3, o) + convBn(o, o, 1);
/** Distinct (|dy|, |dx|) offsets in a ws x ws window: ws^2 (tiny_vit_sam.py 233-245). */
const biasTable = (h: number, ws: number) => h * ws * ws;
const tinyVitBlock = (d: number, h: number, ws: number) =>
  layerNorm(d) +
  linear(d, 3 * d) +
  biasTable(h, ws) +
  linear(d, d) +
  layerNorm(d) +
  linear(d, 4 * d) +
  linear(4 * d, d) +
  convBn(d, d, 3, d);
let encoderBody = convBn(3, 32, 3) + convBn(32, 64, 3); // PatchEmbed
for (let b = 0; b < depths[0]; b++) encoderBody += mbConv(dims[0]);
let tables = 0;
let abExpanded = 0;
for (let s = 0; s < 4; s++) {
  if (s > 0) {
    for (let b = 0; b < depths[s]; b++) encoderBody += tinyVitBlock(dims[s], heads[s], windows[s]);
    tables += depths[s] * biasTable(heads[s], windows[s]);
    abExpanded += depths[s] * heads[s] * windows[s] ** 4; // the eval-mode `ab` buffer [heads, N, N], N = ws^2
  }
  if (s < 3) encoderBody += patchMerging(dims[s], dims[s + 1]);
}
const NECK = 320 * 256 + layerNorm(256) + 256 * 256 * 9 + layerNorm(256);
const CLASSIFIER_HEAD = layerNorm(320) + linear(320, 1000); // built, never run (tiny_vit_sam.py 528-531, 616-620)
const ENCODER_TORCH_PARAMS = encoderBody + NECK + CLASSIFIER_HEAD;
/** In the export: BatchNorm folded into one bias per channel, no head, bias tables replaced by `ab`. */
const ENCODER_ONNX_PARAMS = encoderBody + NECK - convBnChannels - tables;

// ---- op counts from the architecture -------------------------------------------------------------------
const vitBlocks = depths.slice(1).reduce((a, b) => a + b, 0); // 10 TinyViT blocks
const EXPECTED_ENCODER_OPS: Record<string, number> = {
  Softmax: vitBlocks,
  Split: vitBlocks, // qkv split into q, k, v
  LayerNormalization: 2 * vitBlocks, // attention norm + MLP norm
  MatMul: 6 * vitBlocks, // qkv, q k^T, attn v, proj, fc1, fc2
  Conv: 2 + 3 * depths[0] + 3 * 3 + vitBlocks + 2, // patch embed, MBConv, PatchMerging, local convs, neck
  Erf: 1 + 3 * depths[0] + 2 * 3 + vitBlocks, // GELUs: patch embed, MBConv (3 each), PatchMerging (2 each), MLPs
  ReduceMean: 2 * 2, // two LayerNorm2d in the neck
  Pad: 1 + vitBlocks, // input padding; 128, 64, 64 are no multiples of 7, 14, 7: every block pads its windows
};
const EXPECTED_DECODER_OPS = (single: boolean): Record<string, number> => ({
  Softmax: 3 * 2 + 1, // 3 attentions per two-way block + final token-to-image
  LayerNormalization: 4 * 2 + 1,
  MatMul: 7 * 6 + 2 * 2 + 2 + 1, // 7 attentions (4 projections + 2), 2 MLP blocks, 2 PE encodings, hyper_in @ upscaled
  Gemm: 4 * 3 + 3, // hypernetwork MLPs and IoU head on [1, 256] rows
  Conv: 3, // mask_downscaling
  ConvTranspose: 2, // output_upscaling
  Erf: 2 + 2, // GELUs: mask_downscaling, output_upscaling
  Relu: 2 + 4 * 2 + 2, // two-way MLP blocks, hypernetwork MLPs, IoU head
  ReduceMean: 3 * 2, // three LayerNorm2d
  Sin: 2, // points + dense grid
  Cos: 2,
  Resize: 2, // to 1024, to orig_im_size
  ArgMax: single ? 1 : 0, // select_masks
});

let dir: string;
let files: FaithfulFile[];
let generateMs: number;
const file = (use: FaithfulFile['use']) => files.find((f) => f.use === use)!;
const sessionOptions: ort.InferenceSession.SessionOptions = {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 2,
  interOpNumThreads: 1,
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-faithful-'));
  const started = performance.now();
  files = writeFaithfulModels(dir).files;
  generateMs = performance.now() - started;
  console.log(`[faithful] generated in ${(generateMs / 1000).toFixed(1)} s`);
  for (const f of files) console.log(`[faithful] ${f.file}: ${JSON.stringify(f.stats)}`);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const finite = (t: ort.Tensor) => (t.data as Float32Array).every((v) => Number.isFinite(v));

describe('cost-faithful SAM stand-ins', () => {
  it('are generated quickly under the real files’ names', () => {
    expect(generateMs).toBeLessThan(20_000);
    expect(files.map((f) => f.file)).toEqual([
      MOBILE_SAM.encoder.file,
      MOBILE_SAM.decoder.files.single.file,
      MOBILE_SAM.decoder.files.multi.file,
    ]);
  });

  it('have the parameter counts of the real networks', () => {
    console.log(
      `[faithful] decoder: architecture ${DECODER_PARAMS} parameters (${(DECODER_PARAMS / MEBI).toFixed(4)} Mi; README ${README.decoder}M)`,
    );
    console.log(
      `[faithful] encoder: architecture ${ENCODER_TORCH_PARAMS} parameters in torch (${(ENCODER_TORCH_PARAMS / MEBI).toFixed(4)} Mi; ` +
        `README ${README.pipeline} - ${README.decoder} = ${(README.pipeline - README.decoder).toFixed(3)}M), ` +
        `${ENCODER_ONNX_PARAMS} exported + ${abExpanded} attention-bias buffer values`,
    );
    // Published figures (rounded to the digits given).
    expect(DECODER_PARAMS).toBe(4_064_560);
    expect(Math.abs(DECODER_PARAMS / MEBI - README.decoder)).toBeLessThan(0.0005);
    expect(Math.abs(ENCODER_TORCH_PARAMS / MEBI - (README.pipeline - README.decoder))).toBeLessThan(0.005);
    expect(Math.abs((ENCODER_TORCH_PARAMS + DECODER_PARAMS) / MEBI - README.pipeline)).toBeLessThan(0.005);
    expect(convBnCount).toBe(2 + 3 * 2 + 3 * 3 + vitBlocks); // 27 Conv2d_BN, all folded
    // The generated files hold exactly the architecture's parameters.
    for (const use of ['decoder-single', 'decoder-multi'] as const) {
      expect(file(use).stats.params).toBe(DECODER_PARAMS);
      expect(file(use).stats.buffers).toBe(PE_GAUSSIAN);
    }
    expect(file('encoder').stats.params).toBe(ENCODER_ONNX_PARAMS);
    expect(file('encoder').stats.buffers).toBe(abExpanded);
    // Export constants (scalars, mean/std, the select_masks reweighting) are a few dozen values.
    for (const f of files) expect(f.stats.constants).toBeLessThan(100);
  });

  it('have the real networks’ compute operators, as many as the architecture has layers', () => {
    const pick = (ops: Record<string, number>, expected: Record<string, number>) =>
      Object.fromEntries(Object.keys(expected).map((k) => [k, ops[k] ?? 0]));
    console.log(`[faithful] encoder ops: ${JSON.stringify(file('encoder').stats.ops)}`);
    console.log(`[faithful] decoder (single) ops: ${JSON.stringify(file('decoder-single').stats.ops)}`);
    expect(pick(file('encoder').stats.ops, EXPECTED_ENCODER_OPS)).toEqual(EXPECTED_ENCODER_OPS);
    expect(pick(file('decoder-single').stats.ops, EXPECTED_DECODER_OPS(true))).toEqual(EXPECTED_DECODER_OPS(true));
    expect(pick(file('decoder-multi').stats.ops, EXPECTED_DECODER_OPS(false))).toEqual(EXPECTED_DECODER_OPS(false));
  });

  it('are within 10% of the real files’ sizes', () => {
    for (const f of files) {
      const real = REAL_BYTES[f.use];
      expect(MANIFEST.find((m) => m.file === f.file)?.size).toBe(real);
      expect(statSync(path.join(dir, f.file)).size).toBe(f.stats.bytes);
      const ratio = f.stats.bytes / real;
      console.log(`[faithful] ${f.file}: ${f.stats.bytes} B, ${((ratio - 1) * 100).toFixed(2)}% against the real ${real} B`);
      expect(Math.abs(ratio - 1)).toBeLessThan(0.1);
    }
  });

  it('the encoder runs on a 1024 x 768 photo and gives a finite [1, 256, 64, 64] embedding', async () => {
    const session = await ort.InferenceSession.create(path.join(dir, MOBILE_SAM.encoder.file), sessionOptions);
    expect(session.inputNames).toEqual([MOBILE_SAM.encoder.input]);
    expect(session.outputNames).toEqual(encoderOutputNames(MOBILE_SAM));
    const [h, w] = [768, 1024];
    const image = new Float32Array(h * w * 3);
    for (let i = 0; i < image.length; i++) image[i] = (i * 7919) % 256;
    const started = performance.now();
    const out = await session.run({ [MOBILE_SAM.encoder.input]: new ort.Tensor('float32', image, [h, w, 3]) });
    console.log(`[faithful] encoder run (intra-op threads 2): ${(performance.now() - started).toFixed(0)} ms`);
    const embedding = out[encoderOutputNames(MOBILE_SAM)[0]];
    expect(embedding.dims).toEqual([1, 256, 64, 64]);
    expect(finite(embedding)).toBe(true);
    await session.release();
  }, 180_000);

  for (const use of ['decoder-single', 'decoder-multi'] as const) {
    it(`the ${use} file runs on 2 points and gives finite outputs at orig_im_size`, async () => {
      const count = use === 'decoder-single' ? 1 : 4;
      const session = await ort.InferenceSession.create(path.join(dir, file(use).file), sessionOptions);
      expect(session.inputNames).toEqual(decoderInputNames(MOBILE_SAM));
      expect(session.outputNames).toEqual(decoderOutputNames(MOBILE_SAM));
      const embedding = new Float32Array(256 * 64 * 64);
      for (let i = 0; i < embedding.length; i++) embedding[i] = Math.sin(i * 0.37);
      const feeds = {
        image_embeddings: new ort.Tensor('float32', embedding, [1, 256, 64, 64]),
        point_coords: new ort.Tensor('float32', Float32Array.from([300, 400, 700, 200]), [1, 2, 2]),
        point_labels: new ort.Tensor('float32', Float32Array.from([1, 0]), [1, 2]),
        mask_input: new ort.Tensor('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
        has_mask_input: new ort.Tensor('float32', Float32Array.from([0]), [1]),
        orig_im_size: new ort.Tensor('float32', Float32Array.from([768, 1024]), [2]),
      };
      const started = performance.now();
      const out = await session.run(feeds);
      console.log(`[faithful] ${use} run (intra-op threads 2): ${(performance.now() - started).toFixed(0)} ms`);
      const o = MOBILE_SAM.decoder.outputs;
      expect(out[o.masks].dims).toEqual([1, count, 768, 1024]);
      expect(out[o.scores].dims).toEqual([1, count]);
      expect(out[o.lowResMasks].dims).toEqual([1, count, 256, 256]);
      for (const name of [o.masks, o.scores, o.lowResMasks]) expect(finite(out[name])).toBe(true);
      await session.release();
    }, 60_000);
  }
});
