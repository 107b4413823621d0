import { createHmac, randomInt } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { uuidv7 } from 'uuidv7';
import type { Auth } from '../auth/auth';
import { hashPassword } from '../auth/auth';
import { assertPasswordPolicy } from '../auth/password-policy';
import { AppError } from '../http/errors';
import { queueSignUpAttemptMail } from './email-verification.service';
import { type AuthResult, type IdentityDeps, type MeView, normaliseEmail, signUp } from './identity.service';

const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A Set-Cookie header of the very form Better Auth gives a new session (same name,
 * attributes and a signed 32-character token), for a session that does not exist.
 */
async function decoySessionCookie(auth: Auth): Promise<string> {
  const ctx = await auth.$context;
  const { name, attributes } = ctx.authCookies.sessionToken;
  const token = Array.from({ length: 32 }, () => TOKEN_ALPHABET[randomInt(TOKEN_ALPHABET.length)]).join('');
  const signature = createHmac('sha256', ctx.secret).update(token).digest('base64');
  let cookie = `${name}=${encodeURIComponent(`${token}.${signature}`)}; Max-Age=${ctx.sessionConfig.expiresIn}`;
  if (attributes.domain) cookie += `; Domain=${attributes.domain}`;
  if (attributes.path) cookie += `; Path=${attributes.path}`;
  if (attributes.httpOnly) cookie += '; HttpOnly';
  if (attributes.secure) cookie += '; Secure';
  if (attributes.sameSite) {
    const s = String(attributes.sameSite);
    cookie += `; SameSite=${s.charAt(0).toUpperCase()}${s.slice(1)}`;
  }
  return cookie;
}

/**
 * The public sign-up (POST /api/v1/auth/sign-up). It never tells whether an address
 * has an account (docs/API.md, "Sign-up and email verification"):
 * - a new address gets its account and workspace at once, signed in, with the email
 *   *unverified* and a verification link mailed to it;
 * - a registered address gets the same answer (201, same body shape with fresh ids,
 *   a session cookie of the same form, the password hashed just the same so the time
 *   taken is alike) but nothing is created, the cookie opens no session, and the
 *   address's owner is mailed "someone tried to sign up; sign in or reset".
 */
export async function publicSignUp(
  deps: IdentityDeps & { baseUrl: string },
  input: { name: string; email: string; password: string; workspaceName: string },
  headers: IncomingHttpHeaders,
): Promise<AuthResult<MeView>> {
  const email = normaliseEmail(input.email);
  // Policy first, for both: a weak password is refused whatever the address.
  assertPasswordPolicy(input.password, { email, name: input.name });
  const existing = await deps.database.db
    .selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('email', '=', email)
    .executeTakeFirst();
  if (!existing) {
    try {
      return await signUp(deps, { ...input, email }, headers, { baseUrl: deps.baseUrl });
    } catch (err) {
      // Registered between our look-up and the insert: answer like any registered address.
      if (!(err instanceof AppError && err.code === 'already_exists')) throw err;
    }
  }
  const owner =
    existing ??
    (await deps.database.db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow());
  // The same costly step a real sign-up takes (argon2id), so timing tells nothing.
  await hashPassword(input.password);
  await queueSignUpAttemptMail(deps.database, deps.baseUrl, owner);
  return {
    data: {
      user: { id: uuidv7(), name: input.name, email, emailVerified: false },
      workspace: { id: uuidv7(), name: input.workspaceName },
      role: 'administrator',
      via: 'session',
      scopes: [],
    },
    setCookies: [await decoySessionCookie(deps.auth)],
  };
}
