import { sql } from 'kysely';
import type { z } from 'zod';
import type {
  ScheduleInput,
  TReportCell,
  TReportColumn,
  TReportDefinition,
  TReportResult,
  TSchedule,
  TStandardKind,
  TStandardNumber,
} from '../../../common/contracts/reports';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Database, ReadSource, Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import type { JobQueue } from '../../platform/jobs/job-queue';
import { nextTick } from '../../platform/jobs/schedules';
import { enqueueMail } from '../../platform/mail/outbox';
import { escapeHtml } from '../../platform/mail/template';
import type { RecordService } from '../../platform/records/records.service';
import { runReport } from '../../platform/records/report';
import { reportWorkbook } from './report-files';
import { getDashboard, getReport } from './saved.service';
import { standardDashboard } from './standard.service';

/** Scheduled delivery (issue 22 point 4): the due sweep's and the delivery's queues. */
export const SCHEDULE_SWEEP_QUEUE = 'reports.schedules';
export const DELIVERY_QUEUE = 'reports.deliver';

/** When each frequency fires (UTC): daily 07:00, weekly Monday 07:00, monthly the 1st 07:00. */
const CRON = { daily: '0 7 * * *', weekly: '0 7 * * 1', monthly: '0 7 1 * *' } as const;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface ScheduleRow {
  id: string;
  workspace_id: string;
  owner_id: string;
  name: string;
  target_kind: 'report' | 'dashboard' | 'standard';
  target_id: string;
  frequency: keyof typeof CRON;
  recipients: string[];
  next_run_at: Date;
  last_run_at: Date | null;
  last_error: string | null;
  created_at: Date;
}

const present = (r: ScheduleRow): TSchedule => ({
  id: r.id,
  name: r.name,
  ownerId: r.owner_id,
  target: { kind: r.target_kind, id: r.target_id },
  frequency: r.frequency,
  recipients: r.recipients,
  nextRunAt: new Date(r.next_run_at).toISOString(),
  lastRunAt: r.last_run_at ? new Date(r.last_run_at).toISOString() : null,
  lastError: r.last_error,
  createdAt: new Date(r.created_at).toISOString(),
});

async function isAdmin(records: RecordService, tx: Tx, actor: Actor) {
  return (await records.access.policy(tx, actor)).admin;
}

/** Schedules the caller owns (an administrator: every one of the workspace). */
export async function listSchedules(records: RecordService, tx: Tx, actor: Actor): Promise<TSchedule[]> {
  const everyone = await isAdmin(records, tx, actor);
  const { rows } = await sql<ScheduleRow>`select * from report_schedules
    where ${everyone ? sql`true` : sql`owner_id = ${actor.userId}`} order by name, id`.execute(tx);
  return rows.map(present);
}

async function getSchedule(records: RecordService, tx: Tx, actor: Actor, id: string): Promise<ScheduleRow> {
  const { rows } = await sql<ScheduleRow>`select * from report_schedules where id = ${id}`.execute(tx);
  const row = rows[0];
  if (!row || (row.owner_id !== actor.userId && !(await isAdmin(records, tx, actor)))) throw notFound('Schedule');
  return row;
}

/**
 * Schedules a report, dashboard or standard dashboard for mailing. The caller must be able
 * to read it now; every recipient must be a member of the workspace. It runs as its owner
 * (the caller), with the owner's permissions at the time of each delivery.
 */
export async function createSchedule(
  tx: Tx,
  actor: Actor,
  input: z.output<typeof ScheduleInput>,
  now: Date,
): Promise<TSchedule> {
  if (!actor.userId) throw new AppError('forbidden', 'A schedule belongs to a person: sign in to create one');
  if (input.target.kind === 'report')
    await getReport(tx, actor, input.target.id).catch(() => {
      throw invalidField('target.id', 'no such report');
    });
  if (input.target.kind === 'dashboard')
    await getDashboard(tx, actor, input.target.id).catch(() => {
      throw invalidField('target.id', 'no such dashboard');
    });
  const recipients = [...new Set(input.recipients)];
  const { rows: members } = await sql<{ user_id: string }>`select user_id from workspace_members
    where workspace_id = ${actor.workspaceId} and user_id = any(${recipients}::uuid[])`.execute(tx);
  const found = new Set(members.map((m) => m.user_id));
  const missing = input.recipients.findIndex((id) => !found.has(id));
  if (missing >= 0) throw invalidField(`recipients.${missing}`, 'is not a member of this workspace');
  const { rows } = await sql<ScheduleRow>`
    insert into report_schedules (workspace_id, owner_id, name, target_kind, target_id, frequency, recipients, next_run_at)
    values (${actor.workspaceId}, ${actor.userId}, ${input.name}, ${input.target.kind}, ${input.target.id},
      ${input.frequency}, ${recipients}::uuid[], ${nextTick(CRON[input.frequency], now)})
    returning *`.execute(tx);
  const schedule = present(rows[0] as ScheduleRow);
  await audit(tx, actor, { action: 'reports.schedule_created', detail: { ...schedule } });
  return schedule;
}

