// Test servers start with an owner and a bootstrap admin key (the headless set-up a merchant's server uses), and
// fetch calls from the tests to those servers carry the key unless they set Authorization or a Cookie themselves.
// Tests of access control itself start servers with `auth: false` or send their own credentials.
export const TEST_OWNER = { email: 'owner@shop.test', password: 'owner password 1' };
export const TEST_API_KEY = 'atl_test_bootstrap_key_0123456789abcdefghijklmnop';

export const ownerEnv = (): Record<string, string> => ({
  ATELIER_OWNER_EMAIL: TEST_OWNER.email,
  ATELIER_OWNER_PASSWORD: TEST_OWNER.password,
  ATELIER_BOOTSTRAP_API_KEY: TEST_API_KEY,
});

/** Origins of the servers whose requests get the test key. */
const authorized = new Set<string>();
export function authorizeOrigin(url: string): void {
  authorized.add(new URL(url).origin);
}

/** The fetch every test had before: no credentials added. */
export const plainFetch: typeof fetch = globalThis.fetch.bind(globalThis);

let installed = false;
export function installAuthorizedFetch(): void {
  if (installed) return;
  installed = true;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!authorized.has(url.origin)) return plainFetch(input, init);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has('authorization') && !headers.has('cookie')) headers.set('authorization', `Bearer ${TEST_API_KEY}`);
    return input instanceof Request ? plainFetch(new Request(input, { ...init, headers })) : plainFetch(input, { ...init, headers });
  };
}
