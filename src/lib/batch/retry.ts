// When a batch upload that did not go through is tried again. A batch of hundreds of photos meets the workspace's
// uploads-per-minute limit and the odd dropped connection as a matter of course: neither may turn photos into
// failures the merchant has to pick out and choose again.

export type UploadFailure =
  /** The request never got an answer (offline, connection dropped). */
  { kind: 'network' } | { kind: 'answer'; status: number; retryAfterS: number | null };

/** Attempts at most per photo for network failures and server errors (limits are waited out however often). */
export const MAX_ATTEMPTS = 6;

/**
 * Milliseconds to wait before attempt `attempt + 1` (attempt counts from 1), or null to give up: the server's
 * Retry-After on 429/503, growing back-off for network failures and 5xx, never for other 4xx (a photo the server
 * refuses stays refused).
 */
export function retryDelayMs(failure: UploadFailure, attempt: number): number | null {
  const backoff = Math.min(30_000, 2000 * 2 ** (attempt - 1));
  if (failure.kind === 'network') return attempt < MAX_ATTEMPTS ? backoff : null;
  const { status, retryAfterS } = failure;
  if (status === 429) return (retryAfterS ?? 10) * 1000;
  if (status === 503 && retryAfterS != null) return retryAfterS * 1000;
  if (status >= 500 && status !== 507 && attempt < MAX_ATTEMPTS) return backoff;
  return null;
}
