// Cost-faithful stand-ins for MobileSAM's ONNX files (issue #13, part 1). The toy stand-ins in generate.ts
// have the real signatures but cost next to nothing, so timings measured with them mean little. These
// have the real networks' operators, shapes, layer counts and parameter counts, filled with seeded random
// weights (normal, std 0.02; LayerNorm weight 1, bias 0): their masks are noise, their cost is real.
//
// Written from the upstream sources (read, not copied), ChaoningZhang/MobileSAM @ 34bbbfdf (its
// mobile_sam/modeling/{prompt_encoder,mask_decoder,transformer,common}.py and utils/onnx.py are identical
// to facebookresearch/segment-anything @ dca509fe segment_anything/...):
// - mobile_sam/build_sam.py 47-93 (build_sam_vit_t): TinyViT and decoder hyper-parameters.
// - mobile_sam/modeling/tiny_vit_sam.py: Conv2d_BN 21-43, PatchEmbed 57-74, MBConv 77-115, PatchMerging
//   118-147 (stride 1 when out_dim is 320: 127-130), Mlp 189-209, Attention 212-284 (bias table 233-248,
//   the eval-mode `ab` buffer 250-258), TinyViTBlock 287-376 (window padding 340-367), LayerNorm2d 449-461,
//   TinyViT 462-620 (stage resolutions 500-501, unused classifier head 528-531, neck 536-552, forward 600-614).
// - mobile_sam/utils/onnx.py: SamOnnxModel._embed_points 51-67, _embed_masks 69-74,
//   mask_postprocessing 76-90, select_masks 92-105, forward 107-144.
// - mobile_sam/modeling/prompt_encoder.py 16-60 (PromptEncoder), 171-214 (PositionEmbeddingRandom);
//   mask_decoder.py 16-69, 112-149 (predict_masks), 154-176 (MLP); transformer.py 16-106 (TwoWayTransformer),
//   109-182 (TwoWayAttentionBlock), 185-240 (Attention); common.py 13-26 (MLPBlock), 31-43 (LayerNorm2d).
// - The encoder's preprocessing (Acly/MobileSAM's mobile_sam_encoder_onnx, use_preprocess=True, as
//   dlimgedit script/export_models.py 21-27 calls it): (x - mean) / std, HWC -> CHW, pad right/bottom to 1024.
//
// Export conventions followed (torch.onnx, opset 17, eval mode, constant folding): Linear on 3-D input is
// MatMul (weight stored [in, out]) + Add, on 2-D input Gemm (transB); nn.LayerNorm is LayerNormalization;
// LayerNorm2d is decomposed (ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add); exact GELU is
// Div, Erf, Add, Mul, Mul; Conv2d_BN is one Conv with the BatchNorm folded into its bias; TinyViT's
// attention biases are the `ab` buffer [heads, N, N] (the table expanded per window position).
//
// Initialiser names tell what they are: `p.` parameters, `b.` buffers (the PE's gaussian matrix, the
// expanded attention biases), anything else is an export constant (scalars, mean/std, shapes).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { MOBILE_SAM } from '../../../src/lib/sam/families/mobile-sam.ts';
import { samModelFiles, type SamModelDescription } from '../../../src/lib/sam/model.ts';
import { standinSignatures, STANDIN_MARKER } from './generate.ts';
import { GraphBuilder, float, int, ints, str, type Attr } from './onnx-builder.ts';

// ---- architecture constants ------------------------------------------------------------------------

/** TinyViT-5M as MobileSAM builds it (build_sam.py 53-65; tiny_vit_sam.py). */
export const TINY_VIT = {
  imgSize: 1024,
  embedDims: [64, 128, 160, 320],
  depths: [2, 2, 6, 2],
  numHeads: [2, 4, 5, 10],
  windowSizes: [7, 7, 14, 7],
  mlpRatio: 4,
  mbconvExpandRatio: 4,
  localConvSize: 3,
  neckDim: 256,
  /** The classifier head the SAM encoder builds but never runs (tiny_vit_sam.py 528-531, 616-620). */
  numClasses: 1000,
} as const;

/** SAM's prompt encoder and mask decoder (build_sam.py 66-83; prompt_encoder.py; mask_decoder.py; transformer.py). */
export const SAM_DECODER = {
  embedDim: 256,
  embeddingSide: 64,
  imageSize: 1024,
  maskInChans: 16,
  numPointEmbeddings: 4,
  numMultimaskOutputs: 3,
  depth: 2,
  numHeads: 8,
  mlpDim: 2048,
  attentionDownsampleRate: 2,
  iouHeadDepth: 3,
  iouHeadHiddenDim: 256,
} as const;

const WEIGHT_STD = 0.02;
const SEED = 0x5a3f00d;

// ---- deterministic normal PRNG ---------------------------------------------------------------------

