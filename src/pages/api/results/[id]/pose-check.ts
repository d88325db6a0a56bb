import { PoseCheckRequest } from '../../../../lib/api/result-requests.ts';
import { json, parseId, route } from '../../../../server/http/errors.ts';
import { readJson } from '../../../../server/http/body.ts';
import { recordPoseCheck } from '../../../../server/jobs/service.ts';

// PUT /api/results/:id/pose-check {error, joints} — the pose error the browser measured on the result (its pose
// model, against the session's pose; src/lib/pose/error.ts). Stored with the result's figures.
export const PUT = route(async ({ params, request }) => {
  const body = PoseCheckRequest.parse(await readJson(request, 1024));
  return json({ result: recordPoseCheck(parseId(params.id, 'Result'), body) });
});
