import { json, route } from '../../server/http/errors.ts';
import { backendStatus } from '../../server/jobs/backend-status.ts';
import { NO_BACKEND_MESSAGE } from '../../server/jobs/service.ts';

// GET /api/backend[?refresh=1] — each generation server's reachability, checkpoint, queue and lists.
export const GET = route(async ({ url }) => {
  const status = await backendStatus(url.searchParams.has('refresh'));
  return json(status.configured ? status : { ...status, message: NO_BACKEND_MESSAGE });
});
