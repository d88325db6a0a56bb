import { json, route } from '../../../lib/http/errors.ts';
import { listSessions } from '../../../lib/sessions/service.ts';

// GET /api/sessions → newest first
export const GET = route(() => json({ sessions: listSessions() }));
