// What prepareInputs sends is decoded and compared with the session it came from: the mask is the garment
// at the generation size, the dilated mask holds it with a margin, the skeleton's joints sit where the pose
// puts them, the init image is the photo.
import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { prepareInputs } from './inputs.ts';
import { placePreset } from '../../lib/pose/presets.ts';
import { scalePose } from '../../lib/pose/scale.ts';
import { covered, decodeGrey, decodeRgb, findJoints, iou, maskAt, meanAbsDiff, setCount } from '../../../tests/support/payload.ts';

/** An ellipse "garment" off-centre, so a flipped or shifted mask cannot pass. */
function garment(width: number, height: number): Buffer {
  const m = Buffer.alloc(width * height);
  const cx = width * 0.45;
  const cy = height * 0.5;
  const rx = width * 0.2;
  const ry = height * 0.18;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1) m[y * width + x] = 255;
  return m;
}

async function photo(width: number, height: number): Promise<Buffer> {
  // A gradient with a dark band: any resize, flip or channel mix-up shows in the comparison.
  const rgb = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      rgb[p] = (x * 255) / width;
      rgb[p + 1] = (y * 255) / height;
      rgb[p + 2] = y > height * 0.7 && y < height * 0.75 ? 20 : 200;
    }
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toBuffer();
}

describe('prepareInputs', () => {
  // A 12 MP portrait photo, garment in the middle: the case where the mask used to come out all black.
  const W = 3000;
  const H = 4000;
  const size = { width: 768, height: 1024 };

  it('sends the saved garment mask at the generation size, the dilated one around it, the skeleton and the photo', async () => {
    const maskData = garment(W, H);
    const pose = placePreset('front', W, H);
    const originalPng = await photo(W, H);
    const inputs = await prepareInputs({ originalPng, mask: { data: maskData, width: W, height: H }, pose }, size, { grown: true });

    const expected = maskAt({ data: maskData, width: W, height: H }, size.width, size.height);
    const sent = await decodeGrey(inputs.maskB64!);
    expect([sent.width, sent.height]).toEqual([size.width, size.height]);
    expect(setCount(sent.data)).toBeGreaterThan(0);
    expect(iou(sent.data, expected)).toBeGreaterThanOrEqual(0.98);

    const dilated = await decodeGrey(inputs.grownMaskB64!);
    expect(covered(expected, dilated.data)).toBe(1);
    expect(setCount(dilated.data)).toBeGreaterThan(setCount(expected));
    // Grown by a few pixels, not a different picture.
    expect(iou(dilated.data, expected)).toBeGreaterThan(0.85);

    const skeleton = await decodeRgb(inputs.skeletonB64!);
    expect([skeleton.width, skeleton.height]).toEqual([size.width, size.height]);
    const want = scalePose(pose, size.width, size.height).keypoints;
    const found = findJoints(skeleton);
    let checked = 0;
    found.forEach((p, i) => {
      if (!p) return;
      checked++;
      expect(Math.hypot(p.x - want[i].x, p.y - want[i].y), `joint ${want[i].name}`).toBeLessThanOrEqual(2);
    });
    expect(checked).toBeGreaterThanOrEqual(12);

    const init = await decodeRgb(inputs.initB64);
    const reference = await decodeRgb(await sharp(originalPng).resize(size.width, size.height, { fit: 'fill' }).png().toBuffer());
    expect(meanAbsDiff(init, reference)).toBeLessThan(2);
  });

  it('keeps a mask that fills the frame edge to edge', async () => {
    const maskData = Buffer.alloc(400 * 300, 255);
    const inputs = await prepareInputs(
      { originalPng: await photo(400, 300), mask: { data: maskData, width: 400, height: 300 }, pose: null },
      { width: 512, height: 384 },
      { grown: false },
    );
    const sent = await decodeGrey(inputs.maskB64!);
    expect(setCount(sent.data)).toBe(512 * 384);
    expect(inputs.grownMaskB64).toBeNull();
    expect(inputs.skeletonB64).toBeNull();
  });
});
