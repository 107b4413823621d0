import { createRequire } from 'node:module';
import {
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  passwordProblem as problemWith,
  type StrengthEstimator,
  type ZxcvbnModules,
  zxcvbnEstimator,
} from '../../../common/password-strength';
import { AppError } from '../http/errors';

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };

const require = createRequire(import.meta.url);
let estimator: StrengthEstimator | undefined;
/** zxcvbn-ts and its dictionaries, loaded (synchronously) on the first password checked, not at start-up. */
function estimate(): StrengthEstimator {
  estimator ??= zxcvbnEstimator({
    core: require('@zxcvbn-ts/core') as ZxcvbnModules['core'],
    common: require('@zxcvbn-ts/language-common') as ZxcvbnModules['common'],
    en: require('@zxcvbn-ts/language-en') as ZxcvbnModules['en'],
  });
  return estimator;
}

/**
 * Why `password` is refused, or null when it is acceptable: the rule of
 * common/password-strength.ts (12–128 characters, not based on the account's name or
 * email, hard to guess by zxcvbn-ts), the one the web app's forms check too.
 */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}): string | null {
  return problemWith(password, context, estimate());
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
