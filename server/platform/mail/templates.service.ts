import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TTemplateRequest } from '../../../common/contracts/mail';
import { withArticle } from '../../../common/validation-messages';
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
  format: 'html' | 'mjml';
  created_at: Date;
  updated_at: Date;
}

const present = (r: TemplateRow) => ({
  id: r.id,
  name: r.name,
  subject: r.subject,
  html: r.html_body,
  text: r.text_body,
  format: r.format,
  variables: templateVariables(`${r.subject} ${r.html_body} ${r.text_body}`),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * An MJML body compiled to responsive HTML (placeholders pass through untouched: they are
 * filled per recipient afterwards). Throws a 422 naming `html` for invalid MJML.
 */
export async function compileMjml(src: string): Promise<string> {
  if (!/<mjml[\s>]/.test(src)) {
    throw new AppError('validation_failed', 'html: an MJML template starts with <mjml>', {
      errors: [{ path: 'html', message: 'an MJML template is an <mjml> document' }],
    });
  }
  // MJML (with cheerio and juice) is loaded on the first template compiled: over half a
  // second of every start-up otherwise, for what most processes never do.
  const { default: mjml2html } = await import('mjml');
  try {
    const out = await mjml2html(src, { validationLevel: 'strict' });
    return out.html;
  } catch (err) {
    const message = String((err as Error).message ?? err)
      .replace(/^ValidationError:\s*/, '')
      .replace(/Line (\d+) of [^(]*\(/g, 'line $1 (')
      .trim()
      .slice(0, 300);
    throw new AppError('validation_failed', `html: ${message}`, { errors: [{ path: 'html', message }] });
  }
}

/** The plain-text part of an HTML body: its text, links as "text (url)", blocks on their own lines. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(style|script|head|title)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<a\s[^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, inner: string) => {
      const label = inner.replace(/<[^>]*>/g, '').trim();
      return label && label !== href ? `${label} (${href})` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table|section)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** 422 naming each body whose syntax is wrong. */
async function assertValid(input: Partial<TemplateInput>): Promise<void> {
  if (input.format === 'mjml' && input.html !== undefined) await compileMjml(input.html);
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
  const { rows } = await sql<TemplateRow>`select id, name, subject, html_body, text_body, format, created_at, updated_at
    from mail_templates where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  if (!rows[0]) throw notFound('Template');
  return rows[0];
}

export async function listTemplates(tx: Tx) {
  const { rows } = await sql<TemplateRow>`select id, name, subject, html_body, text_body, format, created_at, updated_at
    from mail_templates where workspace_id = rapport_workspace() order by name`.execute(tx);
  return rows.map(present);
}

export const getTemplate = async (tx: Tx, id: string) => present(await load(tx, id));

export async function createTemplate(tx: Tx, actor: Actor, input: TemplateInput) {
  await assertValid(input);
  const id = uuidv7();
  const { rows } =
    await sql`insert into mail_templates (workspace_id, id, name, subject, html_body, text_body, format, created_by)
    values (${actor.workspaceId}, ${id}, ${input.name}, ${input.subject}, ${input.html}, ${input.text},
      ${input.format ?? 'html'}, ${actor.userId})
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
    format: patch.format ?? current.format,
  };
  await assertValid(next);
  const clash = await sql`select 1 from mail_templates where workspace_id = rapport_workspace() and name = ${next.name}
    and id <> ${id}`.execute(tx);
  if (clash.rows.length) throw duplicateName();
  await sql`update mail_templates set name = ${next.name}, subject = ${next.subject}, html_body = ${next.html},
      text_body = ${next.text}, format = ${next.format}, updated_at = now()
    where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  return getTemplate(tx, id);
}

export async function deleteTemplate(tx: Tx, id: string): Promise<void> {
  const { rows } = await sql`delete from mail_templates where workspace_id = rapport_workspace() and id = ${id}
    returning id`.execute(tx);
  if (rows.length === 0) throw notFound('Template');
}

/**
 * A suppression check: for each of a batch of recipients (an address and the record the
 * mail goes to, as its template variable sees it), why mail to them must not go out, or
 * null — in the batch's order, decided in a fixed number of queries however long the batch
 * (a campaign asks for hundreds at once). Modules register theirs (contacts: do not
 * contact; bounces: the suppression list) with registerSuppressionCheck; the platform
 * names no CRM rule itself.
 */
export type SuppressionCheck = (
  tx: Tx,
  workspaceId: string,
  recipients: SuppressionCandidate[],
) => Promise<(string | null)[]>;

export interface SuppressionCandidate {
  email: string;
  recipient: Record<string, unknown> | null;
}

const suppressionChecks = new Set<SuppressionCheck>();

/** Adds a check (once, however many runtimes a process starts). */
export function registerSuppressionCheck(check: SuppressionCheck): void {
  suppressionChecks.add(check);
}

/** Why mail to each recipient must not go out (the first registered check that says so), or null; in order. */
export async function suppressedMany(
  tx: Tx,
  workspaceId: string,
  recipients: SuppressionCandidate[],
): Promise<(string | null)[]> {
  const out: (string | null)[] = recipients.map(() => null);
  if (recipients.length === 0) return out;
  for (const check of suppressionChecks) {
    const open = out.flatMap((reason, i) => (reason ? [] : [i]));
    if (open.length === 0) break;
    const reasons = await check(
      tx,
      workspaceId,
      open.map((i) => recipients[i] as SuppressionCandidate),
    );
    open.forEach((i, k) => {
      out[i] = reasons[k] ?? null;
    });
  }
  return out;
}

export async function suppressed(
  tx: Tx,
  workspaceId: string,
  email: string,
  recipient: Record<string, unknown> | null,
) {
  return (await suppressedMany(tx, workspaceId, [{ email, recipient }]))[0] ?? null;
}

/**
 * A variable templates can be rendered with: a record a module provides (contacts:
 * `{{ contact.firstName }}`), loaded as the caller may read it. Templates are sent to
 * such a record's `email`. The platform names no CRM object itself.
 */
export interface TemplateVariableProvider {
  /** The variable's name in templates; requests name its record as `<name>Id`. */
  name: string;
  /** What a preview shows when no record is chosen. */
  sample: Record<string, unknown>;
  load(tx: Tx, records: RecordService, actor: Actor, id: string): Promise<Record<string, unknown>>;
}

const variableProviders = new Map<string, TemplateVariableProvider>();

/** Adds a provider (the same one again replaces it). */
export function registerTemplateVariables(provider: TemplateVariableProvider): void {
  variableProviders.set(provider.name, provider);
}

/** Record ids per variable name (`{ contact: id }`); a variable without one shows its sample. */
export type TemplateRecords = Record<string, string | undefined>;

/** The variables a template sees: the modules' records as the caller may read them, the sender and the workspace. */
async function variables(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  ids: TemplateRecords,
): Promise<Record<string, Record<string, unknown>>> {
  const provided: Record<string, Record<string, unknown>> = {};
  for (const p of variableProviders.values()) {
    const id = ids[p.name];
    provided[p.name] = id ? await p.load(tx, records, actor, id) : p.sample;
  }
  const { rows } = await sql<{ user_name: string | null; user_email: string | null; workspace_name: string }>`
    select u.name as user_name, w.name as workspace_name,
      -- a pending account's address is not its own until verified (issue 12.9)
      case when u.pending_email is null then u.email else '' end as user_email
    from workspaces w left join users u on u.id = ${actor.userId}::uuid
    where w.id = ${actor.workspaceId}`.execute(tx);
  const r = rows[0];
  return {
    ...provided,
    user: { name: r?.user_name ?? '', email: r?.user_email ?? '' },
    workspace: { name: r?.workspace_name ?? '' },
  };
}

/** A template ready to render per recipient: MJML already compiled to HTML. */
export interface CompiledTemplate {
  subject: string;
  html: string;
  text: string;
}

/** Compiles a template's body once (MJML → HTML); placeholders stay for renderCompiled. */
export async function compileTemplate(t: Pick<TemplateInput, 'subject' | 'html' | 'text' | 'format'>) {
  return {
    subject: t.subject,
    html: t.format === 'mjml' && t.html.trim() ? await compileMjml(t.html) : t.html,
    text: t.text,
  } satisfies CompiledTemplate;
}

/** A saved template, compiled (404 when absent). For senders of many mails (campaigns). */
export async function loadCompiledTemplate(tx: Tx, id: string): Promise<CompiledTemplate & { name: string }> {
  const r = await load(tx, id);
  return {
    name: r.name,
    ...(await compileTemplate({ subject: r.subject, html: r.html_body, text: r.text_body, format: r.format })),
  };
}

/**
 * Renders a compiled template with one recipient's variables: the subject on one line,
 * the HTML with escaped values, and a plain-text part (the text body, or the HTML's text).
 */
export function renderCompiled(t: CompiledTemplate, vars: Record<string, unknown>) {
  const html = t.html.trim() ? renderTemplate(t.html, vars, 'html') : '';
  return {
    subject: renderTemplate(t.subject, vars, 'text').replace(/[\r\n]+/g, ' '),
    html,
    text: t.text.trim() ? renderTemplate(t.text, vars, 'text') : html ? htmlToText(html) : '',
  };
}

const render = renderCompiled;

/** Renders a saved template or an unsaved draft with chosen records (or sample data). */
export async function previewTemplate(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  source: { id: string } | Pick<TemplateInput, 'subject' | 'html' | 'text' | 'format'>,
  ids: TemplateRecords,
) {
  const t = 'id' in source ? present(await load(tx, source.id)) : source;
  await assertValid(t);
  return {
    ...render(await compileTemplate(t), await variables(tx, records, actor, ids)),
    sample: !Object.values(ids).some(Boolean),
  };
}

/**
 * Renders the template for a record (`to`: which variable, which id) and queues it in
 * the outbox to that record's email (in this transaction).
 */
export async function sendTemplate(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
  to: { variable: string; id: string },
) {
  const path = `${to.variable}Id`;
  if (!variableProviders.has(to.variable)) {
    throw new AppError('validation_failed', `Templates are not sent to ${withArticle(to.variable)}`, {
      errors: [{ path, message: 'is not something templates are sent to' }],
    });
  }
  const t = present(await load(tx, id));
  const vars = await variables(tx, records, actor, { [to.variable]: to.id });
  const recipient = vars[to.variable] ?? {};
  const email = recipient.email;
  if (typeof email !== 'string' || !email) {
    throw new AppError('validation_failed', `The ${to.variable} has no email address`, {
      errors: [{ path, message: 'has no email address' }],
    });
  }
  const reason = await suppressed(tx, actor.workspaceId, email, recipient);
  if (reason) throw new AppError('conflict', `Not sent: ${reason}`);
  const mail = render(await compileTemplate(t), vars);
  const mailId = await enqueueMail(tx, actor.workspaceId, {
    to: email,
    subject: mail.subject,
    text: mail.text,
    html: mail.html || undefined,
  });
  return { mailId, to: email, subject: mail.subject };
}

/**
 * Sends the template to the caller themself (their account's email), rendered with a
 * chosen contact or the sample data, subject marked [Test]: how it looks in a real inbox.
 */
export async function testSendTemplate(tx: Tx, records: RecordService, actor: Actor, id: string, contactId?: string) {
  const t = present(await load(tx, id));
  const vars = await variables(tx, records, actor, { contact: contactId });
  const email = (vars.user as { email?: string } | undefined)?.email;
  if (!email) throw new AppError('conflict', 'Your account has no email address to send the test to');
  const mail = render(await compileTemplate(t), vars);
  const subject = `[Test] ${mail.subject}`;
  const mailId = await enqueueMail(tx, actor.workspaceId, {
    to: email,
    subject,
    text: mail.text,
    html: mail.html || undefined,
  });
  return { mailId, to: email, subject };
}
