import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type { FormRequest, TForm } from '../../../common/contracts/audience';
import type { AccessService } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError, type FieldError, notFound } from '../../platform/http/errors';
import { loadSchemas } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import type { FieldDef } from '../../platform/records/types';
import { consentPurposes } from '../consents';

export type FormInput = z.output<typeof FormRequest>;

/** What a version stores: everything of the form but its name and object. */
export interface FormDefinition {
  fields: { name: string; field: string; label?: string; required: boolean }[];
  consents: { purpose: string; label: string }[];
  thankYouMessage: string | null;
  redirectUrl: string | null;
  doubleOptIn: boolean;
  allowedOrigins: string[];
}

/** A form at one version, as the hosted page and submissions use it. */
export interface LoadedForm extends FormDefinition {
  workspaceId: string;
  id: string;
  name: string;
  object: 'contacts' | 'leads';
  version: number;
}

/** Field types a visitor can fill in on a plain HTML form. */
export const FORM_FIELD_TYPES = new Set([
  'text',
  'longText',
  'email',
  'phone',
  'url',
  'integer',
  'decimal',
  'date',
  'boolean',
  'select',
]);

/** Only administrators and marketing managers build forms. */
export async function assertFormManager(tx: Tx, access: AccessService, actor: Actor): Promise<void> {
  const policy = await access.policy(tx, actor);
  if (policy.admin || actor.role === 'marketing_manager' || actor.creatorRole === 'marketing_manager') return;
  throw new AppError('forbidden', 'Only administrators and marketing managers may manage forms');
}

/** The hosted page's absolute URL. */
export const formUrl = (baseUrl: string, id: string) => `${baseUrl.replace(/\/+$/, '')}/f/${id}`;

/**
 * Checks a form against the workspace: each field names a field of the object (custom
 * fields included) a visitor can fill, input names and fields are unique, and consent
 * purposes exist. 422 naming `fields.<n>.field` and the like.
 */
async function checkDefinition(tx: Tx, records: RecordService, input: FormInput): Promise<Map<string, FieldDef>> {
  const schema = (await loadSchemas(tx, records.registry)).get(input.object);
  if (!schema) throw new Error(`no object ${input.object}`);
  const errors: FieldError[] = [];
  const names = new Set<string>();
  const mapped = new Set<string>();
  const defs = new Map<string, FieldDef>();
  input.fields.forEach((f, i) => {
    const def = schema.field(f.field)?.def;
    if (!def)
      errors.push({ path: `fields.${i}.field`, message: `is not a field of ${schema.def.labelPlural.toLowerCase()}` });
    else if (def.readOnly || !FORM_FIELD_TYPES.has(def.type))
      errors.push({ path: `fields.${i}.field`, message: `cannot be filled in on a form (${def.label})` });
    else if (mapped.has(f.field)) errors.push({ path: `fields.${i}.field`, message: 'is already on the form' });
    else defs.set(f.name, def);
    if (names.has(f.name)) errors.push({ path: `fields.${i}.name`, message: 'is already the name of another input' });
    names.add(f.name);
    mapped.add(f.field);
  });
  const purposes = new Set((await consentPurposes(tx)).map((p) => p.key));
  const seen = new Set<string>();
  input.consents.forEach((c, i) => {
    if (!purposes.has(c.purpose))
      errors.push({ path: `consents.${i}.purpose`, message: 'is not a consent purpose of this workspace' });
    if (seen.has(c.purpose)) errors.push({ path: `consents.${i}.purpose`, message: 'is already on the form' });
    seen.add(c.purpose);
  });
  if (input.doubleOptIn && ![...defs.values()].some((d) => d.type === 'email'))
    errors.push({ path: 'doubleOptIn', message: 'needs an email field on the form to send the confirmation to' });
  if (errors.length)
    throw new AppError('validation_failed', `Invalid form: ${errors.map((e) => e.path).join(', ')}`, { errors });
  return defs;
}

const definitionOf = (input: FormInput): FormDefinition => ({
  fields: input.fields.map((f) => ({
    name: f.name,
    field: f.field,
    ...(f.label ? { label: f.label } : {}),
    required: f.required,
  })),
  consents: input.consents,
  thankYouMessage: input.thankYouMessage || null,
  redirectUrl: input.redirectUrl ?? null,
  doubleOptIn: input.doubleOptIn,
  allowedOrigins: input.allowedOrigins.map((o) => new URL(o).origin),
});

interface FormRow {
  workspace_id: string;
  id: string;
  name: string;
  object: 'contacts' | 'leads';
  version: number;
  definition: FormDefinition;
  created_at: Date;
  updated_at: Date;
  submissions?: string;
}

const toLoaded = (r: FormRow): LoadedForm => ({
  workspaceId: r.workspace_id,
  id: r.id,
  name: r.name,
  object: r.object,
  version: r.version,
  ...r.definition,
});

