import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import {
  MEMBER_STATUSES,
  type TAddMembersRequest,
  type TCampaignMember,
  type TMemberStatus,
  type TSegmentSync,
} from '../../../common/contracts/campaigns';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvents } from '../../platform/events/events';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { listSegmentMembers } from '../segments';

export type MemberObject = 'contacts' | 'leads' | 'accounts';

/**
 * The campaign's own reader and sender: it reads the members' records through the record
 * engine with read access to people, accounts and campaigns (a send acts for the
 * workspace, after someone allowed to change the campaign started it).
 */
export const campaignActor = (workspaceId: string): Actor => ({
  kind: 'user',
  userId: null,
  workspaceId,
  role: 'campaign_sender',
  scopes: [],
  permissions: {
    objects: {
      contacts: { read: true, scope: 'all' },
      leads: { read: true, scope: 'all' },
      accounts: { read: true, scope: 'all' },
      campaigns: { read: true, scope: 'all' },
    },
  },
});

/** How far along a member is: a status moves forward only (unsubscribed and bounced always win). */
const RANK: Record<TMemberStatus, number> = {
  targeted: 0,
  skipped: 1,
  sent: 2,
  delivered: 3,
  opened: 4,
  clicked: 5,
  responded: 6,
  converted: 7,
  unsubscribed: 8,
  bounced: 9,
};
const STAMP: Partial<Record<TMemberStatus, string>> = {
  sent: 'sent_at',
  opened: 'opened_at',
  clicked: 'clicked_at',
  responded: 'responded_at',
  converted: 'converted_at',
  unsubscribed: 'unsubscribed_at',
  bounced: 'bounced_at',
};

/**
 * Moves a member to `status` if that is further along (keeping the first time of each
 * step). Runs in a tenant or system transaction (every statement names the workspace).
 */
export async function advanceMember(
  tx: Tx,
  workspaceId: string,
  memberId: string,
  status: TMemberStatus,
  at: Date,
  extra: { skipReason?: string | null; bounceKind?: string } = {},
): Promise<void> {
  await advanceMembers(tx, workspaceId, [{ id: memberId, skipReason: extra.skipReason }], status, at, extra);
}

/**
 * advanceMember for many members in one statement (a send's batch): each with its own skip
 * reason when `status` is `skipped`.
 */
export async function advanceMembers(
  tx: Tx,
  workspaceId: string,
  members: { id: string; skipReason?: string | null }[],
  status: TMemberStatus,
  at: Date,
  extra: { bounceKind?: string } = {},
): Promise<void> {
  if (members.length === 0) return;
  const stamp = STAMP[status];
  const ranks = sql.join(
    Object.entries(RANK).map(([s, r]) => sql`when ${s} then ${r}`),
    sql` `,
  );
  await sql`update campaign_members m set
      status = case when (case m.status ${ranks} else 0 end) < ${RANK[status]} then ${status} else m.status end,
      status_changed_at = case when (case m.status ${ranks} else 0 end) < ${RANK[status]} then ${at} else m.status_changed_at end,
      skip_reason = case when ${status} = 'skipped' then v.reason else m.skip_reason end
      ${stamp ? sql`, ${sql.ref(stamp)} = coalesce(${sql.ref(`m.${stamp}`)}, ${at})` : sql``}
      ${extra.bounceKind ? sql`, bounce_kind = ${extra.bounceKind}` : sql``}
    from unnest(${members.map((m) => m.id)}::uuid[], ${members.map((m) => m.skipReason ?? null)}::text[]) v(id, reason)
    where m.workspace_id = ${workspaceId}::uuid and m.id = v.id`.execute(tx);
}

/** The campaign as the caller may change it (404 when not theirs to see, 403 when read-only). */
export const requireWritable = (tx: Tx, actor: Actor, records: RecordService, id: string) =>
  records.require(tx, actor, 'campaigns', id, 'update');

const SEGMENT_PAGE = 500;
const MAX_SEGMENT_SNAPSHOT = 200_000;