export async function deleteSchedule(records: RecordService, tx: Tx, actor: Actor, id: string): Promise<void> {
  await getSchedule(records, tx, actor, id);
  await sql`delete from report_schedules where id = ${id}`.execute(tx);
  await audit(tx, actor, { action: 'reports.schedule_deleted', detail: { id } });
}

/** Mails a schedule now (its owner or an administrator), through the job queue. */
export async function sendScheduleNow(
  records: RecordService,
  jobs: JobQueue,
  tx: Tx,
  actor: Actor,
  id: string,
): Promise<void> {
  const row = await getSchedule(records, tx, actor, id);
  await jobs.enqueue(tx, {
    queue: DELIVERY_QUEUE,
    workspaceId: actor.workspaceId,
    payload: { scheduleId: row.id },
  });
}

/**
 * The sweep (every five minutes): each due schedule gets one delivery job for its tick (the
 * job's key is the tick, so a sweep run twice enqueues once) and moves on to its next tick.
 */
export async function enqueueDueDeliveries(database: Database, jobs: JobQueue, now: Date): Promise<number> {
  return database.system(async (tx) => {
    const { rows } = await sql<ScheduleRow>`select * from report_schedules where next_run_at <= ${now}
      order by next_run_at limit 500 for update skip locked`.execute(tx);
    for (const s of rows) {
      await jobs.enqueue(tx, {
        queue: DELIVERY_QUEUE,
        workspaceId: s.workspace_id,
        key: `${s.id}@${new Date(s.next_run_at).toISOString()}`,
        payload: { scheduleId: s.id },
      });
      await sql`update report_schedules set next_run_at = ${nextTick(CRON[s.frequency], now)}, updated_at = ${now}
        where workspace_id = ${s.workspace_id} and id = ${s.id}`.execute(tx);
    }
    return rows.length;
  });
}

// ---------------------------------------------------------------------------- rendering

interface Section {
  title: string;
  result: TReportResult;
}
interface Rendered {
  title: string;
  subtitle: string;
  numbers: TStandardNumber[];
  sections: Section[];
}

/** A cell as people read it: a person's or option's name, money with its currency. */
function cellText(c: TReportColumn, v: TReportCell | undefined): string {
  if (v == null) return '—';
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (Array.isArray(v)) return v.map((m) => `${m.amount} ${m.currency}`).join(' · ');
  if (typeof v === 'object') return `${v.amount} ${v.currency}`;
  return c.labels?.[String(v)] ?? String(v);
}
const unitText = (n: TStandardNumber) =>
  n.unit === 'percent' && n.value != null ? ' %' : n.unit === 'days' ? ' days' : n.unit === 'hours' ? ' hours' : '';
const numberText = (n: TStandardNumber) =>
  `${cellText({ name: n.key, label: n.label, role: 'measure', type: n.unit, field: null, op: null, bucket: null, labels: null }, n.value)}${unitText(n)}`;

const MAX_MAIL_ROWS = 50;

