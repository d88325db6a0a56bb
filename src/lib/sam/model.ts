// The SAM model seam. One description per model family says what the code must know about its ONNX
// files: tensor names, shapes and dtypes, how the photo is resized and handed to the encoder, the
// per-photo tensors (the "embedding") and their wire dtype, the low-res mask size and which decoder
// file serves which use. The encoder, the worker, the decoder feeds, the .npy code, the manifest and
// the stand-in generator all read it. A second family is a second file in ./families, its manifest
// entries (models/manifest.json) and the SAM_MODEL line below.
// Pure data and arithmetic: no DOM, no network, no ONNX Runtime.
import { MOBILE_SAM } from './families/mobile-sam.ts';

/** Element types the decoder's prompt inputs may have (exports differ: SAM 1 float32 everywhere, SAM 2's ORT export int32 labels). */
export type TensorDtype = 'float32' | 'int32';
/** Precision of the embedding on the wire (.npy); the decoder always takes float32. */
export type EmbeddingWireDtype = 'float16' | 'float32';

export interface NamedInput {
  name: string;
  dtype: TensorDtype;
}

/** One per-photo tensor: an encoder output the decoder takes back as an input of the same name (float32). */
export interface EmbeddingTensor {
  name: string;
  dims: readonly number[];
}

export interface DecoderFile {
  file: string;
  /** Candidates per prompt: the first dim after the batch of masks, iou and low-res outputs. */
  maskCount: number;
}

/**
 * How the resized photo goes in:
 * - `hwc-255`: float32 [h, w, 3], RGB 0..255; the export normalises with `normalise` (0..255 units) and pads itself.
 * - `nchw-unit`: float32 [1, 3, h, w], RGB scaled to 0..1 then normalised here with `normalise` (0..1 units).
 */
export type EncoderLayout = 'hwc-255' | 'nchw-unit';

/**
 * How the photo is resized for the encoder, which is also the frame prompt coordinates are given in:
 * - `longest-side`: the longer side becomes `side`, aspect kept, rounded half up (SAM's ResizeLongestSide);
 *   the export pads to side×side, so masks cover the padded square.
 * - `square`: stretched to side×side (SAM 2's transforms).
 */
export interface ResizeRule {
  rule: 'longest-side' | 'square';
  side: number;
}

export interface SamModelDescription {
  /** Short id, also how manifest entries are told apart in messages. */
  family: string;
  title: string;
  encoder: {
    file: string;
    input: string;
    layout: EncoderLayout;
    normalise: { mean: readonly [number, number, number]; std: readonly [number, number, number] };
    resize: ResizeRule;
  };
  embedding: {
    /** In the encoder's output order, which is also the order on the wire. */
    tensors: readonly EmbeddingTensor[];
    wireDtype: EmbeddingWireDtype;
  };
  decoder: {
    /** Prompt inputs; the embedding tensors come before them. */
    inputs: {
      /** [1, N, 2] points in the encoder's frame. */
      pointCoords: NamedInput;
      /** [1, N]: 1 object, 0 background, 2/3 box corners, -1 padding point. */
      pointLabels: NamedInput;
      /** [1, 1, lowResSide, lowResSide] logits of a previous decode. */
      maskInput: NamedInput;
      /** [1]: 1 when maskInput is used. */
      hasMaskInput: NamedInput;
      /** [2] (height, width) the masks output is scaled to. */
      origImSize: NamedInput;
    };
    outputs: {
      /** [1, C, h, w] logits at origImSize (> 0 is the object). */
      masks: string;
      /** [1, C] predicted IoU, the candidates' scores. */
      scores: string;
      /** [1, C, lowResSide, lowResSide] logits, fed back as maskInput to refine. */
      lowResMasks: string;
    };
    /** Side of maskInput and lowResMasks (square, over the encoder's padded or stretched frame). */
    lowResSide: number;
    /** single: hover, box and refinement (one mask); multi: a click's candidates. */
    files: { single: DecoderFile; multi: DecoderFile };
    /**
     * The multi file returns every mask token and the single file only picks one of them (SamOnnxModel's
     * select_masks): the browser then loads the multi file alone and picks the single mask itself.
     */
    singleFromMulti?: boolean;
  };
}