/**
 * Adds members: contacts, leads or accounts by id (each must be a live record the caller
 * can see, else 422 naming `contactIds.<n>` and nothing is added), or a snapshot of a
 * segment's members now (read as the caller: their permissions apply). Records already
 * members stay as they are.
 */
export async function addMembers(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
  body: TAddMembersRequest,
): Promise<{ added: number; alreadyMembers: number }> {
  await requireWritable(tx, actor, records, campaignId);
  let object: MemberObject;
  let ids: string[];
  if ('segmentId' in body) {
    const segment = await records
      .get(tx, actor, 'segments', body.segmentId, { fields: 'object' })
      .catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'not_found') {
          throw new AppError('validation_failed', 'No such segment', {
            errors: [{ path: 'segmentId', message: 'no segment with this id' }],
          });
        }
        throw err;
      });
    object = segment.object as MemberObject;
    if (body.sync) await startSync(tx, actor, records, campaignId, body.segmentId, object);
    ids = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await listSegmentMembers(tx, actor, records, body.segmentId, {
        fields: 'id',
        limit: SEGMENT_PAGE,
        cursor,
        sort: 'id',
      });
      ids.push(...page.data.map((r) => r.id as string));
      if (!page.page.hasMore || !page.page.nextCursor || ids.length >= MAX_SEGMENT_SNAPSHOT) break;
      cursor = page.page.nextCursor;
    }
  } else {
    const [path, list, obj] =
      'contactIds' in body
        ? (['contactIds', body.contactIds, 'contacts'] as const)
        : 'leadIds' in body
          ? (['leadIds', body.leadIds, 'leads'] as const)
          : (['accountIds', body.accountIds, 'accounts'] as const);
    object = obj;
    const ctx = await records.context(tx, actor, object, 'read');
    const visible = await records.visibleIds(tx, ctx, object, [...new Set(list)]);
    const missing = list.map((v, i) => ({ v, i })).filter(({ v }) => !visible.has(v));
    if (missing.length) {
      throw new AppError(
        'validation_failed',
        `No such ${ctx.schema.def.singular}: ${missing
          .slice(0, 5)
          .map((m) => `${path}.${m.i}`)
          .join(', ')}`,
        {
          errors: missing
            .slice(0, 20)
            .map((m) => ({ path: `${path}.${m.i}`, message: `no ${ctx.schema.def.singular} with this id` })),
        },
      );
    }
    ids = [...new Set(list)];
  }
  let added = 0;
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000);
    const memberIds = chunk.map(() => uuidv7());
    const { rows } = await sql<{ id: string }>`
      insert into campaign_members (workspace_id, id, campaign_id, object, record_id, added_by)
      select ${actor.workspaceId}::uuid, m, ${campaignId}::uuid, ${object}, r, ${actor.userId}::uuid
      from unnest(${memberIds}::uuid[], ${chunk}::uuid[]) as x(m, r)
      on conflict (workspace_id, campaign_id, record_id) do nothing
      returning id`.execute(tx);
    added += rows.length;
  }
  if (added) {
    await emitEvents(tx, actor, [
      { type: 'campaign.members_added', object: 'campaigns', recordId: campaignId, data: { added, object } },
    ]);
  }
  return { added, alreadyMembers: ids.length - added };
}

/**
 * Keeps the campaign's members in sync with the segment from now on. A synced segment adds
 * whoever enters it (as the segment's events report, read by the system), so the caller must
 * be able to read every record of its object: otherwise 403 naming `sync`, nothing added.
 */
async function startSync(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
  segmentId: string,
  object: MemberObject,
): Promise<void> {
  const ctx = await records.context(tx, actor, object, 'read');
  if (ctx.policy.object(object).scope !== 'all') {
    throw new AppError('forbidden', `Keeping members in sync needs read access to every ${ctx.schema.def.singular}`, {
      errors: [{ path: 'sync', message: `your role reads only some ${object}; add a snapshot instead` }],
    });
  }
  await sql`insert into campaign_segment_syncs (workspace_id, campaign_id, segment_id, object, created_by)
    values (${actor.workspaceId}::uuid, ${campaignId}::uuid, ${segmentId}::uuid, ${object}, ${actor.userId}::uuid)
    on conflict do nothing`.execute(tx);
}

