// Pose step with real photos: a person, a headless "mannequin" crop made at test time, and a
// garment without a person (with and without a garment mask). Detection runs in the pose worker
// with the real MediaPipe models; the skeleton PNG is checked where the dragged joint went.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { photo } from '../support/paths.ts';
import { JOINT_COLORS, JOINT_NAMES, J } from '../../src/lib/pose/index.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'atelier-pose-e2e-'));
test.afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Uploaded {
  id: string;
  width: number;
  height: number;
}

async function upload(page: Page, file: string, bytes = readFileSync(file)): Promise<Uploaded> {
  const res = await page.request.post('/api/images', {
    multipart: { image: { name: path.basename(file), mimeType: 'image/jpeg', buffer: bytes } },
  });
  expect(res.status()).toBe(201);
  const body = await res.json();
  return { id: body.session.id, width: body.image.width, height: body.image.height };
}

async function openPose(page: Page, id: string, state: RegExp = /^(ready|none)$/) {
  await page.goto(`/s/${id}#pose`);
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-state', state, { timeout: 30_000 });
}

const joint = (page: Page, name: string) => page.getByTestId(`pose-joint-${name}`);

async function readJoint(handle: Locator) {
  const [x, y, source] = await Promise.all([
    handle.getAttribute('data-x'),
    handle.getAttribute('data-y'),
    handle.getAttribute('data-source'),
  ]);
  return { x: Number(x), y: Number(y), source: source! };
}

async function readPose(page: Page) {
  return Promise.all(JOINT_NAMES.map((n) => readJoint(joint(page, n))));
}

/** Every joint handle: inside the overlay, ≥ 32 px, centred on its joint (photo px → screen via the photo's box). */
async function expectEighteenCentredJoints(page: Page, photoSize: { width: number; height: number }) {
  const overlay = page.getByTestId('pose-overlay');
  await expect(overlay.locator('[data-testid^="pose-joint-"]')).toHaveCount(18);
  const img = (await page.getByTestId('pose-photo').boundingBox())!;
  for (const name of JOINT_NAMES) {
    const handle = overlay.getByTestId(`pose-joint-${name}`);
    const box = (await handle.boundingBox())!;
    const { x, y } = await readJoint(handle);
    expect(box.width).toBeGreaterThanOrEqual(32);
    expect(box.height).toBeGreaterThanOrEqual(32);
    expect(Math.abs(box.x + box.width / 2 - (img.x + (x / photoSize.width) * img.width))).toBeLessThan(1);
    expect(Math.abs(box.y + box.height / 2 - (img.y + (y / photoSize.height) * img.height))).toBeLessThan(1);
  }
}

