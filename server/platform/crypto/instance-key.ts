import { sql } from 'kysely';
import type { Config } from '../config';
import type { Database, Tx } from '../db/database';
import { setFieldBox } from './field-crypto';
import { SecretBox, SecretBoxError } from './secret-box';

/** Where the check value lives and what it is bound to (see `checkKeys`). */
const CHECK_KEY = 'encryption_check';
const CHECK_CONTEXT = 'instance_settings.encryption_check';
const CHECK_PLAIN = 'rapport encryption check';

/** The configured key material, newest first: RAPPORT_ENCRYPTION_KEYS, then RAPPORT_ENCRYPTION_KEY and its previous keys. */
export function configuredKeys(config: Config): string[] {
  return [
    ...config.encryptionKeys.map((k) => k.key),
    ...(config.encryptionKey ? [config.encryptionKey] : []),
    ...config.encryptionKeysPrevious,
  ];
}

/** Thrown at start-up when the configured keys cannot open what the database holds. */
export class EncryptionKeyError extends Error {
  override name = 'EncryptionKeyError';
}

/**
 * The instance's SecretBox: a key ring whose newest key seals and every key opens. The
 * keys are RAPPORT_ENCRYPTION_KEYS (newest first) — or the legacy RAPPORT_ENCRYPTION_KEY
 * with RAPPORT_ENCRYPTION_KEY_PREVIOUS — else one generated once and kept in
 * `instance_settings` (like the session secret and the other generated secrets). The
 * generated key stays in the ring after an operator configures keys, so what it sealed
 * still opens until `rapport keys rotate` seals it again under the newest key.
 * Not derived from the session secret: rotating that one (the answer to a leaked cookie
 * key) must not make every stored secret unreadable.
 *
 * A check value sealed under the ring is kept in `instance_settings`: when the configured
 * keys cannot open it (a key removed before a rotation finished, a wrong or missing key),
 * start-up stops with an EncryptionKeyError naming the key id it needs, instead of
 * serving undecryptable fields.
 */
export async function loadSecretBox(config: Config, database: Database): Promise<SecretBox> {
  const configured = configuredKeys(config);
  if (configured.length === 0) {
    await sql`insert into instance_settings (key, value)
              values ('encryption_key', encode(gen_random_bytes(32), 'hex'))
              on conflict (key) do nothing`.execute(database.db);
  }
  const row = await sql<{ value: string }>`select value from instance_settings where key = 'encryption_key'`.execute(
    database.db,
  );
  const stored = row.rows[0]?.value;
  const [current, ...rest] = configured.length ? configured : stored ? [stored] : [];
  if (!current) throw new Error('could not load the encryption key');
  const previous = [...new Set([...rest, ...(stored && stored !== current ? [stored] : [])])];
  const box = new SecretBox(current, previous);
  await checkKeys(database.db, box);
  setFieldBox(box);
  return box;
}

/** Opens the check value (sealing one on a first start); throws EncryptionKeyError when the ring cannot. */
async function checkKeys(db: Tx, box: SecretBox): Promise<void> {
  await sql`insert into instance_settings (key, value) values (${CHECK_KEY}, ${box.seal(CHECK_PLAIN, CHECK_CONTEXT)})
            on conflict (key) do nothing`.execute(db);
  const { rows } = await sql<{ value: string }>`select value from instance_settings where key = ${CHECK_KEY}`.execute(
    db,
  );
  const sealed = rows[0]?.value ?? '';
  let opened: string | undefined;
  try {
    opened = box.open(sealed, CHECK_CONTEXT);
  } catch (err) {
    if (!(err instanceof SecretBoxError)) throw err;
  }
  if (opened !== CHECK_PLAIN) {
    throw new EncryptionKeyError(
      `The configured encryption keys cannot open this database's encrypted data: it was sealed with key ${SecretBox.keyIdOf(sealed) ?? '(unknown)'}, ` +
        `and RAPPORT_ENCRYPTION_KEYS holds keys ${box.keyIds.join(', ')}. Put the missing key back in RAPPORT_ENCRYPTION_KEYS ` +
        '(after the newest one) and start again; remove an old key only after `rapport keys rotate` has finished.',
    );
  }
}

/** After a rotation: the check value sealed under the newest key, so the older keys may be removed. */
export async function resealKeyCheck(db: Tx, box: SecretBox): Promise<void> {
  await sql`update instance_settings set value = ${box.seal(CHECK_PLAIN, CHECK_CONTEXT)} where key = ${CHECK_KEY}`.execute(
    db,
  );
}
