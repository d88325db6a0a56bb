// Keyset pagination for the lists (sessions, jobs, results): newest first, a page at a time, stable while rows
// are added. The cursor is opaque to clients: the last row's (created_at, rowid), base64url.
import { ApiError } from '../http/errors.ts';

export interface Page {
  limit: number;
  after: { at: string; rowid: number } | null;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 200;

export function encodeCursor(at: string, rowid: number): string {
  return Buffer.from(JSON.stringify([at, rowid])).toString('base64url');
}

/** `?limit=` (1–200) and `?cursor=` of a list request; a bad value is a 400 with the reason. */
export function parsePage(params: URLSearchParams, defaultLimit = DEFAULT_PAGE): Page {
  const rawLimit = params.get('limit');
  const limit = rawLimit === null ? defaultLimit : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new ApiError(400, 'invalid_limit', `limit must be a whole number from 1 to ${MAX_PAGE}.`);
  }
  const cursor = params.get('cursor');
  if (!cursor) return { limit, after: null };
  try {
    const [at, rowid] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof at !== 'string' || !Number.isInteger(rowid)) throw new Error('shape');
    return { limit, after: { at, rowid: rowid as number } };
  } catch {
    throw new ApiError(400, 'invalid_cursor', 'The cursor is not one this list gave out: start again without it.');
  }
}

/** Takes one row more than the page to know whether another page follows. */
export function splitPage<T extends { created_at: string; rowid: number }>(
  rows: T[],
  limit: number,
): { rows: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { rows, nextCursor: null };
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: encodeCursor(last.created_at, last.rowid) };
}
