// API tests against the built server: upload, embedding, sessions, masks, and every bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { parse } from 'npyjs';
import { startServer, type RunningServer } from '../support/server.ts';
import { blobNames, serverBlobs } from '../support/blobs.ts';
import { photo } from '../support/paths.ts';
import { TEST_API_KEY } from '../support/auth.ts';

let server: RunningServer;
const PHOTO = 'person-idm-00034.jpg';

beforeAll(async () => {
  server = await startServer({ env: { ATELIER_MAX_UPLOAD_MB: '2', ATELIER_MAX_MEGAPIXELS: '20' } });
});
afterAll(() => server?.stop());

const url = (p: string) => server.url + p;

async function upload(
  bytes: Uint8Array | Buffer,
  opts: { field?: string; filename?: string; type?: string; headers?: Record<string, string> } = {},
) {
  const form = new FormData();
  form.append(opts.field ?? 'image', new Blob([new Uint8Array(bytes)], { type: opts.type ?? 'image/jpeg' }), opts.filename ?? 'photo.jpg');
  return fetch(url('/api/images'), { method: 'POST', body: form, headers: opts.headers });
}

async function storedState() {
  const sessions = (await (await fetch(url('/api/sessions'))).json()).sessions.length;
  return { sessions, files: (await serverBlobs(server).list('')).sort() };
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = await res.json();
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(10);
  return body.error.message as string;
}

const PNG_SIGNATURE = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/** An 8-bit RGB PNG built by hand: its header claims `w`×`h` pixels; its data holds `rows` grey rows. */
function handBuiltPng(w: number, h: number, rows: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const stride = 1 + 3 * w; // filter byte (0 = none) + pixels
  const raw = Buffer.alloc(rows * stride, 0x80);
  for (let y = 0; y < rows; y++) raw[y * stride] = 0;
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A PNG whose header claims `w`×`h` pixels, with a tiny (invalid) body: only the header is read. */
function pngHeaderClaiming(w: number, h: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const idat = pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00]));
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', ihdr), idat, pngChunk('IEND', Buffer.alloc(0))]);
}

/** Where the first IDAT chunk's data starts in a PNG, and how long it is. */
function firstIdat(png: Buffer): { data: number; length: number } {
  const type = png.indexOf('IDAT', PNG_SIGNATURE.length, 'ascii');
  return { data: type + 4, length: png.readUInt32BE(type - 4) };
}

/** Damaged PNGs made from a good one: garbled compressed data (checksum fixed), a wrong checksum, cut short. */
function damagedPngs(good: Buffer): Record<string, Buffer> {
  const { data, length } = firstIdat(good);
  const garbled = Buffer.from(good);
  for (let i = data + Math.floor(length / 3); i < data + Math.floor(length / 3) + 48; i++) garbled[i] ^= 0x5a;
  garbled.writeUInt32BE(crc32(garbled.subarray(data - 4, data + length)) >>> 0, data + length);
  const badCrc = Buffer.from(good);
  badCrc[data + Math.floor(length / 2)] ^= 0x01;
  return { garbled, badCrc, truncated: good.subarray(0, data + Math.floor(length / 2)) };
}

const grain = { type: 'gaussian', mean: 128, sigma: 30 } as const;

