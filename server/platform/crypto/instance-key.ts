import { sql } from 'kysely';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { SecretBox } from './secret-box';

/**
 * The instance's SecretBox. The key is RAPPORT_ENCRYPTION_KEY when set, else one generated
 * once and kept in `instance_settings` (like the session secret). Values sealed under
 * RAPPORT_ENCRYPTION_KEY_PREVIOUS or under the generated key (an operator who sets the
 * variable later) still open, and are sealed again under the current key at start-up.
 * Not derived from the session secret: rotating that one (the answer to a leaked cookie
 * key) must not make every stored secret unreadable.
 */
export async function loadSecretBox(config: Config, database: Database): Promise<SecretBox> {
  if (!config.encryptionKey) {
    await sql`insert into instance_settings (key, value)
              values ('encryption_key', encode(gen_random_bytes(32), 'hex'))
              on conflict (key) do nothing`.execute(database.db);
  }
  const row = await sql<{ value: string }>`select value from instance_settings where key = 'encryption_key'`.execute(
    database.db,
  );
  const stored = row.rows[0]?.value;
  const current = config.encryptionKey ?? stored;
  if (!current) throw new Error('could not load the encryption key');
  const previous = [...config.encryptionKeysPrevious, ...(stored && stored !== current ? [stored] : [])];
  return new SecretBox(current, previous);
}
