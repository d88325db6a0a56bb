import type { APIRoute } from 'astro';
import { LANGS, type Lang } from '../i18n/messages.ts';
import { sameOriginPath } from '../server/http/guard.ts';

// GET /lang?to=zh-CN&back=/path — remembers the language and goes back (to a path of this studio only).
export const GET: APIRoute = ({ url, cookies, redirect }) => {
  const to = url.searchParams.get('to') as Lang;
  if ((LANGS as readonly string[]).includes(to)) {
    cookies.set('atelier-lang', to, { path: '/', maxAge: 60 * 60 * 24 * 365, sameSite: 'lax' });
  }
  return redirect(sameOriginPath(url.searchParams.get('back')), 303);
};
