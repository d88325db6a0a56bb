import { badRequest, parseId, route } from '../../../server/http/errors.ts';
import { blobResponse, IMMUTABLE } from '../../../server/http/files.ts';
import { resultFile } from '../../../server/jobs/service.ts';

// GET /api/results/:id.png[?download=1] — a result at the photo's full resolution.
export const GET = route(async ({ params, url }) => {
  const m = /^(.+)\.png$/.exec(params.file ?? '');
  if (!m) throw badRequest('unknown_file', 'Results are served as <id>.png.');
  const { key, row } = resultFile(parseId(m[1], 'Result'));
  const res = await blobResponse(key, 'image/png', IMMUTABLE);
  if (url.searchParams.has('download')) {
    res.headers.set(
      'content-disposition',
      `attachment; filename="atelier-${row.job_id.slice(0, 8)}-${row.idx + 1}-seed${row.seed ?? 'x'}.png"`,
    );
  }
  return res;
});
