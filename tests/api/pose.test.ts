// API tests for the session pose: PUT/GET round trip, the ControlNet skeleton PNG, and every bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../support/server.ts';
import { photo } from '../support/paths.ts';
import { JOINT_COLORS, J, placePreset, type Pose } from '../../src/lib/pose/index.ts';

let server: RunningServer;
const PHOTO = 'person-idm-00034.jpg'; // 768×1024
const W = 768;
const H = 1024;
let withPose: string; // session the round trip writes to
let without: string; // session that never gets a pose

beforeAll(async () => {
  server = await startServer();
  const bytes = readFileSync(photo(PHOTO));
  // The same photo twice: two sessions, one image (the server encodes it once).
  withPose = await upload(bytes);
  without = await upload(bytes);
});
afterAll(() => server?.stop());

const url = (p: string) => server.url + p;

async function upload(bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), PHOTO);
  const res = await fetch(url('/api/images'), { method: 'POST', body: form });
  expect(res.status).toBe(201);
  return (await res.json()).session.id;
}

const putRaw = (id: string, body: string, type = 'application/json') =>
  fetch(url(`/api/sessions/${id}/pose`), { method: 'PUT', body, headers: { 'content-type': type } });
const putPose = (id: string, pose: unknown) => putRaw(id, JSON.stringify(pose));
const getPose = (id: string) => fetch(url(`/api/sessions/${id}/pose`));

async function expectError(res: Response, status: number, code?: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  if (code) expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error.message as string;
}

/** A front-standing pose placed in the photo, with mixed sources like a real completed detection. */
function samplePose(): Pose {
  const pose = placePreset('front', W, H);
  pose.origin = 'detected';
  delete pose.presetId;
  for (const [i, k] of pose.keypoints.entries()) k.source = i < 14 ? 'detected' : 'completed';
  return pose;
}

async function skeleton(id: string, query = '') {
  const res = await fetch(url(`/api/sessions/${id}/skeleton.png${query}`));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  const png = Buffer.from(await res.arrayBuffer());
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  const pixel = (x: number, y: number) => {
    const o = (Math.floor(y) * info.width + Math.floor(x)) * info.channels;
    return [data[o], data[o + 1], data[o + 2]];
  };
  return { info, pixel, res };
}

describe('PUT/GET /api/sessions/:id/pose', () => {
  it('has no pose before the first save: GET and skeleton.png answer 404 no_pose', async () => {
    expect(await expectError(await getPose(without), 404, 'no_pose')).toMatch(/pose/i);
    expect(await expectError(await fetch(url(`/api/sessions/${without}/skeleton.png`)), 404, 'no_pose')).toMatch(/pose/i);
  });

  it('stores a valid pose and serves it back, with a revision that grows', async () => {
    const pose = samplePose();
    const res = await putPose(withPose, pose);
    expect(res.status).toBe(200);
    const saved = await res.json();
    expect(saved.rev).toBe(1);
    expect(saved.pose).toEqual(pose);
    expect(Date.parse(saved.updatedAt)).toBeGreaterThan(0);

    const back = await (await getPose(withPose)).json();
    expect(back).toEqual(saved);

    pose.keypoints[J.lWrist] = { ...pose.keypoints[J.lWrist]!, x: 600, y: 700, source: 'edited' };
    pose.origin = 'preset';
    pose.presetId = 'front';
    const again = await (await putPose(withPose, pose)).json();
    expect(again.rev).toBe(2);
    expect((await (await getPose(withPose)).json()).pose.keypoints[J.lWrist]).toEqual({
      name: 'left_wrist',
      x: 600,
      y: 700,
      source: 'edited',
    });
  });
});

