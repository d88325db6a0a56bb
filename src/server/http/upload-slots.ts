// At most `limit` uploads in flight (being received, waiting for an image slot or being processed): each one
// holds a connection and up to the upload limit on disk. One more is answered at once with 503 and
// Retry-After instead of queueing without bound.
import { ApiError } from './errors.ts';

/** Seconds a refused client is asked to wait: about what a large photo takes to process. */
export const RETRY_AFTER_S = 10;

let inFlight = 0;

export async function withUploadSlot<T>(limit: number, work: () => Promise<T>): Promise<T> {
  if (inFlight >= limit) {
    throw new ApiError(
      503,
      'busy',
      `The studio is receiving too many photos at once. Please try again in ${RETRY_AFTER_S} seconds.`,
      { 'retry-after': String(RETRY_AFTER_S) },
      { seconds: RETRY_AFTER_S },
    );
  }
  inFlight++;
  try {
    return await work();
  } finally {
    inFlight--;
  }
}