/** mulberry32 uniform generator with Box-Muller normals: the same numbers on every machine. */
class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform(); // (0, 1]
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  normals(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * std;
    return out;
  }
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

// ---- graph helpers ---------------------------------------------------------------------------------

/** GraphBuilder plus the layers both networks are made of, with cached constants and seeded weights. */
class Net {
  readonly g = new GraphBuilder();
  private readonly rng: Rng;
  private readonly scalars = new Map<number, string>();
  private readonly int64s = new Map<string, string>();

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  op(opType: string, inputs: string[], attrs: Record<string, Attr> = {}, output?: string): string {
    return this.g.op(opType, inputs, attrs, output);
  }

  /** A float32 scalar constant (one initialiser per value). */
  k(value: number): string {
    let name = this.scalars.get(value);
    if (!name) {
      name = this.g.f32([value], [], 'const');
      this.scalars.set(value, name);
    }
    return name;
  }

  /** A 1-D int64 constant (shapes, axes, pads), cached. */
  i64(values: readonly number[]): string {
    const key = values.join(',');
    let name = this.int64s.get(key);
    if (!name) {
      name = this.g.i64(values, [values.length], 'shape');
      this.int64s.set(key, name);
    }
    return name;
  }

  /** A parameter: seeded normal(0, WEIGHT_STD), or ones / zeros (LayerNorm). */
  param(name: string, dims: number[], init: 'normal' | 'ones' | 'zeros' = 'normal'): string {
    const n = product(dims);
    const values = init === 'normal' ? this.rng.normals(n, WEIGHT_STD) : new Float32Array(n).fill(init === 'ones' ? 1 : 0);
    return this.g.f32(values, dims, `p.${name}`);
  }

  /** A buffer (not a trained parameter, but stored in the file). */
  buffer(name: string, values: Float32Array, dims: number[]): string {
    return this.g.f32(values, dims, `b.${name}`);
  }

  normals(n: number, std: number): Float32Array {
    return this.rng.normals(n, std);
  }

  add(a: string, b: string, out?: string) {
    return this.op('Add', [a, b], {}, out);
  }
  mul(a: string, b: string) {
    return this.op('Mul', [a, b]);
  }
  reshape(x: string, shape: readonly number[]) {
    return this.op('Reshape', [x, this.i64(shape)]);
  }
  transpose(x: string, perm: number[]) {
    return this.op('Transpose', [x], { perm: ints(perm) });
  }

  /** nn.Linear on a 3-D input: MatMul with the [in, out] weight, then Add the bias. */
  linear(x: string, inDim: number, outDim: number, name: string): string {
    const y = this.op('MatMul', [x, this.param(`${name}.weight`, [inDim, outDim])]);
    return this.add(y, this.param(`${name}.bias`, [outDim]));
  }

  /** nn.Linear on a 2-D input: Gemm with the [out, in] weight. */
  gemm(x: string, inDim: number, outDim: number, name: string): string {
    return this.op('Gemm', [x, this.param(`${name}.weight`, [outDim, inDim]), this.param(`${name}.bias`, [outDim])], {
      alpha: float(1),
      beta: float(1),
      transB: int(1),
    });
  }

  layerNorm(x: string, dim: number, name: string, eps = 1e-5): string {
    return this.op('LayerNormalization', [x, this.param(`${name}.weight`, [dim], 'ones'), this.param(`${name}.bias`, [dim], 'zeros')], {
      axis: int(-1),
      epsilon: float(eps),
    });
  }

  /** LayerNorm2d (common.py 31-43 / tiny_vit_sam.py 449-461) as torch exports it: over the channel axis of NCHW. */
  layerNorm2d(x: string, channels: number, name: string, out?: string): string {
    const mean = (t: string) => this.op('ReduceMean', [t], { axes: ints([1]), keepdims: int(1) });
    const centred = this.op('Sub', [x, mean(x)]);
    const variance = mean(this.op('Pow', [centred, this.k(2)]));
    const normed = this.op('Div', [centred, this.op('Sqrt', [this.add(variance, this.k(1e-6))])]);
    const scaled = this.mul(normed, this.param(`${name}.weight`, [channels, 1, 1], 'ones'));
    return this.add(scaled, this.param(`${name}.bias`, [channels, 1, 1], 'zeros'), out);
  }

  /** Exact GELU as opset-17 torch.onnx exports it: x * (erf(x / sqrt 2) + 1) * 0.5. */
  gelu(x: string): string {
    const erf = this.op('Erf', [this.op('Div', [x, this.k(Math.SQRT2)])]);
    return this.mul(this.mul(x, this.add(erf, this.k(1))), this.k(0.5));
  }

