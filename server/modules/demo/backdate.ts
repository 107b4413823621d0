import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';

/** The moment `days` days before now (a demo record's age). */
export const daysAgo = (days: number, now = Date.now()): Date => new Date(now - days * 86_400_000);

/**
 * Moves demo records' creation (and an opportunity's closing) into the past, so lists,
 * timelines and deal statistics have a history: the only writes of the demo that do not
 * go through the record engine (they change when a record was made, not what it is),
 * one statement per table.
 */
export async function backdate(
  tx: Tx,
  table: 'leads' | 'opportunities' | 'notes' | 'tickets',
  rows: { id: string; createdAt: Date; closedAt?: Date }[],
): Promise<void> {
  if (rows.length === 0) return;
  const closed = table === 'opportunities' ? sql`, closed_at = coalesce(v.closed_at, t.closed_at)` : sql``;
  await sql`update ${sql.table(table)} as t set created_at = v.created_at${closed}
    from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.createdAt.toISOString())}::timestamptz[],
      ${rows.map((r) => r.closedAt?.toISOString() ?? null)}::timestamptz[]) as v(id, created_at, closed_at)
    where t.id = v.id`.execute(tx);
}
