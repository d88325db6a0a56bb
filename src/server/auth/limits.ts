// Password attempts (signing in, joining with an existing account, changing the password): failures are counted per
// address and per address + e-mail over a window; past the limit the answer is 429 with how long to wait. Counted in
// the database, so a restart does not reset them and every process of the studio sees the same counts.
import { ApiError } from '../http/errors.ts';
import type { Db } from '../store/db.ts';

const WINDOW_MS = 15 * 60_000;
const PER_ACCOUNT = 5;
const PER_ADDRESS = 20;

const keysOf = (address: string, email: string) =>
  [
    [`a:${address}`, PER_ADDRESS],
    [`e:${address}:${email.toLowerCase()}`, PER_ACCOUNT],
  ] as const;

/** Throws 429 when this address, or this address for this e-mail, failed too often lately. */
export function assertSignInAllowed(db: Db, address: string, email: string, now = Date.now()): void {
  for (const [key, limit] of keysOf(address, email)) {
    const times = db
      .prepare('SELECT at FROM password_failures WHERE key = ? AND at > ? ORDER BY at')
      .pluck()
      .all(key, now - WINDOW_MS) as number[];
    if (times.length >= limit) {
      // The oldest failure that keeps the count at the limit has to leave the window first.
      const waitMs = WINDOW_MS - (now - times[times.length - limit]!);
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

export function recordSignInFailure(db: Db, address: string, email: string, now = Date.now()): void {
  const add = db.prepare('INSERT INTO password_failures (key, at) VALUES (?, ?)');
  db.transaction(() => {
    db.prepare('DELETE FROM password_failures WHERE at <= ?').run(now - WINDOW_MS); // the table holds one window
    for (const [key] of keysOf(address, email)) add.run(key, now);
  })();
}

export function clearSignInFailures(db: Db, address: string, email: string): void {
  db.prepare('DELETE FROM password_failures WHERE key = ?').run(keysOf(address, email)[1][0]);
}

/** The refusals that mean "wrong password" (counted); any other refusal (a weak new password, a used invite) is not. */
const WRONG_PASSWORD = new Set(['wrong_password', 'wrong_credentials']);

/**
 * Runs a password check (signing in, joining through an invite with an existing account, changing the password) under
 * the limits: 429 past them, a wrong password counted, a right one clearing this e-mail's count.
 */
export async function limitedPasswordCheck<T>(db: Db, address: string, email: string, check: () => Promise<T>): Promise<T> {
  assertSignInAllowed(db, address, email);
  try {
    const out = await check();
    clearSignInFailures(db, address, email);
    return out;
  } catch (err) {
    if (err instanceof ApiError && WRONG_PASSWORD.has(err.code)) recordSignInFailure(db, address, email);
    throw err;
  }
}
