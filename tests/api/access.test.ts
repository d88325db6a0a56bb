// Accounts, workspaces and keys, tried the way an outsider, a second shop and a removed member would: every route
// is listed from src/pages, so a new route without an access rule fails here; each route is then called with
// another workspace's key on this workspace's ids (404, nothing changed), and without credentials (401 / sign-in).
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_ACCESS } from '../../src/server/auth/access.ts';
import { startSdDouble, type SdDouble } from '../sd-double/server.ts';
import { plainFetch, TEST_API_KEY, TEST_OWNER } from '../support/auth.ts';
import { ROOT } from '../support/paths.ts';
import { startServer, type RunningServer } from '../support/server.ts';
import { createSession, postJob, waitForJob } from '../support/session.ts';

const OPENPOSE = 'control_v11p_sd15_openpose [cab727d4]';
let sd: SdDouble;
let server: RunningServer;
/** Workspace A (the bootstrap workspace): its session, photo, job and result. */
const a = { session: '', image: '', job: '', result: '', batch: '' };
/** Workspace B's admin key (the same owner's second shop). */
let keyB = '';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const json = { 'content-type': 'application/json' };

/** Signs in and returns the session cookie (`atelier_session=…`). */
async function signIn(email: string, password: string): Promise<string> {
  const res = await plainFetch(`${server.url}/api/auth/sign-in`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = /atelier_session=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  expect(cookie).toBeTruthy();
  return cookie!;
}

/** Route patterns and methods of every server route under src/pages (prerendered files excepted). */
function routesFromPages(): { pattern: string; methods: string[] }[] {
  const dir = path.join(ROOT, 'src/pages');
  const out: { pattern: string; methods: string[] }[] = [];
  for (const file of readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.(ts|astro)$/.test(file)) continue;
    const text = readFileSync(path.join(dir, file), 'utf8');
    if (/export const prerender = true/.test(text)) continue;
    const pattern = `/${file.replace(/\.(ts|astro)$/, '').replace(/(^|\/)index$/, '')}`.replace(/\/$/, '') || '/';
    const methods = file.endsWith('.astro') ? ['GET'] : [...text.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]!);
    out.push({ pattern, methods });
  }
  return out;
}

/** A route pattern with workspace A's ids in it. */
function fill(pattern: string): string {
  return pattern
    .replace('/api/results/[file]', `/api/results/${a.result}.png`)
    .replace('/api/results/[id]', `/api/results/${a.result}`)
    .replace('/api/jobs/[id]', `/api/jobs/${a.job}`)
    .replace('/api/images/[id]/[file]', `/api/images/${a.image}/photo.jpg`)
    .replace('/api/batches/[id]', `/api/batches/${a.batch}`)
    .replace('/[sid]', `/${a.session}`)
    .replace('/[cid]', '/AAAAAAAAAAAAAAAAAAAAAA')
    .replace('[id]', a.session);
}

beforeAll(async () => {
  sd = await startSdDouble({ stepMs: 5, steps: 4, controlnetModels: [OPENPOSE] });
  server = await startServer({ env: { SD_WEBUI_URL: sd.url } });
  const s = await createSession(server.url);
  a.session = s.id;
  a.image = (await (await fetch(`${server.url}/api/sessions/${s.id}`)).json()).session.image.id;
  const job = await (await postJob(server.url, { sessionId: s.id, recipe: 'model-shot', count: 1, seed: 1 })).json();
  a.job = job.job.id;
  const done = await waitForJob(server.url, a.job, ['succeeded', 'failed']);
  expect(done.state).toBe('succeeded');
  a.result = done.results[0].id;
  const batch = await fetch(`${server.url}/api/batches`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ sessionIds: [a.session] }),
  });
  a.batch = (await batch.json()).batch.id;
  // The owner opens a second shop and makes its admin key there.
  const cookie = await signIn(TEST_OWNER.email, TEST_OWNER.password);
  const created = await plainFetch(`${server.url}/api/workspaces`, {
    method: 'POST',
    headers: { ...json, cookie },
    body: JSON.stringify({ name: 'Shop B' }),
  });
  expect(created.status).toBe(201);
  const key = await plainFetch(`${server.url}/api/workspace/keys`, {
    method: 'POST',
    headers: { ...json, cookie },
    body: JSON.stringify({ name: 'B', scope: 'admin' }),
  });
  expect(key.status).toBe(201);
  keyB = (await key.json()).key;
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await sd?.stop();
});

