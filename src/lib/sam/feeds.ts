// Builds the SAM decoder's inputs from clicks and boxes, following the SAM ONNX contract:
// points in the 1024 frame, labels 1 object / 0 background / 2,3 box corners, and a padding point
// (0,0) labelled -1 when there is no box. Returns plain typed arrays so ORT (web or node) can wrap them.
import { SAM_LOW_RES, toSamFrame, type Size } from './coords.ts';

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
  /** Low-res logits (256×256) of the previous decode of the same piece, for refinement. */
  maskInput?: Float32Array | null;
}

export interface FeedTensor {
  type: 'float32';
  data: Float32Array;
  dims: number[];
}

export type DecoderFeeds = Record<
  'image_embeddings' | 'point_coords' | 'point_labels' | 'mask_input' | 'has_mask_input' | 'orig_im_size',
  FeedTensor
>;

const EMPTY_MASK = new Float32Array(SAM_LOW_RES * SAM_LOW_RES);

/**
 * `photo` is the frame the prompt's coordinates are in. `outputSize` is the size the decoder upscales
 * its masks to (orig_im_size); it defaults to the photo, and a smaller one saves work on big photos.
 */
export function buildDecoderFeeds(embedding: Float32Array, prompt: DecoderPrompt, photo: Size, outputSize: Size = photo): DecoderFeeds {
  if (embedding.length !== 256 * 64 * 64) throw new Error(`embedding has ${embedding.length} values, expected 256×64×64`);
  const coords: number[] = [];
  const labels: number[] = [];
  for (const p of prompt.points) {
    coords.push(...toSamFrame(p.x, p.y, photo));
    labels.push(p.label);
  }
  if (prompt.box) {
    const x0 = Math.min(prompt.box.x0, prompt.box.x1);
    const y0 = Math.min(prompt.box.y0, prompt.box.y1);
    const x1 = Math.max(prompt.box.x0, prompt.box.x1);
    const y1 = Math.max(prompt.box.y0, prompt.box.y1);
    coords.push(...toSamFrame(x0, y0, photo), ...toSamFrame(x1, y1, photo));
    labels.push(2, 3);
  } else {
    coords.push(0, 0);
    labels.push(-1);
  }
  if (labels.length === 1) throw new Error('a decode needs at least one point or a box');
  const n = labels.length;
  const hasMask = prompt.maskInput != null;
  if (hasMask && prompt.maskInput!.length !== SAM_LOW_RES * SAM_LOW_RES) throw new Error('mask_input must be 256×256');
  return {
    image_embeddings: { type: 'float32', data: embedding, dims: [1, 256, 64, 64] },
    point_coords: { type: 'float32', data: Float32Array.from(coords), dims: [1, n, 2] },
    point_labels: { type: 'float32', data: Float32Array.from(labels), dims: [1, n] },
    mask_input: { type: 'float32', data: hasMask ? prompt.maskInput! : EMPTY_MASK, dims: [1, 1, SAM_LOW_RES, SAM_LOW_RES] },
    has_mask_input: { type: 'float32', data: Float32Array.of(hasMask ? 1 : 0), dims: [1] },
    orig_im_size: { type: 'float32', data: Float32Array.of(outputSize.height, outputSize.width), dims: [2] },
  };
}
