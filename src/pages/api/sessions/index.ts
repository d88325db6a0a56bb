import { SessionSearch } from '../../../lib/api/session-requests.ts';
import { actorOf } from '../../../server/auth/request.ts';
import { json, route } from '../../../server/http/errors.ts';
import { listSessions } from '../../../server/sessions/service.ts';
import { parsePage } from '../../../server/store/page.ts';

// GET /api/sessions[?q=&limit=1–200&cursor=] → {sessions (newest first), nextCursor (null on the last page)}: the
// workspace's, those whose name contains q when it is given.
export const GET = route(({ url, locals }) => {
  const q = SessionSearch.parse(url.searchParams.get('q') ?? '');
  return json(listSessions(parsePage(url.searchParams), actorOf(locals).workspaceId, q));
});
