// API error mapping: every route answers failures as {error: {code, message}} with a 4xx/5xx status.
import type { APIContext, APIRoute } from 'astro';
import { ZodError } from 'zod';
import { apiErrorMessage, type ErrorParams } from '../../i18n/api-errors.ts';
import { pickLang, type Lang } from '../../i18n/messages.ts';

/** What a merchant reads when the studio's disk is full (src/server/store/disk.ts). */
export const DISK_FULL_MESSAGE =
  "The studio's storage is full, so nothing new can be saved. " +
  'Delete sessions you no longer need, or ask whoever runs the studio to free space.';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** Extra response headers (Retry-After on a 503). */
  readonly headers: Record<string, string>;
  /** The numbers in the message, for its translations (src/i18n/api-errors.ts). */
  readonly params: ErrorParams;
  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}, params: ErrorParams = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.params = params;
  }
}

/** The language a request's errors are said in: the studio's language cookie, else the browser's. */
export const requestLang = (request: Request, cookie: string | undefined): Lang => pickLang(cookie, request.headers.get('accept-language'));

/** The error body, its message in `lang` when there is a translation. */
export function problemResponse(
  status: number,
  code: string,
  message: string,
  lang: Lang,
  { headers = {}, params = {} }: { headers?: Record<string, string>; params?: ErrorParams } = {},
): Response {
  return json({ error: { code, message: apiErrorMessage(code, message, lang, params) } }, status, { 'content-language': lang, ...headers });
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);
export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} was not found.`);

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

export function errorResponse(err: unknown, lang: Lang = 'en'): Response {
  if (err instanceof ApiError) {
    return problemResponse(err.status, err.code, err.message, lang, { headers: err.headers, params: err.params });
  }
  if (err instanceof ZodError) {
    const issue = err.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    const detail = `${where}${issue?.message ?? 'invalid input'}`;
    // The field and the rule stay in the words zod gives, after the merchant's sentence.
    const message = lang === 'en' ? detail : `${apiErrorMessage('invalid_input', detail, lang)}（${detail}）`;
    return json({ error: { code: 'invalid_input', message } }, 400, { 'content-language': lang });
  }
  // A write that met a full disk (file or database): the merchant's words, and 507 rather than a crash report.
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') {
    return problemResponse(507, 'disk_full', DISK_FULL_MESSAGE, lang);
  }
  console.error('[api] unexpected error', err);
  return problemResponse(500, 'internal', 'Something went wrong on the server. Please try again.', lang);
}

/** Wraps a route so thrown ApiError/ZodError become JSON error responses, in the language of the request. */
export function route(handler: (ctx: APIContext) => Promise<Response> | Response): APIRoute {
  return async (ctx) => {
    try {
      return await handler(ctx);
    } catch (err) {
      return errorResponse(err, requestLang(ctx.request, ctx.cookies.get('atelier-lang')?.value));
    }
  };
}

export const ID_PATTERN = /^[A-Za-z0-9_-]{6,64}$/;
/** Ids are opaque tokens; anything with path characters is refused before touching storage. */
export function parseId(value: string | undefined, what: string): string {
  if (!value || !ID_PATTERN.test(value)) throw new ApiError(400, 'invalid_id', `${what} id is not valid.`);
  return value;
}
