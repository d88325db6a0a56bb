import { json, parseId, route } from '../../../../server/http/errors.ts';
import { cancelJob } from '../../../../server/jobs/service.ts';

// POST /api/jobs/:id/cancel — queued: canceled at once; running: the backend is interrupted.
export const POST = route(async ({ params }) => json({ job: await cancelJob(parseId(params.id, 'Job')) }));
