// Generates small stand-ins for a SAM family's ONNX models (the active one, MobileSAM, unless told
// otherwise), for tests on machines without the real weights. Names, dtypes, shapes and files come from
// the family's description (src/lib/sam/model.ts); dynamic dims are named as SamOnnxModel's export names
// them. They give meaningful masks from simple image features: the encoder turns each patch of the
// image embedding's grid into a fixed projection of its mean colour and colour spread; the decoder
// selects the patches whose embedding is close to the embedding under the positive clicks, then
// upscales like the real SamOnnxModel does. Finer per-photo tensors (SAM 2's high-resolution features)
// are zeros the decoder ignores.
//
// Usage: node tests/support/sam-standin/generate.ts <dir> [family]
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import {
  SAM_FAMILIES,
  SAM_MODEL,
  samModelFiles,
  type EmbeddingTensor,
  type NamedInput,
  type SamModelDescription,
} from '../../../src/lib/sam/model.ts';
import { GraphBuilder, int, ints, str, type ValueSpec } from './onnx-builder.ts';

export const STANDIN_MARKER = 'STANDIN.json';

/** Mask tokens the stand-in decoder computes, as SAM's: 1 "multi-click" mask (token 0) + 3 ambiguity masks (1..3). */
const TOKENS = 4;

// Behaviour constants (units: normalised colour, as after (x - mean) / std).
/** Weight of the per-patch colour spread (texture) relative to the mean colour in the features. */
const TEXTURE_WEIGHT = 0.5;
/** Logit scale: the decoder's logits span about [-LOGIT_SCALE/2, LOGIT_SCALE/2] before mask_input. */
const LOGIT_SCALE = 20;
/**
 * Colour tolerance per mask token: index 0 is the single-output ("multi-click") token, 1..3 are the
 * ambiguity masks from tight to loose. A region is in the mask when its distance to the clicked colour is
 * below tau; on an edge of the clicked colour the threshold adapts to the local contrast (tau to 2 tau).
 */
const TAUS = [1.0, 0.5, 1.0, 2.0];
/** Added to the iou prediction (stability x homogeneity x boundary contrast): on near-ties the medium candidate wins. */
const IOU_PRIOR = [0, -0.02, 0, -0.02];
/** Colour distance that counts as wholly different in the homogeneity and boundary-contrast scores. */
const COLOUR_REF = 2;
/** Stability (iou prediction) compares the mask at logit +-STABILITY_MARGIN / tau. */
const STABILITY_MARGIN = 1;
/** Weight of spatial distance (per encoder side: 1024 px) when a cell is nearer to a background point than to a positive one. */
const SPATIAL_WEIGHT = 1.0;
const BIG = 1e4;

/** The image embedding proper: the coarsest [1, C, G, G] tensor (SAM's only one; SAM 2's image_embed). */
function mainEmbedding(model: SamModelDescription): EmbeddingTensor {
  const grids = model.embedding.tensors.filter((t) => t.dims.length === 4 && t.dims[0] === 1 && t.dims[2] === t.dims[3]);
  if (!grids.length) throw new Error(`${model.family}: no [1, C, G, G] embedding tensor for the stand-in to use`);
  return grids.reduce((a, b) => (b.dims[2] < a.dims[2] ? b : a));
}

/** Frame facts of a family: encoder side, embedding grid and channels, patch size, low-res side. */
function frame(model: SamModelDescription) {
  const main = mainEmbedding(model);
  const side = model.encoder.resize.side;
  const grid = main.dims[2];
  const low = model.decoder.lowResSide;
  if (side % grid || low % grid || side % low) throw new Error(`${model.family}: side ${side}, grid ${grid}, low-res ${low} must divide`);
  return { main, side, grid, patch: side / grid, low, channels: main.dims[1] };
}

const spec = (input: NamedInput, dims: ValueSpec['dims']): ValueSpec => ({ name: input.name, type: input.dtype, dims });

