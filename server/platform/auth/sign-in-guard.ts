import { sql } from 'kysely';
import type { Database } from '../db/database';
import { AppError } from '../http/errors';

/** Brute-force protection, kept in the database so every app server agrees. */
export const SIGN_IN_LIMITS = {
  windowSeconds: 15 * 60,
  /** Failed attempts for one email within the window before sign-in is refused. */
  perEmail: 5,
  /** Failed attempts from one address within the window (password spraying). */
  perIp: 30,
};

/** Throws 429 with Retry-After when the email or the client address is locked out. */
export async function assertSignInAllowed(database: Database, email: string, ip: string): Promise<void> {
  const { rows } = await sql<{ by_email: number; by_ip: number; oldest: Date | null }>`
    select
      count(*) filter (where email = ${email})::int as by_email,
      count(*) filter (where ip = ${ip})::int as by_ip,
      min(attempted_at) as oldest
    from sign_in_attempts
    where (email = ${email} or ip = ${ip})
      and not success
      and attempted_at > now() - make_interval(secs => ${SIGN_IN_LIMITS.windowSeconds})`.execute(database.db);
  const r = rows[0];
  if (!r) return;
  if (r.by_email >= SIGN_IN_LIMITS.perEmail || r.by_ip >= SIGN_IN_LIMITS.perIp) {
    const oldest = r.oldest ? r.oldest.getTime() : Date.now();
    const retry = Math.max(1, Math.ceil((oldest + SIGN_IN_LIMITS.windowSeconds * 1000 - Date.now()) / 1000));
    throw new AppError('too_many_attempts', 'Too many failed sign-in attempts; try again later.', {
      retryAfterSeconds: retry,
    });
  }
}

/** Records an attempt; a success clears that email's failures. */
export async function recordSignIn(database: Database, email: string, ip: string, success: boolean): Promise<void> {
  await database.system(async (tx) => {
    if (success) {
      await tx.deleteFrom('sign_in_attempts').where('email', '=', email).where('success', '=', false).execute();
    }
    await tx.insertInto('sign_in_attempts').values({ email, ip, success }).execute();
  });
}