describe('GET /api/sessions/:id/skeleton.png', () => {
  it('renders the saved pose at the photo size by default, joints in their OpenPose colours', async () => {
    const { info, pixel, res } = await skeleton(withPose);
    expect([info.width, info.height, info.channels]).toEqual([W, H, 3]);
    expect(res.headers.get('etag')).toBe('"pose-2-768x1024"');
    expect(pixel(600, 700)).toEqual([...JOINT_COLORS[J.lWrist]!]); // the edited left wrist
    expect(pixel(5, 5)).toEqual([0, 0, 0]); // black background
    const saved = (await (await getPose(withPose)).json()).pose as Pose;
    const nose = saved.keypoints[J.nose]!;
    expect(pixel(nose.x, nose.y)).toEqual([...JOINT_COLORS[J.nose]!]);
  });

  it('scales the pose to width×height, or keeps the photo aspect when one side is given', async () => {
    const half = await skeleton(withPose, '?width=384&height=512');
    expect([half.info.width, half.info.height]).toEqual([384, 512]);
    expect(half.pixel(300, 350)).toEqual([...JOINT_COLORS[J.lWrist]!]);

    const stretched = await skeleton(withPose, '?width=1024&height=1024');
    expect([stretched.info.width, stretched.info.height]).toEqual([1024, 1024]);
    expect(stretched.pixel((600 * 1024) / W, (700 * 1024) / H)).toEqual([...JOINT_COLORS[J.lWrist]!]);

    const byWidth = await skeleton(withPose, '?width=300');
    expect([byWidth.info.width, byWidth.info.height]).toEqual([300, 400]);
    const byHeight = await skeleton(withPose, '?height=2048');
    expect([byHeight.info.width, byHeight.info.height]).toEqual([1536, 2048]);
  });

  it('refuses one side whose partner would pass 4096 at the photo aspect', async () => {
    expect(await expectError(await fetch(url(`/api/sessions/${withPose}/skeleton.png?width=4000`)), 400, 'invalid_size')).toMatch(
      /height would be 5333 px/,
    );
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const res = await fetch(url(`/api/sessions/${withPose}/skeleton.png`), { headers: { 'if-none-match': '"pose-2-768x1024"' } });
    expect(res.status).toBe(304);
  });

  it('refuses sizes that are not whole numbers from 1 to 4096', async () => {
    for (const q of ['width=0', 'width=-5', 'width=abc', 'width=1.5', 'height=4097', 'width=100000', 'width=1e3', 'height=%20']) {
      const msg = await expectError(await fetch(url(`/api/sessions/${withPose}/skeleton.png?${q}`)), 400, 'invalid_size');
      expect(msg).toMatch(/4096/);
    }
  });

  it('unknown session: 404; id with path characters: 400', async () => {
    await expectError(await fetch(url('/api/sessions/nosuchsession1/skeleton.png')), 404, 'not_found');
    await expectError(await fetch(url('/api/sessions/bad..id/skeleton.png')), 400, 'invalid_id');
  });
});

/** A pose as a client may send it: any field missing, added or holding the wrong type. */
type RawJson = Record<string, unknown>;
type RawPose = RawJson & { keypoints: RawJson[] };