  conv(
    x: string,
    o: { inCh: number; outCh: number; kernel: number; stride?: number; pad?: number; groups?: number; bias?: boolean; name: string },
  ): string {
    const { inCh, outCh, kernel, stride = 1, pad = 0, groups = 1, bias = true, name } = o;
    const inputs = [x, this.param(`${name}.weight`, [outCh, inCh / groups, kernel, kernel])];
    if (bias) inputs.push(this.param(`${name}.bias`, [outCh]));
    return this.op('Conv', inputs, {
      dilations: ints([1, 1]),
      group: int(groups),
      kernel_shape: ints([kernel, kernel]),
      pads: ints([pad, pad, pad, pad]),
      strides: ints([stride, stride]),
    });
  }

  convTranspose(x: string, inCh: number, outCh: number, name: string): string {
    return this.op('ConvTranspose', [x, this.param(`${name}.weight`, [inCh, outCh, 2, 2]), this.param(`${name}.bias`, [outCh])], {
      dilations: ints([1, 1]),
      group: int(1),
      kernel_shape: ints([2, 2]),
      pads: ints([0, 0, 0, 0]),
      strides: ints([2, 2]),
    });
  }
}

// ---- the MobileSAM image encoder (TinyViT-5M) ------------------------------------------------------

/** Conv2d_BN, the BatchNorm folded into the conv's bias (tiny_vit_sam.py 21-43). */
function convBn(net: Net, x: string, inCh: number, outCh: number, kernel: number, stride: number, groups: number, name: string) {
  return net.conv(x, { inCh, outCh, kernel, stride, pad: (kernel - 1) / 2, groups, name });
}

/** TinyViT Attention (tiny_vit_sam.py 212-284) over windows: x [windows, N, dim] -> [windows, N, dim]. */
function tinyVitAttention(net: Net, x: string, windows: number, ws: number, dim: number, heads: number, name: string): string {
  const n = ws * ws;
  const keyDim = dim / heads; // attn_ratio 1: d = key_dim, dh = dim
  const t = net.layerNorm(x, dim, `${name}.norm`);
  const qkv = net.reshape(net.linear(t, dim, 3 * dim, `${name}.qkv`), [windows, n, heads, 3 * keyDim]);
  const [q, k, v] = net.g.opMulti('Split', [qkv, net.i64([keyDim, keyDim, keyDim])], 3, { axis: int(3) });
  const qh = net.transpose(q, [0, 2, 1, 3]);
  const kh = net.transpose(net.transpose(k, [0, 2, 1, 3]), [0, 1, 3, 2]);
  const vh = net.transpose(v, [0, 2, 1, 3]);
  // Eval-mode `ab`: the [heads, offsets] table gathered per (query, key) position pair (233-258).
  const offsets = new Map<string, number>();
  const idx = new Int32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const key = `${Math.abs(Math.floor(i / ws) - Math.floor(j / ws))},${Math.abs((i % ws) - (j % ws))}`;
      if (!offsets.has(key)) offsets.set(key, offsets.size);
      idx[i * n + j] = offsets.get(key)!;
    }
  }
  const table = net.normals(heads * offsets.size, WEIGHT_STD);
  const ab = new Float32Array(heads * n * n);
  for (let h = 0; h < heads; h++) for (let p = 0; p < n * n; p++) ab[h * n * n + p] = table[h * offsets.size + idx[p]];
  let attn = net.mul(net.op('MatMul', [qh, kh]), net.k(keyDim ** -0.5));
  attn = net.op('Softmax', [net.add(attn, net.buffer(`${name}.ab`, ab, [heads, n, n]))], { axis: int(-1) });
  const out = net.reshape(net.transpose(net.op('MatMul', [attn, vh]), [0, 2, 1, 3]), [windows, n, dim]);
  return net.linear(out, dim, dim, `${name}.proj`);
}

/** TinyViTBlock (tiny_vit_sam.py 287-376): x [1, H*W, dim]. */
function tinyVitBlock(net: Net, x: string, res: number, dim: number, heads: number, ws: number, name: string): string {
  const pad = (ws - (res % ws)) % ws;
  const p = res + pad;
  const nw = p / ws;
  let t = net.reshape(x, [1, res, res, dim]);
  if (pad) t = net.op('Pad', [t, net.i64([0, 0, 0, 0, 0, pad, pad, 0])], { mode: str('constant') });
  t = net.reshape(net.transpose(net.reshape(t, [1, nw, ws, nw, ws, dim]), [0, 1, 3, 2, 4, 5]), [nw * nw, ws * ws, dim]);
  t = tinyVitAttention(net, t, nw * nw, ws, dim, heads, `${name}.attn`);
  t = net.reshape(net.transpose(net.reshape(t, [1, nw, nw, ws, ws, dim]), [0, 1, 3, 2, 4, 5]), [1, p, p, dim]);
  if (pad) t = net.op('Slice', [t, net.i64([0, 0]), net.i64([res, res]), net.i64([1, 2])]);
  let y = net.add(x, net.reshape(t, [1, res * res, dim]));
  // local_conv: depthwise 3x3 on the NCHW view, no residual of its own.
  y = net.reshape(net.transpose(y, [0, 2, 1]), [1, dim, res, res]);
  y = convBn(net, y, dim, dim, TINY_VIT.localConvSize, 1, dim, `${name}.local_conv`);
  y = net.transpose(net.reshape(y, [1, dim, res * res]), [0, 2, 1]);
  // Mlp with its own LayerNorm (189-209), residual.
  const hidden = dim * TINY_VIT.mlpRatio;
  let m = net.layerNorm(y, dim, `${name}.mlp.norm`);
  m = net.linear(net.gelu(net.linear(m, dim, hidden, `${name}.mlp.fc1`)), hidden, dim, `${name}.mlp.fc2`);
  return net.add(y, m);
}

