import { json, parseId, route } from '../../../../lib/http/errors.ts';
import { readBody } from '../../../../lib/http/body.ts';
import { saveMask } from '../../../../lib/sessions/service.ts';

// PUT /api/sessions/:id/mask — body: PNG, the photo's size, white = garment.
export const PUT = route(async ({ params, request }) => {
  const id = parseId(params.id, 'Session');
  const png = await readBody(request, 64 * 1024 * 1024);
  return json({ session: await saveMask(id, png) });
});
