import { ApiError, json, parseId, route } from '../../../../server/http/errors.ts';
import { readBody } from '../../../../server/http/body.ts';
import { requirePose, savePose } from '../../../../server/sessions/pose.ts';
import { parseSyncHeaders } from '../../../../server/sessions/conflicts.ts';

/** 18 keypoints are about 2 KB of JSON; anything near this limit is not a pose. */
const MAX_POSE_BYTES = 64 * 1024;

// GET /api/sessions/:id/pose — {pose, rev, updatedAt}; 404 no_pose when none was saved yet.
export const GET = route(({ params }) => json(requirePose(parseId(params.id, 'Session'))));

// PUT /api/sessions/:id/pose — body: a Pose as JSON (src/lib/pose/schema.ts), in the photo's pixel frame.
// Offline edits also send x-base-rev + x-edited-at: when the pose moved on meanwhile, both versions are
// kept (the newer is current) and the answer adds {applied, conflict}.
export const PUT = route(async ({ params, request }) => {
  const id = parseId(params.id, 'Session');
  const sync = parseSyncHeaders(request.headers);
  const type = request.headers.get('content-type') ?? '';
  if (type && !/^application\/json\b/i.test(type)) {
    throw new ApiError(415, 'not_json', `The pose must be sent as application/json (got ${type.split(';')[0]}).`);
  }
  const raw = await readBody(request, MAX_POSE_BYTES);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid_json', 'The pose is not valid JSON.');
  }
  const { applied, conflict, ...saved } = savePose(id, body, sync);
  return json(sync ? { ...saved, applied, conflict } : saved);
});