describe('every route has an access rule', () => {
  it('lists each route file and method of src/pages in ROUTE_ACCESS (a new route cannot be forgotten)', () => {
    const routes = routesFromPages();
    expect(routes.length).toBeGreaterThan(30);
    const missing = routes.flatMap((r) =>
      r.methods.filter((m) => !ROUTE_ACCESS[r.pattern]?.methods[m as 'GET']).map((m) => `${m} ${r.pattern}`),
    );
    expect(missing).toEqual([]);
    const stale = Object.keys(ROUTE_ACCESS).filter((p) => !routes.some((r) => r.pattern === p) && p !== '/manifest.zh-CN.webmanifest');
    expect(stale).toEqual([]);
  });
});

describe('another workspace', () => {
  it('gets 404 on every route that names this workspace’s session, photo, job or result, and changes nothing', async () => {
    const before = await (await fetch(`${server.url}/api/sessions/${a.session}`)).json();
    const tried: string[] = [];
    for (const [pattern, rule] of Object.entries(ROUTE_ACCESS)) {
      if (!rule.resource) continue;
      for (const method of Object.keys(rule.methods)) {
        const url = `${server.url}${fill(pattern)}`;
        const res = await plainFetch(url, { method, headers: { ...bearer(keyB), ...json }, body: method === 'GET' ? undefined : '{}' });
        expect(res.status, `${method} ${pattern}`).toBe(404);
        if (pattern.startsWith('/api/')) expect((await res.json()).error.code).toBe('not_found');
        // Workspace A itself gets through to the same GET routes: a success, or the route's own 404 (a finished
        // job has no live preview; the conflict id here is made up; the batch made nothing yet), never the access check's.
        if (method === 'GET') {
          const own = await fetch(url);
          if (/preview\.png$|\[cid\]$|batches\/\[id\]\/results\.zip$/.test(pattern))
            expect((await own.json()).error.message, pattern).toMatch(/^The (preview|copy|conflict)|^Results for this batch/);
          else expect(own.status, `A: GET ${pattern}`).toBeLessThan(300);
        }
        tried.push(`${method} ${pattern}`);
      }
    }
    expect(tried).toContain('DELETE /api/sessions/[id]');
    expect(tried).toContain('GET /api/results/[file]');
    expect(tried).toContain('GET /s/[id]');
    expect(tried).toContain('GET /api/batches/[id]/results.zip');
    expect(tried).toContain('POST /api/batches/[id]/jobs');
    expect(await (await fetch(`${server.url}/api/sessions/${a.session}`)).json()).toEqual(before);
  });

  it('does not see this workspace’s sessions in lists, nor its jobs through a query or a body', async () => {
    const listB = await (await plainFetch(`${server.url}/api/sessions`, { headers: bearer(keyB) })).json();
    expect(listB.sessions).toEqual([]);
    const listA = await (await fetch(`${server.url}/api/sessions`)).json();
    expect(listA.sessions.map((s: { id: string }) => s.id)).toContain(a.session);
    expect((await plainFetch(`${server.url}/api/jobs?sessionId=${a.session}`, { headers: bearer(keyB) })).status).toBe(404);
    const post = await plainFetch(`${server.url}/api/jobs`, {
      method: 'POST',
      headers: { ...bearer(keyB), ...json },
      body: JSON.stringify({ sessionId: a.session, recipe: 'model-shot' }),
    });
    expect(post.status).toBe(404);
    const jobs = await (await fetch(`${server.url}/api/jobs?sessionId=${a.session}`)).json();
    expect(jobs.jobs).toHaveLength(1);
  });

  it('its uploads land in its own workspace only', async () => {
    const form = new FormData();
    form.append('image', new Blob([readFileSync(path.join(ROOT, '../shared/fixtures/photos/person-idm-00034.jpg'))]), 'b.jpg');
    const res = await plainFetch(`${server.url}/api/images`, { method: 'POST', headers: bearer(keyB), body: form });
    expect(res.status).toBe(201);
    const id = (await res.json()).session.id;
    expect((await plainFetch(`${server.url}/api/sessions/${id}`, { headers: bearer(keyB) })).status).toBe(200);
    expect((await fetch(`${server.url}/api/sessions/${id}`)).status).toBe(404);
  });
});