describe('bad pose input: 4xx with a message, nothing stored', () => {
  const good = samplePose();
  const mutate = (f: (p: RawPose) => void) => {
    const p = structuredClone(good) as unknown as RawPose;
    f(p);
    return p;
  };

  const cases: [string, () => Promise<Response>, number, RegExp][] = [
    [
      'missing keypoints',
      () =>
        putPose(
          withPose,
          mutate((p: RawJson) => delete p.keypoints),
        ),
      400,
      /keypoints/,
    ],
    [
      'a keypoint without y',
      () =>
        putPose(
          withPose,
          mutate((p) => delete p.keypoints[3].y),
        ),
      400,
      /keypoints\.3\.y/,
    ],
    [
      'an extra top-level field',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.owner = 'x')),
        ),
      400,
      /owner|unrecognized/i,
    ],
    [
      'an extra keypoint field',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.keypoints[0].score = 0.9)),
        ),
      400,
      /score|unrecognized/i,
    ],
    [
      'a coordinate as a string',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.keypoints[2].x = '12')),
        ),
      400,
      /keypoints\.2\.x/,
    ],
    [
      'a null coordinate',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.keypoints[2].x = null)),
        ),
      400,
      /keypoints\.2\.x/,
    ],
    [
      'an infinite coordinate (1e999)',
      () => putRaw(withPose, JSON.stringify(good).replace(/"x":[^,]+/, '"x":1e999')),
      400,
      /keypoints\.0\.x/,
    ],
    ['NaN (not JSON)', () => putRaw(withPose, JSON.stringify(good).replace(/"x":[^,]+/, '"x":NaN')), 400, /JSON/],
    [
      'a joint far outside the photo',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.keypoints[4].x = 1e7)),
        ),
      400,
      /right_wrist.*too far outside/,
    ],
    [
      'a joint far above the photo',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.keypoints[0].y = -5000)),
        ),
      400,
      /nose.*too far outside/,
    ],
    [
      '17 keypoints',
      () =>
        putPose(
          withPose,
          mutate((p) => p.keypoints.pop()),
        ),
      400,
      /18 keypoints/,
    ],
    [
      '19 keypoints',
      () =>
        putPose(
          withPose,
          mutate((p) => p.keypoints.push({ ...p.keypoints[0] })),
        ),
      400,
      /18 keypoints/,
    ],
    [
      'keypoints out of order',
      () =>
        putPose(
          withPose,
          mutate((p) => ([p.keypoints[2], p.keypoints[5]] = [p.keypoints[5], p.keypoints[2]])),
        ),
      400,
      /keypoint 2 must be right_shoulder/,
    ],
    [
      'an unknown joint name',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.keypoints[0].name = 'head')),
        ),
      400,
      /keypoints\.0\.name/,
    ],
    [
      'an unknown source',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.keypoints[0].source = 'guessed')),
        ),
      400,
      /source/,
    ],
    [
      'the wrong photo size',
      () =>
        putPose(
          withPose,
          mutate((p) => Object.assign(p, { width: 512, height: 512 })),
        ),
      400,
      /512×512.*768×1024/,
    ],
    [
      'a fractional width',
      () =>
        putPose(
          withPose,
          mutate((p) => (p.width = 767.5)),
        ),
      400,
      /width/,
    ],
    ['not JSON at all', () => putRaw(withPose, 'pose please'), 400, /JSON/],
    ['an empty body', () => putRaw(withPose, ''), 400, /JSON/],
    ['a JSON array', () => putRaw(withPose, '[]'), 400, /object/i],
    ['a non-JSON content type', () => putRaw(withPose, JSON.stringify(good), 'text/plain'), 415, /application\/json/],
    ['a body over 64 KB', () => putRaw(withPose, JSON.stringify({ ...good, pad: 'x'.repeat(70_000) })), 413, /larger/],
  ];

  it.each(cases)('%s', async (_name, send, status, message) => {
    const before = await (await getPose(withPose)).json();
    expect(await expectError(await send(), status)).toMatch(message);
    expect(await (await getPose(withPose)).json()).toEqual(before);
  });

  it('stores nothing for a session that had no pose', async () => {
    await expectError(
      await putPose(
        without,
        mutate((p) => (p.keypoints[4].x = 1e7)),
      ),
      400,
      'invalid_input',
    );
    await expectError(await getPose(without), 404, 'no_pose');
  });

  it('unknown session: 404 for PUT and GET; id with path characters: 400', async () => {
    expect(await expectError(await putPose('nosuchsession1', good), 404, 'not_found')).toMatch(/session/i);
    await expectError(await getPose('nosuchsession1'), 404, 'not_found');
    await expectError(await putPose('bad..id', good), 400, 'invalid_id');
  });

  it('a cross-site browser PUT is refused', async () => {
    const res = await fetch(url(`/api/sessions/${withPose}/pose`), {
      method: 'PUT',
      body: JSON.stringify(good),
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
    });
    await expectError(res, 403, 'cross_site');
  });
});
