// Accounts on a real SQLite file: what is stored (hashes only), invites that expire and work once, the last
// owner kept, keys revoked, sessions ending with their member, and the headless set-up run twice.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../store/db.ts';
import {
  acceptInvite,
  actorForApiKey,
  actorForSession,
  bootstrapAccounts,
  checkCredentials,
  createApiKey,
  createInvite,
  createOwner,
  inviteInfo,
  listMembers,
  removeMember,
  revokeApiKey,
  startSession,
} from './accounts.ts';
import { hashPassword, verifyPassword } from './password.ts';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'atelier-accounts-'));
  db = openDatabase(path.join(dir, 'atelier.sqlite'));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const dump = () =>
  JSON.stringify(db.prepare(`SELECT * FROM users`).all()) +
  JSON.stringify(db.prepare('SELECT * FROM auth_sessions').all()) +
  JSON.stringify(db.prepare('SELECT * FROM api_keys').all()) +
  JSON.stringify(db.prepare('SELECT * FROM invites').all());

describe('passwords', () => {
  it('are scrypt hashes with their parameters and a salt of their own, verified in constant time', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('x', 'md5$abc')).toBe(false);
  });
});

describe('accounts', () => {
  it('stores no password, token, key or invite in the clear', async () => {
    const { userId, workspaceId } = await createOwner(db, { email: 'o@shop.test', password: 'owner password', workspaceName: 'Shop' });
    const token = startSession(db, userId, workspaceId, 60_000);
    const { key } = createApiKey(db, workspaceId, { name: 'k', scope: 'read' });
    const invite = createInvite(db, workspaceId, { role: 'editor', createdBy: userId, maxAgeMs: 60_000 });
    const stored = dump();
    for (const secret of ['owner password', token, key, invite.token]) expect(stored).not.toContain(secret);
    expect(actorForSession(db, token)).toMatchObject({ kind: 'user', role: 'owner', workspaceId });
    expect(actorForApiKey(db, key)).toMatchObject({ kind: 'key', role: 'viewer', workspaceId });
  });

  it('only the first owner is created; credentials are checked', async () => {
    await createOwner(db, { email: 'o@shop.test', password: 'owner password', workspaceName: '' });
    await expect(createOwner(db, { email: 'x@shop.test', password: 'other password', workspaceName: '' })).rejects.toMatchObject({
      status: 409,
    });
    expect(await checkCredentials(db, 'O@Shop.test', 'owner password')).not.toBeNull();
    expect(await checkCredentials(db, 'o@shop.test', 'wrong password')).toBeNull();
    expect(await checkCredentials(db, 'nobody@shop.test', 'owner password')).toBeNull();
  });

  it('sessions made before accounts join the first workspace', async () => {
    db.prepare(`INSERT INTO images VALUES ('img1', 'sha', 4, 4, 'jpeg', 1, 'float16', '[1]', 't')`).run();
    db.prepare(`INSERT INTO sessions (id, image_id, created_at, updated_at) VALUES ('old1', 'img1', 't', 't')`).run();
    const { workspaceId } = await createOwner(db, { email: 'o@shop.test', password: 'owner password', workspaceName: '' });
    expect(db.prepare(`SELECT workspace_id FROM sessions WHERE id = 'old1'`).pluck().get()).toBe(workspaceId);
  });

  it('an expired session is no session', async () => {
    const { userId, workspaceId } = await createOwner(db, { email: 'o@shop.test', password: 'owner password', workspaceName: '' });
    const token = startSession(db, userId, workspaceId, -1);
    expect(actorForSession(db, token)).toBeNull();
  });
});

describe('invites', () => {
  it('expire, work once, and a member removed is signed out; the last owner stays', async () => {
    const { userId, workspaceId } = await createOwner(db, { email: 'o@shop.test', password: 'owner password', workspaceName: 'Shop' });
    const expired = createInvite(db, workspaceId, { role: 'editor', createdBy: userId, maxAgeMs: -1 });
    expect(() => inviteInfo(db, expired.token)).toThrow(/expired/);
    await expect(acceptInvite(db, expired.token, 's@shop.test', 'staff password')).rejects.toMatchObject({ status: 410 });

    const invite = createInvite(db, workspaceId, { role: 'editor', createdBy: userId, maxAgeMs: 60_000 });
    expect(inviteInfo(db, invite.token)).toMatchObject({ workspaceName: 'Shop', role: 'editor' });
    const both = await Promise.allSettled([
      acceptInvite(db, invite.token, 's@shop.test', 'staff password'),
      acceptInvite(db, invite.token, 't@shop.test', 'staff password'),
    ]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(listMembers(db, workspaceId)).toHaveLength(2);

    const staff = listMembers(db, workspaceId).find((m) => m.role === 'editor')!;
    const token = startSession(db, staff.userId, workspaceId, 60_000);
    expect(actorForSession(db, token)?.role).toBe('editor');
    removeMember(db, workspaceId, staff.userId);
    expect(actorForSession(db, token)).toBeNull();
    expect(() => removeMember(db, workspaceId, userId)).toThrow(/at least one owner/);
  });

  it('an existing account joins with its own password only', async () => {
    const { userId, workspaceId } = await createOwner(db, { email: 'o@shop.test', password: 'owner password', workspaceName: 'Shop' });
    const invite = createInvite(db, workspaceId, { role: 'viewer', createdBy: userId, maxAgeMs: 60_000 });
    await expect(acceptInvite(db, invite.token, 'o@shop.test', 'not the password')).rejects.toMatchObject({ status: 403 });
    // The refused try did not use the invite up.
    expect(inviteInfo(db, invite.token).role).toBe('viewer');
  });
});

describe('keys and the headless set-up', () => {
  it('revoked keys and keys of other workspaces cannot be used or revoked', async () => {
    const { workspaceId } = await createOwner(db, { email: 'o@shop.test', password: 'owner password', workspaceName: '' });
    const { key, apiKey } = createApiKey(db, workspaceId, { name: 'k', scope: 'generate' });
    expect(actorForApiKey(db, key)?.role).toBe('editor');
    expect(revokeApiKey(db, 'another-workspace', apiKey.id)).toBe(false);
    expect(revokeApiKey(db, workspaceId, apiKey.id)).toBe(true);
    expect(actorForApiKey(db, key)).toBeNull();
  });

  it('creates the owner and registers the bootstrap key once, however often it runs', async () => {
    const setup = { owner: { email: 'o@shop.test', password: 'owner password' }, apiKey: 'k'.repeat(40) };
    expect(await bootstrapAccounts(db, setup)).toEqual({ ownerCreated: true, keyRegistered: true });
    expect(await bootstrapAccounts(db, setup)).toEqual({ ownerCreated: false, keyRegistered: false });
    expect(db.prepare('SELECT COUNT(*) FROM api_keys').pluck().get()).toBe(1);
    expect(actorForApiKey(db, setup.apiKey)?.role).toBe('owner');
  });
});
