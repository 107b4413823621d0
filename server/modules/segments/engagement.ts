import { type RawBuilder, sql } from 'kysely';
import { BEHAVIOUR_CONDITION_INFO, MAX_BEHAVIOUR_DAYS } from '../../../common/behaviour-conditions';
import type { Tx } from '../../platform/db/database';
import type { StoredEvent } from '../../platform/events/events';
import { type FilterCondition, FilterValueError } from '../../platform/records/filter-conditions';
import { likeEscape } from '../../platform/records/query';

type Sql = RawBuilder<unknown>;

/**
 * The events that become rows of engagement_events (what leads and contacts did), read by
 * the behaviour conditions below. Campaigns count by emitting `email.opened` and
 * `email.clicked` about the contact or lead (the event's object and recordId, or
 * `data.contactId` / `data.leadId`), with `data.campaignId`, `data.url` (clicks) and
 * `data.occurredAt` when it happened earlier than the event was written — the same events
 * lead scoring earns points from. Nothing else needs to call in here.
 */
export const ENGAGEMENT_SOURCE_EVENTS = ['page.viewed', 'form.submitted', 'email.opened', 'email.clicked'] as const;

const PEOPLE = ['contacts', 'leads'] as const;
type Person = (typeof PEOPLE)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown, max: number): string | null => (typeof v === 'string' && v && v.length <= max ? v : null);

/** The contacts and leads an engagement event is about. */
function peopleOf(e: StoredEvent): { object: Person; id: string }[] {
  const out: { object: Person; id: string }[] = [];
  const add = (object: Person, id: unknown) => {
    if (typeof id === 'string' && UUID.test(id) && !out.some((o) => o.id === id)) out.push({ object, id });
  };
  if ((e.object === 'contacts' || e.object === 'leads') && e.recordId) add(e.object, e.recordId);
  add('contacts', e.data.contactId);
  add('leads', e.data.leadId);
  return out;
}

function occurredAt(e: StoredEvent): Date {
  const at = typeof e.data.occurredAt === 'string' ? new Date(e.data.occurredAt) : null;
  return at && !Number.isNaN(at.getTime()) ? at : new Date(e.createdAt);
}

function pathOf(data: Record<string, unknown>): string | null {
  const path = str(data.path, 2048);
  if (path) return path;
  const url = str(data.url, 2048);
  if (!url) return null;
  try {
    return new URL(url).pathname;
  } catch {
    return null;
  }
}

interface Row {
  workspace_id: string;
  id: string;
  object: Person;
  record_id: string;
  kind: string;
  ref: string | null;
  url: string | null;
  path: string | null;
  occurred_at: string;
}

/** The rows these events make (none for events of other types or about nobody). */
export function engagementRows(events: StoredEvent[]): Row[] {
  const rows: Row[] = [];
  for (const e of events) {
    let kind: string;
    let ref: string | null = null;
    let url: string | null = null;
    let path: string | null = null;
    if (e.type === 'page.viewed') {
      kind = e.data.kind === 'download' ? 'download' : 'page_view';
      url = str(e.data.url, 2048);
      path = pathOf(e.data);
    } else if (e.type === 'form.submitted') {
      kind = 'form_submission';
      ref = str(e.data.formId, 200);
    } else if (e.type === 'email.opened' || e.type === 'email.clicked') {
      kind = e.type === 'email.opened' ? 'email_open' : 'email_click';
      ref = str(e.data.campaignId, 200);
      url = str(e.data.url, 2048);
    } else continue;
    const at = occurredAt(e).toISOString();
    for (const p of peopleOf(e)) {
      rows.push({
        workspace_id: e.workspaceId,
        id: e.id,
        object: p.object,
        record_id: p.id,
        kind,
        ref,
        url,
        path,
        occurred_at: at,
      });
    }
  }
  return rows;
}

/** Writes the engagement rows of these events (a redelivered event adds nothing); true when any was new. */
export async function recordEngagement(tx: Tx, events: StoredEvent[]): Promise<boolean> {
  const rows = engagementRows(events);
  if (rows.length === 0) return false;
  const { rows: inserted } = await sql`
    insert into engagement_events (workspace_id, id, object, record_id, kind, ref, url, path, occurred_at)
    select workspace_id, id, object, record_id, kind, ref, url, path, occurred_at
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(workspace_id uuid, id uuid, object text,
      record_id uuid, kind text, ref text, url text, path text, occurred_at timestamptz)
    on conflict do nothing
    returning id`.execute(tx);
  return inserted.length > 0;
}

/** Forgets what purged records did. */
export async function forgetEngagement(tx: Tx, workspaceId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`delete from engagement_events where workspace_id = ${workspaceId}::uuid
    and record_id = any(${ids}::uuid[])`.execute(tx);
}

// ---- the behaviour conditions ----

const MAX_DAYS = MAX_BEHAVIOUR_DAYS;

/** A condition's name, label, objects and operators as common/behaviour-conditions.ts (the editor's list) has them. */
function info(name: string) {
  const i = BEHAVIOUR_CONDITION_INFO.find((c) => c.name === name);
  if (!i) throw new Error(`no behaviour condition ${name} in common/behaviour-conditions.ts`);
  return { name: i.name, label: i.label, objects: i.objects, ops: i.ops.map((o) => o.op) };
}

function objectValue(value: unknown, allowed: string[]): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new FilterValueError(null, `must be an object with ${allowed.join(', ')}`);
  const v = value as Record<string, unknown>;
  const extra = Object.keys(v).find((k) => !allowed.includes(k));
  if (extra) throw new FilterValueError(extra, `is not known here; use ${allowed.join(', ')}`);
  return v;
}

