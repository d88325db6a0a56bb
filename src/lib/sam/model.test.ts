// The SAM model seam: MobileSAM's description is the real exports' signature, and what the code builds
// from a description (feeds, .npy, frames, encoder input) has the names, shapes and dtypes it declares,
// for MobileSAM and for a second, SAM 2-shaped family.
import { dump } from 'npyjs';
import { describe, expect, it } from 'vitest';
import { SAM2_SHAPED } from './__fixtures__/sam2-shaped.ts';
import { samInputSize, toSamFrame } from './coords.ts';
import { encoderInputDims, encoderInputValues } from './encoder-input.ts';
import { MOBILE_SAM } from './families/mobile-sam.ts';
import { buildDecoderFeeds } from './feeds.ts';
import {
  SAM_FAMILIES,
  SAM_MODEL,
  decoderInputNames,
  decoderOutputNames,
  embeddingLength,
  embeddingWireShape,
  encoderOutputNames,
  samModelFiles,
  signatureProblem,
  splitEmbedding,
  type SamModelDescription,
} from './model.ts';
import { decodeEmbeddingNpy, encodeEmbeddingNpy } from './npy.ts';

const embeddingOf = (model: SamModelDescription) => new Float32Array(embeddingLength(model)).map((_, i) => Math.sin(i));

describe('MobileSAM description', () => {
  it('is the real exports’ signature (../shared/models/MODELS.md), a known family', () => {
    expect(SAM_FAMILIES).toContain(MOBILE_SAM);
    expect(SAM_FAMILIES).toContain(SAM_MODEL);
    expect(MOBILE_SAM.encoder).toMatchObject({ file: 'mobile_sam_image_encoder.onnx', input: 'input_image', layout: 'hwc-255' });
    expect(MOBILE_SAM.encoder.resize).toEqual({ rule: 'longest-side', side: 1024 });
    expect(MOBILE_SAM.encoder.normalise).toEqual({ mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] });
    expect(encoderOutputNames(MOBILE_SAM)).toEqual(['image_embeddings']);
    expect(embeddingWireShape(MOBILE_SAM)).toEqual([1, 256, 64, 64]);
    expect(MOBILE_SAM.embedding.wireDtype).toBe('float16');
    expect(decoderInputNames(MOBILE_SAM)).toEqual([
      'image_embeddings',
      'point_coords',
      'point_labels',
      'mask_input',
      'has_mask_input',
      'orig_im_size',
    ]);
    expect(Object.values(MOBILE_SAM.decoder.inputs).map((i) => i.dtype)).toEqual(Array(5).fill('float32'));
    expect(decoderOutputNames(MOBILE_SAM)).toEqual(['masks', 'iou_predictions', 'low_res_masks']);
    expect(MOBILE_SAM.decoder.lowResSide).toBe(256);
    expect(samModelFiles(MOBILE_SAM)).toEqual([
      { use: 'encoder', file: 'mobile_sam_image_encoder.onnx' },
      { use: 'decoder-single', file: 'sam_mask_decoder_single.onnx' },
      { use: 'decoder-multi', file: 'sam_mask_decoder_multi.onnx' },
    ]);
    expect(MOBILE_SAM.decoder.files.single.maskCount).toBe(1);
    expect(MOBILE_SAM.decoder.files.multi.maskCount).toBe(4);
  });
});