/** Every family models/manifest.json may list files for. */
export const SAM_FAMILIES: readonly SamModelDescription[] = [MOBILE_SAM];

/** The family this build runs: the server's encoder, the embedding it sends and the browser's decoders. */
export const SAM_MODEL: SamModelDescription = MOBILE_SAM;

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Float32 values of one photo's embedding, all tensors together. */
export function embeddingLength(model: SamModelDescription): number {
  return model.embedding.tensors.reduce((n, t) => n + product(t.dims), 0);
}

/** Shape of the .npy: the tensor's own when there is one, else the tensors' values end to end. */
export function embeddingWireShape(model: SamModelDescription): number[] {
  const tensors = model.embedding.tensors;
  return tensors.length === 1 ? [...tensors[0].dims] : [embeddingLength(model)];
}

/** Splits a flat embedding into its tensors (the array itself for one tensor, else views; no copy). */
export function splitEmbedding(model: SamModelDescription, values: Float32Array): { name: string; dims: number[]; data: Float32Array }[] {
  if (values.length !== embeddingLength(model)) {
    throw new Error(`embedding has ${values.length} values, expected ${embeddingLength(model)} (${describeEmbedding(model)})`);
  }
  const tensors = model.embedding.tensors;
  if (tensors.length === 1) return [{ name: tensors[0].name, dims: [...tensors[0].dims], data: values }];
  let offset = 0;
  return tensors.map((t) => {
    const n = product(t.dims);
    const data = values.subarray(offset, offset + n);
    offset += n;
    return { name: t.name, dims: [...t.dims], data };
  });
}

/** "1×256×64×64", or "image_features_0 1×32×256×256 + …" for several tensors. */
export function describeEmbedding(model: SamModelDescription): string {
  const tensors = model.embedding.tensors;
  if (tensors.length === 1) return tensors[0].dims.join('×');
  return tensors.map((t) => `${t.name} ${t.dims.join('×')}`).join(' + ');
}

/** The decoder's inputs in the exports' order: embedding tensors, then the prompt. */
export function decoderInputNames(model: SamModelDescription): string[] {
  const p = model.decoder.inputs;
  return [
    ...model.embedding.tensors.map((t) => t.name),
    p.pointCoords.name,
    p.pointLabels.name,
    p.maskInput.name,
    p.hasMaskInput.name,
    p.origImSize.name,
  ];
}

export function decoderOutputNames(model: SamModelDescription): string[] {
  const o = model.decoder.outputs;
  return [o.masks, o.scores, o.lowResMasks];
}

export function encoderOutputNames(model: SamModelDescription): string[] {
  return model.embedding.tensors.map((t) => t.name);
}

/** The model files of a family with the use each serves. */
export function samModelFiles(model: SamModelDescription): { use: 'encoder' | 'decoder-single' | 'decoder-multi'; file: string }[] {
  return [
    { use: 'encoder', file: model.encoder.file },
    { use: 'decoder-single', file: model.decoder.files.single.file },
    { use: 'decoder-multi', file: model.decoder.files.multi.file },
  ];
}

/**
 * Why a loaded session is not the model the description names, or null. Inputs must be exactly the
 * described ones (a run must feed them all); extra outputs are allowed (an export may offer more).
 */
export function signatureProblem(
  what: string,
  expected: { inputs: readonly string[]; outputs: readonly string[] },
  actual: { inputNames: readonly string[]; outputNames: readonly string[] },
): string | null {
  const problems = [
    ...expected.inputs.filter((n) => !actual.inputNames.includes(n)).map((n) => `no input ${n}`),
    ...actual.inputNames.filter((n) => !expected.inputs.includes(n)).map((n) => `unexpected input ${n}`),
    ...expected.outputs.filter((n) => !actual.outputNames.includes(n)).map((n) => `no output ${n}`),
  ];
  if (!problems.length) return null;
  const has = `inputs ${actual.inputNames.join(', ')}; outputs ${actual.outputNames.join(', ')}`;
  return `${what} is not the model its description names (${problems.join(', ')}; it has ${has})`;
}
