import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TTemplateRequest } from '../../../common/contracts/mail';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { AppError, type FieldError, notFound } from '../http/errors';
import type { RecordService } from '../records/records.service';
import { enqueueMail } from './outbox';
import { parseTemplate, renderTemplate, templateVariables } from './template';

export type TemplateInput = TTemplateRequest;

interface TemplateRow {
  id: string;
  name: string;
  subject: string;
  html_body: string;
  text_body: string;
  created_at: Date;
  updated_at: Date;
}

const present = (r: TemplateRow) => ({
  id: r.id,
  name: r.name,
  subject: r.subject,
  html: r.html_body,
  text: r.text_body,
  variables: templateVariables(`${r.subject} ${r.html_body} ${r.text_body}`),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** What a preview shows when no contact is chosen. */
export const SAMPLE_CONTACT = {
  id: '00000000-0000-7000-8000-000000000000',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  title: 'Analyst',
  phone: '+442079460000',
};

/** 422 naming each body whose syntax is wrong. */
function assertValid(input: Partial<TemplateInput>): void {
  const errors: FieldError[] = [];
  for (const field of ['subject', 'html', 'text'] as const) {
    const src = input[field];
    if (src === undefined) continue;
    const parsed = parseTemplate(src);
    if ('problem' in parsed) {
      errors.push({ path: field, message: `${parsed.problem.message} (at character ${parsed.problem.at + 1})` });
    }
  }
  if (input.html !== undefined && input.text !== undefined && !input.html.trim() && !input.text.trim()) {
    errors.push({ path: 'text', message: 'a template needs an HTML or a text body' });
  }
  if (errors.length)
    throw new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });
}

const duplicateName = () =>
  new AppError('already_exists', 'A template with this name exists', {
    errors: [{ path: 'name', message: 'already exists' }],
  });

async function load(tx: Tx, id: string): Promise<TemplateRow> {
  const { rows } = await sql<TemplateRow>`select id, name, subject, html_body, text_body, created_at, updated_at
    from mail_templates where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  if (!rows[0]) throw notFound('Template');
  return rows[0];
}

export async function listTemplates(tx: Tx) {
  const { rows } = await sql<TemplateRow>`select id, name, subject, html_body, text_body, created_at, updated_at
    from mail_templates where workspace_id = rapport_workspace() order by name`.execute(tx);
  return rows.map(present);
}

export const getTemplate = async (tx: Tx, id: string) => present(await load(tx, id));

export async function createTemplate(tx: Tx, actor: Actor, input: TemplateInput) {
  assertValid(input);
  const id = uuidv7();
  const { rows } =
    await sql`insert into mail_templates (workspace_id, id, name, subject, html_body, text_body, created_by)
    values (${actor.workspaceId}, ${id}, ${input.name}, ${input.subject}, ${input.html}, ${input.text}, ${actor.userId})
    on conflict (workspace_id, name) do nothing returning id`.execute(tx);
  if (rows.length === 0) throw duplicateName();
  return getTemplate(tx, id);
}

export async function updateTemplate(tx: Tx, id: string, patch: Partial<TemplateInput>) {
  const current = await load(tx, id);
  const next = {
    name: patch.name ?? current.name,
    subject: patch.subject ?? current.subject,
    html: patch.html ?? current.html_body,
    text: patch.text ?? current.text_body,
  };
  assertValid(next);
  const clash = await sql`select 1 from mail_templates where workspace_id = rapport_workspace() and name = ${next.name}
    and id <> ${id}`.execute(tx);
  if (clash.rows.length) throw duplicateName();
  await sql`update mail_templates set name = ${next.name}, subject = ${next.subject}, html_body = ${next.html},
      text_body = ${next.text}, updated_at = now()
    where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  return getTemplate(tx, id);
}

export async function deleteTemplate(tx: Tx, id: string): Promise<void> {
  const { rows } = await sql`delete from mail_templates where workspace_id = rapport_workspace() and id = ${id}
    returning id`.execute(tx);
  if (rows.length === 0) throw notFound('Template');
}

/**
 * A suppression check: returns why mail to this address must not go out, or null.
 * Modules register theirs (contacts: do not contact; marketing: unsubscribes, bounces)
 * with registerSuppressionCheck; the platform names no CRM rule itself.
 */
export type SuppressionCheck = (
  tx: Tx,
  workspaceId: string,
  email: string,
  contact: Record<string, unknown> | null,
) => Promise<string | null>;

const suppressionChecks = new Set<SuppressionCheck>();

/** Adds a check (once, however many runtimes a process starts). */
export function registerSuppressionCheck(check: SuppressionCheck): void {
  suppressionChecks.add(check);
}

export async function suppressed(tx: Tx, workspaceId: string, email: string, contact: Record<string, unknown> | null) {
  for (const check of suppressionChecks) {
    const reason = await check(tx, workspaceId, email, contact);
    if (reason) return reason;
  }
  return null;
}

/** The variables a template sees: the contact as the caller may read it, the sender and the workspace. */
async function variables(tx: Tx, records: RecordService, actor: Actor, contactId: string | undefined) {
  const contact = contactId ? await records.get(tx, actor, 'contacts', contactId) : SAMPLE_CONTACT;
  const { rows } = await sql<{ user_name: string | null; user_email: string | null; workspace_name: string }>`
    select u.name as user_name, u.email as user_email, w.name as workspace_name
    from workspaces w left join users u on u.id = ${actor.userId}::uuid
    where w.id = ${actor.workspaceId}`.execute(tx);
  const r = rows[0];
  return {
    contact: contact as Record<string, unknown>,
    user: { name: r?.user_name ?? '', email: r?.user_email ?? '' },
    workspace: { name: r?.workspace_name ?? '' },
  };
}

function render(t: Pick<TemplateInput, 'subject' | 'html' | 'text'>, vars: Record<string, unknown>) {
  return {
    subject: renderTemplate(t.subject, vars, 'text').replace(/[\r\n]+/g, ' '),
    html: t.html.trim() ? renderTemplate(t.html, vars, 'html') : '',
    text: t.text.trim() ? renderTemplate(t.text, vars, 'text') : '',
  };
}

/** Renders a saved template or an unsaved draft with a chosen contact (or sample data). */
export async function previewTemplate(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  source: { id: string } | Pick<TemplateInput, 'subject' | 'html' | 'text'>,
  contactId?: string,
) {
  const t = 'id' in source ? present(await load(tx, source.id)) : source;
  assertValid(t);
  return { ...render(t, await variables(tx, records, actor, contactId)), sample: !contactId };
}

/** Renders the template for a contact and queues it in the outbox (in this transaction). */
export async function sendTemplate(tx: Tx, records: RecordService, actor: Actor, id: string, contactId: string) {
  const t = present(await load(tx, id));
  const vars = await variables(tx, records, actor, contactId);
  const email = vars.contact.email;
  if (typeof email !== 'string' || !email) {
    throw new AppError('validation_failed', 'The contact has no email address', {
      errors: [{ path: 'contactId', message: 'has no email address' }],
    });
  }
  const reason = await suppressed(tx, actor.workspaceId, email, vars.contact);
  if (reason) throw new AppError('conflict', `Not sent: ${reason}`);
  const mail = render(t, vars);
  const mailId = await enqueueMail(tx, actor.workspaceId, {
    to: email,
    subject: mail.subject,
    text: mail.text || mail.html.replace(/<[^>]*>/g, ''),
    html: mail.html || undefined,
  });
  return { mailId, to: email, subject: mail.subject };
}
