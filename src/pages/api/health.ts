import { json, route } from '../../lib/http/errors.ts';

export const GET = route(async () => json({ ok: true }));
