import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';

/**
 * Who an email address is about: the contact that has it (the oldest, if several), else the
 * lead. Through the record engine, as `actor` may read. Forms use it to update rather than
 * duplicate; the bounce handler to put a bounce on the person's timeline.
 */
export async function findPersonByEmail(tx: Tx, records: RecordService, actor: Actor, email: string) {
  for (const object of ['contacts', 'leads'] as const) {
    const { data } = await records.list(tx, actor, object, {
      limit: 1,
      fields: 'id',
      sort: 'createdAt',
      filter: { field: 'email', op: 'eq', value: email },
    });
    if (data[0]) return { object, id: String(data[0].id) };
  }
  return null;
}
