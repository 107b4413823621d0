import ICAL from 'ical.js';
import { AppError } from '../../platform/http/errors';
import { escapeText, foldLine as fold } from '../../platform/vcard/vcard';

/**
 * CalDAV's iCalendar (RFC 5545) for meetings (VEVENT) and tasks (VTODO): one component per
 * resource, times in UTC. Like cards, what Rapport has no field for (alarms, attendees'
 * parameters, categories, recurrence…) stays in the kept original and is served back.
 */

export type CalKind = 'meetings' | 'tasks';
const COMPONENT: Record<CalKind, 'vevent' | 'vtodo'> = { meetings: 'vevent', tasks: 'vtodo' };

/** Properties written from the record (never served from the kept original). */
const MAPPED = new Set([
  'uid',
  'summary',
  'dtstart',
  'dtend',
  'duration',
  'due',
  'location',
  'description',
  'status',
  'priority',
  'completed',
  'dtstamp',
  'last-modified',
  'created',
  'sequence',
]);

const bad = (message: string) =>
  new AppError('validation_failed', `iCalendar: ${message}`, { errors: [{ path: 'calendar', message }] });

export interface ParsedCalendar {
  uid: string;
  component: ICAL.Component;
  /** The component's property lines and sub-components Rapport does not map, as iCalendar text. */
  kept: string[];
}

const MAX_ICS = 512 * 1024;

/** Parses one calendar object resource; 4xx unless it is one VCALENDAR holding the expected component with a UID. */
export function parseCalendar(text: string, kind: CalKind): ParsedCalendar {
  if (text.length > MAX_ICS) throw new AppError('payload_too_large', 'A calendar resource may be at most 512 KB');
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (err) {
    throw bad(`not valid iCalendar (${(err as Error).message})`);
  }
  if (root.name !== 'vcalendar') throw bad('the body must be a VCALENDAR');
  for (const tz of root.getAllSubcomponents('vtimezone')) {
    try {
      ICAL.TimezoneService.register(tz);
    } catch {
      // An unreadable time zone: its times are read as floating, like an unknown TZID.
    }
  }
  const name = COMPONENT[kind];
  const items = root.getAllSubcomponents(name);
  const others = root.getAllSubcomponents().filter((c) => c.name !== name && c.name !== 'vtimezone');
  if (items.length !== 1 || others.length > 0) {
    throw bad(
      kind === 'meetings'
        ? 'this calendar holds events: send one VEVENT per resource (recurrence exceptions are not supported)'
        : 'this task list holds to-dos: send one VTODO per resource',
    );
  }
  const component = items[0] as ICAL.Component;
  const uid = component.getFirstPropertyValue('uid');
  if (typeof uid !== 'string' || uid.trim() === '') throw bad('the component needs a UID');
  const kept = [
    ...component
      .getAllProperties()
      .filter((p) => !MAPPED.has(p.name))
      .map((p) => p.toICALString()),
    ...component.getAllSubcomponents().map((c) => c.toString()),
  ];
  return { uid: uid.trim(), component, kept };
}

function timeOf(c: ICAL.Component, prop: string): Date | null {
  const v = c.getFirstPropertyValue(prop);
  if (!v || typeof v !== 'object' || !('toJSDate' in v)) return null;
  return (v as ICAL.Time).toJSDate();
}

const text = (c: ICAL.Component, prop: string) => {
  const v = c.getFirstPropertyValue(prop);
  return typeof v === 'string' && v.trim() !== '' ? v : null;
};

/** A VEVENT as meeting fields. */
export function eventToMeeting(p: ParsedCalendar): Record<string, unknown> {
  const c = p.component;
  const start = timeOf(c, 'dtstart');
  if (!start) throw bad('DTSTART is required');
  let end = timeOf(c, 'dtend');
  const duration = c.getFirstPropertyValue('duration');
  if (!end && duration && typeof duration === 'object' && 'toSeconds' in duration) {
    end = new Date(start.getTime() + (duration as ICAL.Duration).toSeconds() * 1000);
  }
  return {
    title: (text(c, 'summary') ?? 'Untitled event').slice(0, 300),
    startAt: start.toISOString(),
    endAt: end ? end.toISOString() : null,
    location: text(c, 'location')?.slice(0, 300) ?? null,
    description: text(c, 'description'),
  };
}

