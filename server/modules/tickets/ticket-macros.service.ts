import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TMacro } from '../../../common/contracts/service-desk';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { isPgError } from '../../platform/db/pg-errors';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import { parseTemplate, renderTemplate, templateVariables } from '../../platform/mail/template';
import type { RecordService } from '../../platform/records/records.service';

/**
 * Macros (canned replies): a reply or note with `{{ variables }}` in the mail template
 * syntax (platform/mail/template.ts), rendered against a ticket for the agent to edit
 * and send, optionally with the status and priority the ticket then takes. Members who
 * may read tickets use them; those who may update tickets (and administrators) write them.
 */

interface MacroRow {
  id: string;
  name: string;
  kind: 'reply' | 'note';
  body: string;
  set_status: TMacro['setStatus'];
  set_priority: TMacro['setPriority'];
  created_at: Date;
  updated_at: Date;
}

const present = (r: MacroRow): TMacro => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  body: r.body,
  setStatus: r.set_status,
  setPriority: r.set_priority,
  variables: templateVariables(r.body),
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** 403 unless the caller may read (or, for writes, update) tickets. */
export async function requireTicketAccess(tx: Tx, records: RecordService, actor: Actor, write: boolean) {
  const policy = await records.access.policy(tx, actor);
  if (policy.admin) return;
  if (!policy.can('tickets', write ? 'update' : 'read'))
    throw new AppError('forbidden', write ? 'Your role may not work tickets' : 'Your role may not read tickets');
}

const checkBody = (body: string) => {
  const parsed = parseTemplate(body);
  if ('problem' in parsed) throw invalidField('body', parsed.problem.message);
};

const uniqueName = async <T>(work: Promise<T>): Promise<T> => {
  try {
    return await work;
  } catch (err) {
    if (isPgError(err, 'uniqueViolation'))
      throw new AppError('already_exists', 'name: a macro with this name exists', {
        errors: [{ path: 'name', message: 'a macro with this name exists' }],
      });
    throw err;
  }
};

const COLUMNS = sql`id, name, kind, body, set_status, set_priority, created_at, updated_at`;

export async function listMacros(tx: Tx): Promise<TMacro[]> {
  const { rows } = await sql<MacroRow>`select ${COLUMNS} from ticket_macros
    where workspace_id = rapport_workspace() order by lower(name), id`.execute(tx);
  return rows.map(present);
}

export async function getMacro(tx: Tx, id: string): Promise<TMacro> {
  const { rows } = await sql<MacroRow>`select ${COLUMNS} from ticket_macros
    where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  if (!rows[0]) throw notFound('Macro');
  return present(rows[0]);
}

export interface MacroValues {
  name: string;
  kind: 'reply' | 'note';
  body: string;
  setStatus?: TMacro['setStatus'];
  setPriority?: TMacro['setPriority'];
}

export async function createMacro(tx: Tx, actor: Actor, input: MacroValues): Promise<TMacro> {
  checkBody(input.body);
  const id = uuidv7();
  await uniqueName(
    sql`insert into ticket_macros (workspace_id, id, name, kind, body, set_status, set_priority, created_by)
      values (${actor.workspaceId}, ${id}, ${input.name}, ${input.kind}, ${input.body}, ${input.setStatus ?? null},
        ${input.setPriority ?? null}, ${actor.userId}::uuid)`.execute(tx),
  );
  return getMacro(tx, id);
}

export async function updateMacro(tx: Tx, id: string, patch: Partial<MacroValues>): Promise<TMacro> {
  const current = await getMacro(tx, id);
  if (patch.body !== undefined) checkBody(patch.body);
  const next = { ...current, ...patch };
  await uniqueName(
    sql`update ticket_macros set name = ${next.name}, kind = ${next.kind}, body = ${next.body},
      set_status = ${next.setStatus ?? null}, set_priority = ${next.setPriority ?? null}, updated_at = now()
      where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx),
  );
  return getMacro(tx, id);
}

export async function deleteMacro(tx: Tx, id: string): Promise<void> {
  const res =
    await sql`delete from ticket_macros where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
  if (!res.numAffectedRows) throw notFound('Macro');
}

/** One record as the caller sees it (their fields), or {} when it is missing or hidden from them. */
async function readableRecord(tx: Tx, records: RecordService, actor: Actor, object: string, id: unknown) {
  if (typeof id !== 'string') return {};
  try {
    const ctx = await records.access.policy(tx, actor);
    if (!ctx.admin && !ctx.can(object, 'read')) return {};
    return await records.get(tx, actor, object, id);
  } catch (err) {
    if (err instanceof AppError && (err.code === 'not_found' || err.code === 'forbidden')) return {};
    throw err;
  }
}

/**
 * A macro filled in for a ticket the caller may work: `{{ ticket.… }}`, `{{ contact.… }}`,
 * `{{ account.… }}` (as the caller sees those records) and `{{ agent.name }}`.
 */
export async function applyMacro(tx: Tx, actor: Actor, records: RecordService, ticketId: string, macroId: string) {
  await records.require(tx, actor, 'tickets', ticketId, 'update');
  const ticket = await records.get(tx, actor, 'tickets', ticketId);
  const macro = await getMacro(tx, macroId);
  const agent = actor.userId
    ? (await sql<{ name: string; email: string }>`select name, email from users where id = ${actor.userId}`.execute(tx))
        .rows[0]
    : undefined;
  const data = {
    ticket,
    contact: await readableRecord(tx, records, actor, 'contacts', ticket.contactId),
    account: await readableRecord(tx, records, actor, 'accounts', ticket.accountId),
    agent: { name: agent?.name ?? '', email: agent?.email ?? '' },
  };
  return {
    macroId: macro.id,
    kind: macro.kind,
    body: renderTemplate(macro.body, data, 'text'),
    setStatus: macro.setStatus,
    setPriority: macro.setPriority,
  };
}