/** Drags a joint handle by (dx, dy) CSS px with pointer events; returns the photo-px scale. */
async function dragJoint(page: Page, name: string, dx: number, dy: number, photoWidth: number) {
  const box = (await joint(page, name).boundingBox())!;
  const img = (await page.getByTestId('pose-photo').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.mouse.move(cx + dx / 2, cy + dy / 2, { steps: 3 });
  await page.mouse.move(cx + dx, cy + dy, { steps: 3 });
  await page.mouse.up();
  return photoWidth / img.width;
}

async function skeletonPixel(page: Page, id: string, width: number, height: number) {
  const res = await page.request.get(`/api/sessions/${id}/skeleton.png?width=${width}&height=${height}`);
  expect(res.status()).toBe(200);
  const { data, info } = await sharp(await res.body())
    .raw()
    .toBuffer({ resolveWithObject: true });
  expect([info.width, info.height]).toEqual([width, height]);
  return (x: number, y: number) => {
    const o = (Math.floor(y) * info.width + Math.floor(x)) * info.channels;
    return [data[o], data[o + 1], data[o + 2]];
  };
}

test('a person: 18 joints over the photo, drag a wrist, save, the skeleton PNG has it moved; undo, redo', async ({ page }) => {
  const s = await upload(page, photo('person-catvton-049713.jpg'));
  await openPose(page, s.id, /^ready$/);
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-shown', 'detected');
  await expectEighteenCentredJoints(page, s);

  const pose = await readPose(page);
  // A standing person facing the camera: most joints seen, head above shoulders above hips above ankles,
  // the person's left on the image's right.
  expect(pose.filter((k) => k.source === 'detected').length).toBeGreaterThanOrEqual(14);
  expect(pose[J.nose]!.y).toBeLessThan(pose[J.neck]!.y);
  expect(pose[J.neck]!.y).toBeLessThan(pose[J.rHip]!.y);
  expect(pose[J.rHip]!.y).toBeLessThan(pose[J.rKnee]!.y);
  expect(pose[J.rKnee]!.y).toBeLessThan(pose[J.rAnkle]!.y);
  expect(pose[J.lShoulder]!.x).toBeGreaterThan(pose[J.rShoulder]!.x);
  // The first detected pose is saved at once, so Generate works without visiting this step.
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'saved');

  const before = pose[J.lWrist]!;
  const scale = await dragJoint(page, 'left_wrist', 40, 30, s.width);
  const moved = await readJoint(joint(page, 'left_wrist'));
  expect(moved.source).toBe('edited');
  expect(moved.x).toBeCloseTo(before.x + 40 * scale, -0.5); // within ±1.6 photo px
  expect(moved.y).toBeCloseTo(before.y + 30 * scale, -0.5);
  expect(await readJoint(joint(page, 'left_elbow'))).toEqual(pose[J.lElbow]);

  await page.getByTestId('save-pose').click();
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'saved');
  const saved = await (await page.request.get(`/api/sessions/${s.id}/pose`)).json();
  expect(saved.pose.keypoints[J.lWrist]).toMatchObject({ name: 'left_wrist', source: 'edited' });
  expect(saved.pose.keypoints[J.lWrist].x).toBeCloseTo(moved.x, 1);

  // The skeleton at half size: the left wrist's colour is where the wrist went, not where it was.
  const pixel = await skeletonPixel(page, s.id, s.width / 2, s.height / 2);
  const wristColour = [...JOINT_COLORS[J.lWrist]!];
  expect(pixel(saved.pose.keypoints[J.lWrist].x / 2, saved.pose.keypoints[J.lWrist].y / 2)).toEqual(wristColour);
  expect(pixel(before.x / 2, before.y / 2)).not.toEqual(wristColour);

  // Ctrl+Z undoes the drag, Ctrl+Shift+Z redoes it.
  await page.keyboard.press('Control+z');
  await expect(joint(page, 'left_wrist')).toHaveAttribute('data-source', before.source);
  expect(await readJoint(joint(page, 'left_wrist'))).toEqual(before);
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'dirty');
  await page.keyboard.press('Control+Shift+z');
  expect(await readJoint(joint(page, 'left_wrist'))).toEqual(moved);
  await page.screenshot({ path: 'test-results/pose-person.png' });
});

