import { json, route } from '../../../lib/http/errors.ts';
import { readJson } from '../../../lib/http/body.ts';
import { createJob } from '../../../lib/jobs/service.ts';

// POST /api/jobs {sessionId, recipe, …} → 202 {job}
export const POST = route(async ({ request }) => {
  const job = createJob(await readJson(request, 64 * 1024));
  return json({ job }, 202, { location: `/api/jobs/${job.id}` });
});
