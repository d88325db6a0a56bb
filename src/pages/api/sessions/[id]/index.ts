import { json, parseId, route } from '../../../../server/http/errors.ts';
import { deleteSession } from '../../../../server/sessions/delete.ts';
import { getSession } from '../../../../server/sessions/service.ts';

// GET /api/sessions/:id → {session} (with `conflicts`: copies kept by offline sync)
export const GET = route(({ params }) => json({ session: getSession(parseId(params.id, 'Session')) }));

// DELETE /api/sessions/:id → {deleted: id}: cancels its jobs, removes its rows and files (the photo
// only when no other session uses it).
export const DELETE = route(async ({ params }) => {
  const { id } = await deleteSession(parseId(params.id, 'Session'));
  return json({ deleted: id });
});