test('a headless mannequin crop: completed head marked, a preset keeps shoulders and hips, reset, saved pose reopens', async ({ page }) => {
  // The catvton person cut just below the chin: a headless form, like a dress-form photo.
  const src = photo('person-catvton-049713.jpg');
  const crop = path.join(tmp, 'headless-049713.jpg');
  await sharp(src).extract({ left: 0, top: 110, width: 768, height: 914 }).jpeg({ quality: 92 }).toFile(crop);
  const s = await upload(page, crop);
  await openPose(page, s.id, /^ready$/);
  await expectEighteenCentredJoints(page, s);

  const detected = await readPose(page);
  // The head is above the photo: completed (drawn hollow), never "detected"; the torso was seen.
  for (const j of [J.nose, J.rEye, J.lEye, J.rEar, J.lEar]) {
    expect(detected[j]!.source).toBe('completed');
    expect(detected[j]!.y).toBeLessThan(0);
  }
  for (const j of [J.rShoulder, J.lShoulder, J.rHip, J.lHip]) expect(detected[j]!.source).toBe('detected');
  // The stage grew to show the completed head above the photo.
  const img = (await page.getByTestId('pose-photo').boundingBox())!;
  const nose = (await joint(page, 'nose').boundingBox())!;
  expect(nose.y + nose.height / 2).toBeLessThan(img.y);
  await expect(joint(page, 'nose').locator('span')).toHaveCSS('border-top-style', 'dashed');
  await expect(joint(page, 'neck').locator('span')).toHaveCSS('border-top-width', '0px'); // detected: solid dot

  // A preset moves the limbs and keeps the garment's shoulders and hips where they are.
  await page.getByTestId('pose-preset-arms-crossed').click();
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-shown', 'preset');
  const crossed = await readPose(page);
  for (const j of [J.neck, J.rShoulder, J.lShoulder, J.rHip, J.lHip]) {
    expect(crossed[j]!.x).toBeCloseTo(detected[j]!.x, 1);
    expect(crossed[j]!.y).toBeCloseTo(detected[j]!.y, 1);
  }
  // Arms crossed: each wrist ends on the other side of the body's centre line.
  expect(crossed[J.rWrist]!.x).toBeGreaterThan(crossed[J.neck]!.x);
  expect(crossed[J.lWrist]!.x).toBeLessThan(crossed[J.neck]!.x);
  expect(Math.hypot(crossed[J.rWrist]!.x - detected[J.rWrist]!.x, crossed[J.rWrist]!.y - detected[J.rWrist]!.y)).toBeGreaterThan(50);

  await page.getByTestId('pose-reset').click();
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-shown', 'detected');
  expect(await readPose(page)).toEqual(detected);

  // Save a preset, reopen: the saved pose is shown, and reset still goes back to the detection.
  await page.getByTestId('pose-preset-walking').click();
  const walking = await readPose(page);
  await page.getByTestId('save-pose').click();
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'saved');
  await page.reload();
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-state', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-shown', 'saved');
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'saved');
  expect(await readPose(page)).toEqual(walking);
  await page.getByTestId('pose-reset').click();
  expect(await readPose(page)).toEqual(detected);
  await page.screenshot({ path: 'test-results/pose-headless.png' });
});

test('no person: the studio says so and offers presets; a garment mask saved later places a body from its silhouette', async ({ page }) => {
  const file = photo('garment-idm-04469.jpg'); // a flat-lay top on white
  const bytes = readFileSync(file);
  // The garment selected: everything darker than the white background.
  const mask = await sharp(bytes).greyscale().threshold(236).negate().png().toBuffer();
  const putMask = async (id: string) => {
    const res = await page.request.put(`/api/sessions/${id}/mask`, { data: mask, headers: { 'content-type': 'image/png' } });
    expect(res.status()).toBe(200);
  };

  // The mask here is the test's: the studio's own proposal (auto-select) would race it and save another.
  await page.goto('/');
  await page.evaluate(() => localStorage.setItem('atelier-auto-select', 'off'));
  const bare = await upload(page, file, bytes);
  await openPose(page, bare.id, /^none$/);
  await expect(page.getByTestId('pose-status')).toContainText(/no person/i);
  await expect(page.getByTestId('pose-overlay').locator('[data-testid^="pose-joint-"]')).toHaveCount(0);
  await expect(page.getByTestId('save-pose')).toBeDisabled();
  await expect(page.getByTestId('pose-reset')).toBeDisabled();
  await page.getByTestId('pose-preset-front').click();
  await expectEighteenCentredJoints(page, bare);
  expect((await readPose(page)).every((k) => k.source === 'completed')).toBe(true);

  // The merchant selects the garment (saved while the page is open) and comes back to the pose step:
  // the silhouette completes the body; their preset stays until they reset to it.
  await putMask(bare.id);
  await page.getByTestId('step-garment').click();
  await page.getByTestId('step-pose').click();
  await expect(page.getByTestId('pose-reset')).toBeEnabled();
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-shown', 'preset');
  await page.getByTestId('pose-reset').click();
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-shown', 'silhouette');
  await page.getByTestId('save-pose').click();
  await expect(page.getByTestId('pose-save-status')).toHaveAttribute('data-state', 'saved');
  const saved = (await (await page.request.get(`/api/sessions/${bare.id}/pose`)).json()).pose;
  expect(saved.origin).toBe('silhouette');

  // A session whose mask exists when the page opens: straight to the silhouette pose.
  const masked = await upload(page, file, bytes);
  await putMask(masked.id);
  await openPose(page, masked.id, /^ready$/);
  await expect(page.getByTestId('pose-status')).toHaveAttribute('data-shown', 'silhouette');
  await expectEighteenCentredJoints(page, masked);
  const fromMask = await readPose(page);
  expect(fromMask.every((k) => k.source === 'completed')).toBe(true);
  expect(fromMask.map((k) => [k.x, k.y])).toEqual(
    saved.keypoints.map((k: { x: number; y: number }) => [Number(k.x.toFixed(2)), Number(k.y.toFixed(2))]),
  );
  // Shoulders on the garment's upper half, the person's left on the image's right.
  expect(fromMask[J.lShoulder]!.x).toBeGreaterThan(fromMask[J.rShoulder]!.x);
  for (const j of [J.rShoulder, J.lShoulder]) {
    expect(fromMask[j]!.y).toBeGreaterThan(0);
    expect(fromMask[j]!.y).toBeLessThan(masked.height / 2);
  }
  await page.screenshot({ path: 'test-results/pose-silhouette.png' });
});

