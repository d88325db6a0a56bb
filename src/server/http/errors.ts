// API error mapping: every route answers failures as {error: {code, message}} with a 4xx/5xx status.
import type { APIContext, APIRoute } from 'astro';
import { ZodError } from 'zod';

/** What a merchant reads when the studio's disk is full (src/server/store/disk.ts). */
export const DISK_FULL_MESSAGE =
  "The studio's storage is full, so nothing new can be saved. " +
  'Delete sessions you no longer need, or ask whoever runs the studio to free space.';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers (Retry-After on a 503). */
  readonly headers: Record<string, string>;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} was not found.`);

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function errorResponse(err: unknown): Response {
  if (err instanceof ApiError) {
    return json({ error: { code: err.code, message: err.message } }, err.status, err.headers);
  }
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    return json({ error: { code: 'invalid_input', message: `${where}${issue?.message ?? 'invalid input'}` } }, 400);
  }
  // A write that met a full disk (file or database): the merchant's words, and 507 rather than a crash report.
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') {
    return json({ error: { code: 'disk_full', message: DISK_FULL_MESSAGE } }, 507);
  }
  console.error('[api] unexpected error', err);
  return json({ error: { code: 'internal', message: 'Something went wrong on the server. Please try again.' } }, 500);
}

/** Wraps a route so thrown ApiError/ZodError become JSON error responses. */
export function route(handler: (ctx: APIContext) => Promise<Response> | Response): APIRoute {
  return async (ctx) => {
    try {
      return await handler(ctx);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export const ID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;
/** Ids are opaque tokens; anything with path characters is refused before touching storage. */
export function parseId(value: string | undefined, what: string): string {
  if (!value || !ID_PATTERN.test(value)) throw new ApiError(400, 'invalid_id', `${what} id is not valid.`);
  return value;
}
