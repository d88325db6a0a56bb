// Server resources: embedding bytes on the wire, RSS after start / with the encoder loaded, and RSS
// during and after batches of 10 concurrent uploads of distinct photos.
//
//   node bench/server-resources.ts [--batches 3] [--concurrent 10] [--big 3] [--env NAME=value ...]
//
// RSS is read from /proc/<pid>/status of the server process (VmRSS, sampled every 50 ms; VmHWM is the
// kernel's own high-water mark). Each batch uploads `--concurrent` distinct photos at once: `--big` of
// them 12 MP JPEGs (~4 MB), the rest crops/resizes of the fixtures (~0.1 MB, about 768×1024); every
// photo is new to the server (it deduplicates by content, so repeats would cost nothing). --env passes
// variables to the server, e.g. --env MALLOC_ARENA_MAX=2 to compare allocator settings.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeEmbeddingNpy, encodeEmbeddingNpy } from '../src/lib/sam/npy.ts';
import {
  fixturePhotos,
  loadLine,
  machineLine,
  make12MpJpeg,
  makeVariantJpeg,
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

const { values: args } = parseArgs({
  options: {
    ...MODELS_OPTION,
    batches: { type: 'string', default: '3' },
    concurrent: { type: 'string', default: '10' },
    big: { type: 'string', default: '3' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
useModels(args.models);
const BATCHES = Number(args.batches);
const CONCURRENT = Number(args.concurrent);
const BIG = Math.min(Number(args.big), CONCURRENT);

const serverEnv = Object.fromEntries(args.env!.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const server = await startBenchServer(serverEnv);
const tmp = tempPhotoDir();
const pid = server.process.pid!;
try {
  console.log(`server-resources · ${machineLine()}${args.env!.length ? ` · server env ${args.env!.join(' ')}` : ''}`);
  const fixtures = fixturePhotos();
  const rows: (string | number)[][] = [['server process', 'RSS', 'peak RSS (50 ms samples)', 'VmHWM', 'notes']];
  const snapshot = (label: string, peak: number | null, notes = '') => {
    const m = memoryOf(pid);
    rows.push([label, mib(m.rss), peak === null ? '' : mib(peak), mib(m.hwm), notes]);
  };

  await sleep(1000);
  snapshot('after start (idle)', null);

  // First upload: loads the SAM encoder.
  let sampler = sampleRss(pid);
  const first = await uploadFile(server.url, fixtures[0]);
  if (first.status !== 201) throw new Error(`first upload answered ${first.status}: ${JSON.stringify(first.body)}`);
  await sleep(500);
  snapshot('after first upload (encoder loaded)', sampler.stop(), `${path.basename(fixtures[0])}, ${ms(first.ms, 0)}`);

  // Embedding on the wire.
  const res = await fetch(server.url + first.embeddingUrl);
  const npy = await res.arrayBuffer();
  const { values, dtype } = decodeEmbeddingNpy(npy);
  const f32 = encodeEmbeddingNpy(values, 'float32').byteLength;
  const f16 = encodeEmbeddingNpy(values, 'float16').byteLength;
  console.log(
    `\nembedding.npy on the wire: ${npy.byteLength} bytes (${dtype}, content-length ${res.headers.get('content-length')}, ` +
      `content-encoding ${res.headers.get('content-encoding') ?? 'none'}); float16 ${f16} bytes = ${(f16 / 2 ** 20).toFixed(2)} MiB, ` +
      `float32 would be ${f32} bytes = ${(f32 / 2 ** 20).toFixed(2)} MiB (×${(f32 / f16).toFixed(2)})\n`,
  );

  // Batches of concurrent uploads, each photo distinct.
  const batchRows: (string | number)[][] = [
    ['batch', 'photos', 'all 201', 'wall', 'upload p50', 'upload max', 'peak RSS', 'RSS after', 'load'],
  ];
  for (let b = 0; b < BATCHES; b++) {
    const files: string[] = [];
    for (let i = 0; i < CONCURRENT; i++) {
      const fixture = fixtures[(i + b * 3) % fixtures.length];
      const variant = 10 + b * CONCURRENT + i;
      files.push(i < BIG ? await make12MpJpeg(tmp.dir, fixture, variant) : await makeVariantJpeg(tmp.dir, fixture, variant));
    }
    await sleep(300);
    sampler = sampleRss(pid);
    const t0 = performance.now();
    const results = await Promise.all(files.map((f) => uploadFile(server.url, f)));
    const wall = performance.now() - t0;
    const peak = sampler.stop();
    const ok = results.filter((r) => r.status === 201).length;
    const bad = results.filter((r) => r.status !== 201);
    if (bad.length)
      console.log(`batch ${b + 1}: ${bad.length} failed: ${bad.map((r) => `${r.status} ${JSON.stringify(r.body)}`).join('; ')}`);
    const s = stats(results.map((r) => r.ms));
    await sleep(500);
    const after = memoryOf(pid).rss;
    batchRows.push([
      `${b + 1}`,
      `${BIG}×12 MP + ${CONCURRENT - BIG}×small`,
      `${ok}/${results.length}`,
      ms(wall, 0),
      ms(s.p50, 0),
      ms(s.max, 0),
      mib(peak),
      mib(after),
      loadLine(),
    ]);
    snapshot(`after batch ${b + 1} (+0.5 s)`, peak);
  }
  await sleep(5000);
  snapshot('idle 5 s after the last batch', null);

  printTable(batchRows);
  console.log('');
  printTable(rows);
} finally {
  await server.stop();
  tmp.remove();
}
