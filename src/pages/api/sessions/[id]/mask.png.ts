import { notFound, parseId, route } from '../../../../server/http/errors.ts';
import { blobResponse, IMMUTABLE } from '../../../../server/http/files.ts';
import { maskBlobKey } from '../../../../server/sessions/service.ts';

// GET /api/sessions/:id/mask.png[?rev=N] — with the rev it names one immutable version.
export const GET = route(async ({ params, url }) => {
  const key = maskBlobKey(parseId(params.id, 'Session'));
  if (!key) throw notFound('The mask');
  const pinned = url.searchParams.has('rev') && key.endsWith(`-${url.searchParams.get('rev')}.png`);
  return blobResponse(key, 'image/png', pinned ? IMMUTABLE : 'no-cache');
});