function daysOf(v: Record<string, unknown>): number | null {
  if (v.days === undefined || v.days === null) return null;
  if (typeof v.days !== 'number' || !Number.isInteger(v.days) || v.days < 1 || v.days > MAX_DAYS)
    throw new FilterValueError('days', `must be a whole number of days from 1 to ${MAX_DAYS}`);
  return v.days;
}

/** EXISTS an engagement row of the record at `alias`, of these kinds, in the window, meeting `extra`. */
function engaged(object: string, alias: string, kinds: string[], days: number | null, extra?: Sql): Sql {
  const t = (c: string) => sql.ref(`${alias}.${c}`);
  return sql`exists (select 1 from engagement_events ee
    where ee.workspace_id = ${t('workspace_id')} and ee.object = ${object} and ee.record_id = ${t('id')}
      and ee.kind = any(${kinds}::text[])${days === null ? sql`` : sql` and ee.occurred_at >= now() - make_interval(days => ${days}::int)`}${extra ? sql` and ${extra}` : sql``})`;
}

const PAGE_KINDS: Record<string, string[]> = {
  any: ['page_view', 'download'],
  page: ['page_view'],
  download: ['download'],
};

/** "Visited a page matching X in the last N days" (a page path when X starts with /, else the whole URL). */
export const visitedCondition: FilterCondition = {
  ...info('@visited'),
  describe:
    '{ page: "/pricing" (a path when it starts with /, else the URL; not with isNotEmpty), days?: 1-3650, kind?: "page" | "download" }',
  compile({ object, alias, op, value }) {
    const v = objectValue(value, ['page', 'days', 'kind']);
    const days = daysOf(v);
    const kind = v.kind === undefined ? 'any' : v.kind;
    if (typeof kind !== 'string' || !PAGE_KINDS[kind])
      throw new FilterValueError('kind', 'must be "page" or "download"');
    if (op === 'isNotEmpty') {
      if (v.page !== undefined) throw new FilterValueError('page', 'is not used with isNotEmpty (any page)');
      return engaged(object, alias, PAGE_KINDS[kind] as string[], days);
    }
    if (typeof v.page !== 'string' || !v.page.trim() || v.page.length > 1000)
      throw new FilterValueError('page', 'is required: a path (/pricing) or a URL of at most 1000 characters');
    const page = v.page.trim();
    const column = page.startsWith('/') ? sql.ref('ee.path') : sql.ref('ee.url');
    const body = likeEscape(page);
    const pattern =
      op === 'contains' ? `%${body}%` : op === 'startsWith' ? `${body}%` : op === 'endsWith' ? `%${body}` : body;
    return engaged(object, alias, PAGE_KINDS[kind] as string[], days, sql`${column} ilike ${pattern}`);
  },
};

/** "Submitted form F (in the last N days)"; isNotEmpty: any form. */
export const submittedFormCondition: FilterCondition = {
  ...info('@submittedForm'),
  describe: '{ form: "<form id>" (eq) | forms: ["<form id>", …] (in), days?: 1-3650 }',
  compile({ object, alias, op, value }) {
    const v = objectValue(value, ['form', 'forms', 'days']);
    const days = daysOf(v);
    const kinds = ['form_submission'];
    if (op === 'isNotEmpty') return engaged(object, alias, kinds, days);
    if (op === 'eq') {
      if (typeof v.form !== 'string' || !UUID.test(v.form)) throw new FilterValueError('form', 'must be a form id');
      return engaged(object, alias, kinds, days, sql`ee.ref = ${v.form.toLowerCase()}`);
    }
    const forms = v.forms;
    if (
      !Array.isArray(forms) ||
      forms.length === 0 ||
      forms.length > 100 ||
      !forms.every((f) => typeof f === 'string' && UUID.test(f))
    )
      throw new FilterValueError('forms', 'must be a list of 1 to 100 form ids');
    return engaged(object, alias, kinds, days, sql`ee.ref = any(${forms.map((f: string) => f.toLowerCase())}::text[])`);
  },
};

const EMAIL_KINDS: Record<string, string[]> = {
  any: ['email_open', 'email_click'],
  opened: ['email_open'],
  clicked: ['email_click'],
};

/** "Opened or clicked any email in the last N days" (campaigns' email.opened / email.clicked). */
export const emailEngagedCondition: FilterCondition = {
  ...info('@emailEngaged'),
  describe: '{ days?: 1-3650, action?: "opened" | "clicked", campaign?: "<campaign id>" }',
  compile({ object, alias, value }) {
    const v = objectValue(value, ['days', 'action', 'campaign']);
    const days = daysOf(v);
    const action = v.action === undefined ? 'any' : v.action;
    if (typeof action !== 'string' || !EMAIL_KINDS[action])
      throw new FilterValueError('action', 'must be "opened" or "clicked"');
    if (v.campaign !== undefined && (typeof v.campaign !== 'string' || !v.campaign || v.campaign.length > 200))
      throw new FilterValueError('campaign', 'must be a campaign id');
    const extra = v.campaign === undefined ? undefined : sql`ee.ref = ${String(v.campaign)}`;
    return engaged(object, alias, EMAIL_KINDS[action] as string[], days, extra);
  },
};

export const BEHAVIOUR_CONDITIONS = [visitedCondition, submittedFormCondition, emailEngagedCondition];
