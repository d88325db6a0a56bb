import { SwitchWorkspaceRequest, WorkspaceRequest } from '../../../lib/api/account-requests.ts';
import { app } from '../../../server/app/context.ts';
import { createWorkspace, switchWorkspace, workspacesOf } from '../../../server/auth/accounts.ts';
import { SESSION_COOKIE, actorOf } from '../../../server/auth/request.ts';
import { readJson } from '../../../server/http/body.ts';
import { ApiError, json, route } from '../../../server/http/errors.ts';

// GET /api/workspaces → {workspaces: [{id, name, role}], current}: the signed-in account's workspaces.
export const GET = route(({ locals }) => {
  const actor = actorOf(locals);
  return json({ workspaces: workspacesOf(app().db, actor.userId!), current: actor.workspaceId });
});

// POST /api/workspaces {name} → 201 {workspace}: a new workspace (a shop) owned by the caller, who now acts in it.
// PUT /api/workspaces {workspaceId} → 200: act in another workspace of the account.
export const POST = route(async ({ request, cookies, locals }) => {
  const { db } = app();
  const actor = actorOf(locals);
  const { name } = WorkspaceRequest.parse(await readJson(request, 1024));
  const workspace = createWorkspace(db, actor.userId!, name);
  switchWorkspace(db, cookies.get(SESSION_COOKIE)?.value ?? '', actor.userId!, workspace.id);
  return json({ workspace }, 201);
});

export const PUT = route(async ({ request, cookies, locals }) => {
  const { db } = app();
  const actor = actorOf(locals);
  const { workspaceId } = SwitchWorkspaceRequest.parse(await readJson(request, 1024));
  const token = cookies.get(SESSION_COOKIE)?.value;
  if (!token) throw new ApiError(401, 'sign_in_required', 'Sign in first.');
  switchWorkspace(db, token, actor.userId!, workspaceId);
  return json({ ok: true });
});
