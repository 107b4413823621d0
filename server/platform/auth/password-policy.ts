import fs from 'node:fs';
import { AppError } from '../http/errors';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    fs
      .readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#')),
  );
  return common;
}

/**
 * Why `password` is refused, or null when it is acceptable: at least 12
 * characters, not one of the most common passwords, not a common password
 * padded with digits or symbols ("Password1234!"), not one repeated character,
 * and not the account's own email or name.
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  const list = commonPasswords();
  const core = lower.replace(/^[^a-z]+|[^a-z]+$/g, '');
  if (list.has(lower) || (core.length >= 6 && list.has(core)) || /^(.)\1+$/.test(lower)) {
    return 'is too common; choose a passphrase of several unrelated words';
  }
  const personal = [context.email?.split('@')[0], context.name?.replace(/\s+/g, '')]
    .filter((s): s is string => !!s && s.length >= 4)
    .map((s) => s.toLowerCase());
  if (personal.some((p) => lower.includes(p) && lower.length - p.length < 6)) {
    return 'must not be based on your name or email';
  }
  return null;
}

/** Throws a 422 `weak_password` naming the field when the policy refuses `password`. */
export function assertPasswordPolicy(
  password: string,
  context: { email?: string; name?: string } = {},
  field = 'password',
): void {
  const problem = passwordProblem(password, context);
  if (problem) {
    throw new AppError('weak_password', `Password ${problem}`, { errors: [{ path: field, message: problem }] });
  }
}
