import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, matchTotp, newTotpSecret, otpauthUrl, totpCode, totpStep } from './totp';

// RFC 6238 appendix B: the SHA-1 seed is the ASCII "12345678901234567890"; its 8-digit
// codes end in the 6 digits every authenticator app shows.
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));
const VECTORS: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at %i s the code is %s', (seconds, code) => {
    expect(totpCode(RFC_SECRET, totpStep(seconds * 1000))).toBe(code);
  });

  it('base32 round-trips and ignores case, spaces and padding', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 17, 99]);
    const text = base32Encode(bytes);
    expect(base32Decode(text)).toEqual(bytes);
    expect(base32Decode(`${text.toLowerCase().slice(0, 4)} ${text.slice(4)}====`)).toEqual(bytes);
    expect(() => base32Decode('abc1')).toThrow();
  });

  it('accepts the step before and after, nothing further, and only six digits', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const at = 1_800_000_000_000;
    const step = totpStep(at);
    expect(matchTotp(secret, totpCode(secret, step), at)).toBe(step);
    expect(matchTotp(secret, totpCode(secret, step - 1), at)).toBe(step - 1);
    expect(matchTotp(secret, totpCode(secret, step + 1), at)).toBe(step + 1);
    // Two steps away is refused, unless it happens to equal a code inside the window.
    const far = totpCode(secret, step + 2);
    const inside = [-1, 0, 1].map((d) => totpCode(secret, step + d));
    if (!inside.includes(far)) expect(matchTotp(secret, far, at)).toBeNull();
    expect(matchTotp(secret, ` ${totpCode(secret, step)}`, at)).toBeNull();
    expect(matchTotp(secret, 'abcdef', at)).toBeNull();
  });

  it('builds the otpauth URL authenticator apps read', () => {
    const text = otpauthUrl('Rapport', 'ada@example.com', 'JBSWY3DPEHPK3PXP');
    expect(text.startsWith('otpauth://totp/Rapport:ada%40example.com?')).toBe(true);
    expect(Object.fromEntries(new URL(text).searchParams)).toEqual({
      secret: 'JBSWY3DPEHPK3PXP',
      issuer: 'Rapport',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});
