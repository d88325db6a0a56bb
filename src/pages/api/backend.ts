import { json, route } from '../../lib/http/errors.ts';
import { backendStatus } from '../../lib/jobs/backend-status.ts';
import { NO_BACKEND_MESSAGE } from '../../lib/jobs/service.ts';

// GET /api/backend[?refresh=1] — each generation server's reachability, checkpoint, queue and lists.
export const GET = route(async ({ url }) => {
  const status = await backendStatus(url.searchParams.has('refresh'));
  return json(status.configured ? status : { ...status, message: NO_BACKEND_MESSAGE });
});
