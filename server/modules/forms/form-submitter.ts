import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { STANDARD_PERMISSIONS } from '../../platform/access/permissions';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import { AppError, type FieldError } from '../../platform/http/errors';
import { enqueueMail } from '../../platform/mail/outbox';
import type { RecordService } from '../../platform/records/records.service';
import type { FieldDef } from '../../platform/records/types';
import { appendConsent, recordGpcOptOut } from '../consents';
import { findPersonByEmail } from '../leads';
import { consentInput, HONEYPOT, PAGE_URL, STAMP } from './form-page';
import { confirmToken, stampTime } from './form-tokens';
import type { LoadedForm } from './forms.service';

/** How long a double opt-in link works. */
export const CONFIRM_DAYS = 7;
const MAX_VALUE = 5000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A visitor's post, as the route read it. */
export interface Submission {
  values: Record<string, unknown>;
  ipHash: string;
  referrer: string | null;
  visitorId: string | null;
  /** The browser sent Global Privacy Control (`Sec-GPC: 1`): the person opts out of sale/sharing and tracking. */
  gpc?: boolean;
}

/** What became of a post: a bot's is dropped (and answered like any other), a person's is stored. */
export type SubmitOutcome =
  | { stored: false }
  | { stored: true; submissionId: string; object: 'contacts' | 'leads'; recordId: string };

/** The system actor forms write as: no person, the administrator's permissions. */
export const formActor = (workspaceId: string): Actor => ({
  kind: 'user',
  userId: null,
  workspaceId,
  role: 'administrator',
  scopes: [],
  permissions: STANDARD_PERMISSIONS.administrator,
});

const text = (v: unknown): string =>
  typeof v === 'string' ? v.trim() : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';

/**
 * Spam checks: a filled honeypot, or a render stamp that is forged or younger than
 * the minimum fill time, marks a bot. A post without a stamp comes from an embedded
 * snippet (a static page cannot carry one): only the honeypot and the rate limits
 * guard those.
 */
export function looksLikeBot(
  values: Record<string, unknown>,
  formId: string,
  secret: string,
  minFillMs: number,
  now = Date.now(),
): boolean {
  if (text(values[HONEYPOT]) !== '') return true;
  const stamp = text(values[STAMP]);
  if (!stamp) return false;
  const at = stampTime(secret, formId, stamp);
  return at === null || now - at < minFillMs;
}

/**
 * The record's changes from the posted values, checked against the form (required,
 * email, numbers, lengths): 422 naming the input by its `name` on the form.
 */
export function readValues(form: LoadedForm, defs: Map<string, FieldDef>, values: Record<string, unknown>) {
  const errors: FieldError[] = [];
  const changes: Record<string, unknown> = {};
  const stored: Record<string, unknown> = {};
  for (const f of form.fields) {
    const def = defs.get(f.field);
    const raw = text(values[f.name]);
    if (!def) continue;
    if (def.type === 'boolean') {
      const on = ['true', 'on', 'yes', '1'].includes(raw.toLowerCase());
      if (f.required && !on) errors.push({ path: f.name, message: 'must be ticked' });
      changes[f.field] = on;
      stored[f.name] = on;
      continue;
    }
    if (raw === '') {
      if (f.required) errors.push({ path: f.name, message: 'is required' });
      continue;
    }
    if (raw.length > MAX_VALUE) {
      errors.push({ path: f.name, message: `is longer than ${MAX_VALUE} characters` });
      continue;
    }
    let value: unknown = raw;
    if (def.type === 'email') {
      if (!EMAIL.test(raw) || raw.length > 254) {
        errors.push({ path: f.name, message: 'must be a valid email address' });
        continue;
      }
      value = raw.toLowerCase();
    } else if (def.type === 'integer' || def.type === 'decimal') {
      const n = Number(raw);
      if (!Number.isFinite(n) || (def.type === 'integer' && !Number.isInteger(n))) {
        errors.push({ path: f.name, message: def.type === 'integer' ? 'must be a whole number' : 'must be a number' });
        continue;
      }
      value = def.type === 'integer' ? n : raw;
    } else if (def.type === 'select' && !(def.options ?? []).some((o) => o.value === raw)) {
      errors.push({ path: f.name, message: 'is not one of the choices' });
      continue;
    }
    changes[f.field] = value;
    stored[f.name] = value;
  }
  if (errors.length) throw invalidForm(errors);
  return { changes, stored };
}

const invalidForm = (errors: FieldError[]) =>
  new AppError('validation_failed', `Please correct: ${errors.map((e) => e.path).join(', ')}`, { errors });

/**
 * Stores one person's submission, in the caller's transaction (all or nothing), as the
 * system: updates the contact that has the email, else the lead that has it, else
 * creates a record of the form's object — never a duplicate. Then keeps the submission
 * (every field, the form version, page, referrer, address hash, visitor id), records
 * the ticked consents with their proof (awaiting confirmation with double opt-in, and
 * the confirmation mail goes out), and emits `form.submitted`.
 */
