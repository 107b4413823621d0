import { sql } from 'kysely';
import type { ObjectAction } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import type { RecordContext, RecordService } from '../../platform/records/records.service';

/**
 * The caller's context on one live record they may `action` (read: visible; update or
 * delete: writable): 403 when the role may not, 404 when the record is absent or out of
 * their scope. For module routes that work on a record's children (lines, contacts, history).
 */
export async function recordFor(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  object: string,
  id: string,
  action: ObjectAction,
): Promise<RecordContext> {
  const ctx = await records.context(tx, actor, object, action);
  const mode = action === 'read' || action === 'export' ? 'read' : 'write';
  const vis = ctx.visible(object, 't', mode);
  const { rows } =
    await sql`select 1 from ${sql.table(mode === 'read' ? `${ctx.schema.def.table}_scoped` : ctx.schema.def.table)} t
    where t.id = ${id}::uuid and t.deleted_at is null ${vis ? sql`and ${vis}` : sql``}
    ${mode === 'write' ? sql`for update` : sql``}`.execute(tx);
  if (rows.length === 0) throw notFound(ctx.schema.def.label);
  return ctx;
}

/** Ids among `ids` of live `object` records the caller can read. */
export async function visibleIds(ctx: RecordContext, tx: Tx, object: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0 || !ctx.policy.can(object, 'read')) return new Set();
  const schema = ctx.full.get(object);
  if (!schema) return new Set();
  const vis = ctx.visible(object, 't');
  const { rows } = await sql<{ id: string }>`select t.id from ${sql.table(`${schema.def.table}_scoped`)} t
    where t.id = any(${ids}::uuid[]) and t.deleted_at is null ${vis ? sql`and ${vis}` : sql``}`.execute(tx);
  return new Set(rows.map((r) => r.id));
}
