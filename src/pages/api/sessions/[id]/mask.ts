import { json, parseId, route } from '../../../../server/http/errors.ts';
import { readBody } from '../../../../server/http/body.ts';
import { parseSyncHeaders } from '../../../../server/sessions/conflicts.ts';
import { saveMask } from '../../../../server/sessions/service.ts';

// PUT /api/sessions/:id/mask — body: PNG, the photo's size, white = garment.
// Offline edits also send x-base-rev + x-edited-at: when the mask moved on meanwhile, both versions
// are kept (the newer is current) and the answer says which: {session, applied, conflict}.
export const PUT = route(async ({ params, request }) => {
  const id = parseId(params.id, 'Session');
  const sync = parseSyncHeaders(request.headers);
  const png = await readBody(request, 64 * 1024 * 1024);
  const result = await saveMask(id, png, sync);
  return json(sync ? result : { session: result.session });
});
