import Decimal from 'decimal.js';
import { sql } from 'kysely';
import type { TCampaignResults } from '../../../common/contracts/campaigns';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { aggregateRecords } from '../../platform/records/aggregate';
import type { RecordService } from '../../platform/records/records.service';
import { postFigures } from './posts.service';

type Money = { amount: string; currency: string } | null;

const fixed = (d: Decimal) => d.toDecimalPlaces(4, Decimal.ROUND_HALF_EVEN).toFixed();
/** A money string without trailing zeros ("120.5", "0"). */
const money = (d: Decimal) => new Decimal(fixed(d)).toFixed();

/**
 * A campaign's results. Members and mail from the module's own tables: members per status,
 * mails queued (sent) and accepted by SMTP (delivered), members who opened or clicked
 * (people only: machine opens and clicks are counted apart), unsubscribes, bounces,
 * skips by reason. Leads and opportunities whose source campaign it is, read through the
 * record engine as the caller (their permissions apply): won revenue in the campaign's
 * currency, customers won (distinct accounts of won opportunities), and from the cost (the
 * sum of its cost entries, else its actual cost): ROI = (won revenue − cost) / cost, cost
 * per lead, CAC = cost / customers won.
 */
export async function campaignResults(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  id: string,
): Promise<TCampaignResults> {
  await records.require(tx, actor, 'campaigns', id, 'read');
  const campaign = await records.get(tx, actor, 'campaigns', id, { fields: 'budget,actualCost' });
  const ws = actor.workspaceId;
  const { rows: m } = await sql<Record<string, number>>`
    select count(*)::int as members,
      count(*) filter (where status = 'targeted')::int as targeted,
      count(*) filter (where sent_at is not null)::int as sent,
      count(*) filter (where opened_at is not null)::int as opened,
      count(*) filter (where clicked_at is not null)::int as clicked,
      count(*) filter (where responded_at is not null)::int as responded,
      count(*) filter (where unsubscribed_at is not null)::int as unsubscribed,
      count(*) filter (where bounced_at is not null)::int as bounced,
      count(*) filter (where status = 'skipped')::int as skipped
    from campaign_members where workspace_id = ${ws}::uuid and campaign_id = ${id}::uuid`.execute(tx);
  const { rows: d } = await sql<{ delivered: number }>`
    select count(distinct cm.member_id)::int as delivered from campaign_messages cm
    join mail_outbox mo on mo.workspace_id = cm.workspace_id and mo.id = cm.outbox_id
    where cm.workspace_id = ${ws}::uuid and cm.campaign_id = ${id}::uuid and mo.status = 'sent'`.execute(tx);
  const { rows: machine } = await sql<{ kind: string; n: number }>`
    select kind, count(*)::int as n from campaign_email_events
    where workspace_id = ${ws}::uuid and campaign_id = ${id}::uuid and machine group by kind`.execute(tx);
  const { rows: skips } = await sql<{ reason: string; n: number }>`
    select skip_reason as reason, count(*)::int as n from campaign_members
    where workspace_id = ${ws}::uuid and campaign_id = ${id}::uuid and status = 'skipped' group by skip_reason`.execute(
    tx,
  );
  const counts = m[0] ?? {};

  const bySource = { field: 'sourceCampaignId', op: 'eq', value: id } as const;
  const leads = await aggregateRecords(records, tx, actor, 'leads', { groupBy: 'status', filter: bySource });
  const opps = await aggregateRecords(records, tx, actor, 'opportunities', {
    groupBy: 'status',
    sum: 'amount',
    filter: bySource,
  });
  const wonAccounts = await aggregateRecords(records, tx, actor, 'opportunities', {
    groupBy: 'accountId',
    filter: { and: [bySource, { field: 'status', op: 'eq', value: 'won' }] },
  });
  const customers = wonAccounts.groups.reduce((n, g) => n + (g.value === null ? g.count : g.count > 0 ? 1 : 0), 0);

  const budget = campaign.budget as Money;
  // The cost: the sum of the campaign's cost entries (every date) when it has any, else its
  // actual cost, as the marketing dashboard's campaign ROI counts it (reports/standard.service.ts).
  const entries = (await records.access.policy(tx, actor)).can('campaign_costs', 'read')
    ? await aggregateRecords(records, tx, actor, 'campaign_costs', {
        groupBy: 'category',
        sum: 'amount',
        filter: { field: 'campaignId', op: 'eq', value: id },
      })
    : null;
  const entrySums = (entries?.total.count ? entries.total.sum : null) as { amount: string; currency: string }[] | null;
  const actual = campaign.actualCost as Money;
  const currency =
    actual?.currency ?? budget?.currency ?? (entrySums?.length === 1 ? (entrySums[0]?.currency ?? null) : null);
  const cost: Money = entrySums
    ? (entrySums.find((s) => s.currency === currency) ?? (currency ? { amount: '0', currency } : null))
    : actual;
  const wonSums = (opps.groups.find((g) => g.value === 'won')?.sum ?? []) as { currency: string; amount: string }[];
  const won = new Decimal(
    (currency ? wonSums.find((s) => s.currency === currency) : wonSums.length === 1 ? wonSums[0] : undefined)?.amount ??
      '0',
  );
  const costD = new Decimal(cost?.amount ?? '0');
  const leadCount = leads.total.count;
  const sent = counts.sent ?? 0;
  const social = await postFigures(tx, actor, records, id);
  return {
    members: counts.members ?? 0,
    targeted: counts.targeted ?? 0,
    sent,
    delivered: d[0]?.delivered ?? 0,
    opened: counts.opened ?? 0,
    clicked: counts.clicked ?? 0,
    machineOpens: machine.find((r) => r.kind === 'open')?.n ?? 0,
    machineClicks: machine.find((r) => r.kind === 'click')?.n ?? 0,
    responded: counts.responded ?? 0,
    unsubscribed: counts.unsubscribed ?? 0,
    bounced: counts.bounced ?? 0,
    skipped: counts.skipped ?? 0,
    skippedByReason: Object.fromEntries(skips.map((s) => [s.reason ?? 'unknown', s.n])),
    leads: leadCount,
    opportunities: opps.total.count,
    customers,
    currency: currency ?? (wonSums.length === 1 ? (wonSums[0]?.currency ?? null) : null),
    wonRevenue: money(won),
    cost: money(costD),
    budget: budget ? money(new Decimal(budget.amount)) : null,
    roi: costD.isZero() ? null : won.minus(costD).div(costD).toDecimalPlaces(4).toNumber(),
    costPerLead: leadCount && !costD.isZero() ? money(costD.div(leadCount)) : null,
    cac: customers && !costD.isZero() ? money(costD.div(customers)) : null,
    openRate: sent ? Math.round(((counts.opened ?? 0) / sent) * 10_000) / 10_000 : null,
    clickRate: sent ? Math.round(((counts.clicked ?? 0) / sent) * 10_000) / 10_000 : null,
    posts: social.posts,
    conversations: social.conversations,
  };
}
