// The sync headers of an offline edit, and how conflict copies are looked up.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempApp, type TempApp } from '../../../tests/support/temp-app.ts';
import { storePhoto } from '../../../tests/support/stored-photo.ts';
import { deviceIsNewer, getConflict, insertConflict, listConflicts, parseSyncHeaders } from './conflicts.ts';
import { createSessionFromUpload } from './service.ts';

const headers = (h: Record<string, string>) => new Headers(h);

describe('parseSyncHeaders', () => {
  it('is null for a plain save (neither header)', () => {
    expect(parseSyncHeaders(headers({}))).toBeNull();
  });

  it('reads the base revision and the edit time', () => {
    const at = '2026-01-02T03:04:05.678Z';
    expect(parseSyncHeaders(headers({ 'x-base-rev': ' 7 ', 'x-edited-at': at }))).toEqual({ baseRev: 7, editedAt: at });
  });

  it('dates an edit without x-edited-at now, and clamps a device clock ahead of the server to now', () => {
    const before = new Date().toISOString();
    const plain = parseSyncHeaders(headers({ 'x-base-rev': '0' }))!;
    const future = parseSyncHeaders(headers({ 'x-base-rev': '1', 'x-edited-at': '2999-01-01T00:00:00Z' }))!;
    const after = new Date().toISOString();
    for (const sync of [plain, future]) expect(sync.editedAt >= before && sync.editedAt <= after).toBe(true);
  });

  it('refuses a missing or malformed revision and an unreadable date', () => {
    const badRev = expect.objectContaining({ status: 400, code: 'invalid_base_rev' });
    expect(() => parseSyncHeaders(headers({ 'x-edited-at': '2026-01-01T00:00:00Z' }))).toThrow(badRev);
    for (const rev of ['-1', '1.5', 'abc', '1234567890']) expect(() => parseSyncHeaders(headers({ 'x-base-rev': rev }))).toThrow(badRev);
    const badDate = expect.objectContaining({ status: 400, code: 'invalid_edited_at' });
    expect(() => parseSyncHeaders(headers({ 'x-base-rev': '1', 'x-edited-at': 'yesterday' }))).toThrow(badDate);
  });
});

describe('deviceIsNewer', () => {
  it('the device wins ties and against a server version with no date', () => {
    const sync = { baseRev: 1, editedAt: '2026-01-01T10:00:00.000Z' };
    expect(deviceIsNewer(sync, '2026-01-01T09:59:59.999Z')).toBe(true);
    expect(deviceIsNewer(sync, '2026-01-01T10:00:00.000Z')).toBe(true);
    expect(deviceIsNewer(sync, '2026-01-01T10:00:00.001Z')).toBe(false);
    expect(deviceIsNewer(sync, null)).toBe(true);
  });
});

describe('conflict copies', () => {
  let app: TempApp;
  beforeEach(() => {
    app = openTempApp();
  });
  afterEach(() => app.close());

  it('are listed per session, newest first, and found only under their own session', async () => {
    const photo = await storePhoto(app);
    const a = (await createSessionFromUpload(photo.bytes, 'a.jpg')).id;
    const b = (await createSessionFromUpload(photo.bytes, 'b.jpg')).id;
    const row = { kind: 'pose', source: 'device', rev: 1, edited_at: '2026-01-01T00:00:00.000Z', blob_key: null, area: null } as const;
    const first = insertConflict({ ...row, session_id: a, pose: '{"n":1}' });
    const second = insertConflict({ ...row, session_id: a, pose: '{"n":2}' });
    insertConflict({ ...row, session_id: b, pose: '{"n":3}' });
    expect(listConflicts(a).map((c) => c.id)).toEqual([second.id, first.id]);
    expect(first.url).toBe(`/api/sessions/${a}/conflicts/${first.id}`);
    expect(getConflict(a, first.id)).toEqual({ kind: 'pose', blobKey: null, pose: { n: 1 }, json: first });
    expect(() => getConflict(b, first.id)).toThrow(expect.objectContaining({ status: 404, code: 'not_found' }));
  });
});
