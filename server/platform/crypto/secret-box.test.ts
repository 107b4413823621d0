import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from './secret-box';

const KEY = 'k'.repeat(40);
const OTHER = 'o'.repeat(40);
const CONTEXT = 'webhook_subscriptions.secret:ws-1:sub-1';

describe('SecretBox (AES-256-GCM, versioned, key id, bound to a context)', () => {
  it('round-trips, with a fresh IV per value and nothing of the plaintext in the sealed form', () => {
    const box = new SecretBox(KEY);
    const a = box.seal('whsec_abc', CONTEXT);
    const b = box.seal('whsec_abc', CONTEXT);
    expect(a).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('abc');
    expect(box.open(a, CONTEXT)).toBe('whsec_abc');
    expect(box.open(b, CONTEXT)).toBe('whsec_abc');
    expect(box.open(box.seal('', CONTEXT), CONTEXT)).toBe('');
    expect(box.open(box.seal('ünïcødé ✓', CONTEXT), CONTEXT)).toBe('ünïcødé ✓');
  });

  it('refuses a tampered value: any changed byte of IV, ciphertext or tag', () => {
    const box = new SecretBox(KEY);
    const sealed = box.seal('whsec_abc', CONTEXT);
    const [v, id, packed] = sealed.split(':') as [string, string, string];
    const raw = Buffer.from(packed, 'base64url');
    for (const at of [0, 12, raw.length - 1]) {
      const changed = Buffer.from(raw);
      changed[at] = (changed[at] as number) ^ 1;
      expect(() => box.open(`${v}:${id}:${changed.toString('base64url')}`, CONTEXT)).toThrow(SecretBoxError);
    }
    expect(() => box.open(`${v}:${id}:${raw.subarray(0, 20).toString('base64url')}`, CONTEXT)).toThrow(SecretBoxError);
    expect(() => box.open('whsec_plain', CONTEXT)).toThrow(SecretBoxError);
  });

  it('refuses another key, and another context (a value copied to another row or workspace)', () => {
    const sealed = new SecretBox(KEY).seal('whsec_abc', CONTEXT);
    expect(() => new SecretBox(OTHER).open(sealed, CONTEXT)).toThrow(/unknown key/);
    // Same key id forged onto another key's box: authentication still fails.
    const other = new SecretBox(OTHER).seal('whsec_abc', CONTEXT);
    const forged = `v1:${sealed.split(':')[1]}:${other.split(':')[2]}`;
    expect(() => new SecretBox(KEY).open(forged, CONTEXT)).toThrow(/failed authentication/);
    expect(() => new SecretBox(KEY).open(sealed, 'webhook_subscriptions.secret:ws-2:sub-1')).toThrow(SecretBoxError);
  });

  it('after a rotation, opens values of the previous key and tells them apart for resealing', () => {
    const old = new SecretBox(OTHER).seal('whsec_old', CONTEXT);
    const box = new SecretBox(KEY, [OTHER]);
    expect(box.open(old, CONTEXT)).toBe('whsec_old');
    expect(box.needsSealing(old)).toBe(true);
    expect(box.needsSealing('whsec_legacy_plain')).toBe(true);
    expect(box.needsSealing(box.seal('x', CONTEXT))).toBe(false);
    expect(box.openStored('whsec_legacy_plain', CONTEXT)).toBe('whsec_legacy_plain');
    expect(box.openStored(old, CONTEXT)).toBe('whsec_old');
  });

  it('never puts the plaintext or the key in its errors', () => {
    const sealed = new SecretBox(KEY).seal('whsec_topsecret', CONTEXT);
    try {
      new SecretBox(KEY).open(sealed, 'elsewhere');
      expect.unreachable();
    } catch (err) {
      expect(String((err as Error).message)).not.toMatch(/topsecret|kkkk/);
    }
  });
});
