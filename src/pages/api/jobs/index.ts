import { json, route } from '../../../server/http/errors.ts';
import { readJson } from '../../../server/http/body.ts';
import { createJob, sessionJobsPage } from '../../../server/jobs/service.ts';
import { parseId } from '../../../server/http/errors.ts';
import { parsePage } from '../../../server/store/page.ts';

// GET /api/jobs?sessionId=…[&limit=&cursor=] → {jobs (newest first), nextCursor}
export const GET = route(({ url }) => json(sessionJobsPage(parseId(url.searchParams.get('sessionId') ?? '', 'Session'), parsePage(url.searchParams))));

// POST /api/jobs {sessionId, recipe, …} → 202 {job}
export const POST = route(async ({ request }) => {
  const job = createJob(await readJson(request, 64 * 1024));
  return json({ job }, 202, { location: `/api/jobs/${job.id}` });
});