describe.each([
  ['MobileSAM', MOBILE_SAM],
  ['a SAM 2-shaped family', SAM2_SHAPED],
] as const)('built from the description: %s', (_, model) => {
  const photo = { width: 2000, height: 1000 };
  const side = model.decoder.lowResSide;

  it('feeds the decoder exactly its declared inputs, with their shapes and dtypes', () => {
    const embedding = embeddingOf(model);
    const prompt = { points: [{ x: 1000, y: 500, label: 1 as const }], box: { x0: 100, y0: 100, x1: 900, y1: 700 } };
    const feeds = buildDecoderFeeds(embedding, prompt, photo, { width: 512, height: 256 }, model);
    expect(Object.keys(feeds)).toEqual(decoderInputNames(model));
    for (const t of model.embedding.tensors) expect(feeds[t.name]).toMatchObject({ type: 'float32', dims: t.dims });
    expect(splitEmbedding(model, embedding).map((t) => t.data.buffer)).toEqual(model.embedding.tensors.map(() => embedding.buffer));
    const p = model.decoder.inputs;
    const expected: [typeof p.pointCoords, number[]][] = [
      [p.pointCoords, [1, 3, 2]],
      [p.pointLabels, [1, 3]],
      [p.maskInput, [1, 1, side, side]],
      [p.hasMaskInput, [1]],
      [p.origImSize, [2]],
    ];
    for (const [input, dims] of expected) {
      const feed = feeds[input.name];
      expect(feed, input.name).toMatchObject({ type: input.dtype, dims });
      expect(feed.data).toBeInstanceOf(input.dtype === 'int32' ? Int32Array : Float32Array);
      expect(feed.data.length).toBe(dims.reduce((a, b) => a * b, 1));
    }
    expect(Array.from(feeds[p.pointLabels.name].data)).toEqual([1, 2, 3]);
    expect(Array.from(feeds[p.origImSize.name].data)).toEqual([256, 512]);
    const frame = samInputSize(photo.width, photo.height, model);
    expect(Array.from(feeds[p.pointCoords.name].data.slice(0, 2))).toEqual([frame.width / 2, frame.height / 2]);
  });

  it('refuses an embedding of another length and a mask input of another size', () => {
    const prompt = { points: [{ x: 1, y: 1, label: 1 as const }] };
    expect(() => buildDecoderFeeds(new Float32Array(10), prompt, photo, photo, model)).toThrow(/embedding has 10 values/);
    const maskInput = new Float32Array(side * side + 1);
    expect(() => buildDecoderFeeds(embeddingOf(model), { ...prompt, maskInput }, photo, photo, model)).toThrow(/must be 256×256/);
  });

  it('puts the embedding on the wire in its wire shape and reads it back', () => {
    const values = embeddingOf(model);
    const npy = decodeEmbeddingNpy(encodeEmbeddingNpy(values, model.embedding.wireDtype, model), model);
    expect(npy.dtype).toBe(model.embedding.wireDtype);
    expect(npy.shape).toEqual(embeddingWireShape(model));
    expect(npy.values.length).toBe(embeddingLength(model));
    expect(decodeEmbeddingNpy(encodeEmbeddingNpy(values, 'float32', model), model).values).toEqual(values);
  });

  it('packs the resized photo as the encoder wants it', () => {
    const size = { width: 2, height: 1 };
    const rgb = Uint8Array.of(0, 128, 255, 255, 0, 128);
    const values = encoderInputValues(model, rgb, size);
    if (model.encoder.layout === 'hwc-255') {
      expect(encoderInputDims(model, size)).toEqual([1, 2, 3]);
      expect(Array.from(values)).toEqual(Array.from(rgb));
    } else {
      expect(encoderInputDims(model, size)).toEqual([1, 3, 1, 2]);
      const { mean, std } = model.encoder.normalise;
      const planes = [0, 1, 2].flatMap((c) => [rgb[c], rgb[3 + c]].map((v) => (v / 255 - mean[c]) / std[c]));
      expect(Array.from(values)).toEqual(planes.map((v) => Math.fround(v)));
    }
    expect(() => encoderInputValues(model, rgb.subarray(1), size)).toThrow(/expected 6/);
  });
});

describe('frames of the two resize rules', () => {
  it('longest side keeps the aspect (rounded like SAM); square stretches', () => {
    expect(samInputSize(1001, 333, MOBILE_SAM)).toEqual({ width: 1024, height: 341 });
    expect(samInputSize(1001, 333, SAM2_SHAPED)).toEqual({ width: 1024, height: 1024 });
    expect(toSamFrame(2000, 500, { width: 4000, height: 1000 }, MOBILE_SAM)).toEqual([512, 128]);
    expect(toSamFrame(2000, 500, { width: 4000, height: 1000 }, SAM2_SHAPED)).toEqual([512, 512]);
  });
});

describe('embedding wire format', () => {
  it('one tensor keeps its shape; several go end to end, in the encoder’s order', () => {
    expect(embeddingWireShape(SAM2_SHAPED)).toEqual([32 * 256 * 256 + 64 * 128 * 128 + 256 * 64 * 64]);
    const values = embeddingOf(SAM2_SHAPED);
    const parts = splitEmbedding(SAM2_SHAPED, values);
    expect(parts.map((p) => [p.name, p.data.length])).toEqual([
      ['image_features_0', 32 * 256 * 256],
      ['image_features_1', 64 * 128 * 128],
      ['image_embeddings', 256 * 64 * 64],
    ]);
    expect(parts[2].data[0]).toBe(values[32 * 256 * 256 + 64 * 128 * 128]);
  });

  it('refuses another family’s .npy', () => {
    const mobile = encodeEmbeddingNpy(embeddingOf(MOBILE_SAM), 'float16', MOBILE_SAM);
    expect(() => decodeEmbeddingNpy(mobile, SAM2_SHAPED)).toThrow(/shape 1,256,64,64 is not 4194304/);
    expect(() => decodeEmbeddingNpy(dump(new Float32Array(8), [2, 4]), MOBILE_SAM)).toThrow(/is not 1×256×64×64/);
  });
});

describe('signatureProblem', () => {
  const expected = { inputs: decoderInputNames(MOBILE_SAM), outputs: decoderOutputNames(MOBILE_SAM) };
  it('accepts the described names in any order, and extra outputs', () => {
    const inputNames = [...expected.inputs].reverse();
    expect(signatureProblem('decoder', expected, { inputNames, outputNames: [...expected.outputs, 'extra'] })).toBeNull();
  });
  it('names what is missing or unexpected', () => {
    const actual = { inputNames: decoderInputNames(SAM2_SHAPED), outputNames: ['masks', 'iou_predictions'] };
    const problem = signatureProblem('x.onnx', expected, actual);
    expect(problem).toMatch(/^x\.onnx is not the model its description names/);
    expect(problem).toMatch(/no input mask_input/);
    expect(problem).toMatch(/unexpected input image_features_0/);
    expect(problem).toMatch(/no output low_res_masks/);
  });
});
