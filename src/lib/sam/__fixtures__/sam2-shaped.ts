// A second SAM family for tests, shaped like SAM 2 as onnxruntime's exporter writes it
// (onnxruntime/python/tools/transformers/models/sam2: image_encoder.py, image_decoder.py): the encoder
// takes the photo stretched to 1024×1024, normalised outside the graph, as [1, 3, 1024, 1024] and gives
// three per-photo tensors; the decoder takes them back with int32 labels and original size, renamed mask
// inputs, and gives 3 candidates in its multimask file (exported with return_logits=True, so masks are
// logits as SAM's are). Its files are test stand-ins only (not in the manifest): it shows that a family
// which differs in all of these is a description and nothing more.
import type { SamModelDescription } from '../model.ts';

export const SAM2_SHAPED: SamModelDescription = {
  family: 'sam2-shaped-test',
  title: 'SAM 2-shaped test family',
  encoder: {
    file: 'sam2_test_image_encoder.onnx',
    input: 'image',
    layout: 'nchw-unit',
    normalise: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    resize: { rule: 'square', side: 1024 },
  },
  embedding: {
    tensors: [
      { name: 'image_features_0', dims: [1, 32, 256, 256] },
      { name: 'image_features_1', dims: [1, 64, 128, 128] },
      { name: 'image_embeddings', dims: [1, 256, 64, 64] },
    ],
    wireDtype: 'float16',
  },
  decoder: {
    inputs: {
      pointCoords: { name: 'point_coords', dtype: 'float32' },
      pointLabels: { name: 'point_labels', dtype: 'int32' },
      maskInput: { name: 'input_masks', dtype: 'float32' },
      hasMaskInput: { name: 'has_input_masks', dtype: 'float32' },
      origImSize: { name: 'original_image_size', dtype: 'int32' },
    },
    outputs: { masks: 'masks', scores: 'iou_predictions', lowResMasks: 'low_res_masks' },
    lowResSide: 256,
    files: {
      single: { file: 'sam2_test_decoder_single.onnx', maskCount: 1 },
      multi: { file: 'sam2_test_decoder_multi.onnx', maskCount: 3 },
    },
  },
};
