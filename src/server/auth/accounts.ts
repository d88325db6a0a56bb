// Accounts, workspaces and their members, sign-in sessions, API keys and invites, over the tables of migration 8.
// Every secret (session token, API key, invite) is handed out once and kept as its sha256 (tokens.ts).
import type { Db } from '../store/db.ts';
import { ApiError } from '../http/errors.ts';
import { newId } from '../ids.ts';
import { decoyHash, hashPassword, verifyPassword } from './password.ts';
import { newSecret, secretHash } from './tokens.ts';

export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const KEY_SCOPES = ['read', 'generate', 'admin'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** What a key's scope lets it do, as the member role with the same rights. */
const SCOPE_ROLE: Record<KeyScope, Role> = { read: 'viewer', generate: 'editor', admin: 'owner' };
const RANK: Record<Role, number> = { viewer: 0, editor: 1, owner: 2 };

export function roleAtLeast(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Who makes a request: a signed-in member, or a workspace's API key. */
export interface Actor {
  kind: 'user' | 'key';
  workspaceId: string;
  role: Role;
  userId: string | null;
  email: string | null;
  keyId: string | null;
}

const now = () => new Date().toISOString();

export const PASSWORD_MIN = 10;
function checkPassword(password: string): void {
  if (password.length < PASSWORD_MIN) {
    throw new ApiError(400, 'weak_password', `Choose a password of at least ${PASSWORD_MIN} characters.`, {}, { min: PASSWORD_MIN });
  }
}

export function hasOwner(db: Db): boolean {
  return db.prepare('SELECT 1 FROM users LIMIT 1').get() !== undefined;
}

/**
 * The first account: the owner, with the first workspace. Refused once any account exists (first run only).
 * Sessions made before accounts existed join this workspace.
 */
export async function createOwner(
  db: Db,
  o: { email: string; password: string; workspaceName: string },
): Promise<{ userId: string; workspaceId: string }> {
  checkPassword(o.password);
  const hash = await hashPassword(o.password);
  const userId = newId();
  const workspaceId = newId();
  db.transaction(() => {
    if (hasOwner(db)) throw new ApiError(409, 'already_set_up', 'This studio already has an owner. Sign in instead.');
    const t = now();
    db.prepare('INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)').run(userId, o.email.trim(), hash, t);
    db.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)').run(workspaceId, o.workspaceName.trim() || 'Studio', t);
    db.prepare(`INSERT INTO members (workspace_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)`).run(workspaceId, userId, t);
    db.prepare('UPDATE sessions SET workspace_id = ? WHERE workspace_id IS NULL').run(workspaceId);
  }).immediate();
  return { userId, workspaceId };
}

/** The account whose e-mail and password these are, or null (the same time either way). */
export async function checkCredentials(db: Db, email: string, password: string): Promise<{ userId: string } | null> {
  const user = db.prepare('SELECT id, password_hash FROM users WHERE email = ?').get(email.trim()) as
    | { id: string; password_hash: string }
    | undefined;
  const ok = await verifyPassword(password, user?.password_hash ?? (await decoyHash()));
  return user && ok ? { userId: user.id } : null;
}

/** The workspace a sign-in opens: the one the account joined first. */
export function firstWorkspaceOf(db: Db, userId: string): string | null {
  const row = db.prepare('SELECT workspace_id FROM members WHERE user_id = ? ORDER BY created_at, workspace_id LIMIT 1').get(userId) as
    | { workspace_id: string }
    | undefined;
  return row?.workspace_id ?? null;
}

export function startSession(db: Db, userId: string, workspaceId: string, maxAgeMs: number): string {
  const token = newSecret();
  db.prepare('INSERT INTO auth_sessions (token_hash, user_id, workspace_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
    secretHash(token),
    userId,
    workspaceId,
    now(),
    Date.now() + maxAgeMs,
  );
  return token;
}

export function endSession(db: Db, token: string): void {
  db.prepare('DELETE FROM auth_sessions WHERE token_hash = ?').run(secretHash(token));
}

/** Signs the account out on every device (and browser) it is signed in on. */
export function endAllSessions(db: Db, userId: string): void {
  db.prepare('DELETE FROM auth_sessions WHERE user_id = ?').run(userId);
}

/** The member a session cookie stands for; null when the session ended, expired or its member was removed. */
export function actorForSession(db: Db, token: string): Actor | null {
  const row = db
    .prepare(
      `SELECT s.user_id, s.workspace_id, s.expires_at, m.role, u.email FROM auth_sessions s
         JOIN members m ON m.workspace_id = s.workspace_id AND m.user_id = s.user_id
         JOIN users u ON u.id = s.user_id
        WHERE s.token_hash = ?`,
    )
    .get(secretHash(token)) as { user_id: string; workspace_id: string; expires_at: number; role: Role; email: string } | undefined;
  if (!row || row.expires_at <= Date.now()) return null;
  return { kind: 'user', workspaceId: row.workspace_id, role: row.role, userId: row.user_id, email: row.email, keyId: null };
}

export async function changePassword(db: Db, userId: string, current: string, next: string): Promise<void> {
  const row = db.prepare('SELECT password_hash FROM users WHERE id = ?').get(userId) as { password_hash: string } | undefined;
  if (!row || !(await verifyPassword(current, row.password_hash))) {
    throw new ApiError(403, 'wrong_password', 'The current password is not right.');
  }
  checkPassword(next);
  db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(await hashPassword(next), userId);
}

// ---- API keys

export interface ApiKeyJson {
  id: string;
  name: string;
  prefix: string;
  scope: KeyScope;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const KEY_PREFIX = 'atl_';

/** Registers a key; `plaintext` for the bootstrap key the operator chose, else a new random one. Shown once. */
export function createApiKey(
  db: Db,
  workspaceId: string,
  o: { name: string; scope: KeyScope; plaintext?: string },
): { key: string; apiKey: ApiKeyJson } {
  const key = o.plaintext ?? newSecret(KEY_PREFIX);
  const id = newId();
  const t = now();
  db.prepare('INSERT INTO api_keys (id, workspace_id, name, key_hash, prefix, scope, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    id,
    workspaceId,
    o.name,
    secretHash(key),
    key.slice(0, 8),
    o.scope,
    t,
  );
  return { key, apiKey: { id, name: o.name, prefix: key.slice(0, 8), scope: o.scope, createdAt: t, lastUsedAt: null, revokedAt: null } };
}

export function listApiKeys(db: Db, workspaceId: string): ApiKeyJson[] {
  const rows = db
    .prepare(
      'SELECT id, name, prefix, scope, created_at, last_used_at, revoked_at FROM api_keys WHERE workspace_id = ? ORDER BY created_at DESC',
    )
    .all(workspaceId) as {
    id: string;
    name: string;
    prefix: string;
    scope: KeyScope;
    created_at: string;
    last_used_at: string | null;
    revoked_at: string | null;
  }[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scope: r.scope,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}

export function revokeApiKey(db: Db, workspaceId: string, id: string): boolean {
  return (
    db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL').run(now(), id, workspaceId)
      .changes > 0
  );
}

/** The workspace key a Bearer token is; null when unknown or revoked. Records when it was last used (once a minute at most). */
export function actorForApiKey(db: Db, key: string): Actor | null {
  const row = db
    .prepare('SELECT id, workspace_id, scope, last_used_at, revoked_at FROM api_keys WHERE key_hash = ?')
    .get(secretHash(key)) as
    | { id: string; workspace_id: string; scope: KeyScope; last_used_at: string | null; revoked_at: string | null }
    | undefined;
  if (!row || row.revoked_at) return null;
  if (!row.last_used_at || Date.now() - Date.parse(row.last_used_at) > 60_000) {
    db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now(), row.id);
  }
  return { kind: 'key', workspaceId: row.workspace_id, role: SCOPE_ROLE[row.scope], userId: null, email: null, keyId: row.id };
}

// ---- members and invites

export interface MemberJson {
  userId: string;
  email: string;
  role: Role;
  joinedAt: string;
}

export function listMembers(db: Db, workspaceId: string): MemberJson[] {
  const rows = db
    .prepare(
      'SELECT m.user_id, u.email, m.role, m.created_at FROM members m JOIN users u ON u.id = m.user_id ' +
        'WHERE m.workspace_id = ? ORDER BY m.created_at',
    )
    .all(workspaceId) as { user_id: string; email: string; role: Role; created_at: string }[];
  return rows.map((r) => ({ userId: r.user_id, email: r.email, role: r.role, joinedAt: r.created_at }));
}

/** Removes a member (their sessions in this workspace end at once); the last owner cannot be removed. */
export function removeMember(db: Db, workspaceId: string, userId: string): void {
  db.transaction(() => {
    const member = db.prepare('SELECT role FROM members WHERE workspace_id = ? AND user_id = ?').get(workspaceId, userId) as
      | { role: Role }
      | undefined;
    if (!member) throw new ApiError(404, 'not_found', 'That member was not found.');
    const owners = db.prepare(`SELECT COUNT(*) AS n FROM members WHERE workspace_id = ? AND role = 'owner'`).get(workspaceId) as {
      n: number;
    };
    if (member.role === 'owner' && owners.n <= 1) throw new ApiError(409, 'last_owner', 'A workspace keeps at least one owner.');
    db.prepare('DELETE FROM members WHERE workspace_id = ? AND user_id = ?').run(workspaceId, userId);
    db.prepare('DELETE FROM auth_sessions WHERE workspace_id = ? AND user_id = ?').run(workspaceId, userId);
  }).immediate();
}

export function createInvite(
  db: Db,
  workspaceId: string,
  o: { role: Role; createdBy: string | null; maxAgeMs: number },
): { token: string; expiresAt: string } {
  const token = newSecret();
  const expires = Date.now() + o.maxAgeMs;
  db.prepare('INSERT INTO invites (token_hash, workspace_id, role, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(
    secretHash(token),
    workspaceId,
    o.role,
    o.createdBy,
    now(),
    expires,
  );
  return { token, expiresAt: new Date(expires).toISOString() };
}

export interface InviteInfo {
  workspaceName: string;
  role: Role;
  expiresAt: string;
}

const INVITE_GONE = () => new ApiError(410, 'invite_invalid', 'This invite link has expired or was already used. Ask for a new one.');

export function inviteInfo(db: Db, token: string): InviteInfo {
  const row = db
    .prepare(
      'SELECT w.name, i.role, i.expires_at, i.used_at FROM invites i JOIN workspaces w ON w.id = i.workspace_id WHERE i.token_hash = ?',
    )
    .get(secretHash(token)) as { name: string; role: Role; expires_at: number; used_at: string | null } | undefined;
  if (!row || row.used_at || row.expires_at <= Date.now()) throw INVITE_GONE();
  return { workspaceName: row.name, role: row.role, expiresAt: new Date(row.expires_at).toISOString() };
}

/**
 * Joins the invite's workspace: a new account with this e-mail and password, or an existing one when the password
 * is that account's. Single use: the invite is taken in the same transaction that adds the member.
 */
export async function acceptInvite(
  db: Db,
  token: string,
  email: string,
  password: string,
): Promise<{ userId: string; workspaceId: string }> {
  inviteInfo(db, token);
  const existing = db.prepare('SELECT id, password_hash FROM users WHERE email = ?').get(email.trim()) as
    | { id: string; password_hash: string }
    | undefined;
  if (existing && !(await verifyPassword(password, existing.password_hash))) {
    throw new ApiError(403, 'wrong_password', 'An account with this e-mail exists; enter its password to join.');
  }
  if (!existing) checkPassword(password);
  const hash = existing ? null : await hashPassword(password);
  const userId = existing?.id ?? newId();
  let workspaceId = '';
  db.transaction(() => {
    const t = now();
    const taken = db
      .prepare('UPDATE invites SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?')
      .run(t, secretHash(token), Date.now());
    if (taken.changes === 0) throw INVITE_GONE();
    const invite = db.prepare('SELECT workspace_id, role FROM invites WHERE token_hash = ?').get(secretHash(token)) as {
      workspace_id: string;
      role: Role;
    };
    workspaceId = invite.workspace_id;
    if (hash) db.prepare('INSERT INTO users (id, email, password_hash, created_at) VALUES (?, ?, ?, ?)').run(userId, email.trim(), hash, t);
    db.prepare('INSERT OR IGNORE INTO members (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)').run(
      workspaceId,
      userId,
      invite.role,
      t,
    );
  }).immediate();
  return { userId, workspaceId };
}

export function workspaceName(db: Db, workspaceId: string): string {
  return (db.prepare('SELECT name FROM workspaces WHERE id = ?').get(workspaceId) as { name: string } | undefined)?.name ?? '';
}

/**
 * Headless set-up at start: the owner from ATELIER_OWNER_EMAIL/PASSWORD when there is no account yet, and
 * ATELIER_BOOTSTRAP_API_KEY registered once as the first workspace's admin key.
 */
export async function bootstrapAccounts(
  db: Db,
  o: { owner: { email: string; password: string } | null; apiKey: string | null },
): Promise<{ ownerCreated: boolean; keyRegistered: boolean }> {
  let ownerCreated = false;
  if (o.owner && !hasOwner(db)) {
    await createOwner(db, { ...o.owner, workspaceName: 'Studio' }).catch((err) => {
      if (!(err instanceof ApiError && err.code === 'already_set_up')) throw err;
    });
    ownerCreated = true;
  }
  let keyRegistered = false;
  if (o.apiKey) {
    const first = db.prepare('SELECT id FROM workspaces ORDER BY created_at, id LIMIT 1').get() as { id: string } | undefined;
    const known = db.prepare('SELECT 1 FROM api_keys WHERE key_hash = ?').get(secretHash(o.apiKey));
    if (first && !known) {
      createApiKey(db, first.id, { name: 'bootstrap (ATELIER_BOOTSTRAP_API_KEY)', scope: 'admin', plaintext: o.apiKey });
      keyRegistered = true;
    }
  }
  return { ownerCreated, keyRegistered };
}

// ---- more than one workspace (an agency serving several shops)

export interface WorkspaceJson {
  id: string;
  name: string;
  role: Role;
}

export function workspacesOf(db: Db, userId: string): WorkspaceJson[] {
  return db
    .prepare(
      'SELECT w.id, w.name, m.role FROM members m JOIN workspaces w ON w.id = m.workspace_id ' +
        'WHERE m.user_id = ? ORDER BY m.created_at, w.id',
    )
    .all(userId) as WorkspaceJson[];
}

/** A new workspace owned by `userId`. */
export function createWorkspace(db: Db, userId: string, name: string): WorkspaceJson {
  const id = newId();
  db.transaction(() => {
    const t = now();
    db.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)').run(id, name, t);
    db.prepare(`INSERT INTO members (workspace_id, user_id, role, created_at) VALUES (?, ?, 'owner', ?)`).run(id, userId, t);
  })();
  return { id, name, role: 'owner' };
}

/** Makes a signed-in session act in another of its account's workspaces. */
export function switchWorkspace(db: Db, token: string, userId: string, workspaceId: string): void {
  const member = db.prepare('SELECT 1 FROM members WHERE workspace_id = ? AND user_id = ?').get(workspaceId, userId);
  if (!member) throw new ApiError(404, 'not_found', 'That workspace was not found.');
  db.prepare('UPDATE auth_sessions SET workspace_id = ? WHERE token_hash = ? AND user_id = ?').run(workspaceId, secretHash(token), userId);
}
