// Result quality on the fixture photos at 12 MP, with the SD double (stripes, not a model: the figures show what
// the composite does, not how good a generation is). For each photo, one model shot through the real client:
//   before: the generated image stretched to the photo's size, the garment pasted back through a 3 px feather;
//   after:  the server's upscaler (the double's: Lanczos + sharpening), the seamless composite (band in generated
//           pixels covering the server's mask blur, colour match, grain).
// Prints the seam and sharpness figures of both and the time each step adds per result.
// Run: node bench/result-quality.ts
import sharp from 'sharp';
import { createSdClient } from '../src/server/backend/client.ts';
import { familySize } from '../src/lib/sd/size.ts';
import { FAMILIES } from '../src/lib/sd/family.ts';
import { buildRecipe } from '../src/lib/recipes/table.ts';
import { prepareInputs } from '../src/server/jobs/inputs.ts';
import { compositeGarment, toPhotoSize } from '../src/server/images/composite.ts';
import { compositeSeamless, prepareSeam } from '../src/server/images/seam.ts';
import { measureResult } from '../src/server/images/checks.ts';
import { rgbRaw } from '../src/server/images/raw.ts';
import { placePreset } from '../src/lib/pose/presets.ts';
import { startSdDouble } from '../tests/sd-double/server.ts';
import { fixturePhotos, machineLine, make12MpJpeg, printTable, tempPhotoDir } from './lib.ts';

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
const f2 = (v: number | null) => (v === null ? '—' : v.toFixed(2));

/** A garment-like region: an ellipse over the torso. */
function torso(w: number, h: number): Buffer {
  const m = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) if (((x - w * 0.5) / (w * 0.22)) ** 2 + ((y - h * 0.5) / (h * 0.2)) ** 2 <= 1) m[y * w + x] = 255;
  return m;
}

const sd = await startSdDouble({ stepMs: 1, steps: 2, controlnetModels: [OPENPOSE], upscalers: ['R-ESRGAN 4x+'] });
const client = createSdClient({ url: sd.url, auth: null });
const tmp = tempPhotoDir();
console.log(`Result quality (12 MP fixtures, SD double, SD 1.5 size). ${machineLine()}`);
const rows: (string | number)[][] = [
  [
    'photo',
    'seam before',
    'seam after',
    'gradient before',
    'gradient after',
    'sharpness before',
    'sharpness after',
    'upscale ms',
    'composite+checks ms',
  ],
];
try {
  const lists = await client.lists();
  for (const fixture of fixturePhotos()) {
    const file = await make12MpJpeg(tmp.dir, fixture);
    const originalPng = await sharp(file).png({ compressionLevel: 1 }).toBuffer();
    const original = await rgbRaw(sharp(originalPng));
    const { width: W, height: H } = original;
    const mask = torso(W, H);
    const size = familySize(W, H, FAMILIES.sd15);
    const inputs = await prepareInputs({ originalPng, mask: { data: mask, width: W, height: H }, pose: placePreset('front', W, H) }, size, {
      grown: false,
    });
    const payload = buildRecipe('model-shot', {
      common: { size, backendKind: 'a1111', sampler: { sampler: 'DPM++ 2M', scheduler: 'karras' }, count: 1, seed: 11 },
      inputs: { initB64: inputs.initB64, maskB64: inputs.maskB64, grownMaskB64: null, skeletonB64: inputs.skeletonB64 },
      look: { prompt: 'a woman' },
      scene: { prompt: 'white studio' },
      openpose: { model: OPENPOSE, union: false },
    });
    const generated = (await client.img2img(payload as never, { validate: lists })).images[0];
    const upscale = Math.max(W, H) / Math.max(size.width, size.height);

    const stretched = await toPhotoSize(Buffer.from(generated, 'base64'), W, H);
    const before = compositeGarment(original, stretched, mask, 3).image;
    const oldGeometry = prepareSeam(original, mask, { bandGeneratedPx: 3, upscale: 1 });

    const t0 = performance.now();
    const upscaled = await toPhotoSize(
      Buffer.from(await client.upscale(generated, { upscaler: 'R-ESRGAN 4x+', width: W, height: H }), 'base64'),
      W,
      H,
    );
    const t1 = performance.now();
    // The band: 3 generated pixels plus the model shot's mask blur (4), as the runner sets it.
    const prepared = prepareSeam(original, mask, { bandGeneratedPx: 3 + 4, upscale });
    const after = compositeSeamless(prepared, upscaled, 11);
    const a = measureResult(prepared, after);
    const t2 = performance.now();
    const b = measureResult(oldGeometry, before);
    rows.push([
      fixture.split('/').pop()!,
      f2(b.seamColour),
      f2(a.seamColour),
      f2(b.seamGradient),
      f2(a.seamGradient),
      f2(b.sharpness),
      f2(a.sharpness),
      (t1 - t0).toFixed(0),
      (t2 - t1).toFixed(0),
    ]);
    if (a.coreChanged !== 0) throw new Error(`${fixture}: the garment core changed`);
  }
  printTable(rows);
  console.log(
    'seam: rim step ÷ the garment’s own step deeper inside (≈ 1 invisible); ' +
      'sharpness: generated ÷ garment Laplacian variance at half scale.',
  );
} finally {
  await client.close({ force: true });
  await sd.stop();
  tmp.remove();
}
