import { json, parseId, route } from '../../../../../server/http/errors.ts';
import { blobResponse, IMMUTABLE } from '../../../../../server/http/files.ts';
import { getConflict } from '../../../../../server/sessions/conflicts.ts';

// GET /api/sessions/:id/conflicts/:cid — a conflict copy left by offline sync: the mask PNG, or
// {conflict, pose} for a pose. Copies never change, so the PNG is immutable.
export const GET = route(async ({ params }) => {
  const c = getConflict(parseId(params.id, 'Session'), parseId(params.cid, 'Conflict'));
  if (c.kind === 'mask' && c.blobKey) return blobResponse(c.blobKey, 'image/png', IMMUTABLE);
  return json({ conflict: c.json, pose: c.pose });
});
