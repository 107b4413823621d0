import { type RawBuilder, sql } from 'kysely';
import { audit } from '../access/access.service';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { emitEvent } from '../events/events';
import type { RecordService } from './records.service';
import { columnName, type FieldType } from './types';

type Sql = RawBuilder<unknown>;

/** Field types a system bulk write may set: one plain column each, no references to check. */
const SETTABLE: ReadonlySet<FieldType> = new Set<FieldType>([
  'integer',
  'decimal',
  'percent',
  'datetime',
  'select',
  'text',
]);

export interface SystemBulkSet {
  object: string;
  /** The fields written: read-only (system-owned) built-in fields of a plain type. */
  fields: string[];
  /**
   * SQL giving the new values: rows of `id` and one column per field, named by the
   * field's column (`fit_score`). Values are the caller's (the system's) and are not
   * validated beyond their column's type; records absent, trashed or unchanged are skipped.
   */
  source: Sql;
  /** Why, for the audit row and the summary event ("scoring.rescore"). */
  reason: string;
}

export interface SystemBulkChange {
  id: string;
  /** The fields' values before and after, by field name. */
  before: Record<string, unknown>;
  after: Record<string, unknown>;
}

/**
 * The engine's bulk path for system-derived fields (scores, rollups): sets read-only
 * fields of many records in ONE statement. Unlike a per-record `systemWrite`, it runs no
 * beforeWrite/afterWrite hooks and emits no per-record `<object>.updated` event; it still
 * bumps each changed record's version (so ETags and caches see the change), writes only
 * records whose values differ, and records the run as one audit row and one
 * `<singular>.bulk_updated` event `{ fields, count, reason }`. It leaves `updatedAt` (and
 * `updatedBy`) alone: a value the system derives (a score) is not an edit of the record,
 * and keeping every indexed column as it was lets PostgreSQL write the row in place (a HOT
 * update: no new entry in any of the table's indexes), which is what makes a 1M-lead
 * rescore fit in a minute (bench/RESULTS.md). The changed records are
 * returned with their before/after values, for follow-up work (e.g. thresholds crossed).
 * Scoped to the actor's workspace whatever the transaction.
 */
export async function systemBulkSet(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  spec: SystemBulkSet,
): Promise<SystemBulkChange[]> {
  const def = records.registry.get(spec.object);
  if (!def) throw new Error(`systemBulkSet: no object ${spec.object}`);
  if (spec.fields.length === 0) return [];
  for (const name of spec.fields) {
    const f = def.fields.find((x) => x.name === name);
    if (!f?.readOnly || !SETTABLE.has(f.type)) {
      throw new Error(`systemBulkSet: ${spec.object}.${name} is not a read-only field of a plain type`);
    }
  }
  const table = sql.table(def.table);
  const cols = spec.fields.map((f) => columnName(f));
  const tcol = (c: string) => sql.ref(`t.${c}`);
  const scol = (c: string) => sql.ref(`s.${c}`);
  const json = (col: (c: string) => Sql) =>
    sql`jsonb_build_object(${sql.join(spec.fields.map((f, i) => sql`${f}::text, ${col(cols[i] as string)}`))})`;
  const ws = actor.workspaceId;
  const { rows } = await sql<{ id: string; before: Record<string, unknown>; after: Record<string, unknown> }>`
    with src as materialized (${spec.source}),
    chg as (
      select t.id, ${json(tcol)} as before from ${table} t join src s on s.id = t.id
      where t.workspace_id = ${ws}::uuid and t.deleted_at is null
        and (${sql.join(cols.map(tcol))}, null) is distinct from (${sql.join(cols.map(scol))}, null)
      for update of t)
    update ${table} as t set ${sql.join(cols.map((c) => sql`${sql.ref(c)} = ${scol(c)}`))},
      version = t.version + 1
    from src s join chg on chg.id = s.id
    where t.workspace_id = ${ws}::uuid and t.id = s.id
    returning t.id, chg.before, ${json(tcol)} as after`.execute(tx);
  if (rows.length > 0) {
    const detail = { fields: spec.fields, count: rows.length, reason: spec.reason };
    await audit(tx, actor, { action: 'record.bulk_updated', object: spec.object, detail });
    await emitEvent(tx, actor, { type: `${def.singular}.bulk_updated`, object: spec.object, data: detail });
  }
  return rows;
}
