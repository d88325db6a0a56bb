// Creates a studio session over HTTP, as the browser would: upload, garment mask, pose.
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { photo } from './paths.ts';
import { placePreset } from '../../src/lib/pose/presets.ts';

export interface TestSession {
  id: string;
  width: number;
  height: number;
}

export async function createSession(
  base: string,
  file = 'person-idm-00034.jpg',
  opts: { mask?: boolean; pose?: boolean } = {},
): Promise<TestSession> {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(photo(file))]), file);
  const res = await fetch(`${base}/api/images`, { method: 'POST', body: form });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  const { id } = body.session;
  const { width, height } = body.image;
  if (opts.mask !== false) {
    // The "garment": a rectangle over the torso.
    const raw = Buffer.alloc(width * height);
    for (let y = Math.round(height * 0.3); y < Math.round(height * 0.65); y++)
      raw.fill(255, y * width + Math.round(width * 0.3), y * width + Math.round(width * 0.7));
    const png = await sharp(raw, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer();
    const r = await fetch(`${base}/api/sessions/${id}/mask`, {
      method: 'PUT',
      body: new Uint8Array(png),
      headers: { 'content-type': 'image/png' },
    });
    if (r.status !== 200) throw new Error(`mask save failed: ${r.status}`);
  }
  if (opts.pose !== false) {
    const r = await fetch(`${base}/api/sessions/${id}/pose`, {
      method: 'PUT',
      body: JSON.stringify(placePreset('front', width, height)),
      headers: { 'content-type': 'application/json' },
    });
    if (r.status !== 200) throw new Error(`pose save failed: ${r.status}`);
  }
  return { id, width, height };
}

export const postJob = (base: string, body: unknown) =>
  fetch(`${base}/api/jobs`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

/** Polls a job until it reaches one of `states`. */
export async function waitForJob(base: string, jobId: string, states: string[], timeoutMs = 40_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { job } = await (await fetch(`${base}/api/jobs/${jobId}`)).json();
    if (states.includes(job.state)) return job;
    if (Date.now() > until) throw new Error(`job ${jobId} stayed ${job.state} (waiting for ${states}): ${JSON.stringify(job.error)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
