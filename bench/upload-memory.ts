// Server memory and disk under many large uploads at once: `--concurrent` distinct ~39 MiB / 50 MP JPEGs
// posted together (about the worst an anonymous client can send under the default 40 MB / 50 MP limits).
//
//   node bench/upload-memory.ts [--concurrent 20] [--rounds 1] [--env NAME=value ...]
//
// RSS is read from /proc/<pid>/status of the server process (VmRSS sampled every 50 ms; VmHWM is the
// kernel's high-water mark since start). The photos are one fixture upscaled to 5760×8640 (49.8 MP) with
// strong grain, saved at JPEG quality 95 (~39 MiB); each copy carries its own JPEG comment, so the bytes
// differ (the server deduplicates by content) while every copy decodes to the same pixels. The server
// runs with ATELIER_MAX_UPLOADS = `--concurrent` unless --env says otherwise, so that every upload is
// let in and the figure is for all of them at once. Also printed: the bytes stored per photo.
import { openAsBlob, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import {
  fixturePhotos,
  loadLine,
  machineLine,
  memoryOf,
  mib,
  ms,
  printTable,
  sampleRss,
  startBenchServer,
  stats,
  tempPhotoDir,
  uploadFile,
  MODELS_OPTION,
  useModels,
} from './lib.ts';
import { serverBlobs } from '../tests/support/blobs.ts';

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    concurrent: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '1' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
useModels(args.models);
const CONCURRENT = Number(args.concurrent);
const ROUNDS = Number(args.rounds);
const WIDTH = 5760;
const HEIGHT = 8640;

/** The 50 MP photo: a fixture upscaled, with uniform grain of ±64 (what makes the JPEG weigh ~39 MiB). */
async function make50MpJpeg(fixture: string): Promise<Buffer> {
  const pixels = await sharp(fixture).resize(WIDTH, HEIGHT, { fit: 'cover' }).removeAlpha().raw().toBuffer();
  let seed = 12345;
  for (let i = 0; i < pixels.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const v = pixels[i] + ((seed >>> 24) - 128) * 0.5;
    pixels[i] = Math.min(255, Math.max(0, v));
  }
  return sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .jpeg({ quality: 95 })
    .toBuffer();
}

/** The same JPEG with a comment segment (FF FE) after the start-of-image marker: other bytes, same pixels. */
function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const marker = Buffer.alloc(4);
  marker.writeUInt16BE(0xfffe, 0);
  marker.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), marker, body, jpeg.subarray(2)]);
}

/** POST /api/images streaming the file from disk, so the bench's own memory stays flat. */
async function uploadFromDisk(baseUrl: string, file: string) {
  const form = new FormData();
  form.append('image', await openAsBlob(file, { type: 'image/jpeg' }), path.basename(file));
  const started = performance.now();
  try {
    const res = await fetch(`${baseUrl}/api/images`, { method: 'POST', body: form });
    const body = (await res.json()) as { image?: { id: string }; error?: { code: string } };
    return { status: res.status, ms: performance.now() - started, imageId: body.image?.id ?? null, code: body.error?.code ?? null };
  } catch (err) {
    return { status: 0, ms: performance.now() - started, imageId: null, code: String((err as Error).cause ?? err) };
  }
}

const userEnv = Object.fromEntries(args.env!.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const serverEnv = { ATELIER_MAX_UPLOADS: String(CONCURRENT), ...userEnv };
const tmp = tempPhotoDir();
const server = await startBenchServer(serverEnv).catch((err) => {
  tmp.remove();
  throw err;
});
const pid = server.process.pid!;
try {
  const envLine = Object.entries(serverEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  console.log(`upload-memory · ${machineLine()} · server env ${envLine}`);
  const fixtures = fixturePhotos();
  const base = await make50MpJpeg(fixtures.find((f) => f.endsWith('person-catvton-049713.jpg')) ?? fixtures[0]);
  const files: string[][] = [];
  for (let r = 0; r < ROUNDS; r++) {
    files.push([]);
    for (let i = 0; i < CONCURRENT; i++) {
      const file = path.join(tmp.dir, `50mp-r${r}-${i}.jpg`);
      writeFileSync(file, withComment(base, `atelier bench round ${r} photo ${i}`));
      files[r].push(file);
    }
  }
  console.log(`photos: ${WIDTH}×${HEIGHT} (${((WIDTH * HEIGHT) / 1e6).toFixed(1)} MP) JPEG, ${mib(base.byteLength / 2 ** 20)} each`);

  const rows: (string | number)[][] = [['server process', 'RSS', 'peak RSS (50 ms samples)', 'VmHWM', 'notes']];
  const snapshot = (label: string, peak: number | null, notes = '') => {
    const m = memoryOf(pid);
    rows.push([label, mib(m.rss), peak === null ? '' : mib(peak), mib(m.hwm), notes]);
  };
  await sleep(1000);
  snapshot('after start (idle)', null);
  const first = await uploadFile(server.url, fixtures[1]);
  if (first.status !== 201) throw new Error(`first upload answered ${first.status}: ${JSON.stringify(first.body)}`);
  await sleep(500);
  snapshot('after a small upload (encoder loaded)', null, ms(first.ms, 0));

  const roundRows: (string | number)[][] = [
    ['round', 'uploads', 'answers', 'wall', 'upload p50', 'upload max', 'peak RSS', 'RSS after', 'load'],
  ];
  const stored: number[] = [];
  const blobs = serverBlobs(server);
  for (let r = 0; r < ROUNDS; r++) {
    await sleep(300);
    const sampler = sampleRss(pid);
    const t0 = performance.now();
    const results = await Promise.all(files[r].map((f) => uploadFromDisk(server.url, f)));
    const wall = performance.now() - t0;
    const peak = sampler.stop();
    const answers = new Map<string, number>();
    for (const res of results) {
      const key = res.status === 201 ? '201' : `${res.status} ${res.code}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
    }
    const s = stats(results.map((x) => x.ms));
    await sleep(500);
    roundRows.push([
      `${r + 1}`,
      `${CONCURRENT}×50 MP`,
      [...answers].map(([k, n]) => `${n}× ${k}`).join(', '),
      ms(wall, 0),
      ms(s.p50, 0),
      ms(s.max, 0),
      mib(peak),
      mib(memoryOf(pid).rss),
      loadLine(),
    ]);
    snapshot(`after round ${r + 1} (+0.5 s)`, peak);
    for (const id of new Set(results.map((x) => x.imageId).filter((x): x is string => !!x))) {
      let bytes = 0;
      for (const key of await blobs.list(`images/${id}`)) bytes += (await blobs.size(key)) ?? 0;
      stored.push(bytes);
    }
  }
  await sleep(5000);
  snapshot('idle 5 s after the last round', null);

  printTable(roundRows);
  console.log('');
  printTable(rows);
  if (stored.length) {
    const s = stats(stored);
    const per = `${mib(s.p50 / 2 ** 20)} median, ${mib(s.max / 2 ** 20)} max`;
    console.log(`\nstored per 50 MP photo (all its files): ${per}, ${stored.length} photos`);
  }
} finally {
  await server.stop();
  tmp.remove();
}
