import { sql } from 'kysely';
import type { z } from 'zod';
import type { StaffEntrySchema } from '../../../common/contracts/staff';
import type { RolePermissions } from '../../platform/access/permissions';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import { loadSchemas } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import { STAFF_SELF_EDITABLE } from './staff.object';

/**
 * The caller acting on their own staff entry: every field visible (their private ones
 * too), only STAFF_SELF_EDITABLE writable, and no other entry reachable (row rule on
 * userId). It goes through the record engine like any read or write, so validation,
 * versions, the audit log (changes and sensitive reads) and API-key scopes all apply.
 */
async function selfActor(tx: Tx, records: RecordService, actor: Actor): Promise<Actor & { userId: string }> {
  if (!actor.userId) throw notFound('Staff entry');
  const schema = (await loadSchemas(tx, records.registry)).get('staff');
  const editable = new Set<string>(STAFF_SELF_EDITABLE);
  const fields: Record<string, 'readOnly'> = {};
  for (const f of schema?.fields() ?? []) if (!editable.has(f.def.name)) fields[f.def.name] = 'readOnly';
  const permissions: RolePermissions = {
    objects: {
      staff: {
        read: true,
        update: true,
        create: false,
        delete: false,
        export: false,
        scope: 'all',
        fields,
        where: { field: 'userId', op: 'eq', value: actor.userId },
      },
    },
  };
  return { ...actor, userId: actor.userId, permissions };
}

async function ownEntryId(tx: Tx, userId: string): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    select id from staff_scoped where user_id = ${userId}::uuid and deleted_at is null`.execute(tx);
  if (!rows[0]) throw notFound('Staff entry');
  return rows[0].id;
}

/** A staff record: id, version and the required displayName beside its other fields. */
type StaffEntry = z.infer<typeof StaffEntrySchema>;

/** The caller's own staff entry, private fields included (the read is audited as sensitive). */
export async function getOwnStaffEntry(tx: Tx, records: RecordService, actor: Actor): Promise<StaffEntry> {
  const self = await selfActor(tx, records, actor);
  return (await records.get(tx, self, 'staff', await ownEntryId(tx, self.userId))) as StaffEntry;
}

/** Changes the caller's own phones, location and private fields (other fields answer "is read-only"). */
export async function updateOwnStaffEntry(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  body: unknown,
  ifMatch?: number,
): Promise<StaffEntry> {
  const self = await selfActor(tx, records, actor);
  return (await records.update(tx, self, 'staff', await ownEntryId(tx, self.userId), body, ifMatch)) as StaffEntry;
}
