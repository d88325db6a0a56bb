// SAM image embeddings travel as .npy files (the format of the SAM web demo), read and written with npyjs.
// Shape and length come from the model description (embeddingWireShape: one tensor keeps its shape).
import { dump, parse } from 'npyjs';
import {
  SAM_MODEL,
  describeEmbedding,
  embeddingLength,
  embeddingWireShape,
  type EmbeddingWireDtype,
  type SamModelDescription,
} from './model.ts';

export type EmbeddingDtype = EmbeddingWireDtype;

export function encodeEmbeddingNpy(values: Float32Array, dtype: EmbeddingDtype, model: SamModelDescription = SAM_MODEL): ArrayBuffer {
  checkLength(values.length, model);
  const shape = embeddingWireShape(model);
  if (dtype === 'float16') return dump(new Float16Array(values) as unknown as Uint16Array, shape, { dtype: 'f2' });
  return dump(values, shape, { dtype: 'f4' });
}

/** Parses an embedding .npy (float16 or float32) into the float32 values the decoder takes. */
export function decodeEmbeddingNpy(
  buffer: ArrayBuffer,
  model: SamModelDescription = SAM_MODEL,
): { values: Float32Array; dtype: EmbeddingDtype; shape: number[] } {
  // Native Float16Array (Chrome 135+, Node 24) converts in one call; npyjs converts value by value.
  const native = typeof Float16Array === 'function';
  const arr = parse(buffer, { convertFloat16: !native });
  if (arr.dtype !== 'f2' && arr.dtype !== 'f4') throw new Error(`embedding dtype ${arr.dtype} is not float16/float32`);
  const shape = embeddingWireShape(model);
  if (arr.shape.join(',') !== shape.join(',')) throw new Error(`embedding shape ${arr.shape} is not ${shape.join('×')} (${model.title})`);
  let values: Float32Array;
  if (arr.data instanceof Float32Array) values = arr.data;
  else if (native && arr.dtype === 'f2') {
    const raw = arr.data as unknown as Uint16Array;
    values = new Float32Array(new Float16Array(raw.buffer, raw.byteOffset, raw.length));
  } else values = Float32Array.from(arr.data as unknown as ArrayLike<number>);
  checkLength(values.length, model);
  return { values, dtype: arr.dtype === 'f2' ? 'float16' : 'float32', shape: arr.shape };
}

function checkLength(n: number, model: SamModelDescription) {
  const expected = embeddingLength(model);
  if (n !== expected) throw new Error(`embedding has ${n} values, expected ${expected} (${describeEmbedding(model)})`);
}
