import { type RawBuilder, sql } from 'kysely';
import type { TQueueDay } from '../../../common/contracts/telephony';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { AppError, invalidField } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { systemActor } from '../tickets';

type Sql = RawBuilder<unknown>;

/**
 * Queue statistics per day (UTC): `telephony_queue_days` holds one row per workspace, day and
 * queue, counted from the calls (the record engine's relation, as the system sees them). A row
 * is recounted whole — never incremented — so counting again gives the same figures: when a
 * call of that day and queue ends (its status callback), every night for the last two days
 * (calls whose callback never came), and on demand for a period (administrators).
 *
 * Definitions, for a call whose last queue is the row's queue, started that day:
 * - offered: every such call;
 * - answered: it reached an agent (`agentId`) and completed;
 * - abandoned: it ended without reaching an agent (hung up waiting, or overflowed to voicemail);
 * - wait: from its first `queue` step to reaching an agent (its `agent` step, or a `dequeued`
 *   step with result bridged), or, unanswered, to its end;
 * - handle: an answered call's duration (Twilio's CallDuration) less the time before it reached
 *   the agent (the IVR and the wait).
 * Sums and counts are stored, so the averages of several days are exact.
 */

export interface DayFigures {
  day: string;
  queue: string;
  offered: number;
  answered: number;
  abandoned: number;
  wait_seconds: number;
  waits: number;
  handle_seconds: number;
  handled: number;
}

const DAY_MS = 86_400_000;
export const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (day: string, n: number) => dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
export const average = (sum: number | string, count: number) => (count > 0 ? Math.round(Number(sum) / count) : null);

/** The figures of each (day, queue) of [from, to] over `calls` (a scoped relation of the calls object). */
function figuresQuery(calls: Sql, from: string, to: string, queue?: string): Sql {
  const start = `${from}T00:00:00.000Z`;
  const end = `${addDays(to, 1)}T00:00:00.000Z`;
  return sql`
    with c as (
      select c.queue, to_char(c.started_at at time zone 'UTC', 'YYYY-MM-DD') as day,
        c.agent_id, c.status, c.ended_at, c.started_at, c.duration_seconds,
        (select min((s->>'at')::timestamptz) from jsonb_array_elements(coalesce(c.ivr_path, '[]'::jsonb)) s
          where s->>'kind' = 'queue') as queued_at,
        (select min((s->>'at')::timestamptz) from jsonb_array_elements(coalesce(c.ivr_path, '[]'::jsonb)) s
          where s->>'kind' = 'agent' or (s->>'kind' = 'dequeued' and s->>'digits' = 'bridged')) as reached_at
      from ${calls} c
      where c.queue is not null and c.started_at >= ${start}::timestamptz and c.started_at < ${end}::timestamptz
        and (${queue ?? null}::text is null or c.queue = ${queue ?? null}::text)
    ), x as (
      select c.*,
        case
          when c.queued_at is null then null
          when c.agent_id is not null and c.reached_at is not null
            then greatest(0, floor(extract(epoch from c.reached_at - c.queued_at)))
          when c.agent_id is null and c.ended_at is not null
            then greatest(0, floor(extract(epoch from c.ended_at - c.queued_at)))
        end as wait,
        case when c.agent_id is not null and c.status = 'completed'
          then greatest(0, coalesce(c.duration_seconds, 0)
            - coalesce(floor(extract(epoch from c.reached_at - c.started_at)), 0))
        end as handle
      from c
    )
    select x.day, x.queue,
      count(*)::int as offered,
      count(*) filter (where x.agent_id is not null and x.status = 'completed')::int as answered,
      count(*) filter (where x.agent_id is null and x.ended_at is not null)::int as abandoned,
      coalesce(sum(x.wait), 0)::bigint as wait_seconds, count(x.wait)::int as waits,
      coalesce(sum(x.handle), 0)::bigint as handle_seconds, count(x.handle)::int as handled
    from x group by x.day, x.queue`;
}

/** Each (day, queue)'s figures over `calls`, counted now (the live endpoint's "today"). */
export async function dayFigures(tx: Tx, calls: Sql, from: string, to: string): Promise<DayFigures[]> {
  const { rows } = await sql<DayFigures>`${figuresQuery(calls, from, to)} order by 1, 2`.execute(tx);
  return rows;
}

/**
 * Counts [from, to] (one queue, or all) again from the calls and replaces the stored rows, in
 * the caller's transaction (`tx` has entered the workspace); returns how many rows it stored.
 */
