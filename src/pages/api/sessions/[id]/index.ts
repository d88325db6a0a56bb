import { json, parseId, route } from '../../../../lib/http/errors.ts';
import { getSession } from '../../../../lib/sessions/service.ts';

export const GET = route(({ params }) => json({ session: getSession(parseId(params.id, 'Session')) }));
