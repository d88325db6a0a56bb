// Generates small stand-ins for the MobileSAM ONNX models, for tests on machines without the real
// weights. They have exactly the real files' input/output names, dtypes, ranks, dynamic dims and
// output order (see SIGNATURES below and the sources named there), and they give meaningful masks
// from simple image features: the encoder turns each 16x16 patch into a fixed projection of its mean
// colour and colour spread; the decoder selects the patches whose embedding is close to the
// embedding under the positive clicks, then upscales like the real SamOnnxModel does.
//
// Usage: node tests/support/sam-standin/generate.ts <dir>
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { GraphBuilder, int, ints, str, type ValueSpec } from './onnx-builder.ts';

export const STANDIN_MARKER = 'STANDIN.json';

export const ENCODER_FILE = 'mobile_sam_image_encoder.onnx';
export const DECODER_SINGLE_FILE = 'sam_mask_decoder_single.onnx';
export const DECODER_MULTI_FILE = 'sam_mask_decoder_multi.onnx';

/** SAM's side length of the (padded) encoder input and the decoder's coordinate frame. */
const IMG = 1024;
/** Embedding grid (64x64) and its patch size in the 1024 frame. */
const GRID = 64;
const PATCH = IMG / GRID;
/** Low-resolution mask side (mask_input, low_res_masks). */
const LOW = 256;
const EMBED_DIM = 256;
/** The real multi-mask export returns every mask token: 1 "multi-click" mask + 3 ambiguity masks. */
const MULTI_COUNT = 4;

const PIXEL_MEAN = [123.675, 116.28, 103.53];
const PIXEL_STD = [58.395, 57.12, 57.375];

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
/** Weight of spatial distance (per 1024 px) when a cell is nearer to a background point than to a positive one. */
const SPATIAL_WEIGHT = 1.0;
const BIG = 1e4;

/**
 * The real models' signatures (names, dtypes, dims; symbolic input dims as the exports name them).
 * Sources: SamOnnxModel / ImageEncoderOnnxModel in segment_anything/utils/onnx.py and
 * scripts/export_onnx_model.py (facebookresearch/segment-anything, ChaoningZhang/MobileSAM): every decoder
 * input is float32, only point_coords/point_labels dim 1 ("num_points") is dynamic, outputs are
 * (masks, iou_predictions, low_res_masks), return_single_mask=False returns all 4 mask tokens; the encoder
 * with use_preprocess=True takes input_image [image_height, image_width, 3], normalises and pads to 1024.
 * Acly/dlimgedit script/export_models.py exports the three files (opset 17, use_preprocess=True,
 * single = return_single_mask True, multi = False); its segmentation.cpp reads 4 masks from the multi file.
 * The masks output's h, w dims are named here; the real export names them after its own nodes.
 */
export const SIGNATURES: {
  encoder: { inputs: ValueSpec[]; outputs: ValueSpec[] };
  decoder: { inputs: ValueSpec[]; outputNames: string[] };
} = {
  encoder: {
    inputs: [{ name: 'input_image', type: 'float32', dims: ['image_height', 'image_width', 3] }],
    outputs: [{ name: 'image_embeddings', type: 'float32', dims: [1, EMBED_DIM, GRID, GRID] }],
  },
  decoder: {
    inputs: [
      { name: 'image_embeddings', type: 'float32', dims: [1, EMBED_DIM, GRID, GRID] },
      { name: 'point_coords', type: 'float32', dims: [1, 'num_points', 2] },
      { name: 'point_labels', type: 'float32', dims: [1, 'num_points'] },
      { name: 'mask_input', type: 'float32', dims: [1, 1, LOW, LOW] },
      { name: 'has_mask_input', type: 'float32', dims: [1] },
      { name: 'orig_im_size', type: 'float32', dims: [2] },
    ],
    outputNames: ['masks', 'iou_predictions', 'low_res_masks'],
  },
};

function decoderOutputs(count: number): ValueSpec[] {
  return [
    { name: 'masks', type: 'float32', dims: [1, count, 'orig_im_height', 'orig_im_width'] },
    { name: 'iou_predictions', type: 'float32', dims: [1, count] },
    { name: 'low_res_masks', type: 'float32', dims: [1, count, LOW, LOW] },
  ];
}

