import { sql } from 'kysely';
import { membershipOf } from '../auth/actor';
import { hashToken, newToken } from '../auth/tokens';
import type { Database, Tx } from '../db/database';
import { isPgError } from '../db/pg-errors';
import { AppError } from '../http/errors';
import { hit } from '../http/rate-limits';
import { enqueueMail } from '../mail/outbox';

/** How long an email-verification link works. */
export const VERIFY_TTL_HOURS = 48;
/** Verification mails one account may ask for per hour (each sends an email). */
export const RESEND_MAX_PER_HOUR = 5;
const PREFIX = 'email-verify:';

const invalid = () =>
  new AppError('validation_failed', 'This verification link is invalid, used or expired; ask for a new one', {
    errors: [{ path: 'token', message: 'is invalid, used or expired' }],
  });

const linkTo = (baseUrl: string, path: string, token: string) =>
  `${baseUrl.replace(/\/$/, '')}${path}?token=${encodeURIComponent(token)}`;

/**
 * Queues, in the caller's transaction, a mail with a link that proves `user.email`
 * belongs to the user. The token is stored only as its SHA-256 (Better Auth's
 * `verifications` table, with the address it was sent to), replaces any earlier one
 * of the user, expires after VERIFY_TTL_HOURS and works once. The mail is marked
 * confidential so administrators reading the outbox never see the link.
 */
export async function queueVerificationMail(
  tx: Tx,
  baseUrl: string,
  workspaceId: string,
  user: { id: string; name: string; email: string },
): Promise<void> {
  const token = newToken('rve');
  await sql`delete from verifications where value = ${user.id} and starts_with(identifier, ${PREFIX})`.execute(tx);
  await sql`insert into verifications (id, identifier, value, expires_at)
    values (gen_random_uuid(), ${PREFIX + hashToken(token)}, ${user.id},
            now() + make_interval(hours => ${VERIFY_TTL_HOURS}))`.execute(tx);
  await enqueueMail(tx, workspaceId, {
    to: user.email,
    subject: 'Confirm your email address for Rapport',
    text:
      `Hello ${user.name},\n\nConfirm that ${user.email} is your address by opening this link within ${VERIFY_TTL_HOURS} hours:\n\n` +
      `${linkTo(baseUrl, '/verify-email', token)}\n\nIf you did not create a Rapport account, ignore this mail.\n`,
    confidential: true,
  });
}

/**
 * Tells the owner of an already registered address that someone signed up with it
 * (sign-up answers such an attempt exactly like a new one, with a separate account
 * whose address stays pending, so only the owner learns of it). Sent through the
 * outbox of the user's workspace; an account in no workspace has no outbox and gets
 * nothing.
 */
export async function queueSignUpAttemptMail(
  database: Database,
  baseUrl: string,
  user: { id: string; name: string; email: string },
): Promise<void> {
  const membership = await membershipOf(database, user.id);
  if (!membership) return;
  const base = baseUrl.replace(/\/$/, '');
  await database.system((tx) =>
    enqueueMail(tx, membership.workspaceId, {
      to: user.email,
      subject: 'Someone signed up to Rapport with your address',
      text:
        `Hello ${user.name},\n\nSomeone (perhaps you) created a Rapport account with ${user.email}, ` +
        `which already belongs to your account. Your account is unchanged: the new one is separate and does not ` +
        `get your address, and it cannot sign in with it, receive your invitations or your mail.\n\n` +
        `Sign in: ${base}/sign-in\n` +
        `Forgot your password? Choose a new one: ${base}/forgot-password\n\nIf it was not you, you need do nothing.\n`,
    }),
  );
}

const inUse = () =>
  new AppError(
    'already_exists',
    'This address is already used by another Rapport account, so it cannot be added to this one. ' +
      'If that account is yours, sign in to it, or reset its password by email.',
    { errors: [{ path: 'token', message: 'the address belongs to another account' }] },
  );

/**
 * Confirms an address with an emailed token: the token is consumed atomically (a
 * second or parallel use finds nothing) and the user's email counts as verified.
 * Needs no session: the link may be opened on another device. For a pending account
 * (issue 12.9) this is how it claims the address it asked for: only if no other
 * account holds it (else 409 `already_exists`, and nothing changes: no merge).
 */
export async function confirmEmail(database: Database, token: string): Promise<{ userId: string }> {
  const identifier = PREFIX + hashToken(token);
  return database.system(async (tx) => {
    const used = await sql<{ value: string }>`
      delete from verifications where identifier = ${identifier} and expires_at > now() returning value`.execute(tx);
    const userId = used.rows[0]?.value;
    if (!userId) throw invalid();
    const user = await tx
      .selectFrom('users')
      .select(['id', 'pending_email'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user) throw invalid();
    if (user.pending_email) {
      const holder = await tx
        .selectFrom('users')
        .select('id')
        .where('email', '=', user.pending_email)
        .executeTakeFirst();
      if (holder) throw inUse();
      // The unique key on users.email settles a race with a sign-up or another claim.
      const claimed = await sql`update users set email = pending_email, pending_email = null, email_verified = true
        where id = ${userId} and not exists (select 1 from users o where o.email = ${user.pending_email})
        returning 1`
        .execute(tx)
        .catch((err: unknown) => {
          if (isPgError(err, 'uniqueViolation')) throw inUse();
          throw err;
        });
      if (claimed.rows.length === 0) throw inUse();
      return { userId };
    }
    await tx.updateTable('users').set({ email_verified: true }).where('id', '=', userId).execute();
    return { userId };
  });
}

/**
 * Sends the signed-in user a new verification link (nothing when the address is
 * verified already). Limited per account, in the database so every app server
 * agrees: RESEND_MAX_PER_HOUR, then 429 with Retry-After.
 */
export async function resendVerification(
  database: Database,
  baseUrl: string,
  user: { id: string },
  workspaceId: string,
): Promise<void> {
  await database.system(async (tx) => {
    const h = await hit(tx, 'auth.verify-resend', user.id, 3600);
    if (h.hits > RESEND_MAX_PER_HOUR) {
      throw new AppError('rate_limited', `Too many verification mails; retry in ${h.resetSeconds} seconds`, {
        retryAfterSeconds: h.resetSeconds,
      });
    }
  });
  await database.system(async (tx) => {
    const row = await tx
      .selectFrom('users')
      .select(['id', 'name', 'email', 'pending_email', 'email_verified'])
      .where('id', '=', user.id)
      .executeTakeFirst();
    if (!row || (row.email_verified && !row.pending_email)) return;
    // A pending account's link goes to the address it asked for: only its owner can use it.
    await queueVerificationMail(tx, baseUrl, workspaceId, { ...row, email: row.pending_email ?? row.email });
  });
}
