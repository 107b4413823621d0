import {
  type CipherGCM,
  createCipheriv,
  createDecipheriv,
  createHmac,
  type DecipherGCM,
  randomBytes,
  scrypt,
  timingSafeEqual,
} from 'node:crypto';
import fs from 'node:fs';

/**
 * The outside of a backup file: one plain JSON line naming the format, the
 * compression and (when a passphrase was given) the encryption parameters, then the
 * gzip-compressed body, AES-256-GCM encrypted when there is a passphrase, the 16-byte
 * GCM tag last. The header line is the cipher's additional authenticated data, so
 * changing a parameter fails authentication like changing a body byte.
 */
export const ENVELOPE_FORMAT = 1;
export const PASSPHRASE_ENV = 'RAPPORT_BACKUP_PASSPHRASE';
export const MIN_PASSPHRASE_LENGTH = 8;

const TAG_BYTES = 16;
const MAX_HEADER_BYTES = 4096;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_CHECK_LABEL = 'rapport-backup-key-check';

export interface EnvelopeHeader {
  rapportBackup: typeof ENVELOPE_FORMAT;
  compression: 'gzip';
  encryption: null | {
    cipher: 'aes-256-gcm';
    kdf: 'scrypt';
    N: number;
    r: number;
    p: number;
    salt: string;
    iv: string;
    /** HMAC of a fixed label under a key derived with the data key: tells a wrong passphrase at once. */
    check: string;
  };
}

/** A backup that cannot be read: damaged, altered, truncated, or opened with the wrong passphrase. */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** Refuses passphrases too short to be worth deriving a key from. */
export function assertPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH)
    throw new BackupError(`The backup passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long`);
}

async function deriveKeys(
  passphrase: string,
  salt: Buffer,
  params: { N: number; r: number; p: number },
): Promise<{ data: Buffer; check: Buffer }> {
  if (params.N > 2 ** 20 || params.r > 32 || params.p > 16)
    throw new BackupError('Unsupported key-derivation settings');
  const bytes = await new Promise<Buffer>((resolve, reject) =>
    scrypt(passphrase, salt, 64, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
  return { data: bytes.subarray(0, 32), check: bytes.subarray(32) };
}

const keyCheck = (checkKey: Buffer) => createHmac('sha256', checkKey).update(KEY_CHECK_LABEL).digest().subarray(0, 16);

/** A new envelope: its header line and, with a passphrase, the cipher the body goes through. */
export async function sealEnvelope(
  passphrase: string | undefined,
): Promise<{ headerLine: Buffer; cipher: CipherGCM | null }> {
  if (passphrase === undefined) {
    const header: EnvelopeHeader = { rapportBackup: ENVELOPE_FORMAT, compression: 'gzip', encryption: null };
    return { headerLine: Buffer.from(`${JSON.stringify(header)}\n`), cipher: null };
  }
  assertPassphrase(passphrase);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const keys = await deriveKeys(passphrase, salt, SCRYPT);
  const header: EnvelopeHeader = {
    rapportBackup: ENVELOPE_FORMAT,
    compression: 'gzip',
    encryption: {
      cipher: 'aes-256-gcm',
      kdf: 'scrypt',
      ...SCRYPT,
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      check: keyCheck(keys.check).toString('base64'),
    },
  };
  const headerLine = Buffer.from(`${JSON.stringify(header)}\n`);
  const cipher = createCipheriv('aes-256-gcm', keys.data, iv);
  cipher.setAAD(headerLine);
  return { headerLine, cipher };
}

/** An opened backup file: where its body starts and ends, and the decipher it goes through (null: not encrypted). */
export interface OpenedEnvelope {
  header: EnvelopeHeader;
  bodyStart: number;
  /** Inclusive end offset of the body (for fs.createReadStream). */
  bodyEnd: number;
  decipher: DecipherGCM | null;
}

/**
 * Reads and checks a backup file's envelope: refuses a file that is not a Rapport
 * backup, one too short to hold its tag, and an encrypted one without the right passphrase.
 */
export async function openEnvelope(file: string, passphrase: string | undefined): Promise<OpenedEnvelope> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (err) {
    throw new BackupError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const { size } = await handle.stat();
    const start = Buffer.alloc(Math.min(MAX_HEADER_BYTES, size));
    await handle.read(start, 0, start.length, 0);
    const newline = start.indexOf(0x0a);
    let header: EnvelopeHeader;
    try {
      if (newline < 0) throw new Error('no header line');
      header = JSON.parse(start.subarray(0, newline).toString('utf8'));
    } catch {
      throw new BackupError(`${file} is not a Rapport backup (no backup header at its start)`);
    }
    if (header?.rapportBackup !== ENVELOPE_FORMAT || header.compression !== 'gzip')
      throw new BackupError(`${file} is not a Rapport backup this version can read (format ${header?.rapportBackup})`);
    const headerLine = start.subarray(0, newline + 1);
    const bodyStart = newline + 1;
    const enc = header.encryption;
    if (!enc) return { header, bodyStart, bodyEnd: size - 1, decipher: null };
    if (enc.cipher !== 'aes-256-gcm' || enc.kdf !== 'scrypt')
      throw new BackupError(`${file} uses an encryption this version cannot read`);
    if (passphrase === undefined)
      throw new BackupError(
        `${file} is encrypted: give its passphrase with --passphrase-file FILE or the ${PASSPHRASE_ENV} environment variable`,
      );
    if (size < bodyStart + TAG_BYTES) throw new BackupError(`${file} is truncated: it ends before its body does`);
    const keys = await deriveKeys(passphrase, Buffer.from(enc.salt, 'base64'), enc);
    const expected = Buffer.from(enc.check, 'base64');
    const actual = keyCheck(keys.check);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual))
      throw new BackupError('Wrong passphrase: this backup was encrypted with another one');
    const tag = Buffer.alloc(TAG_BYTES);
    await handle.read(tag, 0, TAG_BYTES, size - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', keys.data, Buffer.from(enc.iv, 'base64'));
    decipher.setAAD(headerLine);
    decipher.setAuthTag(tag);
    return { header, bodyStart, bodyEnd: size - TAG_BYTES - 1, decipher };
  } finally {
    await handle.close();
  }
}

/** Turns a low-level stream error (zlib, GCM) into a message for the operator. */
export function explainReadError(file: string, err: unknown): Error {
  if (err instanceof BackupError) return err;
  const e = err as NodeJS.ErrnoException & { severity?: string };
  if (e && typeof e === 'object' && 'severity' in e) return e; // the database's own error, not the file's
  const message = e?.message ?? String(err);
  if (/unexpected end of file/i.test(message))
    return new BackupError(`${file} is truncated: the backup ends before its last byte`);
  if (/unable to authenticate data/i.test(message))
    return new BackupError(`${file} is damaged or was altered: it fails the encryption's authentication check`);
  if (e?.code?.startsWith('Z_') || /incorrect header check|invalid (stored block|distance|code|block)/i.test(message))
    return new BackupError(`${file} is damaged or was altered: its compressed data is corrupt (${message})`);
  return err instanceof Error ? err : new Error(message);
}
