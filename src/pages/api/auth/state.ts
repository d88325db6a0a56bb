import { app } from '../../../server/app/context.ts';
import { hasOwner, workspaceName } from '../../../server/auth/accounts.ts';
import { findActor } from '../../../server/auth/request.ts';
import { json, route } from '../../../server/http/errors.ts';

// GET /api/auth/state → {setupNeeded, actor: {kind, role, email, workspace} | null}
export const GET = route(({ request, cookies }) => {
  const { db } = app();
  const { actor } = findActor(db, request, cookies);
  return json({
    setupNeeded: !hasOwner(db),
    actor: actor && {
      kind: actor.kind,
      role: actor.role,
      email: actor.email,
      workspace: { id: actor.workspaceId, name: workspaceName(db, actor.workspaceId) },
    },
  });
});
