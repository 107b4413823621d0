import { loadStrengthEstimator, passwordProblem } from '../../common/password-strength';

/**
 * The API's password rule (common/password-strength.ts), checked in the browser before a
 * form is sent: the message to show under the password field, or null. The estimator's
 * dictionaries are a chunk of their own, fetched the first time a password is checked
 * (`prefetchPasswordCheck` when the field gets focus); if they cannot be fetched, the
 * server's answer says the same.
 */
export async function checkPassword(
  password: string,
  context: { email?: string; name?: string } = {},
): Promise<string | null> {
  if (!password) return null;
  try {
    const problem = passwordProblem(password, context, await loadStrengthEstimator());
    return problem ? `Password ${problem}` : null;
  } catch {
    return null;
  }
}

/** Starts fetching the estimator (on focus), so the check on leaving the field is instant. */
export function prefetchPasswordCheck(): void {
  loadStrengthEstimator().catch(() => {});
}
