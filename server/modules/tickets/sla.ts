import { sql } from 'kysely';
import type { FilterNode } from '../../../common/filter-ops';
import type { Tx } from '../../platform/db/database';
import { addBusinessMinutes, type BusinessCalendar } from './business-time';

/** One priority's targets, in business minutes of the policy's calendar. */
export interface SlaTarget {
  firstResponseMinutes: number;
  resolutionMinutes: number;
  nextResponseMinutes?: number;
}

export interface SlaPolicy {
  id: string;
  name: string;
  position: number;
  condition: FilterNode | null;
  targets: Partial<Record<string, SlaTarget>>;
  calendarId: string | null;
  calendar: BusinessCalendar | null;
}

/** The workspace's SLA policies in order (the first that applies to a ticket is its policy), with their calendars. */
export async function loadSlaPolicies(tx: Tx): Promise<SlaPolicy[]> {
  const { rows } = await sql<{
    id: string;
    name: string;
    position: number;
    condition: FilterNode | null;
    targets: Record<string, SlaTarget>;
    calendar_id: string | null;
    time_zone: string | null;
    weekly_hours: BusinessCalendar['weeklyHours'] | null;
    holidays: string[] | null;
  }>`
    select p.id, p.name, p.position, p.condition, p.targets, p.calendar_id, c.time_zone, c.weekly_hours, c.holidays
    from sla_policies p
    left join business_calendars c on c.workspace_id = p.workspace_id and c.id = p.calendar_id
    where p.workspace_id = rapport_workspace()
    order by p.position, p.created_at, p.id`.execute(tx);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    position: r.position,
    condition: r.condition,
    targets: r.targets,
    calendarId: r.calendar_id,
    calendar: r.time_zone
      ? { timeZone: r.time_zone, weeklyHours: r.weekly_hours ?? {}, holidays: r.holidays ?? [] }
      : null,
  }));
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Whether a ticket (its field values by API name) meets a policy's condition. Evaluated
 * in memory, before the write is stored, for the fields and operators a ticket has.
 */
export function ticketMatches(ticket: Record<string, unknown>, node: FilterNode | null): boolean {
  if (!node) return true;
  if ('and' in node) return node.and.every((n) => ticketMatches(ticket, n));
  if ('or' in node) return node.or.some((n) => ticketMatches(ticket, n));
  if ('not' in node) return !ticketMatches(ticket, node.not);
  const v = ticket[node.field];
  const want = node.value;
  const list = Array.isArray(want) ? want : [want];
  switch (node.op) {
    case 'eq':
      return Array.isArray(v) ? list.every((w) => v.includes(w)) && v.length === list.length : v === want;
    case 'ne':
      return v !== want;
    case 'in':
      return Array.isArray(v) ? v.some((x) => list.includes(x)) : list.includes(v);
    case 'nin':
      return Array.isArray(v) ? !v.some((x) => list.includes(x)) : !list.includes(v);
    case 'contains':
      return Array.isArray(v)
        ? v.includes(want)
        : typeof v === 'string' && v.toLowerCase().includes(String(want).toLowerCase());
    case 'startsWith':
      return typeof v === 'string' && v.toLowerCase().startsWith(String(want).toLowerCase());
    case 'endsWith':
      return typeof v === 'string' && v.toLowerCase().endsWith(String(want).toLowerCase());
    case 'gt':
      return v !== null && v !== undefined && (v as number) > (want as number);
    case 'gte':
      return v !== null && v !== undefined && (v as number) >= (want as number);
    case 'lt':
      return v !== null && v !== undefined && (v as number) < (want as number);
    case 'lte':
      return v !== null && v !== undefined && (v as number) <= (want as number);
    case 'isEmpty':
      return isEmpty(v);
    case 'isNotEmpty':
      return !isEmpty(v);
    case 'near':
    case 'within':
      return false; // tickets have no address; the condition's check refuses these operators
  }
}

/** The policy that applies to a ticket: the first in order whose condition it meets and that has a target for its priority. */
export function policyFor(ticket: Record<string, unknown>, policies: SlaPolicy[]): SlaPolicy | null {
  const priority = String(ticket.priority ?? 'normal');
  return policies.find((p) => p.targets[priority] && ticketMatches(ticket, p.condition)) ?? null;
}

export interface SlaDue {
  slaPolicyId: string | null;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
}

/**
 * A ticket's due times: its targets counted in business time from its creation, moved
 * out by the business minutes its clock was paused (pending on the customer). Business
 * minutes add up, so N minutes then P more is the same instant as N + P.
 */
export function dueTimes(
  ticket: { priority?: unknown; createdAt: string | Date; slaPausedMinutes?: unknown },
  policy: SlaPolicy | null,
): SlaDue {
  const target = policy?.targets[String(ticket.priority ?? 'normal')];
  if (!policy || !target) return { slaPolicyId: null, firstResponseDueAt: null, resolutionDueAt: null };
  const start = new Date(ticket.createdAt);
  const paused = Number(ticket.slaPausedMinutes ?? 0);
  return {
    slaPolicyId: policy.id,
    firstResponseDueAt: addBusinessMinutes(start, target.firstResponseMinutes + paused, policy.calendar).toISOString(),
    resolutionDueAt: addBusinessMinutes(start, target.resolutionMinutes + paused, policy.calendar).toISOString(),
  };
}
