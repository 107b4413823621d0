import type { IncomingHttpHeaders } from 'node:http';
import { assertPasswordPolicy } from '../auth/password-policy';
import { AppError } from '../http/errors';
import { queueSignUpAttemptMail } from './email-verification.service';
import { type AuthResult, type IdentityDeps, type MeView, normaliseEmail, signUp } from './identity.service';

/**
 * The public sign-up (POST /api/v1/auth/sign-up). It never tells whether an address
 * has an account (docs/API.md, "Sign-up and email verification"), because both paths
 * do the same thing: create a real account (argon2id hash, session) and a new
 * workspace it administers, and answer 201 with it, signed in.
 * - A new address is the account's at once, *unverified*, and a verification link is
 *   mailed to it.
 * - An address another account holds is not taken: the new account is *pending*. It
 *   works for its session, shows the address it asked for (unverified), but holds a
 *   placeholder in users.email, so password sign-in, invitations and mail keep going
 *   to the account that holds the address. It can claim the address only with the
 *   emailed verification link (which only the address's owner receives), and only if
 *   nobody holds it by then. The owner is mailed "someone signed up with your address".
 */
export async function publicSignUp(
  deps: IdentityDeps & { baseUrl: string },
  input: { name: string; email: string; password: string; workspaceName: string },
  headers: IncomingHttpHeaders,
): Promise<AuthResult<MeView>> {
  const email = normaliseEmail(input.email);
  // Policy first, for both: a weak password is refused whatever the address.
  assertPasswordPolicy(input.password, { email, name: input.name });
  const holder = async () =>
    deps.database.db.selectFrom('users').select(['id', 'name', 'email']).where('email', '=', email).executeTakeFirst();
  let owner = await holder();
  if (!owner) {
    try {
      return await signUp(deps, { ...input, email }, headers, { baseUrl: deps.baseUrl });
    } catch (err) {
      // Registered between our look-up and the insert: answer like any registered address.
      if (!(err instanceof AppError && err.code === 'already_exists')) throw err;
      owner = await holder();
    }
  }
  // The same work as for a new address (Better Auth's argon2id hash, a workspace, a session).
  const result = await signUp(deps, { ...input, email }, headers, undefined, { pending: true });
  if (owner) await queueSignUpAttemptMail(deps.database, deps.baseUrl, owner);
  return result;
}
