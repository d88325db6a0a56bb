import { json, route } from '../../../lib/http/errors.ts';
import { listSessions } from '../../../lib/sessions/service.ts';
import { parsePage } from '../../../lib/store/page.ts';

// GET /api/sessions[?limit=1–200&cursor=] → {sessions (newest first), nextCursor (null on the last page)}
export const GET = route(({ url }) => json(listSessions(parsePage(url.searchParams))));
