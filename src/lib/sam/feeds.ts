// Builds the SAM decoder's inputs from clicks and boxes, following the SAM ONNX contract:
// points in the encoder's frame, labels 1 object / 0 background / 2,3 box corners, and a padding point
// (0,0) labelled -1 when there is no box. Names, shapes and dtypes come from the model description.
// Returns plain typed arrays so ORT (web or node) can wrap them.
import { toSamFrame, type Size } from './coords.ts';
import { SAM_MODEL, splitEmbedding, type NamedInput, type SamModelDescription, type TensorDtype } from './model.ts';

export interface PromptPoint {
  x: number; // photo pixels
  y: number;
  label: 0 | 1;
}

export interface PromptBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface DecoderPrompt {
  points: PromptPoint[];
  box?: PromptBox | null;
  /** Low-res logits (lowResSide², 256×256 for SAM) of the previous decode of the same piece, for refinement. */
  maskInput?: Float32Array | null;
}

export interface FeedTensor {
  type: TensorDtype;
  data: Float32Array | Int32Array;
  dims: number[];
}

/** Keyed by the decoder's input names (the model description's). */
export type DecoderFeeds = Record<string, FeedTensor>;

const emptyMasks = new Map<number, Float32Array>();
function emptyMask(side: number): Float32Array {
  let mask = emptyMasks.get(side);
  if (!mask) {
    mask = new Float32Array(side * side);
    emptyMasks.set(side, mask);
  }
  return mask;
}

/** One prompt input in its declared dtype; a Float32Array for a float32 input is used as is. */
function feed(input: NamedInput, values: ArrayLike<number>, dims: number[]): [string, FeedTensor] {
  if (input.dtype === 'int32') return [input.name, { type: 'int32', data: Int32Array.from(values), dims }];
  return [input.name, { type: 'float32', data: values instanceof Float32Array ? values : Float32Array.from(values), dims }];
}

/**
 * `photo` is the frame the prompt's coordinates are in. `outputSize` is the size the decoder upscales
 * its masks to (orig_im_size); it defaults to the photo, and a smaller one saves work on big photos.
 */
export function buildDecoderFeeds(
  embedding: Float32Array,
  prompt: DecoderPrompt,
  photo: Size,
  outputSize: Size = photo,
  model: SamModelDescription = SAM_MODEL,
): DecoderFeeds {
  const tensors = splitEmbedding(model, embedding);
  const coords: number[] = [];
  const labels: number[] = [];
  for (const p of prompt.points) {
    coords.push(...toSamFrame(p.x, p.y, photo, model));
    labels.push(p.label);
  }
  if (prompt.box) {
    const x0 = Math.min(prompt.box.x0, prompt.box.x1);
    const y0 = Math.min(prompt.box.y0, prompt.box.y1);
    const x1 = Math.max(prompt.box.x0, prompt.box.x1);
    const y1 = Math.max(prompt.box.y0, prompt.box.y1);
    coords.push(...toSamFrame(x0, y0, photo, model), ...toSamFrame(x1, y1, photo, model));
    labels.push(2, 3);
  } else {
    coords.push(0, 0);
    labels.push(-1);
  }
  if (labels.length === 1) throw new Error('a decode needs at least one point or a box');
  const n = labels.length;
  const side = model.decoder.lowResSide;
  const { pointCoords, pointLabels, maskInput, hasMaskInput, origImSize } = model.decoder.inputs;
  const hasMask = prompt.maskInput != null;
  if (hasMask && prompt.maskInput!.length !== side * side) throw new Error(`${maskInput.name} must be ${side}×${side}`);
  return Object.fromEntries([
    ...tensors.map((t): [string, FeedTensor] => [t.name, { type: 'float32', data: t.data, dims: t.dims }]),
    feed(pointCoords, coords, [1, n, 2]),
    feed(pointLabels, labels, [1, n]),
    feed(maskInput, hasMask ? prompt.maskInput! : emptyMask(side), [1, 1, side, side]),
    feed(hasMaskInput, [hasMask ? 1 : 0], [1]),
    feed(origImSize, [outputSize.height, outputSize.width], [2]),
  ]);
}
