import { BatchPhotoRequest } from '../../../../../lib/api/batch-requests.ts';
import { setExcluded } from '../../../../../server/batches/service.ts';
import { readJson } from '../../../../../server/http/body.ts';
import { json, parseId, route } from '../../../../../server/http/errors.ts';

// PATCH /api/batches/:id/sessions/:sid {excluded} → {batch}: leave one photo out of (or back in) Generate all.
export const PATCH = route(async ({ params, request }) => {
  const { excluded } = BatchPhotoRequest.parse(await readJson(request, 1024));
  return json({ batch: setExcluded(parseId(params.id, 'Batch'), parseId(params.sid, 'Session'), excluded) });
});
