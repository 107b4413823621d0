import type { IncomingHttpHeaders } from 'node:http';
import { isAPIError } from 'better-auth/api';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TMe, TSession, TWorkspaceChoice } from '../../../common/contracts/auth';
import { auditUserEverywhere, notifyAccessChange } from '../access/access.service';
import { createStandardRoles } from '../access/permissions';
import { type Actor, toWebHeaders } from '../auth/actor';
import { type Auth, verifyPassword } from '../auth/auth';
import { assertPasswordPolicy } from '../auth/password-policy';
import { releaseSignInAttempt, reserveSignInAttempt, signInFailed, signInSucceeded } from '../auth/sign-in-guard';
import type { TwoFactorService } from '../auth/two-factor.service';
import type { Database } from '../db/database';
import type { RoleKey } from '../db/schema';
import { AppError } from '../http/errors';
import { queueVerificationMail } from './email-verification.service';

export interface IdentityDeps {
  database: Database;
  auth: Auth;
}

/** The result of an auth call: what to return and the cookies to set. */
export interface AuthResult<T> {
  data: T;
  setCookies: string[];
}

/** The caller, their workspace and role (`GET /api/v1/me`, common/contracts/auth.ts). */
export type MeView = TMe;

const normaliseEmail = (email: string) => email.trim().toLowerCase();

/**
 * The domain of the placeholder address a pending account holds in users.email
 * (RFC 2606 reserves `.invalid`: no mail can reach it, and no one can register it).
 */
export const PENDING_EMAIL_DOMAIN = 'pending.rapport.invalid';
const pendingPlaceholder = () => `pending-${uuidv7()}@${PENDING_EMAIL_DOMAIN}`;

/**
 * The address Better Auth should sign in with for what the user typed (issue 12.9):
 * the account that has claimed the address; else, while nobody has claimed it, a
 * pending account that asked for it and whose password this is (its placeholder
 * address); else the address as typed, which then fails like any wrong password.
 */
async function signInAddress(database: Database, email: string, password: string): Promise<string> {
  const { rows } = await sql<{ email: string; password: string | null; claimed: boolean }>`
    select u.email, a.password, u.email = ${email} as claimed
    from users u left join auth_accounts a on a.user_id = u.id and a.provider_id = 'credential'
    where u.email = ${email} or u.pending_email = ${email}
    order by claimed desc, u.created_at
    limit 6`.execute(database.db);
  if (rows.length === 0 || rows[0]?.claimed) return email;
  for (const r of rows) {
    if (r.password && (await verifyPassword(r.password, password))) return r.email;
  }
  return email;
}

/** Creates a user through Better Auth (argon2id, session) and returns its id and cookies. */
async function createUser(
  deps: IdentityDeps,
  input: { name: string; email: string; password: string },
  headers: IncomingHttpHeaders,
): Promise<{ userId: string; setCookies: string[] }> {
  try {
    const { headers: out, response } = await deps.auth.api.signUpEmail({
      body: { name: input.name, email: input.email, password: input.password },
      headers: toWebHeaders(headers),
      returnHeaders: true,
    });
    return { userId: response.user.id, setCookies: out.getSetCookie() };
  } catch (err) {
    if (isAPIError(err) && /already exists/i.test(err.message)) {
      throw new AppError('already_exists', 'An account with this email already exists; sign in instead.', {
        errors: [{ path: 'email', message: 'already registered' }],
      });
    }
    throw err;
  }
}

/** Removes a user created moments ago whose workspace could not be set up. */
async function deleteUser(deps: IdentityDeps, userId: string): Promise<void> {
  await deps.database.system((tx) => tx.deleteFrom('users').where('id', '=', userId).execute());
}

/**
 * A new user, a new workspace, and the user as its administrator (the CLI and the
 * demo seed; the public sign-up is `publicSignUp`, which never says an address is
 * taken). 409 when the email has an account. With `verify`, a verification link is
 * queued in the workspace's transaction.
 */
export async function signUp(
  deps: IdentityDeps,
  input: { name: string; email: string; password: string; workspaceName: string },
  headers: IncomingHttpHeaders,
  verify?: { baseUrl: string },
  options: { pending?: boolean } = {},
): Promise<AuthResult<MeView>> {
  const email = normaliseEmail(input.email);
  assertPasswordPolicy(input.password, { email, name: input.name });
  // A pending account holds a placeholder that can receive no mail; its address waits in pending_email.
  const held = options.pending ? pendingPlaceholder() : email;
  const { userId, setCookies } = await createUser(deps, { ...input, email: held }, headers);
  const workspaceId = uuidv7();
  try {
    await deps.database.system(async (tx) => {
      await tx.insertInto('workspaces').values({ id: workspaceId, name: input.workspaceName }).execute();
      await createStandardRoles(tx, workspaceId);
      await tx
        .insertInto('workspace_members')
        .values({ workspace_id: workspaceId, user_id: userId, role: 'administrator' })
        .execute();
      await tx
        .updateTable('users')
        .set({ default_workspace_id: workspaceId, ...(options.pending ? { pending_email: email } : {}) })
        .where('id', '=', userId)
        .execute();
      if (verify) {
        await queueVerificationMail(tx, verify.baseUrl, workspaceId, { id: userId, name: input.name, email });
      }
    });
  } catch (err) {
    await deleteUser(deps, userId);
    throw err;
  }
  const me = await getMe(deps.database, {
    kind: 'user',
    userId,
    workspaceId,
    role: 'administrator',
    scopes: [],
  });
  return { data: me, setCookies };
}

