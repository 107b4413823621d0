import { sql } from 'kysely';
import type { Tx } from '../db/database';
import { presentRow, selectColumns } from './query';
import type { RecordContext, RecordService } from './records.service';
import type { FieldDef } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Names for the values of a person, team or to-one relation field: users' and teams' names,
 * and the titles of related records the caller may read (as their role sees the title).
 */
export async function nameRecords(
  records: RecordService,
  tx: Tx,
  ctx: RecordContext,
  field: FieldDef,
  ids: string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((id) => UUID.test(id));
  if (unique.length === 0) return new Map();
  if (field.type === 'user') {
    const { rows } =
      field.name === 'teamId'
        ? await sql<{ id: string; name: string }>`select id, name from teams where id = any(${unique}::uuid[])`.execute(
            tx,
          )
        : await sql<{ id: string; name: string }>`
            select u.id, u.name from users u join workspace_members m on m.user_id = u.id
            where u.id = any(${unique}::uuid[])`.execute(tx);
    return new Map(rows.map((r) => [r.id, r.name]));
  }
  const target = field.relation?.object;
  const schema = target ? ctx.schemas.get(target) : undefined;
  if (!target || !schema || !ctx.policy.can(target, 'read')) return new Map();
  const titles = schema.def.titleFields.filter((f) => schema.field(f));
  const { rows } = await sql<Record<string, unknown>>`
    select ${selectColumns(schema, titles)} from ${records.scopedRelation(ctx, target)} t
    where t.id = any(${unique}::uuid[])`.execute(tx);
  return new Map(
    rows.map((row) => {
      const r = presentRow(schema, row, titles);
      const title = titles
        .map((f) => r[f])
        .filter((v) => typeof v === 'string' && v)
        .join(' ');
      return [row.id as string, title || `Untitled ${schema.def.singular}`];
    }),
  );
}
