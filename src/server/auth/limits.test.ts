import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiError } from '../http/errors.ts';
import { openDatabase, type Db } from '../store/db.ts';
import { assertSignInAllowed, clearSignInFailures, recordSignInFailure } from './limits.ts';

const dirs: string[] = [];
const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function database(file = path.join(mkdtempSync(path.join(os.tmpdir(), 'atelier-limits-')), 'atelier.sqlite')) {
  dirs.push(path.dirname(file));
  const db = openDatabase(file);
  dbs.push(db);
  return { db, file };
}
const refusal = (fn: () => void): ApiError | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err as ApiError;
  }
};

const T = Date.UTC(2026, 11, 2, 12);
const MIN = 60_000;

describe('password attempts', () => {
  it('five wrong passwords for an e-mail from one address: the sixth try waits, and a restart does not forget', () => {
    const { db, file } = database();
    for (let i = 0; i < 5; i++) {
      expect(refusal(() => assertSignInAllowed(db, '10.0.0.1', 'Shop@Example.test', T + i * MIN))).toBeNull();
      recordSignInFailure(db, '10.0.0.1', 'Shop@Example.test', T + i * MIN);
    }
    const first = refusal(() => assertSignInAllowed(db, '10.0.0.1', 'shop@example.test', T + 5 * MIN));
    expect(first).toMatchObject({ status: 429, code: 'too_many_attempts', params: { minutes: 10 } });
    expect(first!.headers['retry-after']).toBe(String(10 * 60));
    // Another e-mail from the same address, or the same e-mail from elsewhere, is not held up.
    expect(refusal(() => assertSignInAllowed(db, '10.0.0.1', 'other@example.test', T + 5 * MIN))).toBeNull();
    expect(refusal(() => assertSignInAllowed(db, '10.0.0.2', 'shop@example.test', T + 5 * MIN))).toBeNull();

    db.close();
    const { db: reopened } = database(file);
    expect(refusal(() => assertSignInAllowed(reopened, '10.0.0.1', 'shop@example.test', T + 6 * MIN))?.code).toBe('too_many_attempts');
    // Once the oldest failures leave the 15-minute window, trying is allowed again.
    expect(refusal(() => assertSignInAllowed(reopened, '10.0.0.1', 'shop@example.test', T + 15 * MIN + 1))).toBeNull();
  });

  it('a right password clears the e-mail’s count; twenty failures from one address stop every e-mail there', () => {
    const { db } = database();
    for (let i = 0; i < 4; i++) recordSignInFailure(db, '10.0.0.3', 'a@example.test', T);
    clearSignInFailures(db, '10.0.0.3', 'a@example.test');
    recordSignInFailure(db, '10.0.0.3', 'a@example.test', T);
    expect(refusal(() => assertSignInAllowed(db, '10.0.0.3', 'a@example.test', T))).toBeNull();
    for (let i = 0; i < 19; i++) recordSignInFailure(db, '10.0.0.3', `guess${i}@example.test`, T);
    expect(refusal(() => assertSignInAllowed(db, '10.0.0.3', 'new@example.test', T))?.status).toBe(429);
    // Failures older than the window are dropped from the table as new ones come.
    recordSignInFailure(db, '10.0.0.9', 'x@example.test', T + 16 * MIN);
    expect(db.prepare('SELECT COUNT(*) FROM password_failures').pluck().get()).toBe(2);
  });
});
