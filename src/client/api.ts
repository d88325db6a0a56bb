// The browser's one client of the JSON API: each call names the answer it gets (src/lib/api/types.ts).
// A network failure rejects with fetch's TypeError (see isNetworkError in sync.ts); an error answer
// rejects with ApiRequestError, which carries the status and the server's {error: {code, message}}.
import { isTerminal } from '../lib/api/job-states.ts';
import type {
  BackendStatusJson,
  JobJson,
  JobRequestBody,
  MaskSaveJson,
  PoseSaveJson,
  SessionDetailJson,
  SessionPageJson,
  ResultJson,
  SessionResultsJson,
  UploadJson,
} from '../lib/api/types.ts';

export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: string;
  /** The server's own explanation, when it gave one. */
  readonly serverMessage: string | null;
  /** The server's Retry-After, in seconds, when it said when to try again (429, 503). */
  readonly retryAfterS: number | null;

  constructor(status: number, code: string, serverMessage: string | null, retryAfterS: number | null = null) {
    super(serverMessage ?? `HTTP ${status}`);
    this.name = 'ApiRequestError';
    this.status = status;
    this.code = code;
    this.serverMessage = serverMessage;
    this.retryAfterS = retryAfterS;
  }
}

/** Addresses the page links to or the offline cache looks up (rather than fetches through here). */
export const apiUrl = {
  results: (sessionId: string) => `/api/sessions/${sessionId}/results`,
  resultsZip: (sessionId: string) => `/api/sessions/${sessionId}/results.zip`,
};

async function call<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(path, init);
  const body = await res.json().catch(() => null);
  if (!res.ok) throw new ApiRequestError(res.status, body?.error?.code ?? 'http_error', body?.error?.message ?? null);
  return body as T;
}

const postJson = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

// ---- sessions ----------------------------------------------------------------------------------

export async function getSession(id: string, init?: RequestInit): Promise<SessionDetailJson> {
  return (await call<{ session: SessionDetailJson }>(`/api/sessions/${id}`, init)).session;
}

/** A page of sessions, newest first; pass the previous page's `nextCursor` for the next one. */
/** A page of the workspace's sessions; `q`: only those whose name contains it. */
export async function listSessions(cursor: string | null = null, q = ''): Promise<SessionPageJson> {
  const query = new URLSearchParams();
  if (q) query.set('q', q);
  if (cursor) query.set('cursor', cursor);
  const search = query.toString();
  return call<SessionPageJson>(search ? `/api/sessions?${search}` : '/api/sessions');
}

/** Deletes the session with its files and jobs; a session already gone is not an error. */
export async function deleteSession(id: string): Promise<void> {
  try {
    await call(`/api/sessions/${id}`, { method: 'DELETE' });
  } catch (err) {
    if (!(err instanceof ApiRequestError && err.status === 404)) throw err;
  }
}

/** What an edit builds on: the server revision it was made on, and when (src/server/sessions/conflicts.ts). */
export interface EditBase {
  baseRev: number;
  /** For an edit kept offline; without it the server dates the edit by its own clock. */
  editedAt?: string;
}

export type EditKind = 'mask' | 'pose';
export type EditAnswer<K extends EditKind> = K extends 'mask' ? MaskSaveJson : PoseSaveJson;

const EDIT_CONTENT_TYPE: Record<EditKind, string> = { mask: 'image/png', pose: 'application/json' };

/**
 * Saves a mask (PNG) or a pose (JSON) as made on `base`: if the server's revision moved on meanwhile,
 * it keeps both versions, the newer one current, and the answer says which (`applied`, `conflict`).
 */
export function saveEdit<K extends EditKind>(kind: K, sessionId: string, body: Blob | string, base: EditBase): Promise<EditAnswer<K>> {
  const headers: Record<string, string> = { 'content-type': EDIT_CONTENT_TYPE[kind], 'x-base-rev': String(base.baseRev) };
  if (base.editedAt) headers['x-edited-at'] = base.editedAt;
  return call<EditAnswer<K>>(`/api/sessions/${sessionId}/${kind}`, { method: 'PUT', headers, body });
}

/** The new revision an answer to saveEdit names. */
export function answerRev(answer: MaskSaveJson | PoseSaveJson): number | null {
  return 'session' in answer ? (answer.session.mask?.rev ?? null) : answer.rev;
}

/**
 * Uploads a photo (multipart) and resolves with the new session. XMLHttpRequest because fetch()
 * cannot report upload progress; `sent` is called when the server starts preparing the photo.
 */
export function uploadPhoto(file: File, on: { progress(pct: number): void; sent(): void }): Promise<UploadJson> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.append('image', file, file.name || 'photo');
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/images');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) on.progress(Math.round((100 * e.loaded) / e.total));
    };
    xhr.upload.onload = () => on.sent();
    xhr.onerror = () => reject(new TypeError('The upload did not reach the server.'));
    xhr.onload = () => {
      const body = xhr.response;
      if (xhr.status === 201 && body?.session?.id) resolve(body as UploadJson);
      else {
        const wait = Number(xhr.getResponseHeader('retry-after'));
        const code = body?.error?.code ?? 'http_error';
        reject(new ApiRequestError(xhr.status, code, body?.error?.message ?? null, Number.isFinite(wait) && wait > 0 ? wait : null));
      }
    };
    xhr.send(form);
  });
}

// ---- generation --------------------------------------------------------------------------------

export const getResults = (sessionId: string) => call<SessionResultsJson>(apiUrl.results(sessionId));

export const getBackendStatus = () => call<BackendStatusJson>('/api/backend');

export async function createJob(request: JobRequestBody): Promise<JobJson> {
  return (await call<{ job: JobJson }>('/api/jobs', postJson(request))).job;
}

export async function cancelJob(id: string): Promise<JobJson> {
  return (await call<{ job: JobJson }>(`/api/jobs/${id}/cancel`, { method: 'POST' })).job;
}

/** Stores the pose error measured here on a result (src/client/pose-check.ts); answers the result. */
export async function putPoseCheck(resultId: string, measure: { error: number; joints: number }): Promise<ResultJson> {
  const init = { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(measure) };
  return (await call<{ result: ResultJson }>(`/api/results/${resultId}/pose-check`, init)).result;
}

/** Follows a job's events (SSE) until it ends; returns the stop. */
export function watchJob(id: string, onJob: (job: JobJson) => void): () => void {
  const events = new EventSource(`/api/jobs/${id}/events`);
  events.addEventListener('job', (e) => {
    const job = JSON.parse((e as MessageEvent<string>).data) as JobJson;
    onJob(job);
    if (isTerminal(job.state)) events.close();
  });
  // EventSource reconnects by itself after a dropped connection; nothing to do on error.
  return () => events.close();
}
