import { randomBytes } from 'node:crypto';

/** Opaque, URL-safe, unguessable id (128 bits). */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