const present = (baseUrl: string, r: FormRow): TForm => ({
  id: r.id,
  name: r.name,
  object: r.object,
  version: r.version,
  url: formUrl(baseUrl, r.id),
  fields: r.definition.fields,
  consents: r.definition.consents,
  thankYouMessage: r.definition.thankYouMessage,
  redirectUrl: r.definition.redirectUrl,
  doubleOptIn: r.definition.doubleOptIn,
  allowedOrigins: r.definition.allowedOrigins,
  submissions: Number(r.submissions ?? 0),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const SELECT = sql`select f.workspace_id, f.id, f.name, f.object, f.version, v.definition, f.created_at, f.updated_at,
    (select count(*) from form_submissions s where s.workspace_id = f.workspace_id and s.form_id = f.id) as submissions
  from forms f join form_versions v on v.workspace_id = f.workspace_id and v.form_id = f.id and v.version = f.version`;

/** A live form at its current version (in the transaction's workspace), or null. */
export async function loadForm(tx: Tx, id: string, version?: number): Promise<LoadedForm | null> {
  const { rows } = await sql<FormRow>`
    select f.workspace_id, f.id, f.name, f.object, v.version, v.definition, f.created_at, f.updated_at
    from forms f join form_versions v on v.workspace_id = f.workspace_id and v.form_id = f.id
      and v.version = ${version ?? sql`f.version`}
    where f.id = ${id}::uuid and f.deleted_at is null`.execute(tx);
  return rows[0] ? toLoaded(rows[0]) : null;
}

/** The forms of the workspace, newest first. */
export async function listForms(tx: Tx, baseUrl: string): Promise<TForm[]> {
  const { rows } =
    await sql<FormRow>`${SELECT} where f.deleted_at is null order by f.created_at desc, f.id desc`.execute(tx);
  return rows.map((r) => present(baseUrl, r));
}

/** One form as the builder shows it; 404 when absent. */
export async function getForm(tx: Tx, baseUrl: string, id: string): Promise<TForm> {
  const { rows } = await sql<FormRow>`${SELECT} where f.id = ${id}::uuid and f.deleted_at is null`.execute(tx);
  if (!rows[0]) throw notFound('Form');
  return present(baseUrl, rows[0]);
}

/** Creates a form at version 1. */
export async function createForm(tx: Tx, actor: Actor, records: RecordService, input: FormInput): Promise<string> {
  await checkDefinition(tx, records, input);
  const id = uuidv7();
  await sql`insert into forms (workspace_id, id, name, object, version, created_by)
    values (${actor.workspaceId}, ${id}, ${input.name}, ${input.object}, 1, ${actor.userId})`.execute(tx);
  await sql`insert into form_versions (workspace_id, form_id, version, definition, created_by)
    values (${actor.workspaceId}, ${id}, 1, ${JSON.stringify(definitionOf(input))}::jsonb, ${actor.userId})`.execute(
    tx,
  );
  return id;
}

/** Saves an edit as the form's next version (submissions keep the version they were made with). */
export async function updateForm(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  id: string,
  input: FormInput,
): Promise<void> {
  const { rows } = await sql<{ version: number; object: string }>`
    select version, object from forms where id = ${id}::uuid and deleted_at is null for update`.execute(tx);
  const current = rows[0];
  if (!current) throw notFound('Form');
  if (current.object !== input.object)
    throw new AppError('validation_failed', 'object: a form keeps its object', {
      errors: [{ path: 'object', message: `cannot change; this form fills ${current.object}` }],
    });
  await checkDefinition(tx, records, input);
  const version = current.version + 1;
  await sql`insert into form_versions (workspace_id, form_id, version, definition, created_by)
    values (${actor.workspaceId}, ${id}, ${version}, ${JSON.stringify(definitionOf(input))}::jsonb, ${actor.userId})`.execute(
    tx,
  );
  await sql`update forms set name = ${input.name}, version = ${version}, updated_at = now() where id = ${id}::uuid`.execute(
    tx,
  );
}

/** Takes a form down: its page and submissions endpoint answer 404; its submissions stay. */
export async function deleteForm(tx: Tx, id: string): Promise<void> {
  const { rows } = await sql`update forms set deleted_at = now() where id = ${id}::uuid and deleted_at is null
    returning id`.execute(tx);
  if (rows.length === 0) throw notFound('Form');
}

/** A form's submissions, newest first. */
export async function listSubmissions(tx: Tx, formId: string, limit = 100) {
  const { rows } = await sql<{
    id: string;
    form_id: string;
    form_version: number;
    object: string;
    record_id: string;
    data: Record<string, unknown>;
    page_url: string | null;
    referrer: string | null;
    visitor_id: string | null;
    confirmed_at: Date | null;
    created_at: Date;
  }>`select id, form_id, form_version, object, record_id, data, page_url, referrer, visitor_id, confirmed_at, created_at
    from form_submissions where form_id = ${formId}::uuid order by created_at desc, id desc limit ${limit}`.execute(tx);
  return rows.map((r) => ({
    id: r.id,
    formId: r.form_id,
    formVersion: r.form_version,
    object: r.object,
    recordId: r.record_id,
    data: r.data,
    pageUrl: r.page_url,
    referrer: r.referrer,
    visitorId: r.visitor_id,
    confirmedAt: r.confirmed_at ? new Date(r.confirmed_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