function renderHtml(r: Rendered, link: string): string {
  const th = 'style="text-align:left;border-bottom:1px solid #ccc;padding:4px 8px"';
  const td = 'style="border-bottom:1px solid #eee;padding:4px 8px"';
  const table = (s: Section) => {
    const rows = s.result.rows.slice(0, MAX_MAIL_ROWS);
    const more = s.result.rows.length - rows.length;
    return `<h2 style="font-size:16px;margin:20px 0 6px">${escapeHtml(s.title)}</h2>
<table style="border-collapse:collapse;font-size:13px"><thead><tr>${s.result.columns
      .map((c) => `<th ${th}>${escapeHtml(c.label)}</th>`)
      .join('')}</tr></thead><tbody>${
      rows.length
        ? rows
            .map(
              (row) =>
                `<tr>${s.result.columns.map((c) => `<td ${td}>${escapeHtml(cellText(c, row[c.name]))}</td>`).join('')}</tr>`,
            )
            .join('')
        : `<tr><td ${td} colspan="${s.result.columns.length}">Nothing in this period.</td></tr>`
    }</tbody></table>${more > 0 ? `<p style="color:#666">…and ${more} more rows in the attached file.</p>` : ''}`;
  };
  return `<!doctype html><html><body style="font-family:Arial,sans-serif;color:#222">
<h1 style="font-size:20px">${escapeHtml(r.title)}</h1><p style="color:#666">${escapeHtml(r.subtitle)}</p>
${
  r.numbers.length
    ? `<table style="border-collapse:collapse;font-size:14px"><tbody>${r.numbers
        .map(
          (n) =>
            `<tr><td ${td}>${escapeHtml(n.label)}</td><td ${td}><strong>${escapeHtml(numberText(n))}</strong></td></tr>`,
        )
        .join('')}</tbody></table>`
    : ''
}
${r.sections.map(table).join('\n')}
<p style="margin-top:24px"><a href="${escapeHtml(link)}">Open in Rapport</a> · The full figures are in the attached spreadsheet.</p>
</body></html>`;
}

function renderText(r: Rendered, link: string): string {
  const lines = [r.title, r.subtitle, ''];
  for (const n of r.numbers) lines.push(`${n.label}: ${numberText(n)}`);
  for (const s of r.sections) {
    lines.push('', s.title);
    for (const row of s.result.rows.slice(0, MAX_MAIL_ROWS))
      lines.push(`  ${s.result.columns.map((c) => cellText(c, row[c.name])).join(' | ')}`);
  }
  lines.push('', `Open in Rapport: ${link}`, 'The full figures are in the attached spreadsheet.');
  return lines.join('\n');
}

/** What a schedule runs: saved report definitions (a report, a dashboard's widgets) or a standard dashboard. */
type Plan =
  | { kind: 'reports'; title: string; reports: { title: string; definition: TReportDefinition }[] }
  | { kind: 'standard'; standard: TStandardKind };

/**
 * A schedule's plan, read on the primary (a definition just saved is always found, as for
 * the report routes): the saved report, or each widget's report of the dashboard that its
 * owner may still read, or a standard dashboard.
 */
async function plan(tx: Tx, actor: Actor, s: ScheduleRow): Promise<Plan> {
  if (s.target_kind === 'report') {
    const saved = await getReport(tx, actor, s.target_id);
    return {
      kind: 'reports',
      title: saved.name,
      reports: [{ title: saved.name, definition: saved.definition as TReportDefinition }],
    };
  }
  if (s.target_kind === 'dashboard') {
    const dashboard = await getDashboard(tx, actor, s.target_id);
    const reports: { title: string; definition: TReportDefinition }[] = [];
    for (const w of dashboard.widgets) {
      const saved = await getReport(tx, actor, w.reportId).catch(() => null);
      if (!saved) continue; // a widget whose report is gone or private to someone else
      reports.push({ title: w.title ?? saved.name, definition: saved.definition as TReportDefinition });
    }
    return { kind: 'reports', title: dashboard.name, reports };
  }
  return { kind: 'standard', standard: s.target_id as TStandardKind };
}

