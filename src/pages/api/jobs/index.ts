import { app } from '../../../server/app/context.ts';
import { assertSessionInWorkspace } from '../../../server/auth/access.ts';
import { actorOf } from '../../../server/auth/request.ts';
import { assertQueueRoom, assertStorageRoom } from '../../../server/auth/quotas.ts';
import { readJson } from '../../../server/http/body.ts';
import { ID_PATTERN, json, parseId, route } from '../../../server/http/errors.ts';
import { createJob, sessionJobsPage } from '../../../server/jobs/service.ts';
import { parsePage } from '../../../server/store/page.ts';

// GET /api/jobs?sessionId=…[&limit=&cursor=] → {jobs (newest first), nextCursor}
export const GET = route(({ url, locals }) => {
  const sessionId = parseId(url.searchParams.get('sessionId') ?? '', 'Session');
  assertSessionInWorkspace(app().db, sessionId, actorOf(locals).workspaceId);
  return json(sessionJobsPage(sessionId, parsePage(url.searchParams)));
});

// POST /api/jobs {sessionId, recipe, …} → 202 {job}
export const POST = route(async ({ request, locals }) => {
  const body = await readJson(request, 64 * 1024);
  const sessionId = (body as { sessionId?: unknown } | null)?.sessionId;
  const ctx = app();
  const { workspaceId } = actorOf(locals);
  // A session of another workspace is not found; a missing or malformed id is left to the schema's message.
  if (typeof sessionId === 'string' && ID_PATTERN.test(sessionId)) assertSessionInWorkspace(ctx.db, sessionId, workspaceId);
  assertQueueRoom(ctx, workspaceId);
  await assertStorageRoom(ctx, workspaceId);
  const job = createJob(body);
  return json({ job }, 202, { location: `/api/jobs/${job.id}` });
});
