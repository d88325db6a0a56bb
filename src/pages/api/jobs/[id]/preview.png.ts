import { notFound, parseId, route } from '../../../../server/http/errors.ts';
import { jobPreview } from '../../../../server/jobs/service.ts';

// GET /api/jobs/:id/preview.png — the backend's latest live preview while the job runs.
export const GET = route(({ params }) => {
  const png = jobPreview(parseId(params.id, 'Job'));
  if (!png) throw notFound('The preview');
  return new Response(new Uint8Array(png), { headers: { 'content-type': 'image/png', 'cache-control': 'no-store' } });
});
