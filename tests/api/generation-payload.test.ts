// What reaches the generation server, decoded and compared with the session it came from, for every recipe
// that sends the photo, on a 12 MP photo stored with an EXIF rotation, for an SD 1.5 and an SDXL checkpoint:
// the region the server keeps is the saved garment, the skeleton's joints sit where the saved pose puts them,
// the init image is the photo (upright), the size and ControlNet model follow the checkpoint's family, and no
// field is sent that the server would ignore.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { startServer, type RunningServer } from '../support/server.ts';
import { photo } from '../support/paths.ts';
import { postJob, waitForJob } from '../support/session.ts';
import { covered, decodeGrey, decodeRgb, findJoints, iou, maskAt, meanAbsDiff, setCount, type Grey } from '../support/payload.ts';
import { startSdDouble, type SdDouble } from '../sd-double/server.ts';
import { placePreset } from '../../src/lib/pose/presets.ts';
import { scalePose } from '../../src/lib/pose/scale.ts';
import type { Pose } from '../../src/lib/pose/types.ts';
import { familySize } from '../../src/lib/sd/size.ts';
import { FAMILIES } from '../../src/lib/sd/family.ts';
import type { Img2ImgRequest } from '../../src/lib/sd/types.ts';

const SD15 = 'realisticVisionV60B1_v51VAE.safetensors [15012c538f]';
const SDXL = 'juggernautXL_v9Rdphoto2Lightning.safetensors [c9e3e68f89]';
const SD15_POSE = 'control_v11p_sd15_openpose [cab727d4]';
const XL_POSE = 'thibaud_xl_openpose [c7b9cadd]';
const W = 3000;
const H = 4000;

let sd: SdDouble;
let server: RunningServer;
let sessionId: string;
let garment: Grey;
let pose: Pose;
let original: Buffer;

/** A 12 MP portrait photo whose pixels are stored sideways with EXIF orientation 6 (as phones write them). */
async function rotatedTwelveMegapixelJpeg(): Promise<Buffer> {
  const upright = await sharp(readFileSync(photo('person-idm-00034.jpg')))
    .rotate()
    .resize(W, H, { fit: 'fill' })
    .toBuffer();
  return sharp(upright).rotate(-90).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toBuffer();
}

/** The "garment": an ellipse off the centre line, so a flip, a transpose or a scramble cannot pass. */
function ellipseMask(): Grey {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) if (((x - W * 0.46) / (W * 0.2)) ** 2 + ((y - H * 0.48) / (H * 0.17)) ** 2 <= 1) data[y * W + x] = 255;
  return { data, width: W, height: H };
}

beforeAll(async () => {
  sd = await startSdDouble({
    stepMs: 2,
    steps: 4,
    checkpoints: [
      { title: SD15, family: 'sd15' },
      { title: SDXL, family: 'sdxl' },
    ],
    controlnetModels: [SD15_POSE, XL_POSE],
    loras: ['mamianqun_v1'],
  });
  server = await startServer({ env: { SD_WEBUI_URL: sd.url } });
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(await rotatedTwelveMegapixelJpeg())]), 'rotated.jpg');
  const up = await fetch(`${server.url}/api/images`, { method: 'POST', body: form });
  expect(up.status).toBe(201);
  const body = await up.json();
  expect([body.image.width, body.image.height]).toEqual([W, H]); // upright
  sessionId = body.session.id;
  garment = ellipseMask();
  const png = await sharp(Buffer.from(garment.data), { raw: { width: W, height: H, channels: 1 } })
    .png()
    .toBuffer();
  expect(
    (
      await fetch(`${server.url}/api/sessions/${sessionId}/mask`, {
        method: 'PUT',
        body: new Uint8Array(png),
        headers: { 'content-type': 'image/png' },
      })
    ).status,
  ).toBe(200);
  pose = placePreset('front', W, H);
  expect(
    (
      await fetch(`${server.url}/api/sessions/${sessionId}/pose`, {
        method: 'PUT',
        body: JSON.stringify(pose),
        headers: { 'content-type': 'application/json' },
      })
    ).status,
  ).toBe(200);
  original = Buffer.from(await (await fetch(`${server.url}/api/images/${body.image.id}/original.png`)).arrayBuffer());
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await sd?.stop();
});

/** The region the server is told to keep: the mask's white if inverted ("inpaint not masked"), else its black. */
function keptRegion(mask: Grey, invert: number): Uint8Array {
  return invert === 1 ? mask.data : mask.data.map((v) => (v >= 128 ? 0 : 255));
}

const RECIPES = [
  // recipe, what the server keeps, fill, pose-guided
  { recipe: 'model-shot', keeps: 'garment', fill: 1, pose: true },
  { recipe: 'pose-change', keeps: 'garment', fill: 2, pose: true },
  { recipe: 'scene-swap', keeps: 'garment', fill: 2, pose: false },
  { recipe: 'outfit-swap', keeps: 'outside-grown-garment', fill: 1, pose: true },
] as const;