/** MBConv (tiny_vit_sam.py 77-115) on NCHW. */
function mbConv(net: Net, x: string, dim: number, name: string): string {
  const hidden = dim * TINY_VIT.mbconvExpandRatio;
  let t = net.gelu(convBn(net, x, dim, hidden, 1, 1, 1, `${name}.conv1`));
  t = net.gelu(convBn(net, t, hidden, hidden, 3, 1, hidden, `${name}.conv2`));
  t = convBn(net, t, hidden, dim, 1, 1, 1, `${name}.conv3`);
  return net.gelu(net.add(t, x));
}

/** PatchMerging (tiny_vit_sam.py 118-147): NCHW or [1, L, C] in, [1, L', outDim] out. */
function patchMerging(
  net: Net,
  x: string,
  res: number,
  dim: number,
  outDim: number,
  nchw: boolean,
  name: string,
): { x: string; res: number } {
  const stride = outDim === 320 || outDim === 448 || outDim === 576 ? 1 : 2; // as upstream 127-129
  let t = nchw ? x : net.transpose(net.reshape(x, [1, res, res, dim]), [0, 3, 1, 2]);
  t = net.gelu(convBn(net, t, dim, outDim, 1, 1, 1, `${name}.conv1`));
  t = net.gelu(convBn(net, t, outDim, outDim, 3, stride, outDim, `${name}.conv2`));
  t = convBn(net, t, outDim, outDim, 1, 1, 1, `${name}.conv3`);
  const out = res / stride;
  return { x: net.transpose(net.reshape(t, [1, outDim, out * out]), [0, 2, 1]), res: out };
}

function buildEncoder(model: SamModelDescription, seed: number): Uint8Array {
  const net = new Net(seed);
  const { embedDims, depths, numHeads, windowSizes, imgSize, neckDim } = TINY_VIT;
  const signatures = standinSignatures(model);
  const input = model.encoder.input;
  const outName = model.embedding.tensors[0].name;

  // Preprocessing: normalise, HWC -> CHW, pad bottom/right to 1024 x 1024 (sizes from the input's shape).
  const { mean, std } = model.encoder.normalise;
  const normed = net.op('Div', [net.op('Sub', [input, net.g.f32(mean, [3], 'pixel_mean')]), net.g.f32(std, [3], 'pixel_std')]);
  const chw = net.transpose(normed, [2, 0, 1]);
  const hw = net.op('Slice', [net.op('Shape', [input]), net.i64([0]), net.i64([2])]);
  const pads = net.op('Concat', [net.i64([0, 0, 0, 0]), net.op('Sub', [net.i64([imgSize, imgSize]), hw])], { axis: int(0) });
  let x = net.op('Unsqueeze', [net.op('Pad', [chw, pads], { mode: str('constant') }), net.i64([0])]);

  // PatchEmbed (57-74): two stride-2 3x3 Conv2d_BN with GELU between: [1, 64, 256, 256].
  x = net.gelu(convBn(net, x, 3, embedDims[0] / 2, 3, 2, 1, 'patch_embed.seq.0'));
  x = convBn(net, x, embedDims[0] / 2, embedDims[0], 3, 2, 1, 'patch_embed.seq.2');
  let res = imgSize / 4;

  // Stage 0: ConvLayer of MBConv, then PatchMerging to 128 x 128.
  for (let b = 0; b < depths[0]; b++) x = mbConv(net, x, embedDims[0], `layers.0.blocks.${b}`);
  ({ x, res } = patchMerging(net, x, res, embedDims[0], embedDims[1], true, 'layers.0.downsample'));
  // Stages 1..3: TinyViT blocks; PatchMerging after 1 (to 64 x 64) and 2 (stride 1: stays 64 x 64).
  for (let s = 1; s < depths.length; s++) {
    for (let b = 0; b < depths[s]; b++) x = tinyVitBlock(net, x, res, embedDims[s], numHeads[s], windowSizes[s], `layers.${s}.blocks.${b}`);
    if (s < depths.length - 1) {
      ({ x, res } = patchMerging(net, x, res, embedDims[s], embedDims[s + 1], false, `layers.${s}.downsample`));
    }
  }
  if (res !== 64) throw new Error(`TinyViT ends at ${res} x ${res}, expected 64 x 64`);

  // Neck (536-552): [1, 4096, 320] -> [1, 320, 64, 64] -> 1x1 conv, LayerNorm2d, 3x3 conv, LayerNorm2d.
  const last = embedDims[embedDims.length - 1];
  x = net.transpose(net.reshape(x, [1, res, res, last]), [0, 3, 1, 2]);
  x = net.layerNorm2d(net.conv(x, { inCh: last, outCh: neckDim, kernel: 1, bias: false, name: 'neck.0' }), neckDim, 'neck.1');
  x = net.conv(x, { inCh: neckDim, outCh: neckDim, kernel: 3, pad: 1, bias: false, name: 'neck.2' });
  net.layerNorm2d(x, neckDim, 'neck.3', outName);

  return net.g.build({
    graphName: 'mobile_sam_image_encoder_faithful_standin',
    inputs: signatures.encoder.inputs,
    outputs: signatures.encoder.outputs,
    docString: FAITHFUL_DOC,
    metadata: { standin: 'true', kind: 'cost-faithful', role: 'encoder' },
  });
}