describe('without credentials', () => {
  it('every non-public API route answers 401 and every page sends to sign-in', async () => {
    for (const [pattern, rule] of Object.entries(ROUTE_ACCESS)) {
      for (const [method, need] of Object.entries(rule.methods)) {
        if (need === 'public') continue;
        const res = await plainFetch(`${server.url}${fill(pattern)}`, {
          method,
          redirect: 'manual',
          headers: json,
          body: method === 'GET' ? undefined : '{}',
        });
        if (pattern.startsWith('/api/')) {
          expect(res.status, `${method} ${pattern}`).toBe(401);
          expect((await res.json()).error.code).toBe('sign_in_required');
        } else {
          expect(res.status, `${method} ${pattern}`).toBe(303);
          expect(res.headers.get('location')).toMatch(/^\/sign-in\?next=/);
        }
      }
    }
    expect((await plainFetch(`${server.url}/api/health`)).status).toBe(200);
  });

  it('a wrong or revoked key is refused as such', async () => {
    const res = await plainFetch(`${server.url}/api/sessions`, { headers: bearer('atl_not_a_key_000000000000000000000000') });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('invalid_key');
  });
});

describe('API keys and scopes', () => {
  async function makeKey(scope: string): Promise<string> {
    const res = await fetch(`${server.url}/api/workspace/keys`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ name: scope, scope }),
    });
    expect(res.status).toBe(201);
    return (await res.json()).key;
  }

  it('read sees and downloads; generate edits and generates; neither deletes nor manages keys; revoked is refused', async () => {
    const read = await makeKey('read');
    const generate = await makeKey('generate');
    expect((await plainFetch(`${server.url}/api/sessions/${a.session}`, { headers: bearer(read) })).status).toBe(200);
    expect((await plainFetch(`${server.url}/api/results/${a.result}.png`, { headers: bearer(read) })).status).toBe(200);
    const pose = await (await fetch(`${server.url}/api/sessions/${a.session}/pose`)).json();
    const putPose = (key: string) =>
      plainFetch(`${server.url}/api/sessions/${a.session}/pose`, {
        method: 'PUT',
        headers: { ...bearer(key), ...json },
        body: JSON.stringify(pose.pose),
      });
    const refused = await putPose(read);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/scope/) });
    expect((await plainFetch(`${server.url}/api/sessions/${a.session}`, { method: 'DELETE', headers: bearer(generate) })).status).toBe(403);
    expect((await plainFetch(`${server.url}/api/workspace/keys`, { headers: bearer(generate) })).status).toBe(403);
    expect((await plainFetch(`${server.url}/api/sessions/${a.session}`, { headers: bearer(generate) })).status).toBe(200);

    const listed = await (await fetch(`${server.url}/api/workspace/keys`)).json();
    const text = JSON.stringify(listed);
    expect(text).not.toContain(read);
    expect(text).not.toContain(TEST_API_KEY);
    const readRow = listed.keys.find((k: { name: string }) => k.name === 'read');
    expect(readRow).toMatchObject({ scope: 'read', prefix: read.slice(0, 8), revokedAt: null });
    expect(readRow.lastUsedAt).not.toBeNull();

    expect((await fetch(`${server.url}/api/workspace/keys/${readRow.id}`, { method: 'DELETE' })).status).toBe(200);
    const after = await plainFetch(`${server.url}/api/sessions`, { headers: bearer(read) });
    expect(after.status).toBe(401);
    expect((await after.json()).error.code).toBe('invalid_key');
    // Another workspace cannot revoke this one's keys.
    const genRow = listed.keys.find((k: { name: string }) => k.name === 'generate');
    expect((await plainFetch(`${server.url}/api/workspace/keys/${genRow.id}`, { method: 'DELETE', headers: bearer(keyB) })).status).toBe(
      404,
    );
    expect((await plainFetch(`${server.url}/api/sessions`, { headers: bearer(generate) })).status).toBe(200);
  });
});

