import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets the server must read back (webhook signing secrets today; 2FA seeds and
 * provider tokens next), sealed with AES-256-GCM before they are stored.
 *
 * A sealed value is `v1:<key id>:<base64url(iv ‖ ciphertext ‖ tag)>`: a random 12-byte
 * IV per value, the 16-byte tag, and the id of the key that sealed it, so a keyring of
 * the current key plus previous ones can open values sealed before a rotation. A
 * `context` (table, column, workspace, row) is bound as additional authenticated data:
 * a sealed value copied to another row or workspace does not open there.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HKDF_INFO = 'rapport secret-box v1';
/** The blind index key is derived from the same material under a label of its own (never the AES key). */
const BLIND_INFO = 'rapport blind-index v1';

/** Thrown when a value cannot be opened: tampered, another key, another context, or not a sealed value. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

interface Key {
  id: string;
  bytes: Buffer;
  /** HMAC-SHA256 key of the blind indexes (equality search over encrypted fields). */
  blind: Buffer;
}

/** An AES key from operator key material of any length (HKDF-SHA256 with a label of its own). */
function deriveKey(material: string): Key {
  const bytes = Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), HKDF_INFO, 32));
  // The id names the key without revealing it (an HMAC under the key itself).
  const id = createHmac('sha256', bytes).update('rapport key id').digest('hex').slice(0, 8);
  const blind = Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.alloc(0), BLIND_INFO, 32));
  return { id, bytes, blind };
}

const blindOf = (key: Key, value: string, context: string) =>
  createHmac('sha256', key.blind).update(context).update('\u0000').update(value).digest('base64url');

export class SecretBox {
  private readonly current: Key;
  private readonly keys: Map<string, Key>;

  /** `current` seals; `current` and every `previous` key open. */
  constructor(current: string, previous: readonly string[] = []) {
    this.current = deriveKey(current);
    this.keys = new Map([this.current, ...previous.map(deriveKey)].map((k) => [k.id, k]));
  }

  /** The id of the key that seals (the newest key of the ring). */
  get currentKeyId(): string {
    return this.current.id;
  }

  /** The ids of every key that opens, newest first. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  /** The id of the key a sealed value names (undefined for a plain value). */
  static keyIdOf(sealed: string): string | undefined {
    const [version, keyId] = sealed.split(':');
    return version === VERSION ? keyId : undefined;
  }

  /**
   * A keyed blind index of `value` for the place named by `context`: HMAC-SHA256 under
   * a key derived from the current key (not the AES key), so equal values can be found
   * without decrypting and without storing anything that reveals them.
   */
  blindIndex(value: string, context: string): string {
    return blindOf(this.current, value, context);
  }

  /** The blind index of `value` under every key of the ring (matches values not yet re-indexed after a rotation). */
  blindIndexes(value: string, context: string): string[] {
    return [...this.keys.values()].map((k) => blindOf(k, value, context));
  }

  /** Whether `value` has the sealed form (whichever key sealed it); a legacy plain value has not. */
  static isSealed(value: string): boolean {
    return value.startsWith(`${VERSION}:`);
  }

  /** How every value sealed under the current key starts (to find the others in SQL). */
  get currentPrefix(): string {
    return `${VERSION}:${this.current.id}:`;
  }

  /** Whether `value` is sealed under the current key (otherwise it should be sealed again). */
  isCurrent(value: string): boolean {
    return value.startsWith(this.currentPrefix);
  }

  /** Seals `plain` for the place named by `context`. */
  seal(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const packed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
    return `${VERSION}:${this.current.id}:${packed}`;
  }

  /** Opens a sealed value; throws SecretBoxError (never the plaintext or the key) when it cannot. */
  open(sealed: string, context: string): string {
    const [version, keyId, packed, ...rest] = sealed.split(':');
    if (version !== VERSION || !keyId || packed === undefined || rest.length > 0) {
      throw new SecretBoxError('not a sealed value');
    }
    const key = this.keys.get(keyId);
    if (!key) throw new SecretBoxError(`sealed with an unknown key (${keyId})`);
    const raw = Buffer.from(packed, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed value is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new SecretBoxError('sealed value failed authentication (tampered, or another key or place)');
    }
  }

  /**
   * A stored value that may predate sealing: a sealed one is opened, a legacy plain one
   * is returned as it is (callers reseal it: see `needsSealing`).
   */
  openStored(stored: string, context: string): string {
    return SecretBox.isSealed(stored) ? this.open(stored, context) : stored;
  }

  /** Whether a stored value should be (re)written: plain, or sealed under a previous key. */
  needsSealing(stored: string): boolean {
    return !this.isCurrent(stored);
  }
}