// ---- the SAM mask decoder as SamOnnxModel exports it -----------------------------------------------

/** PositionEmbeddingRandom._pe_encoding (prompt_encoder.py 185-192): coords in [0, 1] -> sin/cos features. */
function peEncoding(net: Net, coords: string, gaussian: string): string {
  const c = net.op('Sub', [net.mul(coords, net.k(2)), net.k(1)]);
  const f = net.mul(net.op('MatMul', [c, gaussian]), net.k(2 * Math.PI));
  return net.op('Concat', [net.op('Sin', [f]), net.op('Cos', [f])], { axis: int(-1) });
}

/** SAM's Attention (transformer.py 185-240): q [1, Nq, 256], k/v [1, Nk, 256]. */
function samAttention(net: Net, q: string, k: string, v: string, downsample: number, name: string): string {
  const { embedDim, numHeads } = SAM_DECODER;
  const internal = embedDim / downsample;
  const perHead = internal / numHeads;
  const heads = (t: string) => net.transpose(net.reshape(t, [1, -1, numHeads, perHead]), [0, 2, 1, 3]);
  const qh = heads(net.linear(q, embedDim, internal, `${name}.q_proj`));
  const kh = heads(net.linear(k, embedDim, internal, `${name}.k_proj`));
  const vh = heads(net.linear(v, embedDim, internal, `${name}.v_proj`));
  let attn = net.op('Div', [net.op('MatMul', [qh, net.transpose(kh, [0, 1, 3, 2])]), net.k(Math.sqrt(perHead))]);
  attn = net.op('Softmax', [attn], { axis: int(-1) });
  const out = net.reshape(net.transpose(net.op('MatMul', [attn, vh]), [0, 2, 1, 3]), [1, -1, internal]);
  return net.linear(out, internal, embedDim, `${name}.out_proj`);
}

/** mask_decoder.py MLP (154-176) on a [1, in] row: Gemm + ReLU between layers. */
function mlpHead(net: Net, x: string, inDim: number, hidden: number, outDim: number, layers: number, name: string): string {
  let t = x;
  for (let i = 0; i < layers; i++) {
    const last = i === layers - 1;
    t = net.gemm(t, i === 0 ? inDim : hidden, last ? outDim : hidden, `${name}.layers.${i}`);
    if (!last) t = net.op('Relu', [t]);
  }
  return t;
}

