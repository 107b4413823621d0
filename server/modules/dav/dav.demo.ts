import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Actor } from '../../platform/auth/actor';
import { hashPassword } from '../../platform/auth/auth';
import type { RoleKey } from '../../platform/db/schema';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { DEMO_EMAIL } from '../demo';
import { newAppPassword, newUsername } from './app-passwords.service';
import { COLLECTIONS, DavService } from './dav.service';

/** The file name the demo's phone-made contact has in the address book. */
export const DEMO_PHONE_CARD = 'demo-from-phone.vcf';

/**
 * The demo administrator's phone sync, once: an app password for "Demo tablet" (its password
 * is random and never shown: the page lists it, a real one is made there) and a contact
 * added from that tablet, whose card carries properties Rapport has no field for (a
 * nickname, a phonetic name, an Android-specific line) that stay in the address book.
 */
export async function seedDavDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: RoleKey }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const owner = rows[0];
  if (!owner) return null;
  const actor: Actor = {
    kind: 'user',
    userId: owner.user_id,
    workspaceId: owner.workspace_id,
    role: owner.role,
    scopes: [],
  };
  const hash = await hashPassword(newAppPassword());
  await database.tenant(owner.workspace_id, async (tx) => {
    const { rows: existing } = await sql`select 1 from app_passwords limit 1`.execute(tx);
    if (existing.length > 0) return;
    await sql`insert into app_passwords (workspace_id, id, user_id, name, username, password_hash, created_at, last_used_at)
      values (${owner.workspace_id}, ${uuidv7()}, ${owner.user_id}, 'Demo tablet', ${newUsername()}, ${hash},
        now() - interval '9 days', now() - interval '2 hours')`.execute(tx);
    const book = COLLECTIONS.find((c) => c.slug === 'contacts');
    if (!book) return;
    const card = [
      'BEGIN:VCARD',
      'VERSION:4.0',
      'UID:demo-tablet-noor-haddad',
      'FN:Noor Haddad',
      'N:Haddad;Noor;;;',
      'NICKNAME:Noor from the trade fair',
      'EMAIL;TYPE=work:noor.haddad@example.com',
      'TEL;TYPE=cell;VALUE=uri:tel:+971-4-555-0134',
      'TITLE:Procurement lead',
      'X-PHONETIC-LAST-NAME:Had-dad',
      'X-ANDROID-CUSTOM:vnd.android.cursor.item/relation;Sami;1;;;;;;;;;;;;;',
      'NOTE:Met at the Dubai trade fair; wants a quote in Q3.',
      'END:VCARD',
      '',
    ].join('\r\n');
    await new DavService(records, '').put(tx, actor, book, DEMO_PHONE_CARD, card, { ifNoneMatch: '*' });
  });
  return null;
}
