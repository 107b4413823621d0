import { sql } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import type { RecordContext } from './records.service';

/** A table linking to any record by (object name, id) under other names than related_object/related_id. */
export interface PolymorphicTable {
  table: string;
  objectColumn: string;
  idColumn: string;
}

interface Reference {
  table: string;
  column: string;
  /** Other columns of each unique index on the table that contains `column`. */
  uniqueWith: string[][];
  isRecordTable: boolean;
}

/**
 * Every foreign key (workspace_id, column) that points at `table`, read from the
 * catalogue, so tables added by any module (activities, opportunity contacts…) are
 * re-pointed without being listed here.
 */
async function referencesTo(tx: Tx, table: string, recordTables: Set<string>): Promise<Reference[]> {
  const { rows } = await sql<{ tbl: string; col: string; uniques: string[][] | null }>`
    select c.conrelid::regclass::text as tbl, a.attname as col,
      (select jsonb_agg(to_jsonb(array(select att.attname::text from unnest(i.indkey) k join pg_attribute att
                               on att.attrelid = i.indrelid and att.attnum = k
                               where att.attname <> a.attname and att.attname <> 'workspace_id')))
       from pg_index i where i.indrelid = c.conrelid and i.indisunique and a.attnum = any(i.indkey)
         and not (0 = any(i.indkey))) as uniques
    from pg_constraint c
    join pg_attribute w on w.attrelid = c.conrelid and w.attnum = c.conkey[1] and w.attname = 'workspace_id'
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[2]
    where c.contype = 'f' and c.confrelid = to_regclass(${table}) and array_length(c.conkey, 1) = 2`.execute(tx);
  return rows.map((r) => ({
    table: r.tbl,
    column: r.col,
    uniqueWith: (r.uniques ?? []).map((u) => u.filter(Boolean)),
    isRecordTable: recordTables.has(r.tbl),
  }));
}

/**
 * Polymorphic links to re-point: every tenant table with `related_object` + `related_id`
 * columns (the convention for "related to any record"), plus the `extra` tables that exist.
 * Immutable logs (events, audit log) are not links and are left alone.
 */
async function polymorphicLinks(tx: Tx, recordTables: Set<string>, extra: PolymorphicTable[]) {
  const { rows } = await sql<{ tbl: string }>`
    select c.table_name as tbl from information_schema.columns c
    where c.table_schema = 'public' and c.column_name = 'related_object'
      and exists (select 1 from information_schema.columns i where i.table_schema = 'public'
                  and i.table_name = c.table_name and i.column_name = 'related_id')
      and exists (select 1 from information_schema.columns w where w.table_schema = 'public'
                  and w.table_name = c.table_name and w.column_name = 'workspace_id')
      and c.table_name not like '%\_scoped'`.execute(tx);
  const links = rows.map((r) => ({ table: r.tbl, objectColumn: 'related_object', idColumn: 'related_id' }));
  for (const l of extra) {
    const { rows: found } = await sql<{ t: string | null }>`select to_regclass(${l.table})::text as t`.execute(tx);
    if (found[0]?.t) links.push(l);
  }
  return links.map((l) => ({ ...l, isRecordTable: recordTables.has(l.table) }));
}

/**
 * Re-points every link to record `loserId` of `ctx`'s object to `survivorId`: built-in and
 * custom relation fields of every object, child tables found through their foreign keys,
 * polymorphic related_object/related_id links (plus `opts.polymorphic`) and record shares.
 * Records whose links move get a new version. Returns how many links moved, per
 * `table.column`. The engine's part of a merge (RecordService.relink).
 */