function buildDecoder(model: SamModelDescription, single: boolean, seed: number): Uint8Array {
  const net = new Net(seed);
  const D = SAM_DECODER;
  const E = D.embedDim;
  const G = D.embeddingSide;
  const tokens = D.numMultimaskOutputs + 1;
  const p = model.decoder.inputs;
  const o = model.decoder.outputs;
  const lowSide = model.decoder.lowResSide;

  // ---- prompt encoder parameters, in PromptEncoder's order
  const gaussian = net.buffer('prompt_encoder.pe_layer.positional_encoding_gaussian_matrix', net.normals(2 * (E / 2), 1), [2, E / 2]);
  const pointEmbeddings = Array.from({ length: D.numPointEmbeddings }, (_, i) =>
    net.param(`prompt_encoder.point_embeddings.${i}.weight`, [1, E]),
  );
  const notAPoint = net.param('prompt_encoder.not_a_point_embed.weight', [1, E]);

  // _embed_points (onnx.py 51-67): (coords + 0.5) / 1024, PE, then the label embeddings; -1 is padding.
  const coords = net.op('Div', [net.add(p.pointCoords.name, net.k(0.5)), net.k(D.imageSize)]);
  let sparse = peEncoding(net, coords, gaussian); // [1, N, 256]
  const labels = net.op('Expand', [net.op('Unsqueeze', [p.pointLabels.name, net.i64([-1])]), net.op('Shape', [sparse])]);
  const labelIs = (v: number) => net.op('Cast', [net.op('Equal', [labels, net.k(v)])], { to: int(1) });
  sparse = net.mul(sparse, net.op('Cast', [net.op('Not', [net.op('Equal', [labels, net.k(-1)])])], { to: int(1) }));
  sparse = net.add(sparse, net.mul(notAPoint, labelIs(-1)));
  for (let i = 0; i < D.numPointEmbeddings; i++) sparse = net.add(sparse, net.mul(pointEmbeddings[i], labelIs(i)));

  // _embed_masks (onnx.py 69-74): mask_downscaling (prompt_encoder.py 51-59), blended with no_mask_embed.
  const quarter = D.maskInChans / 4;
  let m = net.conv(p.maskInput.name, { inCh: 1, outCh: quarter, kernel: 2, stride: 2, name: 'prompt_encoder.mask_downscaling.0' });
  m = net.gelu(net.layerNorm2d(m, quarter, 'prompt_encoder.mask_downscaling.1'));
  m = net.conv(m, { inCh: quarter, outCh: D.maskInChans, kernel: 2, stride: 2, name: 'prompt_encoder.mask_downscaling.3' });
  m = net.gelu(net.layerNorm2d(m, D.maskInChans, 'prompt_encoder.mask_downscaling.4'));
  m = net.conv(m, { inCh: D.maskInChans, outCh: E, kernel: 1, name: 'prompt_encoder.mask_downscaling.6' });
  const noMask = net.param('prompt_encoder.no_mask_embed.weight', [1, E, 1, 1]);
  const hasMask = p.hasMaskInput.name;
  const dense = net.add(net.mul(hasMask, m), net.mul(net.op('Sub', [net.k(1), hasMask]), noMask));

  // get_dense_pe (prompt_encoder.py 194-205): PE of the 64 x 64 cell centres, computed in the graph.
  const ones = net.op('Expand', [net.k(1), net.i64([G, G])]);
  const centre = (axis: number) =>
    net.op('Unsqueeze', [
      net.op('Div', [net.op('Sub', [net.op('CumSum', [ones, net.g.i64([axis], [], 'axis')]), net.k(0.5)]), net.k(G)]),
      net.i64([-1]),
    ]);
  const grid = net.op('Concat', [centre(1), centre(0)], { axis: int(-1) }); // [64, 64, 2] as (x, y)
  const densePe = net.op('Unsqueeze', [net.transpose(peEncoding(net, grid, gaussian), [2, 0, 1]), net.i64([0])]); // [1, 256, 64, 64]

  // ---- MaskDecoder.predict_masks (mask_decoder.py 112-149)
  const iouToken = net.param('mask_decoder.iou_token.weight', [1, E]);
  const maskTokens = net.param('mask_decoder.mask_tokens.weight', [tokens, E]);
  const outputTokens = net.op('Unsqueeze', [net.op('Concat', [iouToken, maskTokens], { axis: int(0) }), net.i64([0])]);
  const queryPe = net.op('Concat', [outputTokens, sparse], { axis: int(1) }); // [1, 5 + N, 256]
  const src = net.add(model.embedding.tensors[0].name, dense); // repeat_interleave over a batch of 1 is the identity
  const flat = (t: string) => net.transpose(net.reshape(t, [1, E, G * G]), [0, 2, 1]); // [1, 4096, 256]
  let keys = flat(src);
  const keyPe = flat(densePe);
  let queries = queryPe;

  // TwoWayTransformer (transformer.py 62-106), blocks 151-182.
  const t = 'mask_decoder.transformer';
  for (let l = 0; l < D.depth; l++) {
    const b = `${t}.layers.${l}`;
    if (l === 0) {
      queries = samAttention(net, queries, queries, queries, 1, `${b}.self_attn`); // skip_first_layer_pe: no residual
    } else {
      const q = net.add(queries, queryPe);
      queries = net.add(queries, samAttention(net, q, q, queries, 1, `${b}.self_attn`));
    }
    queries = net.layerNorm(queries, E, `${b}.norm1`);
    let q = net.add(queries, queryPe);
    let k = net.add(keys, keyPe);
    queries = net.layerNorm(
      net.add(queries, samAttention(net, q, k, keys, D.attentionDownsampleRate, `${b}.cross_attn_token_to_image`)),
      E,
      `${b}.norm2`,
    );
    const hidden = net.op('Relu', [net.linear(queries, E, D.mlpDim, `${b}.mlp.lin1`)]); // TwoWayTransformer's MLPBlock uses ReLU
    queries = net.layerNorm(net.add(queries, net.linear(hidden, D.mlpDim, E, `${b}.mlp.lin2`)), E, `${b}.norm3`);
    q = net.add(queries, queryPe);
    k = net.add(keys, keyPe);
    keys = net.layerNorm(
      net.add(keys, samAttention(net, k, q, queries, D.attentionDownsampleRate, `${b}.cross_attn_image_to_token`)),
      E,
      `${b}.norm4`,
    );
  }
  {
    const q = net.add(queries, queryPe);
    const k = net.add(keys, keyPe);
    const out = samAttention(net, q, k, keys, D.attentionDownsampleRate, `${t}.final_attn_token_to_image`);
    queries = net.layerNorm(net.add(queries, out), E, `${t}.norm_final_attn`);
  }

  const iouTokenOut = net.op('Gather', [queries, net.g.i64([0], [], 'index')], { axis: int(1) }); // [1, 256]
  const maskTokensOut = net.op('Slice', [queries, net.i64([1]), net.i64([1 + tokens]), net.i64([1])]); // [1, 4, 256]

  // output_upscaling (mask_decoder.py 53-59): [1, 256, 64, 64] -> [1, 32, 256, 256].
  let up = net.reshape(net.transpose(keys, [0, 2, 1]), [1, E, G, G]);
  up = net.gelu(
    net.layerNorm2d(net.convTranspose(up, E, E / 4, 'mask_decoder.output_upscaling.0'), E / 4, 'mask_decoder.output_upscaling.1'),
  );
  up = net.gelu(net.convTranspose(up, E / 4, E / 8, 'mask_decoder.output_upscaling.3'));

  // Hypernetwork MLPs, one per mask token, stacked: [1, 4, 32].
  const hyper = Array.from({ length: tokens }, (_, i) => {
    const row = net.op('Gather', [maskTokensOut, net.g.i64([i], [], 'index')], { axis: int(1) });
    return net.op('Unsqueeze', [mlpHead(net, row, E, E, E / 8, 3, `mask_decoder.output_hypernetworks_mlps.${i}`), net.i64([1])]);
  });
  const hyperIn = net.op('Concat', hyper, { axis: int(1) });
  const side = G * 4;
  const allMasks = net.reshape(net.op('MatMul', [hyperIn, net.reshape(up, [1, E / 8, side * side])]), [1, -1, side, side]);
  const iouPred = mlpHead(net, iouTokenOut, E, D.iouHeadHiddenDim, tokens, D.iouHeadDepth, 'mask_decoder.iou_prediction_head');
  if (side !== lowSide) throw new Error(`low-res side ${side} is not the description's ${lowSide}`);

  // SamOnnxModel.select_masks (onnx.py 92-105) for the single-mask file; the multi file returns all 4 tokens.
  let lowRes: string;
  if (single) {
    const numPoints = net.op(
      'Cast',
      [net.op('Gather', [net.op('Shape', [p.pointCoords.name]), net.g.i64([1], [], 'index')], { axis: int(0) })],
      {
        to: int(1),
      },
    );
    const reweight = net.g.f32([1000, ...Array(tokens - 1).fill(0)], [1, tokens], 'score_reweight');
    const score = net.add(iouPred, net.mul(net.op('Sub', [numPoints, net.k(2.5)]), reweight));
    const best = net.op('ArgMax', [score], { axis: int(1), keepdims: int(0) });
    lowRes = net.op('Gather', [allMasks, best], { axis: int(1) }, o.lowResMasks);
    net.op('Gather', [iouPred, best], { axis: int(1) }, o.scores);
  } else {
    lowRes = net.op('Identity', [allMasks], {}, o.lowResMasks);
    net.op('Identity', [iouPred], {}, o.scores);
  }

  // mask_postprocessing (onnx.py 76-90): to 1024 x 1024, crop the pre-padding size, to orig_im_size.
  const resize = { coordinate_transformation_mode: str('pytorch_half_pixel'), mode: str('linear'), nearest_mode: str('floor') };
  const lead = (x: string) => net.op('Slice', [net.op('Shape', [x]), net.i64([0]), net.i64([2])]);
  const up1024 = net.op(
    'Resize',
    [lowRes, '', '', net.op('Concat', [lead(lowRes), net.i64([D.imageSize, D.imageSize])], { axis: int(0) })],
    resize,
  );
  const orig = p.origImSize.name;
  const scale = net.op('Div', [net.k(D.imageSize), net.op('ReduceMax', [orig], { axes: ints([0]), keepdims: int(1) })]);
  const prepadded = net.op('Cast', [net.op('Floor', [net.add(net.mul(scale, orig), net.k(0.5))])], { to: int(7) });
  const cropped = net.op('Slice', [up1024, net.i64([0, 0]), prepadded, net.i64([2, 3])]);
  const origHw = net.op('Cast', [orig], { to: int(7) });
  net.op('Resize', [cropped, '', '', net.op('Concat', [lead(cropped), origHw], { axis: int(0) })], resize, o.masks);

  const signatures = standinSignatures(model);
  const count = single ? 1 : tokens;
  return net.g.build({
    graphName: `sam_mask_decoder_${single ? 'single' : 'multi'}_faithful_standin`,
    inputs: signatures.decoder.inputs,
    outputs: signatures.decoder.outputs(count),
    docString: FAITHFUL_DOC,
    metadata: { standin: 'true', kind: 'cost-faithful', role: single ? 'decoder-single' : 'decoder-multi' },
  });
}

