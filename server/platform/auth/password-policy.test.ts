import { describe, expect, it } from 'vitest';
import { passwordProblem as commonProblem, loadStrengthEstimator } from '../../../common/password-strength';
import { STRONG_PASSWORD } from '../../../test/helpers/app';
import { assertPasswordPolicy, passwordProblem } from './password-policy';

describe('the password policy (zxcvbn-ts)', () => {
  it.each([
    'passwordpassword',
    'Password1234!',
    'qwertyuiop123',
    'aaaaaaaaaaaaaaaa',
    'iloveyou123456',
    'abcdefghijklmnop',
  ])('refuses the guessable %s, saying why in words', (password) => {
    const problem = passwordProblem(password);
    expect(problem).toMatch(/^is too easy to guess/);
    expect(problem).toContain('try a phrase of four or more unrelated words');
  });

  it.each([
    STRONG_PASSWORD,
    'a brand new passphrase for rapport',
    'squatters own passphrase',
    'violet tractor mumbles quietly',
  ])('accepts the passphrase %s', (password) => {
    expect(passwordProblem(password)).toBeNull();
  });

  it('refuses what is too short or long, or based on the name or email', () => {
    expect(passwordProblem('Zq8#kw!')).toBe('must be at least 12 characters');
    expect(passwordProblem('x'.repeat(129))).toBe('must be at most 128 characters');
    expect(passwordProblem('margaretsmith1', { email: 'margaretsmith@example.com' })).toBe(
      'must not be based on your name or email',
    );
    // The name is a guessable word to the estimator too.
    expect(passwordProblem('Hildegard Quennell 88', { name: 'Hildegard Quennell' })).toMatch(/too easy to guess/);
  });

  it('the API refuses with a 422 naming the field', () => {
    expect(() => assertPasswordPolicy('passwordpassword', {}, 'newPassword')).toThrow(
      expect.objectContaining({
        code: 'weak_password',
        errors: [{ path: 'newPassword', message: expect.stringMatching(/^is too easy to guess/) }],
      }),
    );
  });

  it('the web app, loading the estimator lazily, applies the same rule', async () => {
    const estimate = await loadStrengthEstimator();
    for (const password of ['passwordpassword', 'Password1234!', STRONG_PASSWORD, 'violet tractor mumbles quietly']) {
      expect(commonProblem(password, {}, estimate)).toBe(passwordProblem(password));
    }
  });
});
