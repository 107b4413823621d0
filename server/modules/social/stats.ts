import { sql } from 'kysely';
import type { TSocialStats } from '../../../common/contracts/social';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';

/**
 * The brand mentions dashboard over the inbound social messages the caller may read
 * (scope, row rule: `scopedRelation`): volume by network and day, sentiment per day, top
 * authors (only when the role sees authors), the unanswered count, and the median time from
 * a customer's message to our first sent reply to it.
 */
export async function socialStats(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  days: number,
  now: Date,
): Promise<TSocialStats> {
  const ctx = await records.context(tx, actor, 'social_messages', 'read');
  const m = records.scopedRelation(ctx, 'social_messages');
  const from = new Date(now.getTime() - days * 86_400_000);
  const seesAuthors = !!ctx.schemas.get('social_messages')?.field('authorHandle');
  const seesSentiment = !!ctx.schemas.get('social_messages')?.field('sentiment');
  const inbound = sql`m.direction = 'inbound' and coalesce(m.sent_at, m.created_at) >= ${from}`;
  const { rows: volume } = await sql<{ day: string; network: string; count: number }>`
    select to_char(date_trunc('day', coalesce(m.sent_at, m.created_at) at time zone 'UTC'), 'YYYY-MM-DD') as day,
      m.network, count(*)::int as count
    from ${m} m where ${inbound} group by 1, 2 order by 1, 2`.execute(tx);
  const { rows: sentiment } = seesSentiment
    ? await sql<{ day: string; average: number; negative: number; positive: number; count: number }>`
        select to_char(date_trunc('day', coalesce(m.sent_at, m.created_at) at time zone 'UTC'), 'YYYY-MM-DD') as day,
          round(avg(m.sentiment)::numeric, 2)::float8 as average,
          count(*) filter (where m.sentiment < 0)::int as negative,
          count(*) filter (where m.sentiment > 0)::int as positive, count(*)::int as count
        from ${m} m where ${inbound} group by 1 order by 1`.execute(tx)
    : { rows: [] };
  const { rows: topAuthors } = seesAuthors
    ? await sql<{ author: string; network: string; count: number }>`
        select coalesce(m.author_handle, m.author_id, '') as author, m.network, count(*)::int as count
        from ${m} m where ${inbound} group by 1, 2 order by 3 desc, 1 limit 10`.execute(tx)
    : { rows: [] };
  const { rows: open } = await sql<{ n: number }>`
    select count(*)::int as n from ${m} m where m.direction = 'inbound' and m.status in ('new', 'open')`.execute(tx);
  const { rows: median } = await sql<{ minutes: number | null }>`
    select (percentile_cont(0.5) within group (order by extract(epoch from r.first - m.sent_at) / 60))::float8 as minutes
    from ${m} m
    join lateral (
      select min(o.sent_at) as first from ${m} o
      where o.reply_to_id = m.id and o.direction = 'outbound' and o.delivery_status = 'sent'
    ) r on r.first is not null
    where ${inbound} and m.sent_at is not null`.execute(tx);
  const minutes = median[0]?.minutes;
  return {
    from: from.toISOString(),
    volume,
    sentiment,
    topAuthors,
    unanswered: open[0]?.n ?? 0,
    medianResponseMinutes: minutes == null ? null : Math.round(minutes * 10) / 10,
  };
}