/** Fixed 6 -> 256 projection with orthonormal columns (DCT-II basis vectors): distances are preserved. */
function projectionWeights(features: number): Float32Array {
  const w = new Float32Array(EMBED_DIM * features);
  const norm = Math.sqrt(2 / EMBED_DIM);
  for (let c = 0; c < EMBED_DIM; c++) {
    for (let k = 0; k < features; k++) {
      w[c * features + k] = norm * Math.cos((Math.PI * (c + 0.5) * (k + 1)) / EMBED_DIM);
    }
  }
  return w;
}

const STANDIN_DOC =
  'Generated test stand-in for a MobileSAM ONNX model (same signature, toy weights). Not the real model.';

function buildEncoder(): Uint8Array {
  const g = new GraphBuilder();
  const x = g.op('Div', [g.op('Sub', ['input_image', g.f32(PIXEL_MEAN, [3])]), g.f32(PIXEL_STD, [3])]);
  const chw = g.op('Transpose', [x], { perm: ints([2, 0, 1]) }); // [3, H, W]

  // Pad bottom/right to 1024x1024 with zeros (= the mean colour after normalisation), amounts from the input shape.
  const hw = g.op('Slice', [g.op('Shape', ['input_image']), g.i64([0], [1]), g.i64([2], [1])]);
  const padHw = g.op('Sub', [g.i64([IMG, IMG], [2]), hw]);
  const pads = g.op('Concat', [g.i64([0, 0, 0, 0], [4]), padHw], { axis: int(0) });
  const padded = g.op('Pad', [chw, pads], { mode: str('constant') });
  const img = g.op('Unsqueeze', [padded, g.i64([0], [1])]); // [1, 3, 1024, 1024]

  // Per 16x16 patch: mean colour and colour spread (texture).
  const pool = { kernel_shape: ints([PATCH, PATCH]), strides: ints([PATCH, PATCH]) };
  const mean = g.op('AveragePool', [img], pool);
  const meanSq = g.op('AveragePool', [g.op('Mul', [img, img])], pool);
  const spread = g.op('Sqrt', [g.op('Relu', [g.op('Sub', [meanSq, g.op('Mul', [mean, mean])])])]);
  const features = g.op('Concat', [mean, g.op('Mul', [spread, g.scalar(TEXTURE_WEIGHT)])], { axis: int(1) });

  g.op('Conv', [features, g.f32(projectionWeights(6), [EMBED_DIM, 6, 1, 1])], {}, 'image_embeddings');
  return g.build({
    graphName: 'mobile_sam_image_encoder_standin',
    inputs: SIGNATURES.encoder.inputs,
    outputs: SIGNATURES.encoder.outputs,
    docString: STANDIN_DOC,
    metadata: { standin: 'true', role: 'encoder' },
  });
}

