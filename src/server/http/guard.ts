// Browser hardening shared by the entry (src/server/main.mjs: every response, static files included) and the
// middleware (astro dev). Pure.
import { isIP } from 'node:net';

/**
 * Is a request's Host one this studio answers to? localhost and IP literals always (a tablet on the shop's
 * network uses the address), plus ATELIER_PUBLIC_URL's host and ATELIER_ALLOWED_HOSTS (".example.com" allows its
 * sub-domains). Any other name is what DNS rebinding looks like: a page on evil.example whose name now resolves here.
 */
export function hostAllowed(host: string | null | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const name = hostName(host);
  if (!name) return false;
  if (name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0) return true;
  return allowed.some((a) => a === name || (a.startsWith('.') && (name.endsWith(a) || name === a.slice(1))));
}

/** The name part of a Host header, lower case, without port or IPv6 brackets; null when malformed. */
export function hostName(host: string): string | null {
  const h = host.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d+)?$/.exec(h);
  if (v6) return v6[1]!;
  const m = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m ? m[1]! : null;
}

// ONNX Runtime Web and MediaPipe compile WebAssembly ('wasm-unsafe-eval') and start workers from our origin (and
// blob: for ONNX Runtime's proxy); Astro's islands hydrate from small inline scripts; images come from our API
// or are drawn locally (data:, blob:). Nothing is loaded from another origin, and nobody may frame the studio.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "font-src 'self' data:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
};

/** A redirect target from a query parameter: a same-origin path only ("/x", never "//host" or "/\host"). */
export function sameOriginPath(target: string | null | undefined, fallback = '/'): string {
  if (!target?.startsWith('/') || target.startsWith('//') || target.includes('\\')) return fallback;
  // Control characters and whitespace could let a browser read the path differently from us.
  if (/[\u0000-\u001f\u007f\s]/.test(target)) return fallback;
  return target;
}