describe.each([
  { checkpoint: SD15, family: 'sd15' as const, cn: SD15_POSE },
  { checkpoint: SDXL, family: 'sdxl' as const, cn: XL_POSE },
])('payloads on a $family checkpoint', ({ checkpoint, family, cn }) => {
  it.each(RECIPES)(
    '$recipe: keep region, fill, skeleton, init image, size and ControlNet model match the session',
    async ({ recipe, keeps, fill, pose: guided }) => {
      sd.reset();
      const res = await postJob(server.url, {
        sessionId,
        recipe,
        checkpoint,
        count: 1,
        seed: 7,
        ...(recipe === 'outfit-swap' ? { loras: [{ name: 'mamianqun_v1', weight: 0.8 }] } : {}),
      });
      expect(res.status).toBe(202);
      const job = await waitForJob(server.url, (await res.json()).job.id, ['succeeded', 'failed'], 120_000);
      expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
      const calls = sd.payloads.filter((p) => p.path === '/sdapi/v1/img2img');
      expect(calls).toHaveLength(1);
      const body = calls[0].body as Img2ImgRequest;
      expect(body.force_task_id).toContain(job.id);
      expect(sd.unknownFields).toEqual([]);

      // Size of the family, in multiples of 8, aspect kept.
      const size = familySize(W, H, FAMILIES[family]);
      expect([body.width, body.height]).toEqual([size.width, size.height]);
      expect(body.override_settings?.sd_model_checkpoint).toBe(checkpoint);

      // Init image: the upright photo at the generation size.
      const init = await decodeRgb(body.init_images[0]);
      const reference = await decodeRgb(await sharp(original).resize(size.width, size.height, { fit: 'fill' }).png().toBuffer());
      expect(meanAbsDiff(init, reference)).toBeLessThan(3);

      // The region kept by the server.
      const sent = await decodeGrey(body.mask!);
      expect([sent.width, sent.height]).toEqual([size.width, size.height]);
      const expectedGarment = maskAt(garment, size.width, size.height);
      const kept = keptRegion(sent, body.inpainting_mask_invert!);
      let maskIoU: number;
      if (keeps === 'garment') {
        maskIoU = iou(kept, expectedGarment);
        expect(maskIoU).toBeGreaterThanOrEqual(0.98);
      } else {
        // Outfit swap repaints the garment grown by a few pixels and keeps the rest of the photo.
        const repainted = sent.data.map((v, i) => (kept[i] >= 128 ? 0 : v >= 128 ? 255 : 0));
        expect(covered(expectedGarment, repainted)).toBe(1);
        maskIoU = iou(repainted, expectedGarment);
        expect(maskIoU).toBeGreaterThanOrEqual(0.85);
        expect(setCount(repainted)).toBeLessThan(setCount(expectedGarment) * 1.25);
      }
      console.log(
        `[payload] ${family} ${recipe}: mask IoU ${maskIoU.toFixed(4)} ` +
          `(invert ${body.inpainting_mask_invert}, fill ${body.inpainting_fill})`,
      );
      expect(body.inpainting_fill).toBe(fill);
      expect(body.inpaint_full_res).toBe(false);

      // Skeleton: the saved pose's joints at the generation size, on the ControlNet model of the family.
      const units = body.alwayson_scripts?.controlnet?.args ?? [];
      expect(units).toHaveLength(guided ? 1 : 0);
      if (guided) {
        expect(units[0]).toMatchObject({ enabled: true, model: cn, module: 'none', save_detected_map: true });
        const skeleton = await decodeRgb(units[0].image!);
        expect([skeleton.width, skeleton.height]).toEqual([size.width, size.height]);
        const want = scalePose(pose, size.width, size.height).keypoints;
        const found = findJoints(skeleton);
        let checked = 0;
        found.forEach((p, i) => {
          if (!p) return;
          checked++;
          expect(Math.hypot(p.x - want[i].x, p.y - want[i].y), want[i].name).toBeLessThanOrEqual(2);
        });
        expect(checked).toBeGreaterThanOrEqual(12);
        // And the server really applied it (its detected map came back; the double says so too).
        expect(sd.generations.at(-1)?.controlnetApplied).toEqual([cn]);
      }
      // The result: the photo's full size, the garment core exactly as photographed.
      expect(job.results).toHaveLength(1);
      expect([job.results[0].width, job.results[0].height]).toEqual([W, H]);
      if (recipe !== 'outfit-swap') expect(job.results[0].fidelity.after).toBe(0);
    },
    180_000,
  ); // a 12 MP photo: composite and checks at full resolution on a 2-core machine
});

describe('Make more like this', () => {
  it('sends the seed with a variation: every image keeps the seed, variation seeds count up; the results store the seed', async () => {
    sd.reset();
    const res = await postJob(server.url, { sessionId, recipe: 'scene-swap', checkpoint: SD15, count: 2, seed: 4242, variation: 0.3 });
    expect(res.status).toBe(202);
    const job = await waitForJob(server.url, (await res.json()).job.id, ['succeeded', 'failed'], 120_000);
    expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
    const calls = sd.payloads.filter((p) => p.path === '/sdapi/v1/img2img');
    expect(calls).toHaveLength(1);
    const body = calls[0].body as Img2ImgRequest;
    expect([body.seed, body.subseed, body.subseed_strength]).toEqual([4242, -1, 0.3]);
    expect(sd.unknownFields).toEqual([]);
    expect(job.results.map((r: { seed: number }) => r.seed)).toEqual([4242, 4242]);
  }, 180_000);

  it('refuses a variation without the seed it varies', async () => {
    const res = await postJob(server.url, { sessionId, recipe: 'scene-swap', count: 1, variation: 0.3 });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('seed_required');
  });
});