/**
 * The stand-ins' signatures, from the description. SamOnnxModel's export names the dynamic dims
 * image_height / image_width (encoder input) and num_points; the masks output's h, w dims are named
 * here (the real export names them after its own nodes).
 */
export function standinSignatures(model: SamModelDescription): {
  encoder: { inputs: ValueSpec[]; outputs: ValueSpec[] };
  decoder: { inputs: ValueSpec[]; outputs: (maskCount: number) => ValueSpec[] };
} {
  const { side, low } = frame(model);
  const square = model.encoder.resize.rule === 'square';
  const h = square ? side : 'image_height';
  const w = square ? side : 'image_width';
  const embedding = model.embedding.tensors.map((t): ValueSpec => ({ name: t.name, type: 'float32', dims: [...t.dims] }));
  const p = model.decoder.inputs;
  const o = model.decoder.outputs;
  return {
    encoder: {
      inputs: [{ name: model.encoder.input, type: 'float32', dims: model.encoder.layout === 'hwc-255' ? [h, w, 3] : [1, 3, h, w] }],
      outputs: embedding,
    },
    decoder: {
      inputs: [
        ...embedding,
        spec(p.pointCoords, [1, 'num_points', 2]),
        spec(p.pointLabels, [1, 'num_points']),
        spec(p.maskInput, [1, 1, low, low]),
        spec(p.hasMaskInput, [1]),
        spec(p.origImSize, [2]),
      ],
      outputs: (count) => [
        { name: o.masks, type: 'float32', dims: [1, count, 'orig_im_height', 'orig_im_width'] },
        { name: o.scores, type: 'float32', dims: [1, count] },
        { name: o.lowResMasks, type: 'float32', dims: [1, count, low, low] },
      ],
    },
  };
}

/** Fixed 6 -> C projection with orthonormal columns (DCT-II basis vectors): distances are preserved. */
function projectionWeights(features: number, channels: number): Float32Array {
  const w = new Float32Array(channels * features);
  const norm = Math.sqrt(2 / channels);
  for (let c = 0; c < channels; c++) {
    for (let k = 0; k < features; k++) {
      w[c * features + k] = norm * Math.cos((Math.PI * (c + 0.5) * (k + 1)) / channels);
    }
  }
  return w;
}

const standinDoc = (model: SamModelDescription) =>
  `Generated test stand-in for a ${model.title} ONNX model (same signature, toy weights). Not the real model.`;
const graphName = (file: string) => `${path.basename(file, '.onnx')}_standin`;

function buildEncoder(model: SamModelDescription): Uint8Array {
  const { main, side, patch, channels } = frame(model);
  const signatures = standinSignatures(model);
  const g = new GraphBuilder();
  const input = model.encoder.input;
  let img: string; // [1, 3, side, side], normalised colour
  if (model.encoder.layout === 'hwc-255') {
    const { mean, std } = model.encoder.normalise;
    const x = g.op('Div', [g.op('Sub', [input, g.f32(mean, [3])]), g.f32(std, [3])]);
    const chw = g.op('Transpose', [x], { perm: ints([2, 0, 1]) }); // [3, H, W]
    // Pad bottom/right to side×side with zeros (= the mean colour after normalisation), amounts from the input shape.
    const hw = g.op('Slice', [g.op('Shape', [input]), g.i64([0], [1]), g.i64([2], [1])]);
    const padHw = g.op('Sub', [g.i64([side, side], [2]), hw]);
    const pads = g.op('Concat', [g.i64([0, 0, 0, 0], [4]), padHw], { axis: int(0) });
    const padded = g.op('Pad', [chw, pads], { mode: str('constant') });
    img = g.op('Unsqueeze', [padded, g.i64([0], [1])]);
  } else if (model.encoder.resize.rule === 'square') {
    img = input; // already side×side and normalised by the caller
  } else {
    const hw = g.op('Slice', [g.op('Shape', [input]), g.i64([2], [1]), g.i64([4], [1])]);
    const pads = g.op('Concat', [g.i64([0, 0, 0, 0, 0, 0], [6]), g.op('Sub', [g.i64([side, side], [2]), hw])], { axis: int(0) });
    img = g.op('Pad', [input, pads], { mode: str('constant') });
  }

  // Per patch: mean colour and colour spread (texture).
  const pool = { kernel_shape: ints([patch, patch]), strides: ints([patch, patch]) };
  const mean = g.op('AveragePool', [img], pool);
  const meanSq = g.op('AveragePool', [g.op('Mul', [img, img])], pool);
  const spread = g.op('Sqrt', [g.op('Relu', [g.op('Sub', [meanSq, g.op('Mul', [mean, mean])])])]);
  const features = g.op('Concat', [mean, g.op('Mul', [spread, g.scalar(TEXTURE_WEIGHT)])], { axis: int(1) });

  g.op('Conv', [features, g.f32(projectionWeights(6, channels), [channels, 6, 1, 1])], {}, main.name);
  for (const t of model.embedding.tensors) {
    if (t !== main) g.op('ConstantOfShape', [g.i64(t.dims, [t.dims.length])], {}, t.name); // float32 zeros
  }
  return g.build({
    graphName: graphName(model.encoder.file),
    inputs: signatures.encoder.inputs,
    outputs: signatures.encoder.outputs,
    docString: standinDoc(model),
    metadata: { standin: 'true', role: 'encoder' },
  });
}

