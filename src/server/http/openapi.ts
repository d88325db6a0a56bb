// The HTTP API as an OpenAPI 3.1 document, built from the zod schemas the routes validate with (zod's own JSON
// Schema output), served at /api/openapi.json and rendered readable at /api-docs. tests/api/openapi.test.ts checks
// that every API route and method of src/server/auth/access.ts is described here.
import { z } from 'zod';
import {
  AcceptInviteRequest,
  ApiKeyRequest,
  InviteRequest,
  PasswordChangeRequest,
  SetupRequest,
  SignInRequest,
  SignOutRequest,
  SwitchWorkspaceRequest,
  WorkspaceRequest,
} from '../../lib/api/account-requests.ts';
import { CreateJobSchema } from '../../lib/api/job-request.ts';
import { AddBatchSessionsRequest, BatchPhotoRequest, CreateBatchRequest, GenerateAllRequest } from '../../lib/api/batch-requests.ts';
import { poseSchema } from '../../lib/pose/schema.ts';
import { PoseCheckRequest } from '../../lib/api/result-requests.ts';
import { ROUTE_ACCESS, type Need } from '../auth/access.ts';

type Body = { json: z.ZodType } | { type: 'image/png' | 'multipart/form-data'; description: string };

export interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** As in ROUTE_ACCESS (Astro's [param]); written {param} in the document. */
  route: string;
  tag: string;
  summary: string;
  body?: Body;
  query?: { name: string; description: string; required?: boolean }[];
  /** What a success answers (status and a short description). */
  ok: [number, string];
}

const page = [
  { name: 'limit', description: '1–200 items per page' },
  { name: 'cursor', description: 'nextCursor of the previous page' },
];