export async function recountQueueDays(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  from: string,
  to: string,
  queue?: string,
): Promise<number> {
  const ctx = await records.context(tx, systemActor(workspaceId), 'calls', 'read');
  const calls = records.scopedRelation(ctx, 'calls');
  await sql`delete from telephony_queue_days where workspace_id = rapport_workspace()
    and day between ${from}::date and ${to}::date
    and (${queue ?? null}::text is null or queue = ${queue ?? null}::text)`.execute(tx);
  const { rows } = await sql<{ n: number }>`with f as (${figuresQuery(calls, from, to, queue)}),
    ins as (insert into telephony_queue_days (workspace_id, day, queue, offered, answered, abandoned,
        wait_seconds, waits, handle_seconds, handled)
      select ${workspaceId}::uuid, f.day::date, f.queue, f.offered, f.answered, f.abandoned,
        f.wait_seconds, f.waits, f.handle_seconds, f.handled from f
      returning 1)
    select count(*)::int as n from ins`.execute(tx);
  return rows[0]?.n ?? 0;
}

/** The nightly recount: yesterday and today (UTC) of every workspace with a phone number. */
export async function recountRecentDays(database: Database, records: RecordService, now: Date): Promise<number> {
  const today = dayOf(now);
  const workspaces = await database.system(async (tx) => {
    const { rows } = await sql<{ workspace_id: string }>`select distinct workspace_id from telephony_numbers`.execute(
      tx,
    );
    return rows.map((r) => r.workspace_id);
  });
  let stored = 0;
  for (const ws of workspaces) {
    stored += await database.tenant(ws, (tx) => recountQueueDays(tx, records, ws, addDays(today, -1), today));
  }
  return stored;
}

/** A period of days from a query: both ends given or defaulted, in order, at most 366 days. */
export function dayRange(q: { from?: string; to?: string }, now: Date): [string, string] {
  const to = q.to ?? dayOf(now);
  const from = q.from ?? addDays(to, -29);
  if (to < from) throw invalidField('to', 'must not be before from');
  if (Date.parse(to) - Date.parse(from) > 365 * DAY_MS) throw invalidField('to', 'a period is at most 366 days');
  return [from, to];
}

/**
 * Whether the caller reads every call (`calls: read` with no narrower scope): the stored days count
 * every call of the workspace, so they are for them only (the endpoint's 403, a dashboard's hidden panel).
 */
export async function readsEveryCall(tx: Tx, records: RecordService, actor: Actor): Promise<boolean> {
  if (!(await records.access.policy(tx, actor)).can('calls', 'read')) return false;
  const ctx = await records.context(tx, actor, 'calls', 'read');
  return (await records.readableIdsInAnyState(tx, ctx, 'calls', [])) === 'all';
}

/** How the stored days are read: one queue or all, oldest first (the API) or newest first with a cap (a dashboard). */
export interface QueueDaysOptions {
  queue?: string;
  newestFirst?: boolean;
  limit?: number;
}

/** The stored days of [from, to] for whoever reads every call (`readsEveryCall`); others get 403. */
export async function listQueueDays(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  from: string,
  to: string,
  options: QueueDaysOptions = {},
): Promise<TQueueDay[]> {
  if (!(await readsEveryCall(tx, records, actor))) {
    throw new AppError(
      'forbidden',
      'Daily queue statistics count every call: they need the right to read all calls (your role sees some)',
    );
  }
  const { queue, newestFirst = false, limit } = options;
  const { rows } = await sql<DayFigures & { computed_at: Date | string }>`select
      to_char(day, 'YYYY-MM-DD') as day, queue, offered, answered, abandoned, wait_seconds, waits,
      handle_seconds, handled, computed_at
    from telephony_queue_days
    where workspace_id = rapport_workspace() and day between ${from}::date and ${to}::date
      and (${queue ?? null}::text is null or queue = ${queue ?? null}::text)
    order by day ${newestFirst ? sql`desc` : sql`asc`}, queue
    limit ${limit ?? null}`.execute(tx);
  return rows.map((r) => ({
    day: r.day,
    queue: r.queue,
    offered: r.offered,
    answered: r.answered,
    abandoned: r.abandoned,
    averageWaitSeconds: average(r.wait_seconds, r.waits),
    averageHandleSeconds: average(r.handle_seconds, r.handled),
    computedAt: new Date(r.computed_at).toISOString(),
  }));
}
