// MobileSAM: the TinyViT image encoder and the SAM ViT-H mask decoder, as exported by Acly/MobileSAM
// (dlimgedit's script/export_models.py: opset 17, use_preprocess=True; single = return_single_mask True,
// multi = False, which returns all 4 mask tokens). The signatures follow SamOnnxModel and
// ImageEncoderOnnxModel in segment_anything/utils/onnx.py (facebookresearch/segment-anything,
// ChaoningZhang/MobileSAM): every decoder input float32, outputs (masks, iou_predictions, low_res_masks).
import type { SamModelDescription } from '../model.ts';

export const MOBILE_SAM: SamModelDescription = {
  family: 'mobile-sam',
  title: 'MobileSAM',
  encoder: {
    file: 'mobile_sam_image_encoder.onnx',
    input: 'input_image',
    // use_preprocess=True: the graph normalises with SAM's pixel mean/std and pads to 1024×1024.
    layout: 'hwc-255',
    normalise: { mean: [123.675, 116.28, 103.53], std: [58.395, 57.12, 57.375] },
    resize: { rule: 'longest-side', side: 1024 },
  },
  embedding: {
    tensors: [{ name: 'image_embeddings', dims: [1, 256, 64, 64] }],
    // Halves the download; masks match float32 (tests/unit/embedding-dtype.test.ts).
    wireDtype: 'float16',
  },
  decoder: {
    inputs: {
      pointCoords: { name: 'point_coords', dtype: 'float32' },
      pointLabels: { name: 'point_labels', dtype: 'float32' },
      maskInput: { name: 'mask_input', dtype: 'float32' },
      hasMaskInput: { name: 'has_mask_input', dtype: 'float32' },
      origImSize: { name: 'orig_im_size', dtype: 'float32' },
    },
    outputs: { masks: 'masks', scores: 'iou_predictions', lowResMasks: 'low_res_masks' },
    lowResSide: 256,
    files: {
      single: { file: 'sam_mask_decoder_single.onnx', maskCount: 1 },
      multi: { file: 'sam_mask_decoder_multi.onnx', maskCount: 4 },
    },
    // segment_anything/utils/onnx.py: return_single_mask only adds select_masks over the same four tokens.
    singleFromMulti: true,
  },
};