export const OPERATIONS: readonly Operation[] = [
  {
    method: 'get',
    route: '/api/health',
    tag: 'Studio',
    summary: 'Models, data dir and database: can the studio work?',
    ok: [200, 'healthy (503 with what is wrong)'],
  },
  { method: 'get', route: '/api/openapi.json', tag: 'Studio', summary: 'This document', ok: [200, 'OpenAPI 3.1'] },
  {
    method: 'get',
    route: '/api/backend',
    tag: 'Studio',
    summary: 'Generation servers: reachability, checkpoint, queue, lists',
    query: [{ name: 'refresh', description: 'ask the servers again' }],
    ok: [200, 'status'],
  },
  {
    method: 'post',
    route: '/api/images',
    tag: 'Sessions',
    summary: 'Upload a photo: a new session with its segmentation embedding',
    body: { type: 'multipart/form-data', description: 'field "image": JPEG, PNG or WebP' },
    ok: [201, '{session, image, embedding}'],
  },
  {
    method: 'get',
    route: '/api/images/[id]/[file]',
    tag: 'Sessions',
    summary: 'A photo file: photo.jpg, thumb.jpg, source.jpg or embedding.npy',
    ok: [200, 'the file'],
  },
  {
    method: 'get',
    route: '/api/sessions',
    tag: 'Sessions',
    summary: 'The workspace’s sessions, newest first',
    query: [{ name: 'q', description: 'only those whose name contains this (any case)' }, ...page],
    ok: [200, '{sessions, nextCursor}'],
  },
  { method: 'get', route: '/api/sessions/[id]', tag: 'Sessions', summary: 'One session', ok: [200, '{session}'] },
  {
    method: 'delete',
    route: '/api/sessions/[id]',
    tag: 'Sessions',
    summary: 'Delete a session, its files, jobs and results (owner)',
    ok: [200, 'deleted'],
  },
  {
    method: 'put',
    route: '/api/sessions/[id]/mask',
    tag: 'Sessions',
    summary: 'Save the garment mask',
    body: { type: 'image/png', description: 'the photo’s size; white = garment' },
    ok: [200, '{session}'],
  },
  { method: 'get', route: '/api/sessions/[id]/mask.png', tag: 'Sessions', summary: 'The saved garment mask', ok: [200, 'PNG'] },
  { method: 'get', route: '/api/sessions/[id]/pose', tag: 'Sessions', summary: 'The saved pose', ok: [200, '{pose, rev, updatedAt}'] },
  {
    method: 'put',
    route: '/api/sessions/[id]/pose',
    tag: 'Sessions',
    summary: 'Save the pose (18 OpenPose joints in the photo’s pixels)',
    body: { json: poseSchema },
    ok: [200, '{pose, rev, updatedAt}'],
  },
  {
    method: 'get',
    route: '/api/sessions/[id]/skeleton.png',
    tag: 'Sessions',
    summary: 'The saved pose drawn as an OpenPose skeleton',
    ok: [200, 'PNG'],
  },
  {
    method: 'get',
    route: '/api/sessions/[id]/conflicts/[cid]',
    tag: 'Sessions',
    summary: 'A copy kept when an offline edit met a newer one',
    ok: [200, 'PNG or JSON'],
  },
  {
    method: 'get',
    route: '/api/sessions/[id]/results',
    tag: 'Results',
    summary: 'The session’s results and jobs',
    query: page,
    ok: [200, '{results, jobs, nextCursor}'],
  },
  {
    method: 'get',
    route: '/api/sessions/[id]/results.zip',
    tag: 'Results',
    summary: 'Every result with parameters.json',
    ok: [200, 'ZIP'],
  },
  {
    method: 'get',
    route: '/api/jobs',
    tag: 'Jobs',
    summary: 'A session’s jobs, newest first',
    query: [{ name: 'sessionId', description: 'the session', required: true }, ...page],
    ok: [200, '{jobs, nextCursor}'],
  },
  { method: 'post', route: '/api/jobs', tag: 'Jobs', summary: 'Queue a generation', body: { json: CreateJobSchema }, ok: [202, '{job}'] },
  { method: 'get', route: '/api/jobs/[id]', tag: 'Jobs', summary: 'A job: state, progress, results', ok: [200, '{job}'] },
  {
    method: 'get',
    route: '/api/jobs/[id]/events',
    tag: 'Jobs',
    summary: 'Server-sent events: the job at every change',
    ok: [200, 'text/event-stream'],
  },
  { method: 'get', route: '/api/jobs/[id]/preview.png', tag: 'Jobs', summary: 'The live preview of a running job', ok: [200, 'PNG'] },
  { method: 'post', route: '/api/jobs/[id]/cancel', tag: 'Jobs', summary: 'Cancel a queued or running job', ok: [200, '{job}'] },
  {
    method: 'get',
    route: '/api/results/[file]',
    tag: 'Results',
    summary: 'One result, <id>.png, at the photo’s full resolution',
    query: [{ name: 'download', description: 'as an attachment' }],
    ok: [200, 'PNG'],
  },
  {
    method: 'put',
    route: '/api/results/[id]/pose-check',
    tag: 'Results',
    summary: 'The pose error the browser measured on a result',
    body: { json: PoseCheckRequest },
    ok: [200, '{result}'],
  },
  {
    method: 'get',
    route: '/api/batches',
    tag: 'Batches',
    summary: 'The workspace’s batches, newest first, with counts',
    ok: [200, '{batches}'],
  },
  {
    method: 'post',
    route: '/api/batches',
    tag: 'Batches',
    summary: 'Group uploaded photos (sessions) into a batch',
    body: { json: CreateBatchRequest },
    ok: [201, '{batch}'],
  },
  {
    method: 'get',
    route: '/api/batches/[id]',
    tag: 'Batches',
    summary: 'A batch: its photos, their jobs by state, results',
    ok: [200, '{batch}'],
  },
  {
    method: 'post',
    route: '/api/batches/[id]/sessions',
    tag: 'Batches',
    summary: 'Add photos (up to 500 in a batch)',
    body: { json: AddBatchSessionsRequest },
    ok: [200, '{batch}'],
  },
  {
    method: 'patch',
    route: '/api/batches/[id]/sessions/[sid]',
    tag: 'Batches',
    summary: 'Leave a photo out of Generate all, or back in',
    body: { json: BatchPhotoRequest },
    ok: [200, '{batch}'],
  },
  {
    method: 'post',
    route: '/api/batches/[id]/jobs',
    tag: 'Batches',
    summary: 'Generate all: a job per included photo × model look × scene (fair turns with single jobs)',
    body: { json: GenerateAllRequest },
    ok: [202, '{queued, jobIds, skipped, batch}'],
  },
  {
    method: 'post',
    route: '/api/batches/[id]/cancel',
    tag: 'Batches',
    summary: 'Cancel queued and running jobs; results stay',
    ok: [200, '{batch}'],
  },
  {
    method: 'get',
    route: '/api/batches/[id]/results.zip',
    tag: 'Batches',
    summary: 'The catalogue: a folder per photo with results and parameters.json',
    ok: [200, 'ZIP (streamed)'],
  },
  {
    method: 'get',
    route: '/api/auth/state',
    tag: 'Accounts',
    summary: 'Is the studio set up, and who is asking',
    ok: [200, '{setupNeeded, actor}'],
  },
  {
    method: 'post',
    route: '/api/auth/setup',
    tag: 'Accounts',
    summary: 'First run: create the owner and the first workspace',
    body: { json: SetupRequest },
    ok: [201, 'signed in'],
  },
  {
    method: 'post',
    route: '/api/auth/sign-in',
    tag: 'Accounts',
    summary: 'Sign in (session cookie)',
    body: { json: SignInRequest },
    ok: [200, 'signed in'],
  },
  {
    method: 'post',
    route: '/api/auth/sign-out',
    tag: 'Accounts',
    summary: 'Sign out here, or everywhere',
    body: { json: SignOutRequest },
    ok: [200, 'signed out'],
  },
  {
    method: 'post',
    route: '/api/auth/password',
    tag: 'Accounts',
    summary: 'Change the password (other sessions end)',
    body: { json: PasswordChangeRequest },
    ok: [200, 'changed'],
  },
  {
    method: 'get',
    route: '/api/invites/[token]',
    tag: 'Accounts',
    summary: 'What an invite link is for',
    ok: [200, '{workspaceName, role, expiresAt}'],
  },
  {
    method: 'post',
    route: '/api/invites/[token]',
    tag: 'Accounts',
    summary: 'Join with an invite (once)',
    body: { json: AcceptInviteRequest },
    ok: [200, 'signed in'],
  },
  {
    method: 'get',
    route: '/api/workspace',
    tag: 'Workspace',
    summary: 'The workspace the request acts in, and the caller’s role',
    ok: [200, '{id, name, role}'],
  },
  { method: 'get', route: '/api/workspaces', tag: 'Workspace', summary: 'The account’s workspaces', ok: [200, '{workspaces, current}'] },
  {
    method: 'post',
    route: '/api/workspaces',
    tag: 'Workspace',
    summary: 'A new workspace (a shop) owned by the caller',
    body: { json: WorkspaceRequest },
    ok: [201, '{workspace}'],
  },
  {
    method: 'put',
    route: '/api/workspaces',
    tag: 'Workspace',
    summary: 'Act in another of the account’s workspaces',
    body: { json: SwitchWorkspaceRequest },
    ok: [200, 'switched'],
  },
  { method: 'get', route: '/api/workspace/members', tag: 'Workspace', summary: 'Members and their roles', ok: [200, '{members}'] },
  {
    method: 'delete',
    route: '/api/workspace/members/[userId]',
    tag: 'Workspace',
    summary: 'Remove a member (signed out at once)',
    ok: [200, 'removed'],
  },
  {
    method: 'post',
    route: '/api/workspace/invites',
    tag: 'Workspace',
    summary: 'An invite link for a role (single use, expires)',
    body: { json: InviteRequest },
    ok: [201, '{url, expiresAt}'],
  },
  { method: 'get', route: '/api/workspace/keys', tag: 'Workspace', summary: 'API keys (never the keys themselves)', ok: [200, '{keys}'] },
  {
    method: 'post',
    route: '/api/workspace/keys',
    tag: 'Workspace',
    summary: 'A new API key, shown once',
    body: { json: ApiKeyRequest },
    ok: [201, '{key, apiKey}'],
  },
  { method: 'delete', route: '/api/workspace/keys/[id]', tag: 'Workspace', summary: 'Revoke a key', ok: [200, 'revoked'] },
];

