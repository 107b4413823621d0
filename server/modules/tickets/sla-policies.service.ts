import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TSlaPolicy } from '../../../common/contracts/tickets';
import type { FilterNode } from '../../../common/filter-ops';
import type { Tx } from '../../platform/db/database';
import { invalidField, notFound } from '../../platform/http/errors';
import { SYSTEM_FIELDS } from '../../platform/records/types';
import { isTimeZone } from './business-time';
import { ticketsObject } from './tickets.object';

/** SLA policies and business-hours calendars of the workspace (administrators change them). */

interface PolicyRow {
  id: string;
  name: string;
  position: number;
  condition: unknown;
  targets: TSlaPolicy['targets'];
  calendar_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const presentPolicy = (r: PolicyRow): TSlaPolicy => ({
  id: r.id,
  name: r.name,
  position: r.position,
  condition: r.condition ?? null,
  targets: r.targets,
  calendarId: r.calendar_id,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const TICKET_FIELDS = new Set([...ticketsObject.fields, ...SYSTEM_FIELDS].map((f) => f.name));

/** Refuses a condition naming a field tickets do not have (custom fields as `custom.<name>` are let through). */
function checkCondition(node: FilterNode | null | undefined, path = 'condition'): void {
  if (!node) return;
  if ('and' in node || 'or' in node) {
    const [key, list] = 'and' in node ? ['and', node.and] : ['or', node.or];
    for (const [i, n] of list.entries()) checkCondition(n, `${path}.${key}.${i}`);
    return;
  }
  if ('not' in node) {
    checkCondition(node.not, `${path}.not`);
    return;
  }
  if (!TICKET_FIELDS.has(node.field)) throw invalidField(`${path}.field`, `tickets have no field "${node.field}"`);
}

async function checkCalendar(tx: Tx, calendarId: string | null | undefined): Promise<void> {
  if (!calendarId) return;
  const { rows } = await sql`select 1 from business_calendars
    where workspace_id = rapport_workspace() and id = ${calendarId}::uuid`.execute(tx);
  if (!rows[0]) throw invalidField('calendarId', 'is not a business calendar of this workspace');
}

const POLICY_COLUMNS = sql`id, name, position, condition, targets, calendar_id, created_at, updated_at`;

export async function listSlaPolicies(tx: Tx): Promise<TSlaPolicy[]> {
  const { rows } = await sql<PolicyRow>`select ${POLICY_COLUMNS} from sla_policies
    where workspace_id = rapport_workspace() order by position, created_at, id`.execute(tx);
  return rows.map(presentPolicy);
}

export async function getSlaPolicy(tx: Tx, id: string): Promise<TSlaPolicy> {
  const { rows } = await sql<PolicyRow>`select ${POLICY_COLUMNS} from sla_policies
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  if (!rows[0]) throw notFound('SLA policy');
  return presentPolicy(rows[0]);
}

export interface SlaPolicyFields {
  name?: string;
  targets?: TSlaPolicy['targets'];
  condition?: FilterNode | null;
  position?: number;
  calendarId?: string | null;
}

export async function createSlaPolicy(
  tx: Tx,
  workspaceId: string,
  input: Required<Pick<SlaPolicyFields, 'name' | 'targets'>> & SlaPolicyFields,
) {
  checkCondition(input.condition);
  await checkCalendar(tx, input.calendarId);
  const id = uuidv7();
  await sql`insert into sla_policies (workspace_id, id, name, position, condition, targets, calendar_id)
    values (${workspaceId}, ${id}, ${input.name}, ${input.position ?? 0},
      ${input.condition ? JSON.stringify(input.condition) : null}::jsonb, ${JSON.stringify(input.targets)}::jsonb,
      ${input.calendarId ?? null}::uuid)`.execute(tx);
  return getSlaPolicy(tx, id);
}

export async function updateSlaPolicy(tx: Tx, id: string, input: SlaPolicyFields) {
  await getSlaPolicy(tx, id);
  checkCondition(input.condition);
  await checkCalendar(tx, input.calendarId);
  const sets = [sql`updated_at = now()`];
  if (input.name !== undefined) sets.push(sql`name = ${input.name}`);
  if (input.position !== undefined) sets.push(sql`position = ${input.position}`);
  if (input.targets !== undefined) sets.push(sql`targets = ${JSON.stringify(input.targets)}::jsonb`);
  if (input.condition !== undefined)
    sets.push(sql`condition = ${input.condition ? JSON.stringify(input.condition) : null}::jsonb`);
  if (input.calendarId !== undefined) sets.push(sql`calendar_id = ${input.calendarId}::uuid`);
  await sql`update sla_policies set ${sql.join(sets)}
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  return getSlaPolicy(tx, id);
}

export async function deleteSlaPolicy(tx: Tx, id: string): Promise<void> {
  const { numAffectedRows } = await sql`delete from sla_policies
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  if (!numAffectedRows) throw notFound('SLA policy');
}

interface CalendarRow {
  id: string;
  name: string;
  time_zone: string;
  weekly_hours: Record<string, { start: string; end: string }[]>;
  holidays: string[];
  created_at: Date;
  updated_at: Date;
}
const presentCalendar = (r: CalendarRow) => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  weeklyHours: r.weekly_hours,
  holidays: r.holidays,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export interface CalendarFields {
  name?: string;
  timeZone?: string;
  weeklyHours?: Record<string, { start: string; end: string }[]>;
  holidays?: string[];
}

function checkCalendarFields(input: CalendarFields): void {
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone))
    throw invalidField('timeZone', `"${input.timeZone}" is not a time zone (use an IANA name such as Europe/Berlin)`);
  if (input.holidays) {
    for (const [i, d] of input.holidays.entries()) {
      if (Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d)
        throw invalidField(`holidays.${i}`, `"${d}" is not a date`);
    }
  }
}

export async function listCalendars(tx: Tx) {
  const { rows } = await sql<CalendarRow>`select * from business_calendars
    where workspace_id = rapport_workspace() order by name, id`.execute(tx);
  return rows.map(presentCalendar);
}

export async function getCalendar(tx: Tx, id: string) {
  const { rows } = await sql<CalendarRow>`select * from business_calendars
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  if (!rows[0]) throw notFound('Business calendar');
  return presentCalendar(rows[0]);
}

export async function createCalendar(tx: Tx, workspaceId: string, input: Required<CalendarFields>) {
  checkCalendarFields(input);
  const id = uuidv7();
  await sql`insert into business_calendars (workspace_id, id, name, time_zone, weekly_hours, holidays)
    values (${workspaceId}, ${id}, ${input.name}, ${input.timeZone}, ${JSON.stringify(input.weeklyHours)}::jsonb,
      ${JSON.stringify(input.holidays)}::jsonb)`.execute(tx);
  return getCalendar(tx, id);
}

export async function updateCalendar(tx: Tx, id: string, input: CalendarFields) {
  await getCalendar(tx, id);
  checkCalendarFields(input);
  const sets = [sql`updated_at = now()`];
  if (input.name !== undefined) sets.push(sql`name = ${input.name}`);
  if (input.timeZone !== undefined) sets.push(sql`time_zone = ${input.timeZone}`);
  if (input.weeklyHours !== undefined) sets.push(sql`weekly_hours = ${JSON.stringify(input.weeklyHours)}::jsonb`);
  if (input.holidays !== undefined) sets.push(sql`holidays = ${JSON.stringify(input.holidays)}::jsonb`);
  await sql`update business_calendars set ${sql.join(sets)}
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  return getCalendar(tx, id);
}

export async function deleteCalendar(tx: Tx, id: string): Promise<void> {
  const { numAffectedRows } = await sql`delete from business_calendars
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  if (!numAffectedRows) throw notFound('Business calendar');
}

export interface ServiceSettings {
  acknowledgeNewTickets: boolean;
  csatEnabled: boolean;
  csatSubject: string | null;
  csatIntro: string | null;
}

/** The workspace's service settings (the defaults when it never changed them). */
export async function serviceSettings(tx: Tx): Promise<ServiceSettings> {
  const { rows } = await sql<{
    acknowledge_new_tickets: boolean;
    csat_enabled: boolean;
    csat_subject: string | null;
    csat_intro: string | null;
  }>`select acknowledge_new_tickets, csat_enabled, csat_subject, csat_intro from ticket_settings
    where workspace_id = rapport_workspace()`.execute(tx);
  const r = rows[0];
  return {
    acknowledgeNewTickets: r?.acknowledge_new_tickets ?? true,
    csatEnabled: r?.csat_enabled ?? true,
    csatSubject: r?.csat_subject ?? null,
    csatIntro: r?.csat_intro ?? null,
  };
}

export async function updateServiceSettings(tx: Tx, workspaceId: string, patch: Partial<ServiceSettings>) {
  const s = { ...(await serviceSettings(tx)), ...patch };
  await sql`insert into ticket_settings (workspace_id, acknowledge_new_tickets, csat_enabled, csat_subject, csat_intro)
    values (${workspaceId}, ${s.acknowledgeNewTickets}, ${s.csatEnabled}, ${s.csatSubject}, ${s.csatIntro})
    on conflict (workspace_id) do update set acknowledge_new_tickets = excluded.acknowledge_new_tickets,
      csat_enabled = excluded.csat_enabled, csat_subject = excluded.csat_subject, csat_intro = excluded.csat_intro,
      updated_at = now()`.execute(tx);
  return serviceSettings(tx);
}
