import { json, route } from '../../../server/http/errors.ts';
import { listSessions } from '../../../server/sessions/service.ts';
import { parsePage } from '../../../server/store/page.ts';

// GET /api/sessions[?limit=1–200&cursor=] → {sessions (newest first), nextCursor (null on the last page)}
export const GET = route(({ url }) => json(listSessions(parsePage(url.searchParams))));
