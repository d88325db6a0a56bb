import { app } from '../../../../server/app/context.ts';
import { notFound, parseId, route } from '../../../../server/http/errors.ts';
import { zipStream } from '../../../../server/http/zip.ts';
import { resultKey } from '../../../../server/jobs/runner.ts';
import { sessionResults } from '../../../../server/jobs/service.ts';

// GET /api/sessions/:id/results.zip[?job=<id>] — every result PNG (stored, they are compressed
// already) plus parameters.json with the settings and seed that reproduce each one. Streamed.
export const GET = route(({ params, url }) => {
  const sessionId = parseId(params.id, 'Session');
  const jobFilter = url.searchParams.get('job');
  const results = sessionResults(sessionId).filter((r) => !jobFilter || r.jobId === jobFilter);
  if (results.length === 0) throw notFound('Results for this session');
  const { blobs } = app();
  const names = results.map((r, i) => `atelier-${String(i + 1).padStart(2, '0')}-${r.params.recipe}-seed${r.seed ?? 'x'}.png`);
  const described = results.map((r, i) => ({ file: names[i], seed: r.seed, fidelity: r.fidelity, checks: r.checks, ...r.params }));
  const body = zipStream([
    ...results.map((r, i) => ({ name: names[i]!, data: async () => new Uint8Array(await blobs.get(resultKey(r.jobId, r.id))) })),
    { name: 'parameters.json', data: async () => new TextEncoder().encode(JSON.stringify(described, null, 2)) },
  ]);
  return new Response(body, {
    headers: {
      'content-type': 'application/zip',
      'content-disposition': `attachment; filename="atelier-${sessionId.slice(0, 8)}-results.zip"`,
      'cache-control': 'no-store',
    },
  });
});