describe('members, invites and sign-in', () => {
  it('an invite joins once; the member works with their role; removed, they are out at once', async () => {
    const invite = await (
      await fetch(`${server.url}/api/workspace/invites`, { method: 'POST', headers: json, body: JSON.stringify({ role: 'viewer' }) })
    ).json();
    const token = new URL(invite.url).pathname.split('/').pop()!;
    expect((await plainFetch(`${server.url}/api/invites/${token}`)).status).toBe(200);
    const weak = await plainFetch(`${server.url}/api/invites/${token}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'staff@shop.test', password: 'short' }),
    });
    expect((await weak.json()).error.code).toBe('weak_password');
    const join = await plainFetch(`${server.url}/api/invites/${token}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'staff@shop.test', password: 'staff password 1' }),
    });
    expect(join.status).toBe(200);
    const again = await plainFetch(`${server.url}/api/invites/${token}`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ email: 'other@shop.test', password: 'other password 1' }),
    });
    expect(again.status).toBe(410);
    expect((await again.json()).error.code).toBe('invite_invalid');

    const cookie = await signIn('staff@shop.test', 'staff password 1');
    expect((await plainFetch(`${server.url}/api/sessions/${a.session}`, { headers: { cookie } })).status).toBe(200);
    const upload = await plainFetch(`${server.url}/api/sessions/${a.session}/mask`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'image/png' },
      body: new Uint8Array(8),
    });
    expect(upload.status).toBe(403);
    expect((await upload.json()).error.message).toMatch(/viewer/);

    const members = await (await fetch(`${server.url}/api/workspace/members`)).json();
    const staff = members.members.find((m: { email: string }) => m.email === 'staff@shop.test');
    expect(staff.role).toBe('viewer');
    expect((await fetch(`${server.url}/api/workspace/members/${staff.userId}`, { method: 'DELETE' })).status).toBe(200);
    const out = await plainFetch(`${server.url}/api/sessions/${a.session}`, { headers: { cookie } });
    expect(out.status).toBe(401);
  });

  it('a wrong password is refused in words, and repeated tries are slowed with how long to wait', async () => {
    const tries = () =>
      plainFetch(`${server.url}/api/auth/sign-in`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email: 'guess@shop.test', password: 'wrong password' }),
      });
    for (let i = 0; i < 5; i++) {
      const res = await tries();
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatchObject({ code: 'wrong_credentials', message: 'The e-mail or the password is not right.' });
    }
    const blocked = await tries();
    expect(blocked.status).toBe(429);
    expect((await blocked.json()).error.message).toMatch(/Try again in \d+ minutes?/);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another account from the same place still signs in.
    await signIn(TEST_OWNER.email, TEST_OWNER.password);
  });

  it('guessing a password through an invite or the password change is slowed like signing in', async () => {
    const newInvite = async () => {
      const invite = await (
        await fetch(`${server.url}/api/workspace/invites`, { method: 'POST', headers: json, body: JSON.stringify({ role: 'viewer' }) })
      ).json();
      return new URL(invite.url).pathname.split('/').pop()!;
    };
    const join = (token: string, email: string, password: string) =>
      plainFetch(`${server.url}/api/invites/${token}`, { method: 'POST', headers: json, body: JSON.stringify({ email, password }) });
    expect((await join(await newInvite(), 'guessed@shop.test', 'the right password')).status).toBe(200);
    // Someone holding another invite link tries passwords of that existing account.
    const token = await newInvite();
    for (let i = 0; i < 5; i++) expect((await join(token, 'guessed@shop.test', `guess ${i} of many`)).status).toBe(403);
    const slowed = await join(token, 'guessed@shop.test', 'the right password');
    expect(slowed.status).toBe(429);
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0);

    // A session left open (a stolen cookie) tries passwords to take the account over.
    const joined = await join(await newInvite(), 'changer@shop.test', 'changer password 1');
    const cookie = /atelier_session=[^;]+/.exec(joined.headers.get('set-cookie') ?? '')![0];
    const change = (currentPassword: string) =>
      plainFetch(`${server.url}/api/auth/password`, {
        method: 'POST',
        headers: { ...json, cookie },
        body: JSON.stringify({ currentPassword, newPassword: 'taken over password' }),
      });
    for (let i = 0; i < 5; i++) expect((await change(`guess ${i} of many`)).status).toBe(403);
    expect((await change('changer password 1')).status).toBe(429);
  });

  it('the session cookie is HttpOnly and SameSite=Lax; sign out ends it; changing the password ends the others', async () => {
    const res = await plainFetch(`${server.url}/api/auth/sign-in`, { method: 'POST', headers: json, body: JSON.stringify(TEST_OWNER) });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // plain http on loopback
    const first = /atelier_session=[^;]+/.exec(setCookie)![0];
    const second = await signIn(TEST_OWNER.email, TEST_OWNER.password);
    expect((await plainFetch(`${server.url}/api/auth/sign-out`, { method: 'POST', headers: { cookie: second } })).status).toBe(200);
    expect((await plainFetch(`${server.url}/api/sessions`, { headers: { cookie: second } })).status).toBe(401);

    const third = await signIn(TEST_OWNER.email, TEST_OWNER.password);
    const wrong = await plainFetch(`${server.url}/api/auth/password`, {
      method: 'POST',
      headers: { ...json, cookie: first },
      body: JSON.stringify({ currentPassword: 'nope', newPassword: 'a new password 2' }),
    });
    expect(wrong.status).toBe(403);
    const change = (cookie: string, from: string, to: string) =>
      plainFetch(`${server.url}/api/auth/password`, {
        method: 'POST',
        headers: { ...json, cookie },
        body: JSON.stringify({ currentPassword: from, newPassword: to }),
      });
    const changed = await change(first, TEST_OWNER.password, 'a new password 2');
    expect(changed.status).toBe(200);
    expect((await plainFetch(`${server.url}/api/sessions`, { headers: { cookie: third } })).status).toBe(401);
    const renewed = /atelier_session=[^;]+/.exec(changed.headers.get('set-cookie') ?? '')![0];
    expect((await change(renewed, 'a new password 2', TEST_OWNER.password)).status).toBe(200);
  });
});

