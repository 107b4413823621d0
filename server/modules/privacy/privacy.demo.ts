import { sql } from 'kysely';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import { CustomFieldService } from '../../platform/records/custom-fields.service';
import { invalidateSchemas } from '../../platform/records/object-schema';
import { DEMO_EMAIL } from '../demo';
import { completeRequest, createRequest } from './privacy.service';
import { privacyActor } from './subject';

/** A sensitive custom field on contacts (encrypted at rest, equality-filterable), and who has one. */
export const DEMO_NATIONAL_IDS = ['QQ123456C', 'AB987654D'];

/**
 * The demo workspace's privacy queue, once: a completed access request from one contact (its
 * export downloadable) and a pending erasure request from another, due in 30 days. Contacts
 * get a sensitive "National ID" field, filled in for two of them (stored encrypted).
 */
export async function seedPrivacyDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string }>`
    select m.workspace_id, m.user_id from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const actor = privacyActor(demo.workspace_id, demo.user_id);
  const now = new Date();
  // The field first, committed on its own: schemas are cached per workspace and invalidated
  // after the change commits (a loader on another connection meanwhile would cache the
  // schema without it: "nationalId: unknown field" on PostgreSQL).
  const fresh = await database.tenant(demo.workspace_id, async (tx) => {
    const { rows: existing } = await sql`select 1 from privacy_requests limit 1`.execute(tx);
    if (existing.length > 0) return false;
    const { rows: field } =
      await sql`select 1 from custom_fields where object = 'contacts' and name = 'nationalId'`.execute(tx);
    if (field.length === 0) {
      await new CustomFieldService(records.registry).create(tx, demo.workspace_id, 'contacts', {
        name: 'nationalId',
        type: 'text',
        label: 'National ID',
        description: 'Government identity number: stored encrypted, findable by the exact number only',
        sensitive: true,
      });
    }
    return true;
  });
  if (!fresh) return null;
  invalidateSchemas(demo.workspace_id);
  const access = await database.tenant(demo.workspace_id, async (tx) => {
    const people = await records.list(tx, actor, 'contacts', {
      limit: 2,
      fields: 'id,email',
      sort: 'createdAt',
      filter: { field: 'email', op: 'isNotEmpty' },
    });
    const [first, second] = people.data.map((p) => String(p.email));
    if (!first || !second) return null;
    for (const [i, p] of people.data.entries())
      await records.update(tx, actor, 'contacts', String(p.id), { nationalId: DEMO_NATIONAL_IDS[i] });
    const ctx = { now, baseUrl: 'http://localhost' };
    const a = await createRequest(
      tx,
      actor,
      { type: 'access', email: first, verified: true, regime: 'gdpr', mode: 'delete', details: 'Asked by phone.' },
      ctx,
    );
    await createRequest(
      tx,
      actor,
      {
        type: 'erasure',
        email: second,
        verified: true,
        regime: 'gdpr',
        mode: 'delete',
        details: 'Left the company; asked to be forgotten.',
        assigneeId: demo.user_id,
      },
      ctx,
    );
    return a.id;
  });
  if (access) await completeRequest(database, records, actor, access, {}, now);
  return null;
}
