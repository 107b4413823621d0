import { sql } from 'kysely';
import type { TForecast, TForecastHistory } from '../../../common/contracts/reports';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { invalidField } from '../../platform/http/errors';
import { normaliseDecimal } from '../../platform/records/field-types';
import type { RecordService } from '../../platform/records/records.service';
import { forecast } from './forecast.service';

/** The weekly forecast snapshot's queue (a cron schedule on the job queue). */
export const SNAPSHOT_QUEUE = 'reports.forecast-snapshot';

const FIGURES = [
  ['closed', 'closed'],
  ['commit', 'commit'],
  ['best_case', 'bestCase'],
  ['pipeline', 'pipeline'],
  ['weighted', 'weighted'],
] as const;

const day = (d: Date) => d.toISOString().slice(0, 10);

/** The calendar quarter holding `at` and the one after it (UTC). */
export function snapshotPeriods(at: Date): [string, string][] {
  const y = at.getUTCFullYear();
  const q = Math.floor(at.getUTCMonth() / 3) * 3;
  return [0, 3].map((offset) => [
    day(new Date(Date.UTC(y, q + offset, 1))),
    day(new Date(Date.UTC(y, q + offset + 3, 0))),
  ]);
}

/** Everything a workspace's forecast covers: read as an administrator with no user. */
const snapshotActor = (workspaceId: string): Actor => ({
  kind: 'user',
  userId: null,
  workspaceId,
  role: 'administrator',
  scopes: [],
});

/** One workspace's forecast of the current and the next quarter as it stands on `at` (read-only). */
async function forecastsOf(records: RecordService, tx: Tx, workspaceId: string, at: Date) {
  const actor = snapshotActor(workspaceId);
  const out: { from: string; to: string; forecast: TForecast }[] = [];
  for (const [from, to] of snapshotPeriods(at))
    out.push({ from, to, forecast: await forecast(records, tx, actor, { from, to }, at) });
  return out;
}

/** Stores forecasts as `at`'s day's snapshot: per owner and figure (a second run the same day replaces the first). */
async function storeSnapshot(
  tx: Tx,
  workspaceId: string,
  at: Date,
  forecasts: Awaited<ReturnType<typeof forecastsOf>>,
) {
  let stored = 0;
  for (const { from, to, forecast: f } of forecasts) {
    for (const owner of f.owners) {
      if (owner.count === 0) continue; // a quota alone is no forecast
      for (const [category, key] of FIGURES) {
        await sql`insert into forecast_snapshots
            (workspace_id, taken_on, period_start, period_end, owner_id, category, amount, currency, deals)
          values (${workspaceId}, ${day(at)}::date, ${from}::date, ${to}::date, ${owner.ownerId}::uuid, ${category},
            ${owner[key].amount}::numeric, ${f.currency}, ${owner.count})
          on conflict (workspace_id, taken_on, period_start, period_end, owner_id, category)
          do update set amount = excluded.amount, currency = excluded.currency, deals = excluded.deals`.execute(tx);
        stored++;
      }
    }
  }
  return stored;
}

/**
 * Stores one workspace's forecast of the current and the next quarter as it stands on
 * `at`'s day, in `tx`: per owner and figure (a second run the same day replaces the first).
 */
export async function snapshotWorkspace(records: RecordService, tx: Tx, workspaceId: string, at: Date) {
  return storeSnapshot(tx, workspaceId, at, await forecastsOf(records, tx, workspaceId, at));
}

/**
 * The weekly job: a snapshot of every workspace (one with no forecast stores nothing). The
 * forecasts are read where reports read (`reportRead`: the replica when one is configured
 * and fresh enough, else the primary), the snapshot written on the primary.
 */
export async function snapshotAll(database: Database, records: RecordService, at: Date): Promise<number> {
  const { rows } = await database.system((tx) =>
    sql<{ workspace_id: string }>`select id as workspace_id from workspaces order by id`.execute(tx),
  );
  let stored = 0;
  for (const { workspace_id: ws } of rows) {
    const { value: forecasts } = await database.reportRead(ws, (tx) => forecastsOf(records, tx, ws, at));
    stored += await database.tenant(ws, (tx) => storeSnapshot(tx, ws, at, forecasts));
  }
  return stored;
}

/**
 * The snapshots of one period (default: the current quarter), oldest first, per owner: an
 * administrator sees everyone's, anyone else their own (as quotas).
 */
export async function forecastHistory(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  query: { from?: string; to?: string },
  now: Date,
): Promise<TForecastHistory> {
  const [current] = snapshotPeriods(now) as [[string, string]];
  const from = query.from ?? current[0];
  const to = query.to ?? current[1];
  if (to < from) throw invalidField('to', 'must not be before from');
  const everyone = (await records.access.policy(tx, actor)).admin;
  const { rows } = await sql<{
    taken_on: string;
    owner_id: string | null;
    name: string | null;
    category: string;
    amount: string;
    currency: string;
    deals: number;
  }>`select to_char(s.taken_on, 'YYYY-MM-DD') as taken_on, s.owner_id, u.name, s.category, s.amount::text as amount,
       s.currency, s.deals
     from forecast_snapshots s left join users u on u.id = s.owner_id
     where s.workspace_id = ${actor.workspaceId} and s.period_start = ${from}::date and s.period_end = ${to}::date
       and ${everyone ? sql`true` : sql`s.owner_id = ${actor.userId}`}
     order by s.taken_on, u.name nulls last, s.owner_id`.execute(tx);
  const points = new Map<string, TForecastHistory['points'][number]>();
  for (const r of rows) {
    const key = `${r.taken_on}|${r.owner_id ?? ''}`;
    const zero = { amount: '0', currency: r.currency };
    const point = points.get(key) ?? {
      takenOn: r.taken_on,
      ownerId: r.owner_id,
      name: r.owner_id ? (r.name ?? 'A former member') : 'No owner',
      deals: r.deals,
      closed: zero,
      commit: zero,
      bestCase: zero,
      pipeline: zero,
      weighted: zero,
    };
    points.set(key, point);
    const figure = FIGURES.find(([c]) => c === r.category)?.[1];
    if (figure) point[figure] = { amount: normaliseDecimal(r.amount), currency: r.currency };
  }
  return { from, to, points: [...points.values()] };
}