describe('browser hardening', () => {
  function rawGet(
    pathname: string,
    headers: Record<string, string>,
    method = 'GET',
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: pathname, method, headers }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, headers: res.headers });
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('refuses a Host it does not answer to (DNS rebinding), even with a matching Origin', async () => {
    const evil = await rawGet(
      `/api/sessions/${a.session}`,
      { host: 'evil.example', origin: 'http://evil.example', ...bearer(TEST_API_KEY) },
      'DELETE',
    );
    expect(evil.status).toBe(421);
    expect((await fetch(`${server.url}/api/sessions/${a.session}`)).status).toBe(200);
    expect((await rawGet('/favicon.svg', { host: 'evil.example' })).status).toBe(421);
    const local = await rawGet('/api/health', { host: `localhost:${new URL(server.url).port}` });
    expect(local.status).toBe(200);
  });

  it('pages, API answers and static files carry CSP (no framing, wasm allowed), nosniff and a referrer policy', async () => {
    const cookie = await signIn(TEST_OWNER.email, TEST_OWNER.password);
    for (const res of [
      await plainFetch(`${server.url}/`, { headers: { cookie } }),
      await fetch(`${server.url}/api/sessions`),
      await fetch(`${server.url}/api/results/${a.result}.png`),
      await plainFetch(`${server.url}/favicon.svg`),
      await plainFetch(`${server.url}/sign-in`),
    ]) {
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, res.url).toContain("frame-ancestors 'none'");
      expect(csp).toContain("'wasm-unsafe-eval'");
      expect(csp).toContain("default-src 'self'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
    }
    // A shop's files may stay in its own browser's cache, never in a shared one.
    expect((await fetch(`${server.url}/api/results/${a.result}.png`)).headers.get('cache-control')).toMatch(/^private/);
    expect((await fetch(`${server.url}/api/images/${a.image}/photo.jpg`)).headers.get('cache-control')).toMatch(/^private/);
  });

  it('a page allows its inline scripts by hash only, not any inline script', async () => {
    const cookie = await signIn(TEST_OWNER.email, TEST_OWNER.password);
    const page = await plainFetch(`${server.url}/`, { headers: { cookie } });
    const html = await page.text();
    // Astro writes a server-rendered page's policy into its header (a prerendered page's into a <meta>).
    const policy = page.headers.get('content-security-policy') ?? '';
    const scriptSrc = policy.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    expect(scriptSrc).toMatch(/'sha256-/);
    expect(scriptSrc).toContain("'wasm-unsafe-eval'");
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    // Every inline script the page holds is one the policy allows (else the browser would block it: no islands).
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)]
      .map((m) => m[1]!)
      .filter((body) => body.length > 0);
    expect(inline.length).toBeGreaterThan(0);
    for (const body of inline)
      expect(scriptSrc, body.slice(0, 80)).toContain(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  });

  it('redirects only to paths of this studio', async () => {
    for (const back of ['/\\evil.example', '//evil.example', 'https://evil.example', '/%0d%0aevil']) {
      const res = await plainFetch(`${server.url}/lang?to=en&back=${encodeURIComponent(back)}`, { redirect: 'manual' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location'), back).toBe(back === '/%0d%0aevil' ? back : '/');
    }
    const next = await plainFetch(`${server.url}/sign-in?next=${encodeURIComponent('//evil.example')}`);
    expect(await next.text()).toContain('data-next="/"');
  });
});

