import { json, parseId, route } from '../../../../server/http/errors.ts';
import { sessionJobs, sessionResultsPage } from '../../../../server/jobs/service.ts';
import { parsePage } from '../../../../server/store/page.ts';

// GET /api/sessions/:id/results[?limit=&cursor=] → {results (a page, newest first), nextCursor, jobs (recent, to
// resume watching)}
export const GET = route(({ params, url }) => {
  const id = parseId(params.id, 'Session');
  return json({ ...sessionResultsPage(id, parsePage(url.searchParams, 100)), jobs: sessionJobs(id) });
});