/**
 * Sign-in with email and password, throttled against brute force. With `twoFactor`, an
 * account that has two-factor on also needs `code` (a TOTP code or a recovery code): the
 * password is checked first without starting a session; a right password without a code
 * answers 401 two_factor_required (not counted as a failure); a wrong code counts like a
 * wrong password.
 */
export async function signIn(
  deps: IdentityDeps,
  input: { email: string; password: string; code?: string },
  ip: string,
  headers: IncomingHttpHeaders,
  twoFactor?: TwoFactorService,
): Promise<AuthResult<{ userId: string }>> {
  const typed = normaliseEmail(input.email);
  await reserveSignInAttempt(deps.database, typed, ip);
  const email = await signInAddress(deps.database, typed, input.password);
  const guardedUserId = twoFactor ? await twoFactor.enabledUserId(email) : null;
  if (twoFactor && guardedUserId) {
    if (!(await twoFactor.passwordMatches(guardedUserId, input.password))) {
      await signInFailed(deps.database, ip);
      await auditUserEverywhere(deps.database, email, 'auth.sign_in_failed', { method: 'password' });
      throw new AppError('unauthenticated', 'Invalid email or password');
    }
    if (input.code === undefined) {
      await releaseSignInAttempt(deps.database, typed);
      throw new AppError('two_factor_required', 'Enter the code from your authenticator app (or a recovery code)', {
        errors: [{ path: 'code', message: 'a code from your authenticator app is needed' }],
      });
    }
    if (!(await twoFactor.checkCode(guardedUserId, email, input.code))) {
      await signInFailed(deps.database, ip);
      await auditUserEverywhere(deps.database, email, 'auth.sign_in_failed', { method: 'two_factor' });
      throw new AppError('unauthenticated', 'The code is not correct', {
        errors: [{ path: 'code', message: 'is not correct or was already used' }],
      });
    }
  }
  try {
    const { headers: out, response } = await deps.auth.api.signInEmail({
      body: { email, password: input.password },
      headers: toWebHeaders(headers),
      returnHeaders: true,
    });
    await signInSucceeded(deps.database, typed);
    await auditUserEverywhere(deps.database, email, 'auth.sign_in', {
      method: guardedUserId ? 'password+two_factor' : 'password',
    });
    return { data: { userId: response.user.id }, setCookies: out.getSetCookie() };
  } catch (err) {
    if (isAPIError(err) && (err.statusCode === 401 || err.statusCode === 400 || err.statusCode === 403)) {
      await signInFailed(deps.database, ip);
      await auditUserEverywhere(deps.database, email, 'auth.sign_in_failed', { method: 'password' });
      throw new AppError('unauthenticated', 'Invalid email or password');
    }
    throw err;
  }
}

/** Ends the session; returns the cookies that clear it. */
export async function signOut(deps: IdentityDeps, headers: IncomingHttpHeaders): Promise<string[]> {
  try {
    const { headers: out } = await deps.auth.api.signOut({ headers: toWebHeaders(headers), returnHeaders: true });
    return out.getSetCookie();
  } catch (err) {
    if (isAPIError(err)) return [];
    throw err;
  }
}

/** The caller, their workspace and role (GET /api/v1/me). */
export async function getMe(database: Database, actor: Actor): Promise<MeView> {
  return database.tenantRead(actor.workspaceId, async (tx) => {
    const workspace = await tx
      .selectFrom('workspaces')
      .select(['id', 'name'])
      .where('id', '=', actor.workspaceId)
      .executeTakeFirstOrThrow();
    const user = actor.userId
      ? await tx
          .selectFrom('users')
          .select(['id', 'name', 'email', 'pending_email', 'email_verified'])
          .where('id', '=', actor.userId)
          .executeTakeFirst()
      : undefined;
    return {
      // A pending account sees the address it asked for, unverified (it is not claimed until verified).
      user: user
        ? { id: user.id, name: user.name, email: user.pending_email ?? user.email, emailVerified: user.email_verified }
        : null,
      workspace,
      role: actor.role,
      via: actor.kind === 'api_key' ? 'api_key' : 'session',
      ...(actor.apiKeyId ? { apiKeyId: actor.apiKeyId } : {}),
      scopes: actor.scopes,
    };
  });
}

/** A workspace of the caller: `current` is the one this request acts in, `default` the one used without a Rapport-Workspace header. */
export type WorkspaceChoice = TWorkspaceChoice;

