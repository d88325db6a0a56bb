import { json, parseId, route } from '../../../../lib/http/errors.ts';
import { sessionJobs, sessionResults } from '../../../../lib/jobs/service.ts';

// GET /api/sessions/:id/results → {results (newest first), jobs (recent, to resume watching)}
export const GET = route(({ params }) => {
  const id = parseId(params.id, 'Session');
  return json({ results: sessionResults(id), jobs: sessionJobs(id) });
});
