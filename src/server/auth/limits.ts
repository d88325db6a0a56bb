// Password attempts (signing in, joining with an existing account, changing the password): failures are counted per
// address and per address + e-mail over a window; past the limit the answer is 429 with how long to wait. In memory:
// a restart forgets, which only helps whoever waits.
import { ApiError } from '../http/errors.ts';

const WINDOW_MS = 15 * 60_000;
const PER_ACCOUNT = 5;
const PER_ADDRESS = 20;

const failures = new Map<string, number[]>();

function recent(key: string, now: number): number[] {
  const kept = (failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  if (kept.length) failures.set(key, kept);
  else failures.delete(key);
  return kept;
}

/** Throws 429 when this address, or this address for this e-mail, failed too often lately. */
export function assertSignInAllowed(address: string, email: string, now = Date.now()): void {
  for (const [key, limit] of [
    [`a:${address}`, PER_ADDRESS],
    [`e:${address}:${email.toLowerCase()}`, PER_ACCOUNT],
  ] as const) {
    const times = recent(key, now);
    if (times.length >= limit) {
      const waitMs = WINDOW_MS - (now - times[0]!);
      const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
      throw new ApiError(
        429,
        'too_many_attempts',
        `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        {
          'retry-after': String(Math.ceil(waitMs / 1000)),
        },
        { minutes },
      );
    }
  }
}

export function recordSignInFailure(address: string, email: string, now = Date.now()): void {
  for (const key of [`a:${address}`, `e:${address}:${email.toLowerCase()}`]) failures.set(key, [...recent(key, now), now]);
}

export function clearSignInFailures(address: string, email: string): void {
  failures.delete(`e:${address}:${email.toLowerCase()}`);
}

/** The refusals that mean "wrong password" (counted); any other refusal (a weak new password, a used invite) is not. */
const WRONG_PASSWORD = new Set(['wrong_password', 'wrong_credentials']);

/**
 * Runs a password check other than signing in (joining through an invite with an existing account, changing the
 * password) under the same limits: 429 past them, a wrong password counted, a right one clearing this e-mail's count.
 */
export async function limitedPasswordCheck<T>(address: string, email: string, check: () => Promise<T>): Promise<T> {
  assertSignInAllowed(address, email);
  try {
    const out = await check();
    clearSignInFailures(address, email);
    return out;
  } catch (err) {
    if (err instanceof ApiError && WRONG_PASSWORD.has(err.code)) recordSignInFailure(address, email);
    throw err;
  }
}
