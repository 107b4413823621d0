import { sql } from 'kysely';
import { auditUserEverywhere, notifyAccessChange } from '../access/access.service';
import { membershipOf } from '../auth/actor';
import { assertPasswordPolicy } from '../auth/password-policy';
import { signInSucceeded } from '../auth/sign-in-guard';
import { hashToken, newToken } from '../auth/tokens';
import { AppError } from '../http/errors';
import { enqueueMail } from '../mail/outbox';
import type { IdentityDeps } from './identity.service';

/** How long a password-reset link works. */
export const RESET_TTL_MINUTES = 60;
const PREFIX = 'password-reset:';

const invalid = () =>
  new AppError('validation_failed', 'This reset link is invalid, used or expired; ask for a new one', {
    errors: [{ path: 'token', message: 'is invalid, used or expired' }],
  });

/**
 * Emails a reset link to `email` if it belongs to an account (through the mail
 * outbox of the user's workspace, marked confidential so administrators reading the
 * outbox never see the link). The token is stored only as its SHA-256 (in Better
 * Auth's `verifications` table) and replaces any earlier one of the user. Callers do
 * not await this: the answer is the same, and as fast, whether the email exists or not.
 */
export async function requestPasswordReset(deps: IdentityDeps & { baseUrl: string }, email: string): Promise<void> {
  const address = email.trim().toLowerCase();
  const user = await deps.database.db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('email', '=', address)
    .executeTakeFirst();
  if (!user) return;
  const membership = await membershipOf(deps.database, user.id);
  if (!membership) return; // no workspace, no outbox to send through
  const token = newToken('rpr');
  const link = `${deps.baseUrl.replace(/\/$/, '')}/reset-password?token=${encodeURIComponent(token)}`;
  await deps.database.system(async (tx) => {
    await sql`delete from verifications where value = ${user.id} and starts_with(identifier, ${PREFIX})`.execute(tx);
    await sql`insert into verifications (id, identifier, value, expires_at)
      values (gen_random_uuid(), ${PREFIX + hashToken(token)}, ${user.id},
              now() + make_interval(mins => ${RESET_TTL_MINUTES}))`.execute(tx);
    await enqueueMail(tx, membership.workspaceId, {
      to: address,
      subject: 'Reset your Rapport password',
      text: `Hello ${user.name},\n\nSomeone (hopefully you) asked to reset the password of your Rapport account.\nChoose a new password here within ${RESET_TTL_MINUTES} minutes:\n\n${link}\n\nIf it was not you, ignore this mail: your password stays as it is.\n`,
      confidential: true,
    });
  });
}

/**
 * Sets a new password with a reset token: the token is consumed atomically (a second
 * use, or a parallel one, finds nothing), every session of the user ends, the
 * sign-in throttle of the account is cleared, and the email counts as verified (the
 * link proved it). An account that was unverified until now may have been registered
 * by someone else: its API keys are revoked too (returned, for the callers' caches).
 */
export async function confirmPasswordReset(
  deps: IdentityDeps,
  input: { token: string; newPassword: string },
): Promise<{ userId: string; revokedApiKeyIds: string[] }> {
  const identifier = PREFIX + hashToken(input.token);
  const { rows } = await sql<{ id: string; email: string; name: string }>`
    select u.id, u.email, u.name from verifications v join users u on u.id::text = v.value
    where v.identifier = ${identifier} and v.expires_at > now()`.execute(deps.database.db);
  const user = rows[0];
  if (!user) throw invalid();
  assertPasswordPolicy(input.newPassword, { email: user.email, name: user.name }, 'newPassword');
  const ctx = await deps.auth.$context;
  const hashed = await ctx.password.hash(input.newPassword);
  const revokedApiKeyIds = await deps.database.system(async (tx) => {
    const used = await sql`delete from verifications where identifier = ${identifier} and expires_at > now()
      returning 1`.execute(tx);
    if (used.rows.length === 0) throw invalid();
    const { numUpdatedRows } = await tx
      .updateTable('auth_accounts' as never)
      .set({ password: hashed, updated_at: new Date() } as never)
      .where('user_id' as never, '=', user.id as never)
      .where('provider_id' as never, '=', 'credential' as never)
      .executeTakeFirst();
    if (Number(numUpdatedRows) === 0) throw invalid();
    const wasUnverified = await tx
      .updateTable('users')
      .set({ email_verified: true })
      .where('id', '=', user.id)
      .where('email_verified', '=', false)
      .executeTakeFirst();
    await tx
      .deleteFrom('sessions' as never)
      .where('user_id' as never, '=', user.id as never)
      .execute();
    if (Number(wasUnverified.numUpdatedRows) === 0) return [];
    const keys = await sql<{ id: string; workspace_id: string }>`
      update api_keys set revoked_at = now() where created_by = ${user.id} and revoked_at is null
      returning id, workspace_id`.execute(tx);
    for (const k of keys.rows) await notifyAccessChange(tx, { workspaceId: k.workspace_id, apiKeyIds: [k.id] });
    return keys.rows.map((k) => k.id);
  });
  await signInSucceeded(deps.database, user.email);
  await auditUserEverywhere(deps.database, user.email, 'auth.password_reset', {});
  return { userId: user.id, revokedApiKeyIds };
}
