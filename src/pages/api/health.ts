import { app, dataDirWritable, disk, isEncoderLoaded, models, samEncoder } from '../../server/app/context.ts';
import { json, route } from '../../server/http/errors.ts';
import { FETCH_HOWTO, isUsable } from '../../server/models/status.ts';
import { startJobs } from '../../server/jobs/service.ts';

// GET /api/health — models present and usable, data dir writable with room, database answering. 200 when the
// studio can work, 503 otherwise (with what is wrong).
function databaseWorks(): { ok: boolean; message?: string } {
  try {
    app().db.prepare('SELECT COUNT(*) FROM sessions').get();
    return { ok: true };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

export const GET = route(async () => {
  startJobs();
  const statuses = await models();
  const writable = dataDirWritable();
  const missing = statuses.filter((m) => !isUsable(m));
  const samReady = statuses.filter((m) => m.role.startsWith('sam-')).every(isUsable);
  const space = disk();
  const database = databaseWorks();
  const ok = writable && samReady && !space.full && database.ok;
  // The first call (server warm-up) loads the encoder, so the first upload does not wait for it.
  if (samReady && !isEncoderLoaded()) void samEncoder().catch((err) => console.error('[health] encoder failed to load', err));
  return json(
    {
      ok,
      dataDir: { writable, freeBytes: space.freeBytes, minFreeBytes: space.minFreeBytes, full: space.full },
      database,
      models: statuses,
      encoder: { loaded: isEncoderLoaded() },
      ...(missing.length ? { fix: `Missing: ${missing.map((m) => m.file).join(', ')}. To install them, ${FETCH_HOWTO}.` } : {}),
      generation: { backends: app().config.backends.length },
    },
    ok ? 200 : 503,
  );
});
