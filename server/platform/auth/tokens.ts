import { createHash, randomBytes } from 'node:crypto';

/** A random secret token with a readable prefix, e.g. "rpk_3kq…". */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Tokens carry 256 random bits, so a fast hash is enough to store them safely. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