const STATUS_IN: Record<string, string> = {
  'NEEDS-ACTION': 'open',
  'IN-PROCESS': 'in_progress',
  COMPLETED: 'done',
  CANCELLED: 'cancelled',
};
const STATUS_OUT: Record<string, string> = {
  open: 'NEEDS-ACTION',
  in_progress: 'IN-PROCESS',
  waiting: 'NEEDS-ACTION',
  done: 'COMPLETED',
  cancelled: 'CANCELLED',
};
const PRIORITY_OUT: Record<string, number> = { urgent: 1, high: 3, normal: 5, low: 9 };

function priorityIn(v: unknown): string | undefined {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n <= 0) return undefined;
  return n <= 2 ? 'urgent' : n <= 4 ? 'high' : n === 5 ? 'normal' : 'low';
}

/** A VTODO as task fields. */
export function todoToTask(p: ParsedCalendar): Record<string, unknown> {
  const c = p.component;
  const status = text(c, 'status')?.toUpperCase();
  const out: Record<string, unknown> = {
    title: (text(c, 'summary') ?? 'Untitled task').slice(0, 300),
    dueAt: (timeOf(c, 'due') ?? timeOf(c, 'dtstart'))?.toISOString() ?? null,
    description: text(c, 'description'),
  };
  if (status) {
    const s = STATUS_IN[status];
    if (!s) throw bad('STATUS must be NEEDS-ACTION, IN-PROCESS, COMPLETED or CANCELLED');
    out.status = s;
  }
  const priority = priorityIn(c.getFirstPropertyValue('priority'));
  if (priority) out.priority = priority;
  return out;
}

const utc = (iso: unknown) =>
  typeof iso === 'string' && iso ? `${new Date(iso).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')}` : null;

/** The calendar object resource for a meeting or task as the caller sees it, plus the kept lines. */
export function recordToCalendar(
  kind: CalKind,
  record: Record<string, unknown>,
  opts: { uid: string; kept: string[]; baseUrl: string },
): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Rapport//Rapport CRM//EN', 'CALSCALE:GREGORIAN'];
  const name = kind === 'meetings' ? 'VEVENT' : 'VTODO';
  lines.push(`BEGIN:${name}`, `UID:${opts.uid}`);
  lines.push(`DTSTAMP:${utc(record.updatedAt) ?? utc(new Date().toISOString())}`);
  if (utc(record.createdAt)) lines.push(`CREATED:${utc(record.createdAt)}`);
  if (utc(record.updatedAt)) lines.push(`LAST-MODIFIED:${utc(record.updatedAt)}`);
  lines.push(`SEQUENCE:${Math.max(0, Number(record.version ?? 1) - 1)}`);
  const t = (s: unknown) => (typeof s === 'string' ? escapeText(s) : '');
  lines.push(`SUMMARY:${t(record.title)}`);
  if (kind === 'meetings') {
    const start = utc(record.startAt);
    if (start) lines.push(`DTSTART:${start}`);
    const end = utc(record.endAt);
    if (end) lines.push(`DTEND:${end}`);
    if (record.location) lines.push(`LOCATION:${t(record.location)}`);
  } else {
    const due = utc(record.dueAt);
    if (due) lines.push(`DUE:${due}`);
    const status = STATUS_OUT[String(record.status ?? 'open')];
    if (status) lines.push(`STATUS:${status}`);
    const priority = PRIORITY_OUT[String(record.priority ?? '')];
    if (priority) lines.push(`PRIORITY:${priority}`);
    const completed = utc(record.completedAt);
    if (completed) lines.push(`COMPLETED:${completed}`);
  }
  if (record.description) lines.push(`DESCRIPTION:${t(record.description)}`);
  lines.push(`URL:${opts.baseUrl.replace(/\/$/, '')}/${kind}/${String(record.id)}`);
  const out = lines.map(fold);
  // Kept lines are already iCalendar text (folded by ical.js as needed); URL is ours.
  for (const k of opts.kept) if (!/^URL[;:]/i.test(k)) out.push(k.replace(/\r?\n/g, '\r\n'));
  out.push(`END:${name}`, 'END:VCALENDAR');
  return `${out.join('\r\n')}\r\n`;
}