/**
 * The workspaces the caller may switch between (GET /api/v1/me/workspaces): every
 * membership of a signed-in user, default first; an API key only has its own.
 */
export async function listMyWorkspaces(database: Database, actor: Actor): Promise<WorkspaceChoice[]> {
  if (actor.kind === 'api_key') {
    const me = await getMe(database, actor);
    return [{ ...me.workspace, role: actor.role, current: true, default: true }];
  }
  // Memberships span workspaces, so this reads outside any one tenant, for this user only.
  return database.system(async (tx) => {
    const rows = await sql<{ id: string; name: string; role: RoleKey; is_default: boolean }>`
      select w.id, w.name, m.role, coalesce(w.id = u.default_workspace_id, false) as is_default
      from workspace_members m
      join workspaces w on w.id = m.workspace_id
      join users u on u.id = m.user_id
      where m.user_id = ${actor.userId}
      order by is_default desc, m.created_at, w.name`.execute(tx);
    return rows.rows.map((r) => ({
      id: r.id,
      name: r.name,
      role: r.role,
      current: r.id === actor.workspaceId,
      default: r.is_default,
    }));
  });
}

/** Adds an existing user to a workspace with a role (idempotent); used by invitations and the CLI. */
export async function addMember(database: Database, workspaceId: string, userId: string, role: RoleKey): Promise<void> {
  await database.system(async (tx) => {
    await tx
      .insertInto('workspace_members')
      .values({ workspace_id: workspaceId, user_id: userId, role })
      .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doUpdateSet({ role }))
      .execute();
    await sql`update users set default_workspace_id = coalesce(default_workspace_id, ${workspaceId}::uuid)
              where id = ${userId}`.execute(tx);
    // Other app servers may have cached "not a member" (or the old role) for this user.
    await notifyAccessChange(tx, { workspaceId, userId });
  });
}

export { createUser, normaliseEmail };

/**
 * Changes the signed-in user's password: the current one must be given (and wrong
 * guesses count against the same throttle as sign-in, so a stolen session cannot
 * brute-force it), the new one must meet the policy; every session of the user is
 * ended and a new one starts for this browser (Better Auth's changePassword).
 */
export async function changePassword(
  deps: IdentityDeps,
  user: { id: string; email: string; name: string },
  input: { currentPassword: string; newPassword: string },
  ip: string,
  headers: IncomingHttpHeaders,
): Promise<string[]> {
  assertPasswordPolicy(input.newPassword, { email: user.email, name: user.name }, 'newPassword');
  await reserveSignInAttempt(deps.database, user.email, ip);
  try {
    const { headers: out } = await deps.auth.api.changePassword({
      body: { currentPassword: input.currentPassword, newPassword: input.newPassword, revokeOtherSessions: true },
      headers: toWebHeaders(headers),
      returnHeaders: true,
    });
    await signInSucceeded(deps.database, user.email);
    await auditUserEverywhere(deps.database, user.email, 'auth.password_changed', {});
    return out.getSetCookie();
  } catch (err) {
    if (isAPIError(err) && err.statusCode === 400) {
      await signInFailed(deps.database, ip);
      throw new AppError('validation_failed', 'The current password is not correct', {
        errors: [{ path: 'currentPassword', message: 'is not correct' }],
      });
    }
    throw err;
  }
}

export type SessionView = TSession;

/** The signed-in user's live sessions, newest first (ids only: tokens never leave the server). */
export async function listSessions(deps: IdentityDeps, headers: IncomingHttpHeaders): Promise<SessionView[]> {
  const web = toWebHeaders(headers);
  const [sessions, current] = await Promise.all([
    deps.auth.api.listSessions({ headers: web }),
    deps.auth.api.getSession({ headers: web }),
  ]);
  return sessions
    .map((s) => ({
      id: s.id,
      current: s.id === current?.session.id,
      createdAt: new Date(s.createdAt).toISOString(),
      expiresAt: new Date(s.expiresAt).toISOString(),
      lastSeenAt: new Date(s.updatedAt ?? s.createdAt).toISOString(),
      ipAddress: s.ipAddress ?? null,
      userAgent: s.userAgent ?? null,
    }))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Ends one of the signed-in user's sessions by id (404 for any other id). */
export async function revokeSessionById(deps: IdentityDeps, headers: IncomingHttpHeaders, id: string): Promise<void> {
  const web = toWebHeaders(headers);
  const sessions = await deps.auth.api.listSessions({ headers: web });
  const target = sessions.find((s) => s.id === id);
  if (!target) throw new AppError('not_found', 'No such session');
  await deps.auth.api.revokeSession({ body: { token: target.token }, headers: web });
}

/** Ends every session of the signed-in user, this one included; returns the cookies that clear it. */
export async function signOutEverywhere(deps: IdentityDeps, headers: IncomingHttpHeaders): Promise<string[]> {
  await deps.auth.api.revokeOtherSessions({ headers: toWebHeaders(headers) });
  return signOut(deps, headers);
}
