// Catalogue-grade results against the SD double: the server's own upscaler brings each result to the photo's
// resolution (its request checked field by field), the garment goes back without a seam, and every result
// carries measured figures in the API and in the ZIP's parameters.json.
import { afterEach, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import sharp from 'sharp';
import { startServer, type RunningServer } from '../support/server.ts';
import { createSession, postJob, waitForJob } from '../support/session.ts';
import { startSdDouble, type SdDouble, type SdDoubleOptions } from '../sd-double/server.ts';

const running: { sd: SdDouble; server: RunningServer }[] = [];
async function setup(o: SdDoubleOptions = {}, env: Record<string, string> = {}) {
  const sd = await startSdDouble({ stepMs: 2, steps: 4, controlnetModels: ['control_v11p_sd15_openpose [cab727d4]'], ...o });
  const server = await startServer({ env: { SD_WEBUI_URL: sd.url, ...env } });
  running.push({ sd, server });
  return { sd, server, session: await createSession(server.url) };
}
afterEach(async () => {
  for (const { sd, server } of running.splice(0)) {
    await server.stop();
    await sd.stop();
  }
});

async function run(base: string, body: Record<string, unknown>) {
  const res = await postJob(base, { count: 1, ...body });
  expect(res.status).toBe(202);
  const job = await waitForJob(base, (await res.json()).job.id, ['succeeded', 'failed'], 90_000);
  expect(job.state, JSON.stringify(job.error)).toBe('succeeded');
  return job;
}

describe('results at the photo’s resolution', () => {
  it('uses the server’s ESRGAN-class upscaler with an exact request, and reports the figures', async () => {
    const { sd, server, session } = await setup({ upscalers: ['R-ESRGAN 4x+ Anime6B', 'R-ESRGAN 4x+', 'LDSR'] });
    const job = await run(server.url, { sessionId: session.id, recipe: 'model-shot', count: 2, seed: 3 });
    const calls = sd.payloads.filter((p) => p.path === '/sdapi/v1/extra-single-image');
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      const body = call.body as Record<string, unknown>;
      expect(body).toMatchObject({
        upscaler_1: 'R-ESRGAN 4x+',
        upscaler_2: 'None',
        resize_mode: 1,
        upscaling_resize_w: session.width,
        upscaling_resize_h: session.height,
        upscaling_crop: false,
      });
      // The image sent is a generated result at the generation size.
      const meta = await sharp(Buffer.from(String(body.image), 'base64')).metadata();
      expect(meta.width! * meta.height!).toBeLessThan(session.width * session.height);
    }
    expect(sd.unknownFields).toEqual([]);
    for (const r of job.results) {
      expect([r.width, r.height]).toEqual([session.width, session.height]);
      expect(r.checks).toMatchObject({ coreChanged: 0, upscaler: 'R-ESRGAN 4x+', upscaleNote: null, rerolled: false });
      expect(r.checks.corePixels).toBeGreaterThan(1000);
      expect(typeof r.checks.seamColour).toBe('number');
      expect(typeof r.checks.sharpness).toBe('number');
      expect(typeof r.checks.check).toBe('boolean');
      expect(r.checks.bandPx).toBeGreaterThanOrEqual(3);
      console.log(
        `[quality] upscaled: seam ${r.checks.seamColour.toFixed(2)}, gradient ${r.checks.seamGradient.toFixed(2)}, ` +
          `sharpness ${r.checks.sharpness.toFixed(3)}, ` +
          `upscale ${r.checks.timings.upscaleMs} ms, composite ${r.checks.timings.compositeMs} ms`,
      );
    }
    const zip = unzipSync(new Uint8Array(await (await fetch(`${server.url}/api/sessions/${session.id}/results.zip`)).arrayBuffer()));
    const params = JSON.parse(new TextDecoder().decode(zip['parameters.json']));
    expect(params[0].checks).toMatchObject({ coreChanged: 0, upscaler: 'R-ESRGAN 4x+' });
  });

  it('resizes when the server has no upscaler model, and says so', async () => {
    const { sd, server, session } = await setup({ upscalers: [] });
    const job = await run(server.url, { sessionId: session.id, recipe: 'model-shot' });
    expect(sd.payloads.some((p) => p.path === '/sdapi/v1/extra-single-image')).toBe(false);
    const r = job.results[0];
    expect(r.checks.upscaler).toBeNull();
    expect(r.checks.upscaleNote).toMatch(/no upscaler/);
    expect(r.checks.coreChanged).toBe(0);
    console.log(`[quality] resized: seam ${r.checks.seamColour.toFixed(2)}, sharpness ${r.checks.sharpness.toFixed(3)}`);
  });

  it('re-makes a "check this one" result once with a new seed when asked, and keeps the better one', async () => {
    const { sd, server, session } = await setup({ upscalers: [] });
    // A weak generation: soft, resized (no upscaler) — soft surroundings next to a sharp garment.
    sd.setSoftness(6);
    const first = await run(server.url, { sessionId: session.id, recipe: 'model-shot', seed: 5 });
    console.log(
      `[quality] soft: sharpness ${first.results[0].checks.sharpness.toFixed(3)}, seam ${first.results[0].checks.seamColour.toFixed(2)}`,
    );
    expect(first.results[0].checks.check).toBe(true);
    sd.reset();
    const job = await run(server.url, { sessionId: session.id, recipe: 'model-shot', seed: 5, count: 2, reroll: true });
    const calls = sd.payloads.filter((p) => p.path === '/sdapi/v1/img2img').map((p) => p.body as Record<string, unknown>);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ seed: -1, batch_size: 1, n_iter: 2 });
    expect(String(calls[1].force_task_id)).toMatch(/-again$/);
    expect(job.results).toHaveLength(2);
    for (const r of job.results) expect(r.checks.coreChanged).toBe(0);
  });

  it('takes the operator’s upscaler by its exact name', async () => {
    const { sd, server, session } = await setup({ upscalers: ['R-ESRGAN 4x+', 'SwinIR 4x'] }, { ATELIER_UPSCALER: 'SwinIR 4x' });
    const job = await run(server.url, { sessionId: session.id, recipe: 'scene-swap' });
    expect((sd.payloads.find((p) => p.path === '/sdapi/v1/extra-single-image')!.body as Record<string, unknown>).upscaler_1).toBe(
      'SwinIR 4x',
    );
    expect(job.results[0].checks.upscaler).toBe('SwinIR 4x');
  });
});
