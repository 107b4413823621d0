import { type RawBuilder, sql } from 'kysely';
import type { TAgenda } from '../../../common/contracts/tasks';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { isPgError } from '../../platform/db/pg-errors';
import { invalidField } from '../../platform/http/errors';
import type { ObjectSchema } from '../../platform/records/object-schema';
import { presentRow, selectColumns } from '../../platform/records/query';
import type { RecordContext, RecordService } from '../../platform/records/records.service';

type Sql = RawBuilder<unknown>;

export type Agenda = TAgenda;

const MAX_ITEMS = 2000;

/**
 * A user's tasks (assigned to them, with a due time) and meetings (they own or attend)
 * between two instants: the calendar page, the iCalendar feed and "my day" read this.
 * Attending a meeting shows it in your calendar even outside your record scope; the
 * caller's field permissions apply to both.
 */
export async function loadAgenda(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  range: { from: Date; to: Date; openTasksOnly?: boolean; overdueFrom?: Date },
): Promise<Agenda> {
  const me = actor.userId;
  const ctx = await records.context(tx, actor, 'tasks');
  const out: Agenda = { tasks: [], meetings: [] };
  if (!me) return out;
  if (ctx.policy.can('tasks', 'read')) {
    const taskFrom = range.overdueFrom ?? range.from;
    out.tasks = await read(
      tx,
      ctx,
      'tasks',
      records.scopedRelation(ctx, 'tasks'),
      [
        sql`t.assignee_id = ${me}::uuid`,
        sql`t.due_at >= ${taskFrom} and t.due_at < ${range.to}`,
        range.openTasksOnly ? sql`t.status not in ('done', 'cancelled')` : undefined,
      ],
      sql`t.due_at, t.id`,
    );
  }
  if (ctx.policy.can('meetings', 'read')) {
    out.meetings = await read(
      tx,
      ctx,
      'meetings',
      // Not the caller's record scope: attending shows a meeting (see above).
      sql.table('meetings_scoped'),
      [
        sql`(t.owner_id = ${me}::uuid or t.attendee_user_ids @> ${JSON.stringify([me])}::jsonb)`,
        // Overlapping the range: starts before its end, ends (or, without an end, starts) after its start.
        sql`t.start_at < ${range.to} and coalesce(t.end_at, t.start_at) >= ${range.from}`,
      ],
      sql`t.start_at, t.id`,
    );
  }
  return out;
}

async function read(tx: Tx, ctx: RecordContext, object: string, from: Sql, where: (Sql | undefined)[], order: Sql) {
  const schema = ctx.schemas.get(object) as ObjectSchema;
  const conds = [sql`t.deleted_at is null`, ...where].filter((c): c is Sql => !!c);
  const { rows } = await sql<Record<string, unknown>>`
    select ${selectColumns(schema, undefined)} from ${from} t
    where ${sql.join(conds, sql` and `)} order by ${order} limit ${MAX_ITEMS}`.execute(tx);
  // presentRow always gives id and version (the record shape of the contract).
  return rows.map((r) => presentRow(schema, r)) as Agenda['tasks'];
}

/** Checks an IANA time zone name (422 naming `path` otherwise). */
export function checkTimeZone(tz: string, path = 'tz'): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return tz;
  } catch {
    throw invalidField(path, 'must be an IANA time zone such as Europe/Paris');
  }
}

/**
 * "My day": the caller's open tasks due today or overdue, and today's meetings,
 * "today" being the calendar day in their time zone.
 */
export async function myDay(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  opts: { tz?: string; now?: Date } = {},
): Promise<Agenda & { date: string; timeZone: string; overdue: number }> {
  const tz = checkTimeZone(opts.tz ?? 'UTC');
  const now = opts.now ?? new Date();
  // The database's zone list may differ from the JavaScript runtime's: an unknown zone is the caller's error.
  const { rows } = await sql<{ start: Date; end: Date; date: string }>`
    select (date_trunc('day', ${now}::timestamptz at time zone ${tz}) at time zone ${tz}) as start,
      ((date_trunc('day', ${now}::timestamptz at time zone ${tz}) + interval '1 day') at time zone ${tz}) as end,
      to_char(${now}::timestamptz at time zone ${tz}, 'YYYY-MM-DD') as date`
    .execute(tx)
    .catch((err: unknown) => {
      if (isPgError(err, 'invalidParameterValue')) throw invalidField('tz', 'is not a time zone this server knows');
      throw err;
    });
  const day = rows[0] as { start: Date; end: Date; date: string };
  const agenda = await loadAgenda(tx, actor, records, {
    from: day.start,
    to: day.end,
    openTasksOnly: true,
    overdueFrom: new Date(0),
  });
  const overdue = agenda.tasks.filter((t) => Date.parse(String(t.dueAt)) < now.getTime()).length;
  return { ...agenda, date: day.date, timeZone: tz, overdue };
}