describe('per-workspace limits', () => {
  it('storage, uploads per minute and generations at once: each refused with its limit in words', async () => {
    const slow = await startSdDouble({ stepMs: 300, steps: 20, controlnetModels: [OPENPOSE] });
    const limited = await startServer({
      env: {
        SD_WEBUI_URL: slow.url,
        ATELIER_WORKSPACE_QUOTA_MB: '1',
        ATELIER_WORKSPACE_UPLOADS_PER_MINUTE: '2',
        ATELIER_WORKSPACE_MAX_QUEUED: '1',
      },
    });
    try {
      // The first photo fits (nothing stored yet); with its embedding it holds over 1 MB, so what would add more is refused.
      const s = await createSession(limited.url);
      const job = await postJob(limited.url, { sessionId: s.id, recipe: 'model-shot', count: 1 });
      expect(job.status).toBe(413);
      expect((await job.json()).error).toMatchObject({ code: 'quota_exceeded', message: expect.stringMatching(/ MB of 1 MB/) });
      const form = new FormData();
      form.append('image', new Blob([new Uint8Array(10)]), 'x.jpg');
      const upload = await fetch(`${limited.url}/api/images`, { method: 'POST', body: form });
      expect(upload.status).toBe(413);
      const third = await fetch(`${limited.url}/api/images`, { method: 'POST', body: form });
      expect(third.status).toBe(429);
      expect((await third.json()).error).toMatchObject({ code: 'too_many_uploads', message: expect.stringMatching(/limit is 2 a minute/) });
    } finally {
      await limited.stop();
    }
    const queue = await startServer({ env: { SD_WEBUI_URL: slow.url, ATELIER_WORKSPACE_MAX_QUEUED: '1' } });
    try {
      const s = await createSession(queue.url);
      expect((await postJob(queue.url, { sessionId: s.id, recipe: 'model-shot', count: 1 })).status).toBe(202);
      const refused = await postJob(queue.url, { sessionId: s.id, recipe: 'model-shot', count: 1 });
      expect(refused.status).toBe(429);
      expect((await refused.json()).error).toMatchObject({ code: 'too_many_jobs', message: expect.stringMatching(/the limit is 1/) });
    } finally {
      await queue.stop();
      await slow.stop();
    }
  });
});