function buildDecoder(model: SamModelDescription, single: boolean): Uint8Array {
  // Upper-case names as the graph below has always used them (for SAM: 1024, 64, 16, 256, 256).
  const { main, side: IMG, grid: GRID, patch: PATCH, low: LOW, channels: EMBED_DIM } = frame(model);
  /** Low-res cells per embedding cell (4 for SAM: 256 / 64) and encoder pixels per low-res cell (4: 1024 / 256). */
  const upToLow = LOW / GRID;
  const upToImg = IMG / LOW;
  const count = single ? 1 : model.decoder.files.multi.maskCount;
  if (single && model.decoder.files.single.maskCount !== 1) throw new Error(`${model.family}: the single decoder must give 1 mask`);
  if (count !== 1 && count !== TOKENS && count !== TOKENS - 1) throw new Error(`${model.family}: no stand-in for ${count} masks`);
  const p = model.decoder.inputs;
  const o = model.decoder.outputs;
  /** A 3×3-cell neighbourhood of the embedding grid, read at low resolution (kernel 12, stride 4 for SAM). */
  const cellNeighbourhood = {
    kernel_shape: ints([3 * upToLow, 3 * upToLow]),
    strides: ints([upToLow, upToLow]),
    pads: ints([upToLow, upToLow, upToLow, upToLow]),
  };
  const g = new GraphBuilder();
  // int32 prompt inputs (SAM 2's ORT export) are read as float.
  const asFloat = (input: NamedInput) => (input.dtype === 'float32' ? input.name : g.op('Cast', [input.name], { to: int(1) }));
  const pointCoords = asFloat(p.pointCoords);
  const pointLabels = asFloat(p.pointLabels);
  const maskInput = asFloat(p.maskInput);
  const hasMaskInput = asFloat(p.hasMaskInput);
  const origImSize = asFloat(p.origImSize);
  const k = (v: number) => g.scalar(v);
  const add = (a: string, b: string) => g.op('Add', [a, b]);
  const sub = (a: string, b: string) => g.op('Sub', [a, b]);
  const mul = (a: string, b: string) => g.op('Mul', [a, b]);
  const div = (a: string, b: string) => g.op('Div', [a, b]);
  const min = (a: string, b: string) => g.op('Min', [a, b]);
  const max = (a: string, b: string) => g.op('Max', [a, b]);
  const sqrt = (a: string) => g.op('Sqrt', [a]);
  const reshape = (a: string, shape: number[]) => g.op('Reshape', [a, g.i64(shape, [shape.length])]);
  const sliceCol = (a: string, col: number) => g.op('Slice', [a, g.i64([col], [1]), g.i64([col + 1], [1]), g.i64([1], [1])]);
  const sumAll = (a: string) => g.op('ReduceSum', [a, g.i64([0, 1], [2])], { keepdims: int(1) }); // [N,1] -> [1,1]
  const minOverPoints = (a: string) => g.op('ReduceMin', [a], { axes: ints([0]), keepdims: int(1) }); // [N,4096] -> [1,4096]
  const isLabel = (labels: string, v: number) => g.op('Cast', [g.op('Equal', [labels, k(v)])], { to: int(1) });
  const cellOf = (coord: string) => g.op('Clip', [g.op('Floor', [div(coord, k(PATCH))]), k(0), k(GRID - 1)]);

  // Embedding as [256, 4096] and per-cell centres (1024 frame) for SAM.
  const E = reshape(main.name, [EMBED_DIM, GRID * GRID]);
  const eNorm2 = g.op('ReduceSum', [mul(E, E), g.i64([0], [1])], { keepdims: int(1) }); // [1,4096]
  const gx = new Float32Array(GRID * GRID);
  const gy = new Float32Array(GRID * GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    gx[i] = ((i % GRID) + 0.5) * PATCH;
    gy[i] = (Math.floor(i / GRID) + 0.5) * PATCH;
  }
  const gridX = g.f32(gx, [1, GRID * GRID]);
  const gridY = g.f32(gy, [1, GRID * GRID]);

  /** Colour distance [P,4096] and spatial distance (per 1024 px) [P,4096] from points at (x [P,1], y [P,1]). */
  const distances = (x: string, y: string): { colour: string; spatial: string } => {
    const idx = g.op('Cast', [add(mul(cellOf(y), k(GRID)), cellOf(x))], { to: int(7) });
    const P = g.op('Transpose', [g.op('Gather', [E, reshape(idx, [-1])], { axis: int(1) })], { perm: ints([1, 0]) });
    const pNorm2 = g.op('ReduceSum', [mul(P, P), g.i64([1], [1])], { keepdims: int(1) }); // [P,1]
    const cross = g.op('MatMul', [P, E]); // [P,4096]
    const colour = sqrt(g.op('Relu', [sub(add(pNorm2, eNorm2), mul(cross, k(2)))]));
    const dx = sub(gridX, x);
    const dy = sub(gridY, y);
    const spatial = div(sqrt(add(mul(dx, dx), mul(dy, dy))), k(IMG));
    return { colour, spatial };
  };

  // Points: continuous coordinates in the 1024 frame (SAM adds 0.5: a pixel index names its centre).
  const coords = add(reshape(pointCoords, [-1, 2]), k(0.5)); // [N,2]
  const labels = reshape(pointLabels, [-1, 1]); // [N,1]
  const px = sliceCol(coords, 0);
  const py = sliceCol(coords, 1);
  const pts = distances(px, py);

  const isPos = isLabel(labels, 1);
  const isNeg = isLabel(labels, 0);
  const isTL = isLabel(labels, 2);
  const isBR = isLabel(labels, 3);
  const penalty = (mask: string) => mul(sub(k(1), mask), k(BIG)); // 0 where selected, BIG elsewhere

  const posPen = penalty(isPos);
  const negPen = penalty(isNeg);
  const dPosPts = minOverPoints(add(pts.colour, posPen));
  const sPosPts = minOverPoints(add(pts.spatial, posPen));
  const dNeg = minOverPoints(add(pts.colour, negPen));
  const sNeg = minOverPoints(add(pts.spatial, negPen));

  // Box from the label-2 (top-left) and label-3 (bottom-right) points.
  const nTL = sumAll(isTL);
  const nBR = sumAll(isBR);
  const meanOf = (mask: string, n: string, v: string) => div(sumAll(mul(mask, v)), max(n, k(1)));
  const x0 = meanOf(isTL, nTL, px);
  const y0 = meanOf(isTL, nTL, py);
  const x1 = meanOf(isBR, nBR, px);
  const y1 = meanOf(isBR, nBR, py);
  const hasBox = mul(min(nTL, k(1)), min(nBR, k(1))); // [1,1]
  const xa = min(x0, x1);
  const xb = max(x0, x1);
  const ya = min(y0, y1);
  const yb = max(y0, y1);

  // Box without a positive point: the box centre acts as the positive point.
  const centre = distances(mul(add(xa, xb), k(0.5)), mul(add(ya, yb), k(0.5)));
  const anyPos = g.op('ReduceMax', [isPos], { axes: ints([0, 1]), keepdims: int(1) });
  const centrePen = penalty(mul(hasBox, sub(k(1), anyPos)));
  const dPos = min(dPosPts, add(centre.colour, centrePen)); // [1,4096]
  const sPos = min(sPosPts, add(centre.spatial, centrePen));

  // Positive term per candidate: a cell is in when d < contrast / 2. Away from the clicked colour the contrast
  // is 2 tau (so d < tau); on an edge of the clicked colour (a neighbour within tau of it) it is the local
  // contrast clamped to [2 tau, 4 tau], so the edge falls midway between the two colours.
  const C = TOKENS;
  const dImg = reshape(dPos, [1, 1, GRID, GRID]);
  const pool3 = { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([1, 1]) };
  const localMax = g.op('MaxPool', [dImg], pool3);
  const localMin = g.op('Neg', [g.op('MaxPool', [g.op('Neg', [dImg])], pool3)]);
  const tau = g.f32(TAUS, [1, C, 1, 1]);
  const twoTau = g.f32(
    TAUS.map((t) => 2 * t),
    [1, C, 1, 1],
  );
  const fourTau = g.f32(
    TAUS.map((t) => 4 * t),
    [1, C, 1, 1],
  );
  const onEdge = g.op('Cast', [g.op('Less', [localMin, tau])], { to: int(1) }); // [1,C,64,64]
  const edgeContrast = min(max(localMax, twoTau), fourTau);
  const contrast = add(twoTau, mul(onEdge, sub(edgeContrast, twoTau)));
  const posTerm = sub(k(0.5), min(div(dImg, contrast), k(1)));

  // Background term: cells nearer (in colour, then space) to a background point than to a positive one leave.
  const a = add(dNeg, mul(sNeg, k(SPATIAL_WEIGHT)));
  const b = add(dPos, mul(sPos, k(SPATIAL_WEIGHT)));
  const negTerm = reshape(mul(div(sub(a, b), add(add(a, b), k(1e-6))), k(0.5)), [1, 1, GRID, GRID]);

  const logits64 = mul(min(posTerm, negTerm), k(LOGIT_SCALE)); // [1,C,64,64]
  const scalesToLow = g.f32([1, 1, upToLow, upToLow], [4]);
  const logits256 = g.op('Resize', [logits64, '', scalesToLow], {
    mode: str('linear'),
    coordinate_transformation_mode: str('half_pixel'),
  });

  // Box term at low resolution: signed distance to the box edge, positive inside.
  const u = new Float32Array(LOW);
  for (let i = 0; i < LOW; i++) u[i] = i * (IMG / LOW) + IMG / LOW / 2;
  const ux = g.f32(u, [1, 1, 1, LOW]);
  const uy = g.f32(u, [1, 1, LOW, 1]);
  const signedDist = min(min(sub(ux, xa), sub(xb, ux)), min(sub(uy, ya), sub(yb, uy))); // [1,1,256,256]
  const boxTerm = mul(g.op('Clip', [div(signedDist, k(8)), k(-1), k(1)]), k(LOGIT_SCALE / 2));
  const boxLimit = max(boxTerm, mul(sub(k(1), hasBox), k(BIG)));
  const bounded = min(logits256, boxLimit);

  // Refinement: the previous low-res logits bias the result when has_mask_input is 1.
  const lowRes = add(bounded, mul(maskInput, hasMaskInput)); // [1,C,256,256]

  // iou prediction = stability x homogeneity x boundary contrast (+ a small prior), each in [0, 1].
  // Stability: the mask under a small logit shift either way.
  // The margin is the same colour-distance step for every candidate (logit slope scales with 1 / tau).
  const margin = g.f32(
    TAUS.map((t) => STABILITY_MARGIN / t),
    [1, C, 1, 1],
  );
  const countAbove = (t: string) =>
    g.op('ReduceSum', [g.op('Cast', [g.op('Greater', [lowRes, t])], { to: int(1) }), g.i64([2, 3], [2])], {
      keepdims: int(0),
    }); // [1,C]
  const stability = div(countAbove(margin), max(countAbove(g.op('Neg', [margin])), k(1)));
  // Homogeneity: mean colour distance to the clicked colour over the mask's interior cells (a cell whose
  // 3x3 cell neighbourhood is wholly in the mask), so a mask that swallows a different-coloured region scores low.
  const interior = g.op('Cast', [g.op('Greater', [g.op('Neg', [g.op('MaxPool', [g.op('Neg', [lowRes])], cellNeighbourhood)]), k(0)])], {
    to: int(1),
  }); // [1,C,64,64]
  const spatialSum = (t: string) => g.op('ReduceSum', [t, g.i64([2, 3], [2])], { keepdims: int(0) }); // [1,C]
  const offColour = min(div(dImg, k(COLOUR_REF)), k(1));
  const homogeneity = sub(k(1), div(spatialSum(mul(interior, offColour)), max(spatialSum(interior), k(1))));
  // Boundary contrast: how different (from the clicked colour) the pixels just outside the mask are, so a
  // mask whose edge stops short of the colour change scores low. No boundary at all (empty mask) scores 0.
  const inMask = g.op('Cast', [g.op('Greater', [lowRes, k(0)])], { to: int(1) });
  const ring = sub(g.op('MaxPool', [inMask], pool3), inMask); // [1,C,256,256]
  const dLow = g.op('Resize', [dImg, '', scalesToLow], { mode: str('linear'), coordinate_transformation_mode: str('half_pixel') });
  const ringContrast = min(div(dLow, k(COLOUR_REF)), k(1));
  const boundary = div(spatialSum(mul(ring, ringContrast)), max(spatialSum(ring), k(1)));
  const quality = mul(mul(stability, homogeneity), boundary);
  const iou = max(add(quality, g.f32(IOU_PRIOR, [1, C])), k(0));

  let lowOut: string;
  if (single) {
    // As SamOnnxModel.select_masks: with more than 2 points (padding included) take token 0, else the best of 1..3.
    const numPoints = g.op('Cast', [g.op('Gather', [g.op('Shape', [p.pointCoords.name]), g.i64([1], [])], { axis: int(0) })], {
      to: int(1),
    });
    const reweight = g.f32([1000, ...Array(C - 1).fill(0)], [1, C]);
    const score = add(iou, mul(sub(numPoints, k(2.5)), reweight));
    const best = g.op('ArgMax', [score], { axis: int(1), keepdims: int(0) }); // [1]
    lowOut = g.op('Gather', [lowRes, best], { axis: int(1) }, o.lowResMasks);
    g.op('Gather', [iou, best], { axis: int(1) }, o.scores);
  } else if (count === TOKENS) {
    lowOut = g.op('Identity', [lowRes], {}, o.lowResMasks);
    g.op('Identity', [iou], {}, o.scores);
  } else {
    // Three candidates (SAM 2's multimask output): the ambiguity tokens 1..3.
    const ambiguity = g.i64([1, 2, 3], [3]);
    lowOut = g.op('Gather', [lowRes, ambiguity], { axis: int(1) }, o.lowResMasks);
    g.op('Gather', [iou, ambiguity], { axis: int(1) }, o.scores);
  }

  const resizeAttrs = { mode: str('linear'), coordinate_transformation_mode: str('pytorch_half_pixel') };
  const origHw = () => g.op('Cast', [p.origImSize.name], { to: int(7) });
  if (model.encoder.resize.rule === 'square') {
    // The low-res masks cover the stretched photo: straight to orig_im_size.
    const lead = g.op('Slice', [g.op('Shape', [lowOut]), g.i64([0], [1]), g.i64([2], [1])]);
    g.op('Resize', [lowOut, '', '', g.op('Concat', [lead, origHw()], { axis: int(0) })], resizeAttrs, o.masks);
  } else {
    // As SamOnnxModel.mask_postprocessing: to 1024x1024, crop the resized image's region, resize to orig_im_size.
    const scalesToImg = upToImg === upToLow ? scalesToLow : g.f32([1, 1, upToImg, upToImg], [4]);
    const up = g.op('Resize', [lowOut, '', scalesToImg], resizeAttrs); // [1,C,1024,1024]
    const longest = g.op('ReduceMax', [origImSize], { axes: ints([0]), keepdims: int(1) });
    const prepadded = g.op('Cast', [g.op('Floor', [add(mul(origImSize, div(k(IMG), longest)), k(0.5))])], { to: int(7) });
    const cropped = g.op('Slice', [up, g.i64([0, 0], [2]), prepadded, g.i64([2, 3], [2])]);
    const hw = origHw();
    const lead = g.op('Slice', [g.op('Shape', [cropped]), g.i64([0], [1]), g.i64([2], [1])]);
    const sizes = g.op('Concat', [lead, hw], { axis: int(0) });
    g.op('Resize', [cropped, '', '', sizes], resizeAttrs, o.masks);
  }

  const use = single ? model.decoder.files.single : model.decoder.files.multi;
  const signatures = standinSignatures(model);
  return g.build({
    graphName: graphName(use.file),
    inputs: signatures.decoder.inputs,
    outputs: signatures.decoder.outputs(count),
    docString: standinDoc(model),
    metadata: { standin: 'true', role: single ? 'decoder-single' : 'decoder-multi' },
  });
}

