import { sql } from 'kysely';
import type { z } from 'zod';
import type { QuotaInput, TQuota } from '../../../common/contracts/reports';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import { normaliseDecimal } from '../../platform/records/field-types';
import type { RecordService } from '../../platform/records/records.service';

interface QuotaRow {
  id: string;
  user_id: string;
  period_start: string;
  period_end: string;
  amount: string;
  currency: string;
  updated_at: Date;
}

const present = (r: QuotaRow): TQuota => ({
  id: r.id,
  userId: r.user_id,
  from: r.period_start,
  to: r.period_end,
  amount: { amount: normaliseDecimal(String(r.amount)), currency: r.currency },
  updatedAt: new Date(r.updated_at).toISOString(),
});

const COLUMNS = sql`id, user_id, to_char(period_start, 'YYYY-MM-DD') as period_start,
  to_char(period_end, 'YYYY-MM-DD') as period_end, amount::text as amount, currency, updated_at`;

async function isAdmin(records: RecordService, tx: Tx, actor: Actor) {
  return (await records.access.policy(tx, actor)).admin;
}

/**
 * Quotas whose period lies within [from, to] (all when no range): an administrator sees
 * everyone's, anyone else their own.
 */
export async function listQuotas(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  range: { from?: string; to?: string } = {},
): Promise<TQuota[]> {
  const everyone = await isAdmin(records, tx, actor);
  const { rows } = await sql<QuotaRow>`select ${COLUMNS} from sales_quotas
    where ${everyone ? sql`true` : sql`user_id = ${actor.userId}`}
      and ${range.from ? sql`period_start >= ${range.from}::date` : sql`true`}
      and ${range.to ? sql`period_end <= ${range.to}::date` : sql`true`}
    order by period_start, user_id, currency`.execute(tx);
  return rows.map(present);
}

/** Sets a rep's quota for a period and currency (replacing the one set before). Administrators only. */
export async function setQuota(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  input: z.output<typeof QuotaInput>,
): Promise<TQuota> {
  if (!(await isAdmin(records, tx, actor))) throw new AppError('forbidden', 'Only administrators set quotas');
  if (input.to < input.from) throw invalidField('to', 'must not be before from');
  const { rows: member } = await sql`select 1 from workspace_members
    where workspace_id = ${actor.workspaceId} and user_id = ${input.userId}`.execute(tx);
  if (member.length === 0) throw invalidField('userId', 'is not a member of this workspace');
  const { rows } = await sql<QuotaRow>`
    insert into sales_quotas (workspace_id, user_id, period_start, period_end, amount, currency)
    values (${actor.workspaceId}, ${input.userId}, ${input.from}::date, ${input.to}::date, ${input.amount.amount}::numeric, ${input.amount.currency})
    on conflict (workspace_id, user_id, period_start, period_end, currency)
    do update set amount = excluded.amount, updated_at = now()
    returning ${COLUMNS}`.execute(tx);
  const quota = present(rows[0] as QuotaRow);
  await audit(tx, actor, { action: 'quotas.set', detail: { ...quota } });
  return quota;
}

export async function deleteQuota(records: RecordService, tx: Tx, actor: Actor, id: string): Promise<void> {
  if (!(await isAdmin(records, tx, actor))) throw new AppError('forbidden', 'Only administrators change quotas');
  const { rows } = await sql<{ id: string }>`delete from sales_quotas where id = ${id} returning id`.execute(tx);
  if (rows.length === 0) throw notFound('Quota');
  await audit(tx, actor, { action: 'quotas.deleted', detail: { id } });
}