/** The figures of a plan, run as `actor` (its owner): read-only, so it may run on the replica. */
async function render(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  p: Plan,
  now: Date,
): Promise<Rendered & { link: string }> {
  if (p.kind === 'reports') {
    const sections: Section[] = [];
    for (const r of p.reports)
      sections.push({ title: r.title, result: await runReport(records, tx, actor, r.definition) });
    return {
      title: p.title,
      subtitle: `As of ${now.toISOString().slice(0, 10)}`,
      numbers: [],
      sections,
      link: '/reports',
    };
  }
  const d = await standardDashboard(records, tx, actor, p.standard, {}, now);
  const numbers: TReportResult = {
    columns: [
      {
        name: 'figure',
        label: 'Figure',
        role: 'group',
        type: 'text',
        field: null,
        op: null,
        bucket: null,
        labels: null,
      },
      {
        name: 'value',
        label: 'Value',
        role: 'measure',
        type: 'text',
        field: null,
        op: null,
        bucket: null,
        labels: null,
      },
    ],
    rows: d.numbers.map((n) => ({ figure: n.label, value: n.value })),
    truncated: false,
  };
  return {
    title: `${d.title} dashboard`,
    subtitle: `${d.from} – ${d.to}`,
    numbers: d.numbers,
    sections: [
      { title: 'Summary', result: numbers },
      ...d.panels.map((p) => ({ title: p.title, result: p.result })),
    ].filter((x) => x.title !== 'Summary' || d.numbers.length > 0),
    link: `/reports?standard=${d.kind}`,
  };
}

/** Why a schedule could not be run, as kept on it (a domain error's message; anything else unnamed). */
const failure = (e: unknown) => ({ error: e instanceof AppError ? e.message : 'the report could not be run' });

/**
 * Delivers one schedule: runs it as its owner (their role now: someone who has left the
 * workspace sends nothing), renders a summary and mails it with the XLSX to each recipient
 * still a member, in one transaction (the transactional outbox). The schedule and the saved
 * definitions are read on the primary; the figures where reports read (`reportRead`: the
 * replica when one is configured and fresh enough, else the primary). A failure to run it
 * (the report was deleted, the owner lost access) is kept on the schedule as its last error.
 */
export async function deliverSchedule(
  database: Database,
  records: RecordService,
  baseUrl: string,
  workspaceId: string,
  scheduleId: string,
  now: Date,
): Promise<{ sent: number; error: string | null; source?: ReadSource }> {
  const planned = await database.tenantRead(workspaceId, async (tx) => {
    const { rows } = await sql<ScheduleRow & { role: string | null }>`
      select s.*, m.role from report_schedules s
      left join workspace_members m on m.workspace_id = s.workspace_id and m.user_id = s.owner_id
      where s.id = ${scheduleId}`.execute(tx);
    const s = rows[0];
    if (!s?.role) return null;
    const owner: Actor = { kind: 'user', userId: s.owner_id, workspaceId, role: s.role, scopes: [] };
    return { s, owner, plan: await plan(tx, owner, s).catch((e: unknown) => failure(e)) };
  });
  if (!planned) return { sent: 0, error: 'no such schedule' };
  const { s, owner } = planned;
  let read: { value: Rendered & { link: string }; source: ReadSource } | { error: string };
  if ('error' in planned.plan) read = planned.plan;
  else {
    const p = planned.plan;
    read = await database
      .reportRead(workspaceId, (tx) => render(records, tx, owner, p, now))
      .catch((e: unknown) => failure(e));
  }
  return database.tenant(workspaceId, async (tx) => {
    if ('error' in read) {
      await sql`update report_schedules set last_run_at = ${now}, last_error = ${read.error} where id = ${s.id}`.execute(
        tx,
      );
      return { sent: 0, error: read.error };
    }
    const rendered = read.value;
    const link = `${baseUrl.replace(/\/$/, '')}${rendered.link}`;
    const workbook = Buffer.from(reportWorkbook(rendered.sections.map((x) => ({ name: x.title, result: x.result }))));
    const file = `${rendered.title.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'report'}-${now.toISOString().slice(0, 10)}.xlsx`;
    const { rows: to } = await sql<{ email: string }>`
      select u.email from users u join workspace_members m on m.user_id = u.id
      where m.workspace_id = ${workspaceId} and u.id = any(${s.recipients}::uuid[]) order by u.email`.execute(tx);
    for (const r of to)
      await enqueueMail(tx, workspaceId, {
        to: r.email,
        subject: `${rendered.title} — ${s.frequency} report`,
        text: renderText(rendered, link),
        html: renderHtml(rendered, link),
        attachments: [{ filename: file, contentType: XLSX, content: workbook }],
      });
    await sql`update report_schedules set last_run_at = ${now}, last_error = null where id = ${s.id}`.execute(tx);
    return { sent: to.length, error: null, source: read.source };
  });
}
