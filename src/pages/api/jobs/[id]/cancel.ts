import { json, parseId, route } from '../../../../lib/http/errors.ts';
import { cancelJob } from '../../../../lib/jobs/service.ts';

// POST /api/jobs/:id/cancel — queued: canceled at once; running: the backend is interrupted.
export const POST = route(async ({ params }) => json({ job: await cancelJob(parseId(params.id, 'Job')) }));