describe('behind a reverse proxy', () => {
  function post(base: string, pathname: string, headers: Record<string, string>, body: object) {
    const url = new URL(base);
    const data = JSON.stringify(body);
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, headers: res.headers });
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  }
  const viaProxy = {
    host: 'studio.example.com',
    origin: 'https://studio.example.com',
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '203.0.113.7',
  };

  it('trusted: the public https origin may write, the cookie is Secure, sign-in limits count the forwarded address', async () => {
    const proxied = await startServer({ env: { ATELIER_PUBLIC_URL: 'https://studio.example.com', ATELIER_TRUST_PROXY: '1' } });
    try {
      const ok = await post(proxied.url, '/api/auth/sign-in', viaProxy, TEST_OWNER);
      expect(ok.status).toBe(200);
      expect(String(ok.headers['set-cookie'])).toMatch(/; Secure/i);
      for (let i = 0; i < 5; i++)
        await post(proxied.url, '/api/auth/sign-in', viaProxy, { email: 'x@shop.test', password: 'wrong password' });
      expect((await post(proxied.url, '/api/auth/sign-in', viaProxy, { email: 'x@shop.test', password: 'wrong password' })).status).toBe(
        429,
      );
      // Another client behind the same proxy is not held back by the first one's tries.
      const other = { ...viaProxy, 'x-forwarded-for': '203.0.113.8' };
      expect((await post(proxied.url, '/api/auth/sign-in', other, { email: 'x@shop.test', password: 'wrong password' })).status).toBe(401);
      expect((await post(proxied.url, '/api/auth/sign-in', { ...viaProxy, origin: 'https://evil.example' }, TEST_OWNER)).status).toBe(403);
    } finally {
      await proxied.stop();
    }
  });

  it('not trusted: a forged X-Forwarded-For does not escape the sign-in limit', async () => {
    const direct = await startServer();
    try {
      const forged = (n: number) => ({ 'x-forwarded-for': `198.51.100.${n}` });
      for (let i = 0; i < 5; i++)
        await post(direct.url, '/api/auth/sign-in', forged(i), { email: 'y@shop.test', password: 'wrong password' });
      expect((await post(direct.url, '/api/auth/sign-in', forged(99), { email: 'y@shop.test', password: 'wrong password' })).status).toBe(
        429,
      );
    } finally {
      await direct.stop();
    }
  });
});

describe('first run', () => {
  it(
    'every API route but health answers 401 until the owner is created; ' + 'the first visit asks for the owner; then one owner only',
    async () => {
      const fresh = await startServer({ auth: false });
      try {
        const r401 = await plainFetch(`${fresh.url}/api/sessions`);
        expect(r401.status).toBe(401);
        expect((await r401.json()).error.code).toBe('setup_required');
        expect((await plainFetch(`${fresh.url}/api/health`)).status).toBe(200);
        const home = await plainFetch(`${fresh.url}/`, { redirect: 'manual' });
        expect(home.status).toBe(303);
        expect(home.headers.get('location')).toBe('/setup');
        expect((await plainFetch(`${fresh.url}/setup`)).status).toBe(200);
        const setup = (body: object) =>
          plainFetch(`${fresh.url}/api/auth/setup`, { method: 'POST', headers: json, body: JSON.stringify(body) });
        expect((await (await setup({ email: 'me@shop.test', password: 'short' })).json()).error.code).toBe('weak_password');
        const done = await setup({ email: 'me@shop.test', password: 'a long password', workspaceName: 'My shop' });
        expect(done.status).toBe(201);
        const cookie = /atelier_session=[^;]+/.exec(done.headers.get('set-cookie') ?? '')![0];
        expect((await plainFetch(`${fresh.url}/api/sessions`, { headers: { cookie } })).status).toBe(200);
        const state = await (await plainFetch(`${fresh.url}/api/auth/state`, { headers: { cookie } })).json();
        expect(state).toMatchObject({
          setupNeeded: false,
          actor: { role: 'owner', email: 'me@shop.test', workspace: { name: 'My shop' } },
        });
        const second = await setup({ email: 'thief@evil.test', password: 'a long password' });
        expect(second.status).toBe(409);
        expect((await plainFetch(`${fresh.url}/setup`, { redirect: 'manual' })).status).toBe(303);
      } finally {
        await fresh.stop();
      }
    },
  );

  it('headless set-up: the owner and the bootstrap key are made once, however often the studio starts', async () => {
    const first = await startServer({ env: { SD_WEBUI_URL: '' } });
    const dataDir = first.dataDir;
    await first.stop({ keepData: true });
    const again = await startServer({ dataDir });
    try {
      const keys = await (await fetch(`${again.url}/api/workspace/keys`)).json();
      expect(keys.keys).toHaveLength(1);
      expect(keys.keys[0]).toMatchObject({ scope: 'admin', prefix: TEST_API_KEY.slice(0, 8) });
      const members = await (await fetch(`${again.url}/api/workspace/members`)).json();
      expect(members.members).toEqual([expect.objectContaining({ email: TEST_OWNER.email, role: 'owner' })]);
    } finally {
      await again.stop();
    }
  });
});
