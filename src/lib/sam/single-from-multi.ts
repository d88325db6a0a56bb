// One decoder file for both uses: the multi-mask export (SamOnnxModel, return_single_mask=False) returns all four mask
// tokens; the single-mask export differs only in picking one of them inside the graph (select_masks in
// segment_anything/utils/onnx.py). Picking it here instead means the browser downloads one 16.5 MB decoder, not two.

/**
 * The token the single-mask export would return: the IoU prediction, with token 0 (the "multi-click" token)
 * weighted by (points − 2.5) × 1000 so that it wins with three or more points (padding point included) and loses
 * with two or fewer (one click and its padding point, or a box's two corners).
 */
export function singleMaskIndex(iouPredictions: ArrayLike<number>, pointCount: number): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < iouPredictions.length; k++) {
    const score = iouPredictions[k]! + (k === 0 ? (pointCount - 2.5) * 1000 : 0);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best;
}

/** Whether the browser loads the multi file alone (it serves both uses), given the URLs the page offers. */
export function usesOneDecoder(model: { decoder: { singleFromMulti?: boolean } }, multiUrl: string | null | undefined): boolean {
  return !!(model.decoder.singleFromMulti && multiUrl);
}