export async function storeSubmission(
  tx: Tx,
  deps: { records: RecordService; secret: string; baseUrl: string },
  form: LoadedForm,
  defs: Map<string, FieldDef>,
  input: Submission,
): Promise<SubmitOutcome & { stored: true }> {
  const { records } = deps;
  const actor = formActor(form.workspaceId);
  const { changes, stored } = readValues(form, defs, input.values);
  const emailField = form.fields.find((f) => defs.get(f.field)?.type === 'email');
  const email = emailField ? (changes[emailField.field] as string | undefined) : undefined;
  // Two posts with one new email at once must not both create a lead: one waits for the other's commit.
  if (email)
    await sql`select pg_advisory_xact_lock(hashtextextended(${`form-person:${form.workspaceId}:${email}`}, 0))`.execute(
      tx,
    );
  const existing = email ? await findPersonByEmail(tx, records, actor, email) : null;
  const inputName = new Map(form.fields.map((f) => [f.field, f.name]));
  let target: { object: 'contacts' | 'leads'; id: string };
  try {
    if (existing) {
      // Only fields the target has (a leads form may ask for a company; contacts have none).
      const schema = (await records.context(tx, actor, existing.object)).schema;
      const fit = Object.fromEntries(Object.entries(changes).filter(([k]) => k !== 'email' && schema.field(k)));
      if (Object.keys(fit).length) await records.systemWrite(tx, actor, existing.object, existing.id, fit);
      target = existing;
    } else {
      const body = form.object === 'leads' ? { source: 'website', ...changes } : changes;
      const created = await records.create(tx, actor, form.object, body);
      target = { object: form.object, id: String(created.id) };
    }
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation_failed')
      throw invalidForm(err.errors.map((e) => ({ path: inputName.get(e.path) ?? 'form', message: e.message })));
    throw err;
  }

  const id = uuidv7();
  const at = new Date().toISOString();
  const ticked = form.consents.filter((c) => text(input.values[consentInput(c.purpose)]) !== '');
  for (const c of ticked) stored[consentInput(c.purpose)] = true;
  const pageUrl = text(input.values[PAGE_URL]).slice(0, 2000) || input.referrer;
  const pending = form.doubleOptIn && email ? ticked : [];
  await sql`insert into form_submissions (workspace_id, id, form_id, form_version, object, record_id, data, page_url,
      referrer, ip_hash, visitor_id, pending_consents)
    values (${form.workspaceId}, ${id}, ${form.id}, ${form.version}, ${target.object}, ${target.id},
      ${JSON.stringify(stored)}::jsonb, ${pageUrl || null}, ${input.referrer}, ${input.ipHash},
      ${input.visitorId}, ${JSON.stringify(pending)}::jsonb)`.execute(tx);

  for (const c of ticked) {
    const awaiting = pending.includes(c);
    await appendConsent(tx, actor, records, target.object, target.id, {
      purpose: c.purpose,
      // Double opt-in: not granted until the emailed link is clicked.
      status: awaiting ? 'unknown' : 'granted',
      source: 'form',
      sourceRef: `${form.id}@${form.version}`,
      wording: c.label,
      proof: {
        formId: form.id,
        formVersion: form.version,
        submissionId: id,
        submittedAt: at,
        pageUrl: pageUrl || null,
        ipHash: input.ipHash,
        ...(awaiting ? { awaitingConfirmation: true } : {}),
      },
    });
  }

  // After the ticked boxes: the signal is the person's latest word on sale/sharing and tracking.
  if (input.gpc)
    await recordGpcOptOut(tx, actor, records, target.object, target.id, {
      formId: form.id,
      formVersion: form.version,
      submissionId: id,
    });

  await emitEvent(tx, actor, {
    type: 'form.submitted',
    object: target.object,
    recordId: target.id,
    data: {
      formId: form.id,
      formVersion: form.version,
      formName: form.name,
      submissionId: id,
      visitorId: input.visitorId,
    },
  });

  if (pending.length && email) {
    const expires = new Date(Date.now() + CONFIRM_DAYS * 86_400_000);
    const link = `${deps.baseUrl.replace(/\/+$/, '')}/f/confirm/${confirmToken(deps.secret, id, expires)}`;
    await enqueueMail(tx, form.workspaceId, {
      to: email,
      subject: `Please confirm: ${form.name}`,
      text:
        `You asked us, through "${form.name}", for:\n\n${pending.map((c) => `- ${c.label}`).join('\n')}\n\n` +
        `Please confirm by opening this link within ${CONFIRM_DAYS} days:\n${link}\n\n` +
        'If this was not you, ignore this message and nothing changes.',
      confidential: true,
    });
  }
  return { stored: true, submissionId: id, object: target.object, recordId: target.id };
}

/**
 * A double opt-in click: grants the consents the submission was waiting for, once
 * (a second click changes nothing). False when the submission is unknown.
 */
export async function confirmSubmission(tx: Tx, records: RecordService, submissionId: string): Promise<boolean> {
  const { rows } = await sql<{
    workspace_id: string;
    form_id: string;
    form_version: number;
    object: 'contacts' | 'leads';
    record_id: string;
    pending_consents: { purpose: string; label: string }[];
    created_at: Date;
  }>`update form_submissions set confirmed_at = now()
    where id = ${submissionId}::uuid and confirmed_at is null
    returning workspace_id, form_id, form_version, object, record_id, pending_consents, created_at`.execute(tx);
  const s = rows[0];
  if (!s) {
    const { rows: known } = await sql`select 1 from form_submissions where id = ${submissionId}::uuid`.execute(tx);
    return known.length > 0;
  }
  const actor = formActor(s.workspace_id);
  const confirmedAt = new Date().toISOString();
  for (const c of s.pending_consents) {
    await appendConsent(tx, actor, records, s.object, s.record_id, {
      purpose: c.purpose,
      status: 'granted',
      source: 'form',
      sourceRef: `${s.form_id}@${s.form_version}`,
      wording: c.label,
      proof: {
        formId: s.form_id,
        formVersion: s.form_version,
        submissionId,
        submittedAt: new Date(s.created_at).toISOString(),
        confirmedAt,
        doubleOptIn: true,
      },
    });
  }
  return true;
}