const NEEDS: Record<Need, string> = {
  public: 'No account needed.',
  user: 'A signed-in person (not an API key).',
  viewer: 'Any member; keys of any scope.',
  editor: 'Editors and owners; keys with the generate or admin scope.',
  owner: 'Owners; keys with the admin scope.',
};

const ERROR = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] },
  },
  required: ['error'],
};

export function openApiDocument(serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const pathKey = op.route.replace(/\[(\w+)\]/g, '{$1}');
    const params = [...op.route.matchAll(/\[(\w+)\]/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const need = ROUTE_ACCESS[op.route]?.methods[op.method.toUpperCase() as 'GET'] ?? 'owner';
    const body = op.body
      ? 'json' in op.body
        ? {
            required: true,
            content: { 'application/json': { schema: z.toJSONSchema(op.body.json, { io: 'input', unrepresentable: 'any' }) } },
          }
        : {
            required: true,
            content: { [op.body.type]: { schema: { type: 'string', format: 'binary', description: op.body.description } } },
          }
      : undefined;
    paths[pathKey] ??= {};
    paths[pathKey]![op.method] = {
      tags: [op.tag],
      summary: op.summary,
      description: NEEDS[need],
      ...(need === 'public' ? { security: [] } : {}),
      parameters: [
        ...params,
        ...(op.query ?? []).map((q) => ({
          name: q.name,
          in: 'query',
          required: !!q.required,
          description: q.description,
          schema: { type: 'string' },
        })),
      ],
      ...(body ? { requestBody: body } : {}),
      responses: {
        [op.ok[0]]: { description: op.ok[1] },
        default: { description: 'An error, in words a merchant understands', content: { 'application/json': { schema: ERROR } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Atelier API',
      version: '1',
      description:
        'Garment photo in, catalogue photos out. ' +
        'Authenticate with a workspace API key (`Authorization: Bearer …`, made on the Team page) or the browser’s session cookie. ' +
        'Every error answers `{error: {code, message}}`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }, { sessionCookie: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'A workspace API key: read, generate or admin scope.' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'atelier_session' },
      },
    },
    paths,
  };
}
