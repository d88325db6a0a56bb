// SAM's coordinate frames. The encoder sees the photo resized by its family's rule (MobileSAM: longer
// side 1024, SAM's ResizeLongestSide.get_preprocess_shape); point and box coordinates must be given in that frame.
import { SAM_MODEL, type SamModelDescription } from './model.ts';

export interface Size {
  width: number;
  height: number;
}

/** Size of the photo as the encoder sees it (longest side: aspect kept, rounded like SAM; square: stretched). */
export function samInputSize(width: number, height: number, model: SamModelDescription = SAM_MODEL): Size {
  const { rule, side } = model.encoder.resize;
  if (rule === 'square') return { width: side, height: side };
  const scale = side / Math.max(width, height);
  return { width: Math.floor(width * scale + 0.5), height: Math.floor(height * scale + 0.5) };
}

/** Photo pixel coordinates → the encoder's frame (SAM's apply_coords). */
export function toSamFrame(x: number, y: number, photo: Size, model: SamModelDescription = SAM_MODEL): [number, number] {
  const input = samInputSize(photo.width, photo.height, model);
  return [x * (input.width / photo.width), y * (input.height / photo.height)];
}

/** Maps a point on a displayed element (CSS pixels) to photo pixels, clamped inside the photo. */
export function displayToPhoto(dx: number, dy: number, display: Size, photo: Size): [number, number] {
  const x = (dx / display.width) * photo.width;
  const y = (dy / display.height) * photo.height;
  return [Math.min(photo.width - 1, Math.max(0, x)), Math.min(photo.height - 1, Math.max(0, y))];
}

/** Largest size with the photo's aspect that fits in `maxSide` (never enlarges). */
export function fitInside(photo: Size, maxSide: number): Size {
  const scale = Math.min(1, maxSide / Math.max(photo.width, photo.height));
  return { width: Math.max(1, Math.round(photo.width * scale)), height: Math.max(1, Math.round(photo.height * scale)) };
}
