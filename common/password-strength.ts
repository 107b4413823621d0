import type { OptionsType, ZxcvbnResult } from '@zxcvbn-ts/core';

/**
 * The password rule, one for the API (server/platform/auth/password-policy.ts) and the
 * web app's password forms: 12 to 128 characters, not based on the account's name or
 * email, and hard to guess by a real estimator (zxcvbn-ts, with its common-password,
 * English word, name and keyboard-pattern dictionaries): "passwordpassword" or
 * "Password1234!" are refused, a phrase of a few unrelated words is not. The estimator's
 * dictionaries are large: the server loads them on first use, the web app lazily.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;
/** zxcvbn's score (0–4) a password must reach: 3 is "safely unguessable" (about 10^10 guesses). */
export const MIN_PASSWORD_SCORE = 3;

export interface StrengthEstimate {
  score: number;
  /** Why it is weak, in a sentence ("This is a commonly used password."), or "". */
  warning: string;
}
export type StrengthEstimator = (password: string, userInputs: string[]) => StrengthEstimate;

/** The zxcvbn-ts packages the estimator is built from (loaded by the caller: statically, lazily…). */
export interface ZxcvbnModules {
  core: { ZxcvbnFactory: new (options?: OptionsType) => { check(password: string, inputs?: string[]): ZxcvbnResult } };
  common: { dictionary: OptionsType['dictionary']; adjacencyGraphs: OptionsType['graphs'] };
  en: { dictionary: OptionsType['dictionary']; translations: OptionsType['translations'] };
}

/** An estimator over zxcvbn-ts with the common and English dictionaries and English feedback. */
export function zxcvbnEstimator({ core, common, en }: ZxcvbnModules): StrengthEstimator {
  const zxcvbn = new core.ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    // Off: near-misses of dictionary words cost about a second of CPU per check (measured),
    // which a sign-up must not block the server for; l33t, reversed and repeated words still count.
    useLevenshteinDistance: false,
  });
  return (password, userInputs) => {
    const result = zxcvbn.check(password, userInputs);
    return { score: result.score, warning: result.feedback.warning ?? '' };
  };
}

/** What the estimator should treat as guessable for this account: its name, email and the product's name. */
function personalWords(context: { email?: string; name?: string }): string[] {
  const local = context.email?.split('@')[0];
  return [local, context.email, context.name, ...(context.name?.split(/\s+/) ?? []), 'rapport']
    .filter((s): s is string => !!s && s.length >= 3)
    .map((s) => s.toLowerCase());
}

/**
 * Why `password` is refused, or null when it is acceptable; a phrase to show after
 * "Password" (the API's 422) or under the password field (the web app's forms).
 */
export function passwordProblem(
  password: string,
  context: { email?: string; name?: string },
  estimate: StrengthEstimator,
): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const lower = password.toLowerCase();
  const personal = [context.email?.split('@')[0], context.name?.replace(/\s+/g, '')]
    .filter((s): s is string => !!s && s.length >= 4)
    .map((s) => s.toLowerCase());
  if (personal.some((p) => lower.includes(p) && lower.length - p.length < 6)) {
    return 'must not be based on your name or email';
  }
  const { score, warning } = estimate(password, personalWords(context));
  if (score >= MIN_PASSWORD_SCORE) return null;
  const why = warning ? `: ${warning.charAt(0).toLowerCase()}${warning.slice(1).replace(/\.$/, '')}` : '';
  return `is too easy to guess${why}; try a phrase of four or more unrelated words`;
}

let loading: Promise<StrengthEstimator> | undefined;
/** The estimator, its dictionaries fetched on first use (the web app: a chunk of its own, not in the first load). */
export function loadStrengthEstimator(): Promise<StrengthEstimator> {
  loading ??= Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]).then(([core, common, en]) => zxcvbnEstimator({ core, common, en }));
  return loading;
}
