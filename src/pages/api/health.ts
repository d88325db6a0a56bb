import { app, dataDirWritable, isEncoderLoaded, models, samEncoder } from '../../lib/app/context.ts';
import { json, route } from '../../lib/http/errors.ts';
import { FETCH_COMMAND, isUsable } from '../../lib/models/status.ts';
import { startJobs } from '../../lib/jobs/service.ts';

// GET /api/health — models present and usable, data dir writable. 200 when the studio can work, 503 otherwise.
export const GET = route(async () => {
  startJobs();
  const statuses = await models();
  const writable = dataDirWritable();
  const missing = statuses.filter((m) => !isUsable(m));
  const samReady = statuses.filter((m) => m.role.startsWith('sam-')).every(isUsable);
  const ok = writable && samReady;
  // The first call (server warm-up) loads the encoder, so the first upload does not wait for it.
  if (samReady && !isEncoderLoaded()) void samEncoder().catch((err) => console.error('[health] encoder failed to load', err));
  return json(
    {
      ok,
      dataDir: { writable },
      models: statuses,
      encoder: { loaded: isEncoderLoaded() },
      ...(missing.length ? { fix: `Run \`${FETCH_COMMAND}\` to fetch: ${missing.map((m) => m.file).join(', ')}.` } : {}),
      generation: { backends: app().config.backends.length },
    },
    ok ? 200 : 503,
  );
});
