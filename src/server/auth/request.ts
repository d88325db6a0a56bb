// The actor of a request (session cookie or `Authorization: Bearer` key), the session cookie, and the client's
// address and scheme (X-Forwarded-* only when ATELIER_TRUST_PROXY=1 says a proxy in front sets them).
import type { AstroCookies } from 'astro';
import type { Config } from '../../config.ts';
import { ApiError } from '../http/errors.ts';
import type { Db } from '../store/db.ts';
import { actorForApiKey, actorForSession, startSession, type Actor } from './accounts.ts';

export const SESSION_COOKIE = 'atelier_session';

export type ActorLookup = { actor: Actor } | { actor: null; reason: 'none' | 'invalid_key' | 'session_ended' };

export function findActor(db: Db, request: Request, cookies: AstroCookies): ActorLookup {
  const authorization = request.headers.get('authorization');
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    const actor = m ? actorForApiKey(db, m[1]!) : null;
    return actor ? { actor } : { actor: null, reason: 'invalid_key' };
  }
  const token = cookies.get(SESSION_COOKIE)?.value;
  if (!token) return { actor: null, reason: 'none' };
  const actor = actorForSession(db, token);
  return actor ? { actor } : { actor: null, reason: 'session_ended' };
}

/** The actor the middleware checked (routes behind a non-public rule always have one). */
export function actorOf(locals: App.Locals): Actor {
  if (!locals.actor) throw new ApiError(401, 'sign_in_required', 'Sign in first.');
  return locals.actor;
}

export function isHttps(url: URL, request: Request, config: Config): boolean {
  if (url.protocol === 'https:') return true;
  if (config.trustProxy && request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https') return true;
  return config.publicUrl?.protocol === 'https:';
}

export function clientAddress(request: Request, socketAddress: string, config: Config): string {
  if (config.trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  return socketAddress;
}

/** Starts a sign-in session for the member and sets its cookie (HttpOnly, SameSite=Lax, Secure over HTTPS). */
export function signInWith(
  ctx: { cookies: AstroCookies; url: URL; request: Request },
  db: Db,
  config: Config,
  userId: string,
  workspaceId: string,
): void {
  const token = startSession(db, userId, workspaceId, config.sessionMaxAgeMs);
  ctx.cookies.set(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttps(ctx.url, ctx.request, config),
    maxAge: Math.floor(config.sessionMaxAgeMs / 1000),
  });
}

export function clearSessionCookie(cookies: AstroCookies): void {
  cookies.delete(SESSION_COOKIE, { path: '/' });
}