describe('POST /api/images', () => {
  it('normalises the photo, creates a session and serves a real .npy embedding', async () => {
    const res = await upload(readFileSync(photo(PHOTO)), { filename: PHOTO });
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.session.id).toMatch(/^[A-Za-z0-9_-]{6,}$/);
    expect(body.image).toMatchObject({ width: 768, height: 1024 });
    expect(body.image.url).toMatch(/^\/api\/images\//);
    expect(body.embedding).toMatchObject({ dtype: 'float16', shape: [1, 256, 64, 64] });

    const npyRes = await fetch(url(body.embedding.url));
    expect(npyRes.status).toBe(200);
    expect(npyRes.headers.get('cache-control')).toContain('immutable');
    const npy = parse(await npyRes.arrayBuffer());
    expect(npy.shape).toEqual([1, 256, 64, 64]);
    expect((npy.data as Float32Array).length).toBe(256 * 64 * 64);
    expect(Array.from(npy.data as Float32Array).some((v) => v !== 0)).toBe(true);

    const img = await fetch(url(body.image.url));
    expect(img.headers.get('content-type')).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(await img.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([768, 1024]);
    const original = await sharp(Buffer.from(await (await fetch(url(body.image.originalUrl))).arrayBuffer())).metadata();
    expect([original.format, original.width, original.height]).toEqual(['png', 768, 1024]);

    const session = await (await fetch(url(`/api/sessions/${body.session.id}`))).json();
    expect(session.session).toMatchObject({ id: body.session.id, mask: null, image: { id: body.image.id } });
  });

  it('runs the encoder once for the same photo uploaded twice (cache by content hash)', async () => {
    const bytes = readFileSync(photo('person-idm-00055.jpg'));
    const [a, b] = await Promise.all([upload(bytes), upload(bytes)]);
    const [ja, jb] = [await a.json(), await b.json()];
    expect(ja.session.id).not.toBe(jb.session.id);
    expect(ja.image.id).toBe(jb.image.id);
    const c = await (await upload(bytes)).json();
    expect(c.image.id).toBe(ja.image.id);
    const embeddings = (await serverBlobs(server).list('images')).filter((f) => f.endsWith('embedding.npy'));
    expect(new Set(embeddings).size).toBe(embeddings.length);
  });

  it('applies EXIF orientation and strips metadata', async () => {
    const rotated = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#c03030' } })
      .jpeg()
      .withMetadata({ orientation: 6, exif: { IFD0: { Copyright: 'secret-owner' } } })
      .toBuffer();
    const res = await upload(rotated);
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body.image).toMatchObject({ width: 200, height: 300 });
    const original = Buffer.from(await (await fetch(url(body.image.originalUrl))).arrayBuffer());
    const meta = await sharp(original).metadata();
    expect(meta.exif).toBeUndefined();
    expect(meta.orientation).toBeUndefined();
    expect(original.includes('secret-owner')).toBe(false);
  });

  it('keeps the uploaded file itself as the original (no PNG of its pixels) and serves it upright as a PNG', async () => {
    const sent = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#7a5030', noise: grain } })
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const res = await upload(sent);
    expect(res.status).toBe(201);
    const { image } = await res.json();
    expect(image).toMatchObject({ width: 900, height: 1200 });
    const blobs = serverBlobs(server);
    expect(await blobNames(blobs, `images/${image.id}`)).toEqual(['embedding.npy', 'photo.jpg', 'source.jpg', 'thumb.jpg']);
    expect((await blobs.get(`images/${image.id}/source.jpg`)).equals(sent)).toBe(true);

    const original = await fetch(url(image.originalUrl));
    expect(original.headers.get('content-type')).toBe('image/png');
    const png = Buffer.from(await original.arrayBuffer());
    const served = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const upright = await sharp(sent).rotate().raw().toBuffer({ resolveWithObject: true });
    expect([served.info.width, served.info.height, served.info.channels]).toEqual([900, 1200, 3]);
    expect(served.data.equals(upright.data)).toBe(true);
  });

  it('accepts PNG with transparency and WebP', async () => {
    const png = await sharp({ create: { width: 64, height: 48, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    expect((await upload(png, { type: 'image/png', filename: 'a.png' })).status).toBe(201);
    const webp = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#08f' } })
      .webp()
      .toBuffer();
    expect((await upload(webp, { type: 'image/webp', filename: 'a.webp' })).status).toBe(201);
  });
});

describe('bad uploads get a clear 4xx and store nothing', () => {
  let before: Awaited<ReturnType<typeof storedState>>;
  beforeAll(async () => {
    before = await storedState();
  });
  afterAll(async () => {
    expect(await storedState()).toEqual(before);
  });

  it('not an image', async () => {
    await expectError(await upload(Buffer.from('hello, this is a text file\n'.repeat(20)), { type: 'text/plain' }), 415, 'not_an_image');
  });
  it('a truncated JPEG', async () => {
    const full = readFileSync(photo(PHOTO));
    await expectError(await upload(full.subarray(0, Math.floor(full.length / 2))), 422, 'corrupt_image');
  });
  it('zero bytes', async () => {
    await expectError(await upload(Buffer.alloc(0)), 400, 'empty_file');
  });
  it('SVG, GIF and HEIC are refused with the supported formats named', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>');
    const msg = await expectError(await upload(svg, { type: 'image/svg+xml', filename: 'a.svg' }), 415, 'unsupported_format');
    expect(msg).toMatch(/JPEG, PNG or WebP/);
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .gif()
      .toBuffer();
    expect(await expectError(await upload(gif, { type: 'image/gif' }), 415, 'unsupported_format')).toMatch(/GIF.*JPEG, PNG or WebP/);
    // An ISO-BMFF 'ftypheic' header, as iPhones write: refused either as HEIC or as unreadable, naming what works.
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic\0\0\0\0mif1heic'), Buffer.alloc(64)]);
    const res = await upload(heic, { type: 'image/heic', filename: 'IMG_0001.HEIC' });
    expect(res.status).toBe(415);
    expect((await res.json()).error.message).toMatch(/JPEG, PNG or WebP/);
  });
  it('a PNG with damaged pixel data: garbled, a wrong checksum, or cut short', async () => {
    const good = await sharp({ create: { width: 160, height: 120, channels: 3, background: '#336699', noise: grain } })
      .png()
      .toBuffer();
    await sharp(good).raw().toBuffer(); // the undamaged one decodes
    for (const [name, png] of Object.entries(damagedPngs(good))) {
      const res = await upload(png, { type: 'image/png', filename: `${name}.png` });
      await expectError(res, 422, 'corrupt_image');
    }
  });
  it('a PNG whose header claims far more rows than its data holds', async () => {
    await expectError(await upload(handBuiltPng(4000, 4000, 10), { type: 'image/png' }), 422, 'corrupt_image');
  });
  it('a photo one pixel wide or one pixel high', async () => {
    for (const [w, h] of [
      [1, 100_000],
      [100_000, 1],
    ]) {
      const msg = await expectError(await upload(handBuiltPng(w, h, h), { type: 'image/png' }), 422, 'unsupported_shape');
      expect(msg).toContain(`${w}×${h}`);
    }
  });
  it('over the byte limit', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 1);
    await expectError(await upload(big), 413, 'file_too_large');
  });
  it('in the merchant’s language: Chinese for a browser set to Chinese, with the numbers; the language cookie wins', async () => {
    const zh = { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' };
    const big = Buffer.alloc(3 * 1024 * 1024, 1);
    const tooBig = await upload(big, { headers: zh });
    expect(tooBig.headers.get('content-language')).toBe('zh-CN');
    expect(await expectError(tooBig, 413, 'file_too_large')).toBe('文件超过 2 MB。请上传更小的照片。');
    expect(await expectError(await upload(Buffer.alloc(0), { headers: zh }), 400, 'empty_file')).toMatch(/^文件是空的/);
    // A page the language switch set to English stays English, whatever the browser says.
    const withKey = { authorization: `Bearer ${TEST_API_KEY}` }; // a cookie header of our own: the key goes by hand
    const en = await upload(Buffer.alloc(0), { headers: { ...zh, ...withKey, cookie: 'atelier-lang=en' } });
    expect(await expectError(en, 400, 'empty_file')).toMatch(/^The file is empty/);
    // An API client that names no language reads English.
    expect(await expectError(await upload(Buffer.alloc(0)), 400, 'empty_file')).toMatch(/^The file is empty/);
    // Refusals made before any route (the access rules) too.
    const missing = await fetch(url('/api/sessions/AAAAAAAAAAAAAAAAAAAAAA'), { headers: { ...withKey, cookie: 'atelier-lang=zh-CN' } });
    expect(await expectError(missing, 404, 'not_found')).toMatch(/^找不到/);
  });
  it('over the pixel limit (decompression bomb) is refused from the header alone', async () => {
    await expectError(await upload(pngHeaderClaiming(60_000, 60_000), { type: 'image/png' }), 413, 'too_many_pixels');
  });
  it('missing or wrong multipart field, or not multipart at all', async () => {
    await expectError(await upload(readFileSync(photo(PHOTO)), { field: 'photo' }), 400, 'missing_field');
    const empty = new FormData();
    empty.append('note', 'hi');
    await expectError(await fetch(url('/api/images'), { method: 'POST', body: empty }), 400, 'missing_field');
    await expectError(
      await fetch(url('/api/images'), { method: 'POST', body: readFileSync(photo(PHOTO)), headers: { 'content-type': 'image/jpeg' } }),
      415,
      'expected_multipart',
    );
  });
  it('a form cut short (its file part never closed)', async () => {
    const part = '--cut\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n';
    const headers = { 'content-type': 'multipart/form-data; boundary=cut' };
    const res = await fetch(url('/api/images'), { method: 'POST', body: part + 'x'.repeat(5000), headers });
    await expectError(res, 400, 'bad_multipart');
  });
  it('a cross-site browser form post', async () => {
    const form = new FormData();
    form.append('image', new Blob([readFileSync(photo(PHOTO))]), 'a.jpg');
    await expectError(
      await fetch(url('/api/images'), { method: 'POST', body: form, headers: { origin: 'https://evil.example' } }),
      403,
      'cross_site',
    );
  });
});

describe('sessions and masks', () => {
  let sessionId: string;
  let width: number;
  let height: number;
  beforeAll(async () => {
    const body = await (await upload(readFileSync(photo('person-ootd-01008.jpg')), { filename: 'dress.jpg' })).json();
    sessionId = body.session.id;
    ({ width, height } = body.image);
  });

  const putMask = (id: string, body: Uint8Array | Buffer, type = 'image/png') =>
    fetch(url(`/api/sessions/${id}/mask`), { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': type } });

  it('lists sessions newest first', async () => {
    const { sessions } = await (await fetch(url('/api/sessions'))).json();
    expect(sessions[0].id).toBe(sessionId);
    const times = sessions.map((s: { createdAt: string }) => s.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('stores a mask PNG of the photo size, counts its area, and serves it back', async () => {
    const raw = Buffer.alloc(width * height);
    for (let y = 100; y < 300; y++) raw.fill(255, y * width + 200, y * width + 400);
    const png = await sharp(raw, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer();
    const res = await putMask(sessionId, png);
    expect(res.status).toBe(200);
    const { session } = await res.json();
    expect(session.mask).toMatchObject({ rev: 1, area: 200 * 200 });
    const back = await fetch(url(session.mask.url));
    expect(back.status).toBe(200);
    const decoded = await sharp(Buffer.from(await back.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([decoded.info.width, decoded.info.height]).toEqual([width, height]);
    let area = 0;
    for (let i = 0; i < decoded.data.length; i += decoded.info.channels) area += decoded.data[i] >= 128 ? 1 : 0;
    expect(area).toBe(200 * 200);
    // a second save replaces the first; the old file is gone
    const res2 = await putMask(
      sessionId,
      await sharp({ create: { width, height, channels: 3, background: '#fff' } })
        .png()
        .toBuffer(),
    );
    expect((await res2.json()).session.mask).toMatchObject({ rev: 2, area: width * height });
    expect(
      (await blobNames(serverBlobs(server), `sessions/${sessionId}`)).map((n) => n.replace(/^(mask-\d+)-[\w-]+\.png$/, '$1.png')),
    ).toEqual(['mask-2.png']);
  });

  it('refuses a mask of the wrong size, not a PNG, for an unknown session, and ids with path characters', async () => {
    const before = await storedState();
    const small = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    expect(await expectError(await putMask(sessionId, small), 422, 'mask_size_mismatch')).toMatch(/10×10/);
    const jpeg = await sharp({ create: { width, height, channels: 3, background: '#fff' } })
      .jpeg()
      .toBuffer();
    await expectError(await putMask(sessionId, jpeg), 415, 'mask_not_png');
    await expectError(await putMask(sessionId, Buffer.from('not a png')), 415, 'mask_not_png');
    // A decompression bomb: a few bytes whose header claims 60000×60000 pixels. Refused for its size, undecoded.
    const bomb = await putMask(sessionId, pngHeaderClaiming(60_000, 60_000));
    expect(await expectError(bomb, 422, 'mask_size_mismatch')).toMatch(/60000×60000/);
    const right = await sharp({ create: { width, height, channels: 3, background: '#fff', noise: grain } })
      .png()
      .toBuffer();
    await expectError(await putMask(sessionId, damagedPngs(right).garbled), 422, 'corrupt_mask');
    await expectError(await putMask('AAAAAAAAAAAAAAAAAAAAAA', small), 404, 'not_found');
    await expectError(await fetch(url('/api/sessions/AAAAAAAAAAAAAAAAAAAAAA')), 404, 'not_found');
    for (const bad of ['..%2F..%2Fetc', 'abc$def', '%2e%2e', 'a.b.c.d.e.f']) {
      const res = await fetch(url(`/api/sessions/${bad}`));
      expect([400, 404]).toContain(res.status);
      const body = await res.json();
      expect(body.error.code).toMatch(/invalid_id|not_found/);
      const put = await putMask(bad, small);
      expect([400, 404]).toContain(put.status);
      expect((await put.json()).error.code).toMatch(/invalid_id|not_found/);
    }
    await expectError(await fetch(url('/api/images/abc$def123/photo.jpg')), 400, 'invalid_id');
    await expectError(await fetch(url('/api/images/AAAAAAAAAAAAAAAAAAAAAA/embedding.npy')), 404, 'not_found');
    await expectError(await fetch(url('/api/images/AAAAAAAAAAAAAAAAAAAAAA/passwd')), 404, 'not_found');
    // A photo of this workspace: a file name outside the photo's own files is refused as such.
    const imageId = (await (await fetch(url(`/api/sessions/${sessionId}`))).json()).session.image.id;
    await expectError(await fetch(url(`/api/images/${imageId}/passwd`)), 400, 'unknown_file');
    expect(await storedState()).toEqual(before);
  });
});

describe('health and missing models', () => {
  it('reports models and a writable data dir', async () => {
    const res = await fetch(url('/api/health'));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.ok).toBe(true);
    expect(body.dataDir.writable).toBe(true);
    expect(body.encoder).toEqual({ loaded: true }); // loaded at start-up / by the uploads above
    const roles = body.models.map((m: { role: string }) => m.role);
    expect(roles).toEqual(expect.arrayContaining(['sam-encoder', 'sam-decoder-single', 'sam-decoder-multi', 'pose-full']));
  });

  it('without model files: health says which command fetches them and uploads fail clearly, storing nothing', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'atelier-nomodels-'));
    const bare = await startServer({ env: { ATELIER_MODELS_DIR: empty } });
    try {
      const health = await fetch(`${bare.url}/api/health`);
      expect(health.status).toBe(503);
      const body = await health.json();
      expect(body.ok).toBe(false);
      expect(body.fix).toMatch(/npm run models/);
      expect(body.models.find((m: { role: string }) => m.role === 'sam-encoder').state).toBe('missing');
      const form = new FormData();
      form.append('image', new Blob([readFileSync(photo(PHOTO))]), 'a.jpg');
      const res = await fetch(`${bare.url}/api/images`, { method: 'POST', body: form });
      expect(res.status).toBe(503);
      const err = await res.json();
      expect(err.error.code).toBe('model_missing');
      expect(err.error.message).toMatch(/npm run models/);
      expect(await serverBlobs(bare).list('')).toEqual([]);
      expect((await (await fetch(`${bare.url}/api/sessions`)).json()).sessions).toEqual([]);
    } finally {
      await bare.stop();
    }
  });

  it('refuses generated stand-in models unless the test harness allows them', async () => {
    const strict = await startServer({ env: { ATELIER_TEST_MODELS: '0' } });
    try {
      const body = await (await fetch(`${strict.url}/api/health`)).json();
      const enc = body.models.find((m: { role: string }) => m.role === 'sam-encoder');
      if (enc.state !== 'ok') {
        expect(enc.state).toBe('missing');
        expect(enc.message).toMatch(/stand-in.*npm run models/);
      }
    } finally {
      await strict.stop();
    }
  });
});

describe('finding a session by name', () => {
  it('?q= keeps the sessions whose name contains it, in any case, with % and _ as plain letters, a page at a time', async () => {
    const bytes = readFileSync(photo(PHOTO));
    const ids: Record<string, string> = {};
    for (const name of ['Red Dress 50%.jpg', 'red_scarf.jpg', 'blue shirt.jpg', '春季连衣裙.jpg']) {
      const res = await upload(bytes, { filename: name });
      expect(res.status).toBe(201);
      ids[name] = (await res.json()).session.id;
    }
    const titles = async (q: string, extra = '') => {
      const res = await fetch(url(`/api/sessions?q=${encodeURIComponent(q)}${extra}`));
      expect(res.status).toBe(200);
      const body = await res.json();
      return { titles: body.sessions.map((s: { title: string }) => s.title) as string[], next: body.nextCursor as string | null };
    };
    expect((await titles('RED')).titles).toEqual(['red_scarf', 'Red Dress 50%']);
    expect((await titles('50%')).titles).toEqual(['Red Dress 50%']);
    expect((await titles('%')).titles).toEqual(['Red Dress 50%']);
    expect((await titles('_')).titles).toEqual(['red_scarf']);
    expect((await titles('连衣裙')).titles).toEqual(['春季连衣裙']);
    expect((await titles('  ')).titles.length).toBeGreaterThanOrEqual(4); // blank: every session
    // A page at a time, the search kept with the cursor.
    const first = await titles('red', '&limit=1');
    expect(first.titles).toEqual(['red_scarf']);
    const second = await titles('red', `&limit=1&cursor=${first.next}`);
    expect(second).toEqual({ titles: ['Red Dress 50%'], next: null });
    await expectError(await fetch(url(`/api/sessions?q=${'x'.repeat(101)}`)), 400, 'invalid_input');
  });
});
