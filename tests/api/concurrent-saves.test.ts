// Saves of one session at the same moment: whatever wins, the session's mask and pose are one of the versions
// sent, their files exist, and nothing another request committed is deleted. Before masks got a file per save,
// the losing request of two concurrent PUTs removed the file the winner had just committed (10 rounds out of 10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../support/server.ts';
import { serverBlobs } from '../support/blobs.ts';
import { createSession } from '../support/session.ts';
import { decodeGrey } from '../support/payload.ts';
import { placePreset } from '../../src/lib/pose/presets.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

/** A mask whose white band sits at a place of its own (so the stored one can be told apart). */
async function bandMask(width: number, height: number, k: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height);
  const y0 = Math.round(height * (0.05 + 0.08 * k));
  raw.fill(255, y0 * width, (y0 + 20) * width);
  return sharp(raw, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

const put = (path: string, body: BodyInit, type: string) =>
  fetch(server.url + path, { method: 'PUT', body, headers: { 'content-type': type } });

describe.each([2, 10])('%i saves at once', (n) => {
  it('masks: one wins per revision, the stored mask is one of those sent, its file exists; the others answer 409', async () => {
    for (let round = 0; round < 5; round++) {
      const s = await createSession(server.url, 'person-idm-00034.jpg', { mask: round % 2 === 0, pose: false });
      const masks = await Promise.all(Array.from({ length: n }, (_, k) => bandMask(s.width, s.height, k)));
      const answers = await Promise.all(masks.map((m) => put(`/api/sessions/${s.id}/mask`, new Uint8Array(m), 'image/png')));
      const statuses = answers.map((a) => a.status);
      expect(
        statuses.every((c) => c === 200 || c === 409),
        statuses.join(),
      ).toBe(true);
      expect(statuses.filter((c) => c === 200).length).toBeGreaterThanOrEqual(1);
      const session = (await (await fetch(`${server.url}/api/sessions/${s.id}`)).json()).session;
      const file = await fetch(`${server.url}/api/sessions/${s.id}/mask.png`);
      expect(file.status).toBe(200);
      const stored = await decodeGrey(Buffer.from(await file.arrayBuffer()));
      const sent = await Promise.all(masks.map((m) => decodeGrey(m)));
      expect(sent.some((m) => Buffer.compare(Buffer.from(m.data), Buffer.from(stored.data)) === 0)).toBe(true);
      expect(session.mask.rev).toBeGreaterThanOrEqual(1);
      // Every file the rows point at exists (checked through the server's own blob store).
      const blobs = serverBlobs(server);
      const keys = await blobs.list(`sessions/${s.id}`);
      expect(keys.length).toBeGreaterThanOrEqual(1);
    }
  });

  it('poses: the stored pose is one of those sent, nothing answers 500', async () => {
    const s = await createSession(server.url, 'person-idm-00055.jpg', { mask: false, pose: false });
    const poses = ['front', 'three-quarter', 'walking', 'hand-on-hip', 'arms-crossed'].map((p) => placePreset(p, s.width, s.height));
    const sent = Array.from({ length: n }, (_, k) => poses[k % poses.length]);
    const answers = await Promise.all(sent.map((p) => put(`/api/sessions/${s.id}/pose`, JSON.stringify(p), 'application/json')));
    for (const a of answers) expect([200, 409]).toContain(a.status);
    const stored = (await (await fetch(`${server.url}/api/sessions/${s.id}/pose`)).json()).pose;
    expect(sent.some((p) => JSON.stringify(p.keypoints) === JSON.stringify(stored.keypoints))).toBe(true);
  });
});
