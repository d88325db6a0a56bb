import type { APIRoute } from 'astro';
import { LANGS, type Lang } from '../i18n/messages.ts';

// GET /lang?to=zh-CN&back=/path — remembers the language and goes back.
export const GET: APIRoute = ({ url, cookies, redirect }) => {
  const to = url.searchParams.get('to') as Lang;
  if ((LANGS as readonly string[]).includes(to)) {
    cookies.set('atelier-lang', to, { path: '/', maxAge: 60 * 60 * 24 * 365, sameSite: 'lax' });
  }
  const back = url.searchParams.get('back') ?? '/';
  return redirect(back.startsWith('/') && !back.startsWith('//') ? back : '/', 303);
};
