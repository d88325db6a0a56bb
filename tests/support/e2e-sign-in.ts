// Playwright globalSetup: the merchant of the e2e tests is signed in as the test owner (tests/support/auth.ts);
// specs that test signing in, or start a studio of their own, use their own browser state.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TEST_OWNER } from './auth.ts';
import { ROOT } from './paths.ts';

export const E2E_STATE = path.join(ROOT, 'tests/.generated/e2e-owner-state.json');

/** Signs in to a studio and returns the session cookie as Playwright storage state. */
export async function ownerState(baseUrl: string): Promise<{ cookies: object[]; origins: [] }> {
  const res = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(TEST_OWNER),
  });
  if (!res.ok) throw new Error(`test owner could not sign in: ${res.status} ${await res.text()}`);
  const cookie = /atelier_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '');
  if (!cookie) throw new Error('sign-in set no session cookie');
  const host = new URL(baseUrl).hostname;
  return {
    cookies: [
      { name: 'atelier_session', value: cookie[1], domain: host, path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' },
    ],
    origins: [],
  };
}

export default async function globalSetup(): Promise<void> {
  const port = Number(process.env.ATELIER_E2E_PORT ?? 4399);
  mkdirSync(path.dirname(E2E_STATE), { recursive: true });
  writeFileSync(E2E_STATE, JSON.stringify(await ownerState(`http://127.0.0.1:${port}`)));
}