const FAITHFUL_DOC =
  'Generated cost-faithful test stand-in for a MobileSAM ONNX model: the real architecture, operators, shapes and ' +
  'parameter counts, seeded random weights. Not the real model: its outputs are meaningless.';

// ---- stats and writing -----------------------------------------------------------------------------

export interface OnnxStats {
  bytes: number;
  nodes: number;
  /** Node count per op type, sorted by op type. */
  ops: Record<string, number>;
  /** Sum of the elements of all float32 initialisers. */
  floatElements: number;
  /** Of which trained parameters (`p.` names), buffers (`b.` names) and other export constants. */
  params: number;
  buffers: number;
  constants: number;
}

/** Reads the stats back from the serialised model (so they describe the file, not the builder's intent). */
export function onnxStats(bytes: Uint8Array): OnnxStats {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const graph = model.graph!;
  const counts = new Map<string, number>();
  for (const n of graph.node ?? []) counts.set(n.opType!, (counts.get(n.opType!) ?? 0) + 1);
  const ops = Object.fromEntries([...counts].sort(([a], [b]) => a.localeCompare(b)));
  let params = 0;
  let buffers = 0;
  let constants = 0;
  for (const t of graph.initializer ?? []) {
    if (t.dataType !== onnxProto.onnx.TensorProto.DataType.FLOAT) continue;
    const n = product((t.dims ?? []).map(Number));
    if (t.name!.startsWith('p.')) params += n;
    else if (t.name!.startsWith('b.')) buffers += n;
    else constants += n;
  }
  return {
    bytes: bytes.byteLength,
    nodes: graph.node?.length ?? 0,
    ops,
    floatElements: params + buffers + constants,
    params,
    buffers,
    constants,
  };
}

