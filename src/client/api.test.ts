import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from './api.ts';

/** Answers every fetch with `status` and `body` (JSON), recording the requests. */
function answer(status: number, body: unknown) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(body === undefined ? 'not json' : JSON.stringify(body), { status });
  });
  return calls;
}

afterEach(() => vi.unstubAllGlobals());

describe('the API client', () => {
  it('sends an edit with the revision it builds on, and its edit time only when kept offline', async () => {
    const calls = answer(200, { pose: {}, rev: 4, updatedAt: 'now', applied: true, conflict: null });
    const live = await api.saveEdit('pose', 's1', '{}', { baseRev: 3 });
    expect(api.answerRev(live)).toBe(4);
    await api.saveEdit('mask', 's1', new Blob(['png']), { baseRev: 3, editedAt: '2026-01-01T00:00:00.000Z' });
    expect(calls.map((c) => [c.url, c.init?.method])).toEqual([
      ['/api/sessions/s1/pose', 'PUT'],
      ['/api/sessions/s1/mask', 'PUT'],
    ]);
    expect(calls[0]!.init?.headers).toEqual({ 'content-type': 'application/json', 'x-base-rev': '3' });
    expect(calls[1]!.init?.headers).toEqual({ 'content-type': 'image/png', 'x-base-rev': '3', 'x-edited-at': '2026-01-01T00:00:00.000Z' });
  });

  it('names the new mask revision from the session in the answer', () => {
    const session = { mask: { rev: 7 } } as never;
    expect(api.answerRev({ session, applied: true, conflict: null })).toBe(7);
  });

  it('rejects an error answer with its status, code and the server’s message', async () => {
    answer(409, { error: { code: 'conflict', message: 'Try again.' } });
    const err = await api.getSession('s1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(api.ApiRequestError);
    expect(err).toMatchObject({ status: 409, code: 'conflict', serverMessage: 'Try again.', message: 'Try again.' });
  });

  it('an error answer without a body still says its status', async () => {
    answer(502, undefined);
    await expect(api.listSessions()).rejects.toMatchObject({ status: 502, code: 'http_error', serverMessage: null, message: 'HTTP 502' });
  });

  it('a session already gone is deleted', async () => {
    answer(404, { error: { code: 'not_found', message: 'The session does not exist.' } });
    await expect(api.deleteSession('s1')).resolves.toBeUndefined();
    answer(500, { error: { code: 'internal', message: 'Boom.' } });
    await expect(api.deleteSession('s1')).rejects.toMatchObject({ status: 500 });
  });

  it('unwraps the job of a creation or cancel reply', async () => {
    const calls = answer(202, { job: { id: 'j1' } });
    expect(await api.createJob({ sessionId: 's1', recipe: 'model-shot' })).toEqual({ id: 'j1' });
    expect(calls[0]!.init).toMatchObject({ method: 'POST', body: JSON.stringify({ sessionId: 's1', recipe: 'model-shot' }) });
  });
});
