// Faults the studio lives through: a full disk (a real one, on a small tmpfs, where this machine lets tests
// mount one), a generation server that stops making progress.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer, type RunningServer } from '../support/server.ts';
import { createSession, postJob, waitForJob } from '../support/session.ts';
import { startSdDouble } from '../sd-double/server.ts';

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A 160 MB tmpfs of our own, or null where mounting is not allowed. */
function smallDisk(): string | null {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-smalldisk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', dir]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  cleanups.push(() => {
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const free = (dir: string) => {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
};
/** Fills the disk until `leave` bytes are free (or as full as it gets). */
function fill(dir: string, leave: number): string {
  const file = path.join(dir, 'filler.bin');
  const size = Math.max(0, free(dir) - leave);
  try {
    writeFileSync(file, Buffer.alloc(size));
  } catch {
    // ENOSPC before the end: full anyway.
  }
  return file;
}

const upload = async (base: string) => {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(Buffer.alloc(16))]), 'x.jpg');
  return fetch(`${base}/api/images`, { method: 'POST', body: form });
};

describe('a full disk', () => {
  it('is a state: health says so, uploads and generations answer 507, deleting still works, and it all comes back', async () => {
    const disk = smallDisk();
    const sd = await startSdDouble({ stepMs: 2, steps: 4, controlnetModels: [OPENPOSE] });
    cleanups.push(() => sd.stop());
    // Without a tmpfs of our own, the threshold alone makes the state (the 507 path is the same).
    const env: Record<string, string> = { SD_WEBUI_URL: sd.url, ATELIER_MIN_FREE_MB: disk ? '24' : String(1e9) };
    let server: RunningServer;
    let session: { id: string };
    if (disk) {
      server = await startServer({ dataDir: path.join(disk, 'data'), env });
      session = await createSession(server.url);
    } else {
      console.log('[faults] no tmpfs here: the full state comes from ATELIER_MIN_FREE_MB');
      const warm = await startServer({ env: { SD_WEBUI_URL: sd.url } });
      session = await createSession(warm.url);
      await warm.stop({ keepData: true });
      server = await startServer({ dataDir: warm.dataDir, env });
    }
    cleanups.push(() => server.stop());
    const filler = disk ? fill(disk, 8 * 1024 * 1024) : null;

    const health = await fetch(`${server.url}/api/health`);
    expect(health.status).toBe(503);
    expect((await health.json()).dataDir.full).toBe(true);
    const up = await upload(server.url);
    expect(up.status).toBe(507);
    expect((await up.json()).error).toMatchObject({ code: 'disk_full', message: expect.stringMatching(/storage is full/) });
    const job = await postJob(server.url, { sessionId: session.id, recipe: 'portrait' });
    expect(job.status).toBe(507);

    // Deleting frees space and works while full.
    expect((await fetch(`${server.url}/api/sessions/${session.id}`, { method: 'DELETE' })).status).toBe(200);
    if (!disk) return;
    rmSync(filler!, { force: true });
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);
    const again = await createSession(server.url);
    expect(again.id).toBeTruthy();
  }, 120_000);

  it('a job that meets a full disk ends with the reason, and the job loop carries on once there is room', async ({ skip }) => {
    const disk = smallDisk();
    if (!disk) skip(); // needs a real ENOSPC: this machine does not allow a tmpfs of our own
    const sd = await startSdDouble({ stepMs: 60, steps: 30, controlnetModels: [OPENPOSE] });
    cleanups.push(() => sd.stop());
    const server = await startServer({ dataDir: path.join(disk!, 'data'), env: { SD_WEBUI_URL: sd.url, ATELIER_MIN_FREE_MB: '1' } });
    cleanups.push(() => server.stop());
    const s = await createSession(server.url);
    const first = (await (await postJob(server.url, { sessionId: s.id, recipe: 'model-shot', count: 2 })).json()).job;
    await waitForJob(server.url, first.id, ['running']);
    const filler = fill(disk!, 0); // nothing left: the results cannot be written, nor maybe the job's end
    // While the disk is full the job's end may not be recordable: the loop keeps trying, it does not die.
    const ended = await waitForJob(server.url, first.id, ['failed', 'succeeded'], 15_000).catch(() => null);
    rmSync(filler, { force: true });
    const firstEnd = ended ?? (await waitForJob(server.url, first.id, ['failed', 'succeeded'], 60_000));
    if (firstEnd.state === 'failed') expect(firstEnd.error.code).toBe('disk_full');
    // The loop is alive: the next job runs and succeeds.
    const next = (await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json()).job;
    expect((await waitForJob(server.url, next.id, ['succeeded', 'failed'], 60_000)).state).toBe('succeeded');
  }, 180_000);
});

describe('a generation server that stops making progress', () => {
  it('answering but frozen: our task is interrupted after the stall time, tried again, then the job fails saying why', async () => {
    const sd = await startSdDouble({ stepMs: 20, steps: 10, controlnetModels: [OPENPOSE] });
    cleanups.push(() => sd.stop());
    const server = await startServer({ env: { SD_WEBUI_URL: sd.url, ATELIER_STALL_SECONDS: '2' } });
    cleanups.push(() => server.stop());
    const s = await createSession(server.url);
    await sd.setFault('freeze');
    const job = (await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json()).job;
    const ended = await waitForJob(server.url, job.id, ['failed', 'succeeded'], 120_000);
    expect(ended.state).toBe('failed');
    expect(ended.error.code).toBe('stalled');
    expect(ended.error.message).toMatch(/stopped making progress/);
    expect(ended.attempts).toBe(3);
    // Each attempt was interrupted on the server (it was ours that ran), not left holding the GPU.
    const ours = () => sd.generations.filter((g) => g.taskId.includes(job.id));
    await expect.poll(() => ours().length === 3 && ours().every((g) => g.interrupted), { timeout: 10_000 }).toBe(true);
  }, 180_000);

  it('answering nothing: given up after the stall time and retried, then the job fails with the reason', async () => {
    const sd = await startSdDouble({ stepMs: 2, steps: 4, controlnetModels: [OPENPOSE] });
    cleanups.push(() => sd.stop());
    const server = await startServer({ env: { SD_WEBUI_URL: sd.url, ATELIER_STALL_SECONDS: '2' } });
    cleanups.push(() => server.stop());
    const s = await createSession(server.url);
    const warm = (await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json()).job;
    await waitForJob(server.url, warm.id, ['succeeded']);
    await sd.setFault('stall');
    const job = (await (await postJob(server.url, { sessionId: s.id, recipe: 'portrait' })).json()).job;
    const ended = await waitForJob(server.url, job.id, ['failed', 'succeeded'], 120_000);
    expect(ended.state).toBe('failed');
    // A server that answers nothing at all is also refused by the probe between attempts: "unreachable".
    expect(['stalled', 'unreachable']).toContain(ended.error.code);
    expect(ended.error.message).toMatch(/stopped making progress|unreachable after 3 attempts/);
    expect(Date.parse(ended.finishedAt) - Date.parse(ended.createdAt)).toBeLessThan(90_000);
  }, 180_000);
});