export async function relinkRecord(
  tx: Tx,
  actor: Actor,
  ctx: RecordContext,
  loserId: string,
  survivorId: string,
  opts: { polymorphic?: PolymorphicTable[] } = {},
): Promise<Record<string, number>> {
  const object = ctx.schema.def.name;
  const table = ctx.schema.def.table;
  const recordTables = new Set([...ctx.full.values()].map((s) => s.def.table));
  const moved: Record<string, number> = {};
  const count = (key: string, n: number) => {
    if (n > 0) moved[key] = (moved[key] ?? 0) + n;
  };

  for (const ref of await referencesTo(tx, table, recordTables)) {
    const t = sql.table(ref.table);
    const col = sql.ref(ref.column);
    const bump = ref.isRecordTable ? sql`, version = x.version + 1, updated_at = now()` : sql``;
    const self = ref.table === table ? sql`and x.id <> ${survivorId}::uuid` : sql``;
    const clashes = ref.uniqueWith.map(
      (others) =>
        sql`not exists (select 1 from ${t} y where y.workspace_id = x.workspace_id and y.${col} = ${survivorId}::uuid
          ${
            others.length
              ? sql`and ${sql.join(
                  others.map((o) => sql`y.${sql.ref(o)} is not distinct from x.${sql.ref(o)}`),
                  sql` and `,
                )}`
              : sql``
          })`,
    );
    const { rows } = await sql`update ${t} as x set ${col} = ${survivorId}::uuid ${bump}
      where x.workspace_id = ${actor.workspaceId}::uuid and x.${col} = ${loserId}::uuid ${self}
      ${clashes.length ? sql`and ${sql.join(clashes, sql` and `)}` : sql``}
      returning 1`.execute(tx);
    count(`${ref.table}.${ref.column}`, rows.length);
    if (ref.table === table) {
      // The survivor pointed at the loser (its parent account): that link would point at itself.
      await sql`update ${t} as x set ${col} = null where x.id = ${survivorId}::uuid and x.${col} = ${loserId}::uuid`.execute(
        tx,
      );
    }
    if (ref.uniqueWith.length && !ref.isRecordTable) {
      // What is left duplicates a link the survivor already has.
      await sql`delete from ${t} x where x.workspace_id = ${actor.workspaceId}::uuid and x.${col} = ${loserId}::uuid`.execute(
        tx,
      );
    }
  }

  // Custom relation fields (in the custom JSONB column) of every object.
  for (const other of ctx.full.values()) {
    for (const f of other.customFields) {
      if (f.type !== 'relation' || f.relation?.object !== object) continue;
      const t = sql.table(other.def.table);
      const { rows } =
        f.relation.cardinality === 'many'
          ? await sql`update ${t} x set custom = jsonb_set(x.custom, array[${f.name}],
                (select coalesce(jsonb_agg(distinct case when e = ${loserId} then ${survivorId} else e end), '[]'::jsonb)
                 from jsonb_array_elements_text(x.custom -> ${f.name}) e)),
                version = x.version + 1, updated_at = now()
              where x.custom -> ${f.name} ? ${loserId}::text returning 1`.execute(tx)
          : await sql`update ${t} x set custom = jsonb_set(x.custom, array[${f.name}], to_jsonb(${survivorId}::text)),
                version = x.version + 1, updated_at = now()
              where x.custom ->> ${f.name} = ${loserId}::text ${other.def.name === object ? sql`and x.id <> ${survivorId}::uuid` : sql``}
              returning 1`.execute(tx);
      count(`${other.def.table}.custom.${f.name}`, rows.length);
    }
  }

  // Polymorphic links (an object name and an id column: tasks, notes, comments…).
  for (const link of await polymorphicLinks(tx, recordTables, opts.polymorphic ?? [])) {
    const t = sql.table(link.table);
    const bump = link.isRecordTable ? sql`, version = x.version + 1, updated_at = now()` : sql``;
    const { rows } = await sql`update ${t} as x set ${sql.ref(link.idColumn)} = ${survivorId} ${bump}
      where x.workspace_id = ${actor.workspaceId}::uuid and x.${sql.ref(link.objectColumn)} = ${object}
        and x.${sql.ref(link.idColumn)}::text = ${loserId}
      returning 1`.execute(tx);
    count(`${link.table}.${link.idColumn}`, rows.length);
  }

  // Shares of the loser become shares of the survivor (unless it has the same already).
  const { rows: shares } = await sql`update record_shares s set record_id = ${survivorId}::uuid
    where s.object = ${object} and s.record_id = ${loserId}::uuid
      and not exists (select 1 from record_shares y where y.object = s.object and y.record_id = ${survivorId}::uuid
        and y.user_id is not distinct from s.user_id and y.team_id is not distinct from s.team_id)
    returning 1`.execute(tx);
  count('record_shares', shares.length);
  await sql`delete from record_shares where object = ${object} and record_id = ${loserId}::uuid`.execute(tx);
  return moved;
}
