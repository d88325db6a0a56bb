// A first visit on a phone's connection: static files and browser-side models come compressed (brotli, else gzip)
// from copies made once, decode to exactly the file, and say that they vary with Accept-Encoding. Raw bytes are read
// with node:http (fetch would decode them itself and hide what was sent).
import http from 'node:http';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../support/server.ts';
import { testModelsDir } from '../support/paths.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CLIENT = path.join(ROOT, 'dist/client');
let server: RunningServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

function rawGet(url: string, acceptEncoding: string | null): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = acceptEncoding == null ? {} : { 'accept-encoding': acceptEncoding };
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (encoding === 'br') return zlib.brotliDecompressSync(body);
  if (encoding === 'gzip') return zlib.gunzipSync(body);
  return body;
}

/** The largest built file matching (a chunk name can repeat, and files under 1 KiB get no copy). */
const asset = (pattern: RegExp) => {
  const dir = path.join(CLIENT, '_astro');
  const name = readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort((a, b) => statSync(path.join(dir, b)).size - statSync(path.join(dir, a)).size)[0];
  if (!name) throw new Error(`no ${pattern} in dist/client/_astro`);
  return `/_astro/${name}`;
};

describe('compressed answers', () => {
  it('serves the ORT wasm, a script and the service worker as brotli or gzip that decode to the file', async () => {
    const cases = [asset(/^ort-wasm.*\.wasm$/), asset(/^Studio\..*\.js$/), '/sw.js'];
    for (const url of cases) {
      const file = readFileSync(path.join(CLIENT, url));
      const results: Record<string, number> = {};
      for (const [accept, expected] of [
        ['gzip, deflate, br, zstd', 'br'],
        ['gzip, deflate', 'gzip'],
        ['br;q=0, gzip', 'gzip'],
        [null, undefined],
        ['identity', undefined],
      ] as const) {
        const res = await rawGet(`${server.url}${url}`, accept);
        expect(res.status, `${url} ${accept}`).toBe(200);
        expect(res.headers['content-encoding'], `${url} ${accept}`).toBe(expected);
        expect(res.headers.vary, url).toMatch(/accept-encoding/i);
        expect(Number(res.headers['content-length'])).toBe(res.body.length);
        expect(decode(res.body, expected).equals(file), `${url} ${accept}: decoded bytes`).toBe(true);
        results[expected ?? 'identity'] = res.body.length;
        // Cross-origin isolation headers reach static files too (threaded wasm needs them).
        expect(res.headers['cross-origin-embedder-policy']).toBe('require-corp');
      }
      expect(results.br!, url).toBeLessThan(results.identity! * 0.6);
    }
    const wasm = await rawGet(`${server.url}${cases[0]}`, 'br');
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(wasm.headers['cache-control']).toMatch(/immutable/);
    expect((await rawGet(`${server.url}/sw.js`, 'br')).headers['cache-control']).toBe('no-cache');
  });

  it('serves the pose model compressed once the server has made its copy, and the service worker precaches no model', async () => {
    const page = await (await fetch(`${server.url}/batch`)).text();
    const url = /\/models\/pose_landmarker_lite\.task\?v=[^"&]+/.exec(page)?.[0];
    expect(url, 'the Batch page names the lite pose model').toBeTruthy();
    const file = readFileSync(path.join(testModelsDir, 'pose_landmarker_lite.task'));
    let res = await rawGet(`${server.url}${url}`, 'br');
    for (let i = 0; i < 60 && res.headers['content-encoding'] !== 'br'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      res = await rawGet(`${server.url}${url}`, 'br');
    }
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(decode(res.body, 'br').equals(file)).toBe(true);
    expect(res.body.length).toBeLessThan(file.length);
    const plain = await rawGet(`${server.url}${url}`, null);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(file)).toBe(true);

    const sw = readFileSync(path.join(CLIENT, 'sw.js'), 'utf8');
    const precache = /precacheAndRoute\((\[.*?\])/.exec(sw)?.[1] ?? '';
    expect(precache).toMatch(/ort-wasm/);
    expect(precache).not.toMatch(/models\//);
  });
});
