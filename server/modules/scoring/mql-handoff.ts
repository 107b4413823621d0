import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import { AppError } from '../../platform/http/errors';
import type { RecordData, RecordService } from '../../platform/records/records.service';

/** The lead, changeable by the caller and awaiting a decision (qualification mql): 404 / 403 / 409 otherwise. */
async function pendingMql(tx: Tx, records: RecordService, actor: Actor, id: string): Promise<RecordData> {
  await records.require(tx, actor, 'leads', id, 'update');
  const lead = await records.get(tx, actor, 'leads', id);
  if (lead.qualification !== 'mql') {
    throw new AppError('conflict', 'This lead is not an MQL awaiting a decision (qualification is not mql)');
  }
  return lead;
}

/**
 * Sales accepts an MQL: it becomes a sales-qualified lead (status and qualification `sql`),
 * written as the caller (audit, `lead.updated`) with `lead.sql_accepted` on its timeline.
 */
export async function acceptMql(tx: Tx, records: RecordService, actor: Actor, id: string): Promise<RecordData> {
  const lead = await pendingMql(tx, records, actor, id);
  await records.systemWrite(
    tx,
    actor,
    'leads',
    id,
    { status: 'sql', qualification: 'sql' },
    { detail: { mql: 'accepted' } },
  );
  await emitEvent(tx, actor, {
    type: 'lead.sql_accepted',
    object: 'leads',
    recordId: id,
    data: { previousStatus: lead.status ?? null, score: lead.score ?? null },
  });
  return records.get(tx, actor, 'leads', id);
}

/**
 * Sales rejects an MQL with a reason: back to nurturing (status `nurturing`, qualification
 * `rejected`), the reason in the audit row and in `lead.mql_rejected` on its timeline. A
 * rejected lead is not made an MQL again by its score (mqlAt stays set).
 */
export async function rejectMql(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
  reason: string,
): Promise<RecordData> {
  const lead = await pendingMql(tx, records, actor, id);
  await records.systemWrite(
    tx,
    actor,
    'leads',
    id,
    { status: 'nurturing', qualification: 'rejected' },
    { detail: { mql: 'rejected', reason } },
  );
  await emitEvent(tx, actor, {
    type: 'lead.mql_rejected',
    object: 'leads',
    recordId: id,
    data: { reason, previousStatus: lead.status ?? null, score: lead.score ?? null },
  });
  return records.get(tx, actor, 'leads', id);
}
