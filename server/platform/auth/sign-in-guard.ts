import type { Database } from '../db/database';
import { AppError } from '../http/errors';
import { hit, peek, resetHits, unhit } from '../http/rate-limits';

/** Brute-force protection, kept in the database so every app server agrees. */
export const SIGN_IN_LIMITS = {
  windowSeconds: 15 * 60,
  /** Password checks for one account within the window before sign-in is refused. */
  perEmail: 5,
  /** Failed attempts from one address within the window (password spraying); see below. */
  perIp: 30,
};

const ACCOUNT = 'sign_in.account';
const ADDRESS = 'sign_in.address';

const tooMany = (retryAfterSeconds: number) =>
  new AppError('too_many_attempts', 'Too many failed sign-in attempts; try again later.', { retryAfterSeconds });

/**
 * Reserves one password check for `email` from `ip`, BEFORE the password is
 * verified, or throws 429 with Retry-After. The account's count is taken with one
 * atomic upsert, so 25 parallel guesses get counts 1…25 and only the first five are
 * verified. Call `signInSucceeded` / `signInFailed` with the outcome.
 *
 * Per address: past `perIp` failures from one address, that address may still try
 * accounts that are not themselves under attack (no failed attempt in the window),
 * but gets no further guess at an account that already has one. One office behind
 * one proxy is not locked out because someone there sprays passwords; the sprayer
 * gets at most one guess per account and window (see docs/ARCHITECTURE.md).
 */
export async function reserveSignInAttempt(database: Database, email: string, ip: string): Promise<void> {
  const { windowSeconds, perEmail, perIp } = SIGN_IN_LIMITS;
  const account = await hit(database.db, ACCOUNT, email, windowSeconds);
  if (account.hits > perEmail) throw tooMany(account.resetSeconds);
  const address = await peek(database.db, ADDRESS, ip);
  if (address.hits >= perIp && account.hits > 1) {
    // Over the address limit and the account already had a failure: this guess is not verified.
    await unhit(database.db, ACCOUNT, email);
    throw tooMany(address.resetSeconds);
  }
}

/** A correct password: the account's failures are forgotten. */
export async function signInSucceeded(database: Database, email: string): Promise<void> {
  await resetHits(database.db, ACCOUNT, email);
}

/** A wrong password: it stays counted for the account, and counts for the address. */
export async function signInFailed(database: Database, ip: string): Promise<void> {
  await hit(database.db, ADDRESS, ip, SIGN_IN_LIMITS.windowSeconds);
}

/**
 * The password was right but a second factor is still to come (the answer asks for the
 * code): the reserved check is given back, so asking for the code is not a failure. A
 * wrong code is (`signInFailed`), like a wrong password.
 */
export async function releaseSignInAttempt(database: Database, email: string): Promise<void> {
  await unhit(database.db, ACCOUNT, email);
}
