import { describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, retryDelayMs } from './retry.ts';

describe('batch upload retries', () => {
  it('waits out the uploads-per-minute limit as long as the server says, however often', () => {
    expect(retryDelayMs({ kind: 'answer', status: 429, retryAfterS: 37 }, 1)).toBe(37_000);
    expect(retryDelayMs({ kind: 'answer', status: 429, retryAfterS: 5 }, 50)).toBe(5000);
    expect(retryDelayMs({ kind: 'answer', status: 429, retryAfterS: null }, 1)).toBe(10_000);
  });

  it('backs off on a dropped connection and a server error, then gives up', () => {
    const delays = Array.from({ length: MAX_ATTEMPTS }, (_, i) => retryDelayMs({ kind: 'network' }, i + 1));
    expect(delays.slice(0, -1)).toEqual([2000, 4000, 8000, 16_000, 30_000]);
    expect(delays.at(-1)).toBeNull();
    expect(retryDelayMs({ kind: 'answer', status: 502, retryAfterS: null }, 1)).toBe(2000);
    expect(retryDelayMs({ kind: 'answer', status: 503, retryAfterS: 3 }, 9)).toBe(3000);
  });

  it('never retries what the server refused for the photo itself, nor a full disk', () => {
    for (const status of [400, 401, 403, 404, 413, 415, 422, 507]) {
      expect(retryDelayMs({ kind: 'answer', status, retryAfterS: null }, 1), String(status)).toBeNull();
    }
  });
});
