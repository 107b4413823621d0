import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';

type Role = 'decision_maker' | 'economic_buyer' | 'champion' | 'influencer' | 'technical_buyer' | 'user' | 'other';

/** The contacts of an opportunity with their roles (contacts the caller cannot see show no details). */
export async function listOpportunityContacts(tx: Tx, records: RecordService, actor: Actor, opportunityId: string) {
  const ctx = await records.require(tx, actor, 'opportunities', opportunityId, 'read');
  const { rows } = await sql<{ contact_id: string; role: Role | null; is_primary: boolean }>`
    select contact_id, role, is_primary from opportunity_contacts
    where opportunity_id = ${opportunityId}::uuid order by is_primary desc, created_at, contact_id`.execute(tx);
  const visible = await records.visibleIds(
    tx,
    ctx,
    'contacts',
    rows.map((r) => r.contact_id),
  );
  const { rows: people } = visible.size
    ? await sql<{ id: string; first_name: string | null; last_name: string | null; email: string | null }>`
        select id, first_name, last_name, email from contacts_scoped where id = any(${[...visible]}::uuid[])`.execute(
        tx,
      )
    : { rows: [] };
  const byId = new Map(people.map((p) => [p.id, p]));
  return rows.map((r) => {
    const p = byId.get(r.contact_id);
    return {
      contactId: r.contact_id,
      role: r.role,
      isPrimary: r.is_primary,
      contact: p ? { id: p.id, firstName: p.first_name, lastName: p.last_name, email: p.email } : null,
    };
  });
}

/** Replaces the contacts of an opportunity (the caller must be able to change it and see each contact). */
export async function setOpportunityContacts(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  opportunityId: string,
  contacts: { contactId: string; role?: Role | null; isPrimary?: boolean }[],
) {
  const ctx = await records.require(tx, actor, 'opportunities', opportunityId, 'update');
  const ids = contacts.map((c) => c.contactId);
  const visible = await records.visibleIds(tx, ctx, 'contacts', ids);
  const errors = contacts.flatMap((c, i) => [
    ...(visible.has(c.contactId)
      ? []
      : [{ path: `contacts.${i}.contactId`, message: 'points to a record that does not exist' }]),
    ...(ids.indexOf(c.contactId) !== i ? [{ path: `contacts.${i}.contactId`, message: 'appears twice' }] : []),
  ]);
  if (contacts.filter((c) => c.isPrimary).length > 1)
    errors.push({ path: 'contacts', message: 'at most one primary contact' });
  if (errors.length) throw new AppError('validation_failed', 'Invalid opportunity contacts', { errors });
  const before = await listOpportunityContacts(tx, records, actor, opportunityId);
  await sql`delete from opportunity_contacts where opportunity_id = ${opportunityId}::uuid`.execute(tx);
  for (const c of contacts) {
    await sql`insert into opportunity_contacts (workspace_id, opportunity_id, contact_id, role, is_primary)
      values (${actor.workspaceId}, ${opportunityId}, ${c.contactId}, ${c.role ?? null}, ${c.isPrimary ?? false})`.execute(
      tx,
    );
  }
  const brief = (l: { contactId: string; role: Role | null; isPrimary: boolean }[]) =>
    l.map(({ contactId, role, isPrimary }) => ({ contactId, role, isPrimary }));
  // The contact list is part of the opportunity: its version moves, and the change is
  // audited and announced like a field change.
  await records.systemWrite(
    tx,
    actor,
    'opportunities',
    opportunityId,
    {},
    {
      extraChanges: {
        contacts: [brief(before), brief(contacts.map((c) => ({ role: null, isPrimary: false, ...c })))],
      },
    },
  );
  return listOpportunityContacts(tx, records, actor, opportunityId);
}

/** Every stay of an opportunity in a stage, oldest first, with its length. */
export async function stageHistory(tx: Tx, records: RecordService, actor: Actor, opportunityId: string) {
  await records.require(tx, actor, 'opportunities', opportunityId, 'read');
  const { rows } = await sql<{
    id: string;
    pipeline_id: string;
    from_stage_id: string | null;
    to_stage_id: string;
    stage_name: string | null;
    entered_at: Date;
    left_at: Date | null;
    seconds: string;
    changed_by: string | null;
  }>`select h.id, h.pipeline_id, h.from_stage_id, h.to_stage_id, s.name as stage_name, h.entered_at, h.left_at,
       extract(epoch from coalesce(h.left_at, now()) - h.entered_at) as seconds, h.changed_by
     from opportunity_stage_history h left join pipeline_stages s on s.id = h.to_stage_id
     where h.opportunity_id = ${opportunityId}::uuid order by h.entered_at, h.id`.execute(tx);
  return rows.map((r) => ({
    id: r.id,
    pipelineId: r.pipeline_id,
    fromStageId: r.from_stage_id,
    toStageId: r.to_stage_id,
    stageName: r.stage_name,
    enteredAt: r.entered_at.toISOString(),
    leftAt: r.left_at?.toISOString() ?? null,
    durationSeconds: Math.round(Number(r.seconds)),
    changedBy: r.changed_by,
  }));
}

/**
 * Time in stage for one pipeline, over the opportunities the caller can see: per stage,
 * stays that began in [from, to), how many ended, the mean length of ended stays, and how
 * many opportunities are in the stage now.
 */
export async function stageReport(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  pipelineId: string,
  period: { from?: string; to?: string },
) {
  const ctx = await records.context(tx, actor, 'opportunities', 'read');
  const opportunities = records.scopedRelation(ctx, 'opportunities');
  const { rows } = await sql<{
    id: string;
    name: string;
    kind: 'open' | 'won' | 'lost';
    entered: string;
    completed: string;
    avg_days: string | null;
    current: string;
  }>`select s.id, s.name, s.kind,
       count(h.id) as entered,
       count(h.left_at) as completed,
       avg(extract(epoch from h.left_at - h.entered_at)) filter (where h.left_at is not null) / 86400 as avg_days,
       (select count(*) from ${opportunities} o where o.stage_id = s.id) as current
     from pipeline_stages s
     left join (opportunity_stage_history h join ${opportunities} o on o.id = h.opportunity_id)
       on h.to_stage_id = s.id
       ${period.from ? sql`and h.entered_at >= ${period.from}::timestamptz` : sql``}
       ${period.to ? sql`and h.entered_at < ${period.to}::timestamptz` : sql``}
     where s.pipeline_id = ${pipelineId}
     group by s.id, s.name, s.kind, s.position
     order by s.position`.execute(tx);
  if (rows.length === 0) throw new AppError('not_found', 'Pipeline not found');
  return rows.map((r) => ({
    stageId: r.id,
    name: r.name,
    kind: r.kind,
    entered: Number(r.entered),
    completed: Number(r.completed),
    current: Number(r.current),
    averageDaysInStage: r.avg_days == null ? null : Math.round(Number(r.avg_days) * 100) / 100,
  }));
}