export type FaithfulUse = 'encoder' | 'decoder-single' | 'decoder-multi';

export interface FaithfulFile {
  use: FaithfulUse;
  file: string;
  role: string;
  sha256: string;
  stats: OnnxStats;
}

export const FAITHFUL_KIND = 'cost-faithful';

/**
 * Writes MobileSAM's three cost-faithful stand-ins under the real files' names into `dir` (created if
 * needed), plus STANDIN.json so the server treats them as test stand-ins, never as the real models.
 */
export function writeFaithfulModels(dir: string, model: SamModelDescription = MOBILE_SAM, seed = SEED): { files: FaithfulFile[] } {
  if (model.family !== 'mobile-sam') throw new Error(`cost-faithful stand-ins exist for MobileSAM only, not ${model.family}`);
  mkdirSync(dir, { recursive: true });
  const build: Record<FaithfulUse, () => Uint8Array> = {
    encoder: () => buildEncoder(model, seed),
    // Same seed: the single and multi files share their weights, as the real exports of one checkpoint do.
    'decoder-single': () => buildDecoder(model, true, seed + 1),
    'decoder-multi': () => buildDecoder(model, false, seed + 1),
  };
  const roles: Record<FaithfulUse, string> = {
    encoder: 'image encoder (TinyViT-5M)',
    'decoder-single': 'mask decoder, single mask',
    'decoder-multi': 'mask decoder, 4 masks',
  };
  const files = samModelFiles(model).map(({ use, file }): FaithfulFile => {
    const bytes = build[use]();
    writeFileSync(path.join(dir, file), bytes);
    return { use, file, role: roles[use], sha256: createHash('sha256').update(bytes).digest('hex'), stats: onnxStats(bytes) };
  });
  const marker = {
    standin: true,
    kind: FAITHFUL_KIND,
    family: model.family,
    description:
      `Generated cost-faithful test stand-ins for the ${model.title} ONNX models: the real architecture (operators, shapes, ` +
      'layer and parameter counts) with seeded random weights, for timing. Not the real SAM models: masks are noise; never ship them.',
    generator: 'tests/support/sam-standin/faithful.ts',
    files: files.map((f) => ({ file: f.file, role: f.role, bytes: f.stats.bytes, sha256: f.sha256 })),
  };
  writeFileSync(path.join(dir, STANDIN_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  return { files };
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tests/support/sam-standin/faithful.ts <dir>');
    process.exit(2);
  }
  const started = performance.now();
  const { files } = writeFaithfulModels(path.resolve(dir));
  for (const f of files) console.log(f.file, JSON.stringify(f.stats));
  console.log(`written to ${path.resolve(dir)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