function buildDecoder(single: boolean): Uint8Array {
  const g = new GraphBuilder();
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

  // Embedding as [256, 4096] and per-cell centres (1024 frame).
  const E = reshape('image_embeddings', [EMBED_DIM, GRID * GRID]);
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
  const coords = add(reshape('point_coords', [-1, 2]), k(0.5)); // [N,2]
  const labels = reshape('point_labels', [-1, 1]); // [N,1]
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
  const C = TAUS.length;
  const dImg = reshape(dPos, [1, 1, GRID, GRID]);
  const pool3 = { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), strides: ints([1, 1]) };
  const localMax = g.op('MaxPool', [dImg], pool3);
  const localMin = g.op('Neg', [g.op('MaxPool', [g.op('Neg', [dImg])], pool3)]);
  const tau = g.f32(TAUS, [1, C, 1, 1]);
  const twoTau = g.f32(TAUS.map((t) => 2 * t), [1, C, 1, 1]);
  const fourTau = g.f32(TAUS.map((t) => 4 * t), [1, C, 1, 1]);
  const onEdge = g.op('Cast', [g.op('Less', [localMin, tau])], { to: int(1) }); // [1,C,64,64]
  const edgeContrast = min(max(localMax, twoTau), fourTau);
  const contrast = add(twoTau, mul(onEdge, sub(edgeContrast, twoTau)));
  const posTerm = sub(k(0.5), min(div(dImg, contrast), k(1)));

  // Background term: cells nearer (in colour, then space) to a background point than to a positive one leave.
  const a = add(dNeg, mul(sNeg, k(SPATIAL_WEIGHT)));
  const b = add(dPos, mul(sPos, k(SPATIAL_WEIGHT)));
  const negTerm = reshape(mul(div(sub(a, b), add(add(a, b), k(1e-6))), k(0.5)), [1, 1, GRID, GRID]);

  const logits64 = mul(min(posTerm, negTerm), k(LOGIT_SCALE)); // [1,C,64,64]
  const scales4 = g.f32([1, 1, 4, 4], [4]);
  const logits256 = g.op('Resize', [logits64, '', scales4], {
    mode: str('linear'),
    coordinate_transformation_mode: str('half_pixel'),
  });

  // Box term at low resolution: signed distance to the box edge, positive inside.
  const u = new Float32Array(LOW);
  for (let i = 0; i < LOW; i++) u[i] = i * (IMG / LOW) + (IMG / LOW) / 2;
  const ux = g.f32(u, [1, 1, 1, LOW]);
  const uy = g.f32(u, [1, 1, LOW, 1]);
  const signedDist = min(min(sub(ux, xa), sub(xb, ux)), min(sub(uy, ya), sub(yb, uy))); // [1,1,256,256]
  const boxTerm = mul(g.op('Clip', [div(signedDist, k(8)), k(-1), k(1)]), k(LOGIT_SCALE / 2));
  const boxLimit = max(boxTerm, mul(sub(k(1), hasBox), k(BIG)));
  const bounded = min(logits256, boxLimit);

  // Refinement: the previous low-res logits bias the result when has_mask_input is 1.
  const lowRes = add(bounded, mul('mask_input', 'has_mask_input')); // [1,C,256,256]

  // iou prediction = stability x homogeneity x boundary contrast (+ a small prior), each in [0, 1].
  // Stability: the mask under a small logit shift either way.
  // The margin is the same colour-distance step for every candidate (logit slope scales with 1 / tau).
  const margin = g.f32(TAUS.map((t) => STABILITY_MARGIN / t), [1, C, 1, 1]);
  const countAbove = (t: string) =>
    g.op('ReduceSum', [g.op('Cast', [g.op('Greater', [lowRes, t])], { to: int(1) }), g.i64([2, 3], [2])], {
      keepdims: int(0),
    }); // [1,C]
  const stability = div(countAbove(margin), max(countAbove(g.op('Neg', [margin])), k(1)));
  // Homogeneity: mean colour distance to the clicked colour over the mask's interior cells (a cell whose
  // 3x3 cell neighbourhood is wholly in the mask), so a mask that swallows a different-coloured region scores low.
  const interior = g.op('Cast', [
    g.op('Greater', [
      g.op('Neg', [
        g.op('MaxPool', [g.op('Neg', [lowRes])], { kernel_shape: ints([12, 12]), strides: ints([4, 4]), pads: ints([4, 4, 4, 4]) }),
      ]),
      k(0),
    ]),
  ], { to: int(1) }); // [1,C,64,64]
  const spatialSum = (t: string) => g.op('ReduceSum', [t, g.i64([2, 3], [2])], { keepdims: int(0) }); // [1,C]
  const offColour = min(div(dImg, k(COLOUR_REF)), k(1));
  const homogeneity = sub(k(1), div(spatialSum(mul(interior, offColour)), max(spatialSum(interior), k(1))));
  // Boundary contrast: how different (from the clicked colour) the pixels just outside the mask are, so a
  // mask whose edge stops short of the colour change scores low. No boundary at all (empty mask) scores 0.
  const inMask = g.op('Cast', [g.op('Greater', [lowRes, k(0)])], { to: int(1) });
  const ring = sub(g.op('MaxPool', [inMask], pool3), inMask); // [1,C,256,256]
  const dLow = g.op('Resize', [dImg, '', scales4], { mode: str('linear'), coordinate_transformation_mode: str('half_pixel') });
  const ringContrast = min(div(dLow, k(COLOUR_REF)), k(1));
  const boundary = div(spatialSum(mul(ring, ringContrast)), max(spatialSum(ring), k(1)));
  const quality = mul(mul(stability, homogeneity), boundary);
  const iou = max(add(quality, g.f32(IOU_PRIOR, [1, C])), k(0));

  let lowOut: string;
  if (single) {
    // As SamOnnxModel.select_masks: with more than 2 points (padding included) take token 0, else the best of 1..3.
    const numPoints = g.op('Cast', [g.op('Gather', [g.op('Shape', ['point_coords']), g.i64([1], [])], { axis: int(0) })], {
      to: int(1),
    });
    const reweight = g.f32([1000, ...Array(C - 1).fill(0)], [1, C]);
    const score = add(iou, mul(sub(numPoints, k(2.5)), reweight));
    const best = g.op('ArgMax', [score], { axis: int(1), keepdims: int(0) }); // [1]
    lowOut = g.op('Gather', [lowRes, best], { axis: int(1) }, 'low_res_masks');
    g.op('Gather', [iou, best], { axis: int(1) }, 'iou_predictions');
  } else {
    lowOut = g.op('Identity', [lowRes], {}, 'low_res_masks');
    g.op('Identity', [iou], {}, 'iou_predictions');
  }

  // As SamOnnxModel.mask_postprocessing: to 1024x1024, crop the resized image's region, resize to orig_im_size.
  const resizeAttrs = { mode: str('linear'), coordinate_transformation_mode: str('pytorch_half_pixel') };
  const up = g.op('Resize', [lowOut, '', scales4], resizeAttrs); // [1,C,1024,1024]
  const longest = g.op('ReduceMax', ['orig_im_size'], { axes: ints([0]), keepdims: int(1) });
  const prepadded = g.op('Cast', [g.op('Floor', [add(mul('orig_im_size', div(k(IMG), longest)), k(0.5))])], { to: int(7) });
  const cropped = g.op('Slice', [up, g.i64([0, 0], [2]), prepadded, g.i64([2, 3], [2])]);
  const origHw = g.op('Cast', ['orig_im_size'], { to: int(7) });
  const lead = g.op('Slice', [g.op('Shape', [cropped]), g.i64([0], [1]), g.i64([2], [1])]);
  const sizes = g.op('Concat', [lead, origHw], { axis: int(0) });
  g.op('Resize', [cropped, '', '', sizes], resizeAttrs, 'masks');

  const count = single ? 1 : MULTI_COUNT;
  return g.build({
    graphName: single ? 'sam_mask_decoder_single_standin' : 'sam_mask_decoder_multi_standin',
    inputs: SIGNATURES.decoder.inputs,
    outputs: decoderOutputs(count),
    docString: STANDIN_DOC,
    metadata: { standin: 'true', role: single ? 'decoder-single' : 'decoder-multi' },
  });
}

