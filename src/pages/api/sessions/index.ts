import { actorOf } from '../../../server/auth/request.ts';
import { json, route } from '../../../server/http/errors.ts';
import { listSessions } from '../../../server/sessions/service.ts';
import { parsePage } from '../../../server/store/page.ts';

// GET /api/sessions[?limit=1–200&cursor=] → {sessions (newest first), nextCursor (null on the last page)}: the workspace's.
export const GET = route(({ url, locals }) => json(listSessions(parsePage(url.searchParams), actorOf(locals).workspaceId)));
