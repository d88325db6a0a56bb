// Who may call what: every server route (API and page) by its Astro route pattern, the role each method needs
// and the resource its id names. src/middleware.ts enforces it before any route runs, so a route cannot forget
// the check; a route or method missing here is refused (tests/api/access.test.ts lists the routes from
// src/pages and fails on any missing entry). An id from another workspace answers 404, like an unknown id.
import type { Db } from '../store/db.ts';
import { ApiError } from '../http/errors.ts';
import type { Role } from './accounts.ts';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `public`: no account needed; `member`: any signed-in member or key (a viewer's rights); `user`: a person, not a key. */
export type Need = 'public' | 'user' | Role;
/** What the route's id parameter names; its workspace must be the actor's. */
export type Resource = 'session' | 'job' | 'result' | 'image' | 'batch';

export interface RouteAccess {
  methods: Partial<Record<Method, Need>>;
  resource?: { kind: Resource; param: string };
}

const session = (param = 'id') => ({ kind: 'session' as const, param });
const job = { kind: 'job' as const, param: 'id' };
const batch = { kind: 'batch' as const, param: 'id' };

export const ROUTE_ACCESS: Record<string, RouteAccess> = {
  // API
  '/api/health': { methods: { GET: 'public' } },
  '/api/[...path]': { methods: { GET: 'public', POST: 'public', PUT: 'public', DELETE: 'public', PATCH: 'public' } },
  '/api/openapi.json': { methods: { GET: 'public' } },
  '/api/backend': { methods: { GET: 'viewer' } },
  '/api/images': { methods: { POST: 'editor' } },
  '/api/images/[id]/[file]': { methods: { GET: 'viewer' }, resource: { kind: 'image', param: 'id' } },
  '/api/jobs': { methods: { GET: 'viewer', POST: 'editor' } }, // the session id in the query / body: checked by the route
  '/api/jobs/[id]': { methods: { GET: 'viewer' }, resource: job },
  '/api/jobs/[id]/preview.png': { methods: { GET: 'viewer' }, resource: job },
  '/api/jobs/[id]/events': { methods: { GET: 'viewer' }, resource: job },
  '/api/jobs/[id]/cancel': { methods: { POST: 'editor' }, resource: job },
  '/api/results/[file]': { methods: { GET: 'viewer' }, resource: { kind: 'result', param: 'file' } },
  '/api/results/[id]/pose-check': { methods: { PUT: 'editor' }, resource: { kind: 'result', param: 'id' } },
  '/api/sessions': { methods: { GET: 'viewer' } },
  '/api/sessions/[id]': { methods: { GET: 'viewer', DELETE: 'owner' }, resource: session() },
  '/api/sessions/[id]/skeleton.png': { methods: { GET: 'viewer' }, resource: session() },
  '/api/sessions/[id]/results.zip': { methods: { GET: 'viewer' }, resource: session() },
  '/api/sessions/[id]/mask': { methods: { PUT: 'editor' }, resource: session() },
  '/api/sessions/[id]/mask.png': { methods: { GET: 'viewer' }, resource: session() },
  '/api/sessions/[id]/conflicts/[cid]': { methods: { GET: 'viewer' }, resource: session() },
  '/api/sessions/[id]/results': { methods: { GET: 'viewer' }, resource: session() },
  '/api/sessions/[id]/pose': { methods: { GET: 'viewer', PUT: 'editor' }, resource: session() },
  '/api/batches': { methods: { GET: 'viewer', POST: 'editor' } }, // session ids in the body: checked by the service
  '/api/batches/[id]': { methods: { GET: 'viewer' }, resource: batch },
  '/api/batches/[id]/sessions': { methods: { POST: 'editor' }, resource: batch },
  '/api/batches/[id]/sessions/[sid]': { methods: { PATCH: 'editor' }, resource: batch },
  '/api/batches/[id]/jobs': { methods: { POST: 'editor' }, resource: batch },
  '/api/batches/[id]/cancel': { methods: { POST: 'editor' }, resource: batch },
  '/api/batches/[id]/results.zip': { methods: { GET: 'viewer' }, resource: batch },
  // Accounts: first run, sign-in and invites before any account; the rest for members.
  '/api/auth/state': { methods: { GET: 'public' } },
  '/api/auth/setup': { methods: { POST: 'public' } },
  '/api/auth/sign-in': { methods: { POST: 'public' } },
  '/api/auth/sign-out': { methods: { POST: 'user' } },
  '/api/auth/password': { methods: { POST: 'user' } },
  '/api/invites/[token]': { methods: { GET: 'public', POST: 'public' } },
  '/api/workspace': { methods: { GET: 'viewer' } },
  '/api/workspaces': { methods: { GET: 'user', POST: 'user', PUT: 'user' } },
  '/api/workspace/members': { methods: { GET: 'owner' } },
  '/api/workspace/members/[userId]': { methods: { DELETE: 'owner' } },
  '/api/workspace/invites': { methods: { POST: 'owner' } },
  '/api/workspace/keys': { methods: { GET: 'owner', POST: 'owner' } },
  '/api/workspace/keys/[id]': { methods: { DELETE: 'owner' } },
  // Pages
  '/': { methods: { GET: 'viewer' } },
  '/s/[id]': { methods: { GET: 'viewer' }, resource: session() },
  '/batch': { methods: { GET: 'viewer' } },
  '/workspace': { methods: { GET: 'viewer' } },
  '/setup': { methods: { GET: 'public' } },
  '/sign-in': { methods: { GET: 'public' } },
  '/invite/[token]': { methods: { GET: 'public' } },
  '/lang': { methods: { GET: 'public' } },
  '/api-docs': { methods: { GET: 'public' } },
  '/manifest.zh-CN.webmanifest': { methods: { GET: 'public' } },
  // The browser-side model files (decoder, pose): public weights, no shop data.
  '/models/[file]': { methods: { GET: 'public' } },
};

/** The access rule of a route and method; HEAD follows GET. Undefined: refused. */
export function accessFor(routePattern: string, method: string): { need: Need; resource?: RouteAccess['resource'] } | undefined {
  const entry = ROUTE_ACCESS[routePattern];
  const m = (method === 'HEAD' ? 'GET' : method) as Method;
  const need = entry?.methods[m];
  return need ? { need, resource: entry.resource } : undefined;
}

/** The workspace a resource belongs to; undefined when there is no such resource. */
export function resourceWorkspace(db: Db, kind: Resource, rawId: string, actorWorkspace: string): string | null | undefined {
  const id = kind === 'result' ? rawId.replace(/\.png$/, '') : rawId;
  const one = (sql: string) => (db.prepare(sql).get(id) as { workspace_id: string | null } | undefined)?.workspace_id;
  switch (kind) {
    case 'session':
      return one('SELECT workspace_id FROM sessions WHERE id = ?');
    case 'job':
      return one('SELECT s.workspace_id FROM jobs j JOIN sessions s ON s.id = j.session_id WHERE j.id = ?');
    case 'result':
      return one('SELECT s.workspace_id FROM results r JOIN sessions s ON s.id = r.session_id WHERE r.id = ?');
    case 'batch':
      return one('SELECT workspace_id FROM batches WHERE id = ?');
    case 'image': {
      // A photo is stored once however many sessions use it: it is the actor's when one of their sessions uses it.
      const mine = db.prepare('SELECT 1 FROM sessions WHERE image_id = ? AND workspace_id = ? LIMIT 1').get(id, actorWorkspace);
      return mine ? actorWorkspace : undefined;
    }
  }
}

/** For ids in a query or body (the middleware checks those in the path): another workspace's session is not found. */
export function assertSessionInWorkspace(db: Db, sessionId: string, workspaceId: string): void {
  if (resourceWorkspace(db, 'session', sessionId, workspaceId) !== workspaceId)
    throw new ApiError(404, 'not_found', 'The session was not found.');
}