/** The segments the campaign keeps in sync, with their names as the caller sees them. */
export async function listSyncs(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
): Promise<TSegmentSync[]> {
  await records.require(tx, actor, 'campaigns', campaignId, 'read');
  const { rows } = await sql<{ segment_id: string; object: MemberObject; created_at: Date }>`
    select segment_id, object, created_at from campaign_segment_syncs
    where workspace_id = ${actor.workspaceId}::uuid and campaign_id = ${campaignId}::uuid
    order by created_at, segment_id`.execute(tx);
  if (rows.length === 0) return [];
  const page = await records.list(tx, actor, 'segments', {
    fields: 'name',
    limit: rows.length,
    within: sql`select unnest(${rows.map((r) => r.segment_id)}::uuid[])`,
  });
  const names = new Map(page.data.map((r) => [r.id as string, String(r.name ?? '')]));
  return rows.map((r) => ({
    segmentId: r.segment_id,
    segmentName: names.get(r.segment_id) ?? '',
    object: r.object,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}

/** Stops keeping the members in sync with the segment (the members stay); false when it was not synced. */
export async function stopSync(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
  segmentId: string,
): Promise<boolean> {
  await requireWritable(tx, actor, records, campaignId);
  const { rows } = await sql`delete from campaign_segment_syncs
    where workspace_id = ${actor.workspaceId}::uuid and campaign_id = ${campaignId}::uuid
      and segment_id = ${segmentId}::uuid returning segment_id`.execute(tx);
  return rows.length > 0;
}

interface MemberRow {
  id: string;
  object: MemberObject;
  record_id: string;
  status: TMemberStatus;
  skip_reason: string | null;
  added_at: Date;
  status_changed_at: Date;
  sent_at: Date | null;
  delivered_at: Date | null;
  opened_at: Date | null;
  clicked_at: Date | null;
  unsubscribed_at: Date | null;
  bounced_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/**
 * The delivered time of each member's mail: when the outbox handed it to SMTP. A member
 * whose mail went out reads as `delivered` until something further happens.
 */
const MEMBER_SELECT = sql`m.id, m.object, m.record_id,
  case when m.status = 'sent' and o.status = 'sent' then 'delivered' else m.status end as status,
  m.skip_reason, m.added_at, m.status_changed_at, m.sent_at,
  case when o.status = 'sent' then o.sent_at end as delivered_at,
  m.opened_at, m.clicked_at, m.unsubscribed_at, m.bounced_at`;

const DELIVERY_JOIN = sql`left join lateral (
    select mo.status, mo.sent_at from campaign_messages cm
    join mail_outbox mo on mo.workspace_id = cm.workspace_id and mo.id = cm.outbox_id
    where cm.workspace_id = m.workspace_id and cm.member_id = m.id and cm.outbox_id is not null
    limit 1) o on true`;

/**
 * A page of members with their status (`?status=`), names and emails read through the
 * record engine as the caller sees them (a record they may not see shows no name), and
 * the count per status.
 */
export async function listMembers(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
  q: { status?: TMemberStatus; limit: number; after?: string },
): Promise<{ data: TCampaignMember[]; counts: Record<string, number>; next: string | null }> {
  await records.require(tx, actor, 'campaigns', campaignId, 'read');
  const { rows } = await sql<MemberRow>`
    select * from (select ${MEMBER_SELECT} from campaign_members m ${DELIVERY_JOIN}
      where m.workspace_id = ${actor.workspaceId}::uuid and m.campaign_id = ${campaignId}::uuid
        ${q.after ? sql`and m.id > ${q.after}::uuid` : sql``}) x
    ${q.status ? sql`where x.status = ${q.status}` : sql``}
    order by x.id limit ${q.limit + 1}`.execute(tx);
  const page = rows.slice(0, q.limit);
  const names = await recordNames(tx, actor, records, page);
  const counted = await sql<{ status: string; n: number }>`
    select x.status, count(*)::int as n from (select ${MEMBER_SELECT} from campaign_members m ${DELIVERY_JOIN}
      where m.workspace_id = ${actor.workspaceId}::uuid and m.campaign_id = ${campaignId}::uuid) x
    group by x.status`.execute(tx);
  const counts: Record<string, number> = Object.fromEntries(MEMBER_STATUSES.map((s) => [s, 0]));
  for (const c of counted.rows) counts[c.status] = c.n;
  return {
    data: page.map((r) => ({
      id: r.id,
      object: r.object,
      recordId: r.record_id,
      name: names.get(r.record_id)?.name ?? '',
      email: names.get(r.record_id)?.email ?? null,
      status: r.status,
      skipReason: (r.skip_reason as TCampaignMember['skipReason']) ?? null,
      addedAt: new Date(r.added_at).toISOString(),
      sentAt: iso(r.sent_at),
      deliveredAt: iso(r.delivered_at),
      openedAt: iso(r.opened_at),
      clickedAt: iso(r.clicked_at),
      unsubscribedAt: iso(r.unsubscribed_at),
      bouncedAt: iso(r.bounced_at),
      statusChangedAt: new Date(r.status_changed_at).toISOString(),
    })),
    counts,
    next: rows.length > q.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

const FIELDS: Record<MemberObject, string> = {
  contacts: 'firstName,lastName,email',
  leads: 'firstName,lastName,email',
  accounts: 'name',
};

/** Names and emails of members' records as the caller may read them (none for a record they may not see). */
async function recordNames(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  rows: { object: MemberObject; record_id: string }[],
): Promise<Map<string, { name: string; email: string | null }>> {
  const out = new Map<string, { name: string; email: string | null }>();
  for (const object of ['contacts', 'leads', 'accounts'] as const) {
    const ids = rows.filter((r) => r.object === object).map((r) => r.record_id);
    if (!ids.length) continue;
    const ctx = await records.context(tx, actor, object).catch(() => null);
    if (!ctx?.policy.can(object, 'read')) continue;
    const page = await records.list(tx, actor, object, {
      fields: FIELDS[object],
      limit: ids.length,
      within: sql`select unnest(${ids}::uuid[])`,
    });
    for (const r of page.data) {
      const name =
        object === 'accounts'
          ? String(r.name ?? '')
          : [r.firstName, r.lastName].filter((x) => typeof x === 'string' && x).join(' ');
      out.set(r.id as string, { name, email: typeof r.email === 'string' ? r.email : null });
    }
  }
  return out;
}

/**
 * Records a bounce or complaint of a campaign mail: the member (found by the outbox id of
 * the mail, else by the address among the workspace's sent campaign mail) becomes
 * `bounced`. For the bounce handler (the inbound receiver's delivery status notices);
 * runs in a tenant or system transaction. Returns how many members changed.
 */
export async function markMemberBounced(
  tx: Tx,
  workspaceId: string,
  bounce: { outboxId?: string | null; email?: string | null; kind: 'hard' | 'soft' | 'complaint' },
  at: Date = new Date(),
): Promise<number> {
  if (!bounce.outboxId && !bounce.email) return 0;
  const { rows } = await sql<{ member_id: string }>`
    select cm.member_id from campaign_messages cm
    where cm.workspace_id = ${workspaceId}::uuid and cm.outbox_id is not null
      and ${
        bounce.outboxId
          ? sql`cm.outbox_id = ${bounce.outboxId}::uuid`
          : sql`lower(cm.email) = lower(${bounce.email ?? ''}) and cm.created_at > ${at}::timestamptz - interval '30 days'`
      }`.execute(tx);
  for (const r of rows) await advanceMember(tx, workspaceId, r.member_id, 'bounced', at, { bounceKind: bounce.kind });
  return rows.length;
}