test('zoomed in, a joint dragged moves by the photo pixels under the pointer; joints keep their size on screen', async ({ page }) => {
  const s = await upload(page, photo('person-catvton-049713.jpg'));
  await openPose(page, s.id, /^ready$/);
  const handleBefore = (await joint(page, 'left_wrist').boundingBox())!;
  await page.getByTestId('pose-zoom-in').click();
  await page.getByTestId('pose-zoom-in').click();
  await expect(page.getByTestId('pose-stage')).toHaveAttribute('data-zoom', '2.25');
  const handleZoomed = (await joint(page, 'left_wrist').boundingBox())!;
  expect(Math.abs(handleZoomed.width - handleBefore.width)).toBeLessThan(1);
  // The wrist may be outside the zoomed view: pan with the middle button until it is inside the stage.
  const stage = (await page.getByTestId('pose-stage').boundingBox())!;
  const inside = (b: { x: number; y: number }) =>
    b.x > stage.x + 20 && b.x < stage.x + stage.width - 20 && b.y > stage.y + 20 && b.y < stage.y + stage.height - 60;
  if (!inside(handleZoomed)) {
    const dx = stage.x + stage.width / 2 - handleZoomed.x;
    const dy = stage.y + stage.height / 2 - handleZoomed.y;
    await page.mouse.move(stage.x + stage.width / 2, stage.y + stage.height / 2);
    await page.mouse.down({ button: 'middle' });
    await page.mouse.move(stage.x + stage.width / 2 + dx, stage.y + stage.height / 2 + dy, { steps: 5 });
    await page.mouse.up({ button: 'middle' });
  }
  expect(inside((await joint(page, 'left_wrist').boundingBox())!)).toBe(true);
  const before = await readJoint(joint(page, 'left_wrist'));
  const scale = await dragJoint(page, 'left_wrist', 40, 30, s.width);
  const moved = await readJoint(joint(page, 'left_wrist'));
  expect(moved.x).toBeCloseTo(before.x + 40 * scale, -0.5);
  expect(moved.y).toBeCloseTo(before.y + 30 * scale, -0.5);
  await page.getByTestId('pose-zoom-fit').click();
  await expect(page.getByTestId('pose-stage')).toHaveAttribute('data-zoom', '1.00');
});