/** Writes a family's three stand-in models, under the real files' names, and STANDIN.json into `dir` (created if needed). */
export async function writeSamStandins(dir: string, model: SamModelDescription = SAM_MODEL): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const bytes = { encoder: buildEncoder(model), 'decoder-single': buildDecoder(model, true), 'decoder-multi': buildDecoder(model, false) };
  const roles = {
    encoder: 'image encoder',
    'decoder-single': 'mask decoder, single mask',
    'decoder-multi': `mask decoder, ${model.decoder.files.multi.maskCount} masks`,
  };
  const models = samModelFiles(model).map(({ use, file }) => ({ file, role: roles[use], bytes: bytes[use] }));
  for (const m of models) writeFileSync(path.join(dir, m.file), m.bytes);
  const marker = {
    standin: true,
    family: model.family,
    description:
      `Generated test stand-ins for the ${model.title} ONNX models: same input/output names, dtypes and shapes as the ` +
      'real exports, toy weights (colour/texture patch features). Not the real SAM models; never ship them.',
    generator: 'tests/support/sam-standin/generate.ts',
    files: models.map((m) => ({
      file: m.file,
      role: m.role,
      bytes: m.bytes.byteLength,
      sha256: createHash('sha256').update(m.bytes).digest('hex'),
    })),
  };
  writeFileSync(path.join(dir, STANDIN_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

if (import.meta.main) {
  const [dir, familyId = SAM_MODEL.family] = process.argv.slice(2);
  const family = SAM_FAMILIES.find((f) => f.family === familyId);
  if (!dir || !family) {
    console.error(`usage: node tests/support/sam-standin/generate.ts <dir> [${SAM_FAMILIES.map((f) => f.family).join('|')}]`);
    process.exit(2);
  }
  await writeSamStandins(path.resolve(dir), family);
  console.log(`${family.title} stand-ins written to ${path.resolve(dir)}`);
}
