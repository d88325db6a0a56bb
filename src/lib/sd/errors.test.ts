import { describe, expect, it } from 'vitest';
import { BACKEND_MESSAGES, BackendError, errorFromNetwork, errorFromResponse, formatValidationDetail } from './errors.ts';

const body = (o: unknown) => JSON.stringify(o);

describe('errorFromResponse', () => {
  it('maps pydantic v1 and v2 422s to validation with the backend detail', () => {
    const v1 = errorFromResponse(
      422,
      body({ detail: [{ loc: ['body', 'steps'], msg: 'value is not a valid integer', type: 'type_error.integer' }] }),
    );
    expect(v1).toMatchObject({ kind: 'validation', retryable: false, status: 422, detail: 'steps: value is not a valid integer' });
    expect(v1.message).toContain('steps: value is not a valid integer');
    const v2 = errorFromResponse(
      422,
      body({ detail: [{ type: 'int_parsing', loc: ['body', 'steps'], msg: 'Input should be a valid integer', input: 'x' }] }),
    );
    expect(v2.detail).toBe('steps: Input should be a valid integer');
    const script = errorFromResponse(422, body({ error: 'HTTPException', detail: 'always on script foo not found', body: '', errors: '' }));
    expect(script).toMatchObject({ kind: 'validation', detail: 'always on script foo not found' });
  });

  it('maps auth, OOM, bad images, unknown models, proxies and plain server errors', () => {
    expect(errorFromResponse(401, body({ detail: 'Incorrect username or password' }))).toMatchObject({ kind: 'auth', retryable: false });
    expect(errorFromResponse(500, body({ error: 'OutOfMemoryError', detail: '', body: '', errors: 'CUDA out of memory.' }))).toMatchObject({
      kind: 'oom',
      retryable: false,
    });
    expect(errorFromResponse(500, body({ error: 'HTTPException', detail: 'Invalid encoded image', body: '', errors: '' }))).toMatchObject({
      kind: 'validation',
      code: 'invalid_image',
    });
    expect(errorFromResponse(500, body({ error: 'RuntimeError', detail: '', body: '', errors: "model 'x' not found" }))).toMatchObject({
      kind: 'validation',
      code: 'unknown_name',
    });
    expect(errorFromResponse(500, body({ error: 'KeyError', detail: '', body: '', errors: "'bogus'" }))).toMatchObject({
      kind: 'validation',
    });
    expect(errorFromResponse(500, body({ error: 'RuntimeError', detail: '', body: '', errors: 'boom' }))).toMatchObject({
      kind: 'server',
      retryable: true,
      detail: 'boom',
    });
    expect(errorFromResponse(500, '<html>Internal Server Error</html>')).toMatchObject({ kind: 'server' });
    expect(errorFromResponse(503, '')).toMatchObject({ kind: 'busy', retryable: true });
    expect(errorFromResponse(429, '')).toMatchObject({ kind: 'busy' });
    expect(errorFromResponse(502, '')).toMatchObject({ kind: 'unreachable' });
    expect(errorFromResponse(504, '')).toMatchObject({ kind: 'timeout' });
    expect(errorFromResponse(524, '')).toMatchObject({ kind: 'timeout' });
  });

  it('tells a missing --api apart from a missing init image', () => {
    expect(errorFromResponse(404, body({ detail: 'Not Found' }))).toMatchObject({
      kind: 'unreachable',
      code: 'api_missing',
      retryable: false,
    });
    expect(errorFromResponse(404, body({ error: 'HTTPException', detail: 'Init image not found', body: '', errors: '' }))).toMatchObject({
      kind: 'validation',
    });
  });
});

describe('errorFromNetwork', () => {
  const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });
  it('maps connection failures to unreachable (retryable) and mid-response failures to dropped', () => {
    expect(errorFromNetwork(withCode('ECONNREFUSED'), 'request')).toMatchObject({ kind: 'unreachable', retryable: true });
    expect(errorFromNetwork(new AggregateError([withCode('ECONNREFUSED')]), 'request')).toMatchObject({ kind: 'unreachable' });
    expect(errorFromNetwork(new TypeError('fetch failed', { cause: withCode('ENOTFOUND') }), 'request')).toMatchObject({
      kind: 'unreachable',
    });
    expect(errorFromNetwork(withCode('UND_ERR_CONNECT_TIMEOUT'), 'request')).toMatchObject({ kind: 'unreachable' });
    expect(errorFromNetwork(withCode('UND_ERR_HEADERS_TIMEOUT'), 'request')).toMatchObject({ kind: 'timeout', retryable: true });
    expect(errorFromNetwork(withCode('UND_ERR_BODY_TIMEOUT'), 'body')).toMatchObject({ kind: 'timeout' });
    expect(errorFromNetwork(withCode('UND_ERR_SOCKET', 'other side closed'), 'request')).toMatchObject({
      kind: 'dropped',
      retryable: true,
    });
    expect(errorFromNetwork(new Error('terminated'), 'body')).toMatchObject({ kind: 'dropped' });
    expect(errorFromNetwork(new Error('weird'), 'body')).toMatchObject({ kind: 'dropped' });
  });
});

describe('BackendError messages', () => {
  it('has English and Chinese text for every code, and localises with the detail where it helps', () => {
    for (const [code, m] of Object.entries(BACKEND_MESSAGES)) {
      expect(m.en.length, code).toBeGreaterThan(10);
      expect(m['zh-CN'].length, code).toBeGreaterThan(5);
    }
    const e = new BackendError({ kind: 'validation', detail: 'steps: bad' });
    expect(e.localized('zh-CN')).toBe(`${BACKEND_MESSAGES.validation['zh-CN']}（steps: bad）`);
    const u = new BackendError({ kind: 'unreachable', detail: 'ECONNREFUSED: connect ECONNREFUSED 10.0.0.1:7860' });
    expect(u.message).toBe(BACKEND_MESSAGES.unreachable.en); // no addresses in merchant text
    expect(u.toJSON()).toMatchObject({ kind: 'unreachable', code: 'unreachable', retryable: true });
  });
  it('formats odd detail values', () => {
    expect(formatValidationDetail(null)).toBe('');
    expect(formatValidationDetail([{ loc: ['body'], msg: 'field required' }])).toBe('field required');
    expect(formatValidationDetail({ a: 1 })).toBe('{"a":1}');
  });
});