/** Writes the three stand-in models and STANDIN.json into `dir` (created if needed). */
export async function writeSamStandins(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const models: { file: string; role: string; bytes: Uint8Array }[] = [
    { file: ENCODER_FILE, role: 'image encoder', bytes: buildEncoder() },
    { file: DECODER_SINGLE_FILE, role: 'mask decoder, single mask', bytes: buildDecoder(true) },
    { file: DECODER_MULTI_FILE, role: 'mask decoder, 4 masks', bytes: buildDecoder(false) },
  ];
  for (const m of models) writeFileSync(path.join(dir, m.file), m.bytes);
  const marker = {
    standin: true,
    description:
      'Generated test stand-ins for the MobileSAM ONNX models: same input/output names, dtypes and shapes as the ' +
      'real exports, toy weights (colour/texture patch features). Not the real SAM models; never ship them.',
    generator: 'tests/support/sam-standin/generate.ts',
    files: models.map((m) => ({
      file: m.file,
      role: m.role,
      bytes: m.bytes.byteLength,
      sha256: createHash('sha256').update(m.bytes).digest('hex'),
    })),
  };
  writeFileSync(path.join(dir, STANDIN_MARKER), JSON.stringify(marker, null, 2) + '\n');
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tests/support/sam-standin/generate.ts <dir>');
    process.exit(2);
  }
  await writeSamStandins(path.resolve(dir));
  console.log(`SAM stand-ins written to ${path.resolve(dir)}`);
}
