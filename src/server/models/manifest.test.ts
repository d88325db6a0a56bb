import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadVerified } from '../../../models/fetch.ts';
import manifestJson from '../../../models/manifest.json' with { type: 'json' };
import { SAM2_SHAPED } from '../../lib/sam/__fixtures__/sam2-shaped.ts';
import { MOBILE_SAM } from '../../lib/sam/families/mobile-sam.ts';
import { SAM_MODEL, samModelFiles } from '../../lib/sam/model.ts';
import { MANIFEST, modelEntry, modelFilePath, parseManifest, verifyModelFile } from './manifest.ts';
import { buildPoseTaskBundles, poseSourceDir } from '../../../models/build-pose.ts';
import { addInputNormalizationMetadata, listZipMembers, readInputNormalization } from '../../../models/pose-bundle.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'atelier-models-test-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});
const freshDir = (name: string) => {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

describe('manifest', () => {
  it('lists the three SAM files and the three pose bundles, with unique files and roles', () => {
    expect(MANIFEST.map((m) => m.role)).toEqual([
      'sam-encoder',
      'sam-decoder-single',
      'sam-decoder-multi',
      'pose-lite',
      'pose-full',
      'pose-heavy',
    ]);
    expect(new Set(MANIFEST.map((m) => m.file)).size).toBe(MANIFEST.length);
    for (const m of MANIFEST.filter((e) => e.kind === 'sam')) {
      expect(m.url).toMatch(/^https:\/\/huggingface\.co\/Acly\/MobileSAM\/resolve\/[0-9a-f]{40}\//);
      expect(m.url?.endsWith(`/${m.file}`)).toBe(true);
    }
    expect(modelEntry('sam-encoder').side).toBe('server');
    expect(modelEntry('sam-decoder-single').size).toBe(16_501_323);
    expect(modelFilePath('/models', 'pose-lite')).toBe(path.join('/models', 'pose_landmarker_lite.task'));
  });
});

describe('manifest and SAM model descriptions', () => {
  const entries = manifestJson.models;
  const samEntry = manifestJson.models.find((m) => m.kind === 'sam')!;
  /** Manifest entries for the SAM 2-shaped test family (a second family is a description plus entries like these). */
  const sam2Entries = samModelFiles(SAM2_SHAPED).map(({ use, file }) => ({
    ...samEntry,
    file,
    role: `sam-${use}`,
    side: use === 'encoder' ? 'server' : 'browser',
    url: `https://example.org/sam2/${file}`,
  }));
  const families = [MOBILE_SAM, SAM2_SHAPED];
  const roles = (list: { role: string; file: string }[]) => list.map((m) => `${m.role} ${m.file}`);

  it('uses the active family’s SAM files, whose roles are the uses the description gives them', () => {
    expect(MANIFEST.filter((m) => m.kind === 'sam').map((m) => m.file)).toEqual(samModelFiles(SAM_MODEL).map((f) => f.file));
    const both = { models: [...entries, ...sam2Entries] };
    expect(roles(parseManifest(both, families, MOBILE_SAM))).toEqual(roles([...MANIFEST]));
    const sam2 = parseManifest(both, families, SAM2_SHAPED);
    expect(roles(sam2.filter((m) => m.kind === 'sam'))).toEqual([
      'sam-encoder sam2_test_image_encoder.onnx',
      'sam-decoder-single sam2_test_decoder_single.onnx',
      'sam-decoder-multi sam2_test_decoder_multi.onnx',
    ]);
    expect(sam2.filter((m) => m.kind === 'pose')).toEqual(MANIFEST.filter((m) => m.kind === 'pose'));
  });

  it('refuses SAM entries no description names, roles that contradict it, and a family with files missing', () => {
    expect(() => parseManifest({ models: [...entries, ...sam2Entries] }, [MOBILE_SAM], MOBILE_SAM)).toThrow(
      /sam2_test_image_encoder\.onnx is a SAM file of no model description/,
    );
    const swapped = sam2Entries.map((m) => (m.role === 'sam-decoder-multi' ? { ...m, role: 'sam-decoder-single' } : m));
    expect(() => parseManifest({ models: [...entries, ...swapped] }, families, MOBILE_SAM)).toThrow(
      /sam2_test_decoder_multi\.onnx is the decoder-multi of sam2-shaped-test: its role must be sam-decoder-multi/,
    );
    expect(() => parseManifest({ models: [...entries, ...sam2Entries.slice(1)] }, families, SAM2_SHAPED)).toThrow(
      /sam2-shaped-test needs an entry for sam2_test_image_encoder\.onnx/,
    );
  });
});

describe('verifyModelFile', () => {
  it('accepts the right file and names what is wrong otherwise', async () => {
    const dir = freshDir('verify');
    const file = path.join(dir, 'model.bin');
    const data = Buffer.from('atelier test model bytes');
    writeFileSync(file, data);
    const entry = { size: data.length, sha256: sha256(data) };

    expect(await verifyModelFile(file, entry)).toEqual({ ok: true });

    const wrongSize = await verifyModelFile(file, { ...entry, size: data.length + 1 });
    expect(wrongSize).toMatchObject({ ok: false, problem: 'size' });
    expect(wrongSize.reason).toMatch(/size mismatch/);

    const wrongHash = await verifyModelFile(file, { ...entry, sha256: sha256(Buffer.from('other')) });
    expect(wrongHash).toMatchObject({ ok: false, problem: 'sha256' });
    expect(wrongHash.reason).toMatch(/sha256 mismatch/);

    expect(await verifyModelFile(path.join(dir, 'absent.bin'), entry)).toMatchObject({ ok: false, problem: 'missing' });
  });
});

describe('pose .task bundles', () => {
  it('build deterministically, match the manifest and hold exactly the two npm models plus metadata', async () => {
    const a = freshDir('pose-a');
    const b = freshDir('pose-b');
    await buildPoseTaskBundles(a);
    await buildPoseTaskBundles(b);
    const source = poseSourceDir();

    for (const entry of MANIFEST.filter((m) => m.kind === 'pose')) {
      const bytes = readFileSync(path.join(a, entry.file));
      expect(sha256(bytes)).toBe(entry.sha256);
      expect(bytes.length).toBe(entry.size);
      expect(sha256(readFileSync(path.join(b, entry.file)))).toBe(entry.sha256);

      // Stored members whose data is 4-byte aligned, as MediaPipe's own bundler writes them.
      const members = listZipMembers(bytes);
      expect(members.map((m) => m.name)).toEqual(['pose_detector.tflite', 'pose_landmarks_detector.tflite']);
      for (const m of members) {
        expect(m.method).toBe(0);
        expect(m.dataOffset % 4).toBe(0);
      }

      const unzipped = unzipSync(bytes);
      expect(Object.keys(unzipped).sort()).toEqual(['pose_detector.tflite', 'pose_landmarks_detector.tflite']);
      for (const member of entry.build?.members ?? []) {
        const original = readFileSync(path.join(source, member.from));
        const packed = unzipped[member.name];
        // The npm model's bytes are kept whole at the end; metadata is added in front of them.
        expect(Buffer.from(packed.subarray(packed.length - original.length)).equals(original)).toBe(true);
        expect(readInputNormalization(original)).toBeNull();
        expect(readInputNormalization(packed)).toEqual(member.inputNormalization);
        expect(new TextDecoder().decode(packed.subarray(4, 8))).toBe('TFL3');
      }
    }
    // Nothing but the three bundles: no temporary files left behind.
    expect(readdirSync(a).sort()).toEqual(['pose_landmarker_full.task', 'pose_landmarker_heavy.task', 'pose_landmarker_lite.task']);
  });

  it('refuses to add metadata twice or to a non-TFLite file', () => {
    const original = readFileSync(path.join(poseSourceDir(), 'pose_landmark_lite.tflite'));
    const once = addInputNormalizationMetadata(original, 'lm', { mean: [0], std: [255] });
    expect(() => addInputNormalizationMetadata(once, 'lm', { mean: [0], std: [255] })).toThrow(/already has TFLite metadata/);
    expect(() => addInputNormalizationMetadata(new Uint8Array(64), 'junk', { mean: [0], std: [1] })).toThrow(/not a TFLite model/);
  });
});

interface CliRun {
  code: number | null;
  output: string;
  ms: number;
}

function runCli(args: string[], modelsDir: string): Promise<CliRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ATELIER_MODELS_DIR: modelsDir };
  delete env.ATELIER_MODELS_MIRROR;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['models/fetch.ts', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

const samEntries = MANIFEST.filter((m) => m.kind === 'sam');

describe('npm run models (models/fetch.ts)', () => {
  it(
    'with an empty mirror and --skip-unavailable: ' + 'exits 0 quickly, says what is missing and how to provide it, writes nothing',
    async () => {
      const mirror = freshDir('cli-empty-mirror');
      const target = path.join(tmp, 'cli-empty-target');
      const run = await runCli(['--mirror', mirror, '--only', 'sam', '--skip-unavailable', '--offline'], target);
      expect(run.code, run.output).toBe(0);
      expect(run.ms).toBeLessThan(15_000);
      for (const m of samEntries) {
        expect(run.output).toContain(m.file);
        expect(run.output).toContain(m.url);
      }
      expect(run.output).toContain('ATELIER_MODELS_MIRROR=/path/to/folder');
      expect(run.output).toMatch(/unavailable \(skipped: --skip-unavailable\)/);
      expect(readdirSync(target)).toEqual([]);
    },
  );

  it('without --skip-unavailable: exits 1 when a file is missing', async () => {
    const mirror = freshDir('cli-empty-mirror-2');
    const target = path.join(tmp, 'cli-missing-target');
    const run = await runCli(['--mirror', mirror, '--only', 'sam', '--offline'], target);
    expect(run.code, run.output).toBe(1);
    expect(readdirSync(target)).toEqual([]);
  });

  it('refuses a mirror holding wrong bytes (exit 1 even with --skip-unavailable) and leaves nothing behind', async () => {
    const mirror = freshDir('cli-bad-mirror');
    const single = modelEntry('sam-decoder-single');
    writeFileSync(path.join(mirror, single.file), Buffer.alloc(single.size)); // right size, wrong bytes
    writeFileSync(path.join(mirror, modelEntry('sam-encoder').file), 'not a model'); // wrong size
    const target = path.join(tmp, 'cli-bad-target');
    const run = await runCli(['--mirror', mirror, '--only', 'sam', '--skip-unavailable', '--offline'], target);
    expect(run.code, run.output).toBe(1);
    expect(run.output).toMatch(/sha256 mismatch/);
    expect(run.output).toMatch(/size mismatch/);
    expect(run.output).toMatch(/sam_mask_decoder_single\.onnx\s+sam-decoder-single\s+browser\s+mismatch/);
    expect(readdirSync(target)).toEqual([]);
  });

  it('builds the pose bundles, is idempotent, and replaces a corrupted bundle', async () => {
    const target = path.join(tmp, 'cli-pose-target');
    const first = await runCli(['--only', 'pose', '--offline'], target);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/pose_landmarker_lite\.task\s+pose-lite\s+browser\s+built/);

    const second = await runCli(['--only', 'pose', '--offline'], target);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toMatch(/pose_landmarker_lite\.task\s+pose-lite\s+browser\s+ok/);

    writeFileSync(path.join(target, 'pose_landmarker_full.task'), 'corrupted');
    const third = await runCli(['--only', 'pose', '--offline'], target);
    expect(third.code, third.output).toBe(0);
    expect(third.output).toMatch(/pose_landmarker_full\.task: present but size mismatch/);
    expect(third.output).toMatch(/pose_landmarker_full\.task\s+pose-full\s+browser\s+built/);
    expect(await verifyModelFile(path.join(target, 'pose_landmarker_full.task'), modelEntry('pose-full'))).toEqual({ ok: true });
    expect(readdirSync(target).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('rejects unknown options with exit 2', async () => {
    const run = await runCli(['--only', 'everything'], path.join(tmp, 'cli-usage'));
    expect(run.code).toBe(2);
    expect(run.output).toMatch(/usage: node models\/fetch\.ts/);
  });
});

describe('downloadVerified (against a local HTTP server)', () => {
  const body = Buffer.from('pretend this is an ONNX model '.repeat(1000));
  const entry = { size: body.length, sha256: sha256(body) };
  let server: http.Server;
  let base: string;
  const sockets = new Set<import('node:net').Socket>();

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/good') {
        res.writeHead(200, { 'content-length': body.length });
        res.end(body);
      } else if (req.url === '/corrupt') {
        const bad = Buffer.from(body);
        bad[100] ^= 0xff;
        res.writeHead(200, { 'content-length': bad.length });
        res.end(bad);
      } else if (req.url === '/longer') {
        res.writeHead(200, { 'content-length': body.length + 10 });
        res.end(Buffer.concat([body, Buffer.alloc(10)]));
      } else if (req.url === '/stall') {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, 1000)); // then nothing
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const options = { connectTimeoutMs: 5_000, stallTimeoutMs: 300 };
  const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.partial'));

  it('downloads, verifies and renames into place', async () => {
    const dir = freshDir('dl-good');
    const dest = path.join(dir, 'model.onnx');
    const r = await downloadVerified(`${base}/good`, dest, entry, options);
    expect(r.status, r.detail).toBe('downloaded');
    expect(readFileSync(dest).equals(body)).toBe(true);
    expect(leftovers(dir)).toEqual([]);
  });

  it('rejects wrong bytes and a wrong announced size without leaving a file', async () => {
    const dir = freshDir('dl-bad');
    const dest = path.join(dir, 'model.onnx');
    const corrupt = await downloadVerified(`${base}/corrupt`, dest, entry, options);
    expect(corrupt.status).toBe('mismatch');
    expect(corrupt.detail).toMatch(/sha256 mismatch/);
    const longer = await downloadVerified(`${base}/longer`, dest, entry, options);
    expect(longer.status).toBe('mismatch');
    expect(existsSync(dest)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });

  it('reports HTTP errors, refused connections and stalls as unavailable, cleaning up', async () => {
    const dir = freshDir('dl-unavailable');
    const dest = path.join(dir, 'model.onnx');
    const missing = await downloadVerified(`${base}/nope`, dest, entry, options);
    expect(missing).toMatchObject({ status: 'unavailable', detail: expect.stringMatching(/HTTP 404/) });

    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await downloadVerified(`http://127.0.0.1:${port}/x`, dest, entry, options);
    expect(refused).toMatchObject({ status: 'unavailable', detail: expect.stringMatching(/ECONNREFUSED/) });

    const stalled = await downloadVerified(`${base}/stall`, dest, entry, options);
    expect(stalled).toMatchObject({ status: 'unavailable', detail: expect.stringMatching(/stalled/) });
    expect(existsSync(dest)).toBe(false);
    expect(leftovers(dir)).toEqual([]);
  });
});
