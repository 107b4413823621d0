import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TCreateMailboxRequest, TMailbox, TUpdateMailboxRequest } from '../../../common/contracts/service-mail';
import type { Tx } from '../db/database';
import { AppError, invalidField, notFound } from '../http/errors';

/**
 * The workspaces' mailboxes: the addresses the inbound receiver accepts mail for. Every
 * workspace has a default support mailbox at the installation's mail domain, made when
 * first needed (start-up, first read, first mail), whose address follows the domain if
 * it is reconfigured; administrators add their own (support@acme.com, forwarded here).
 */

/**
 * A workspace's default support address: support-<last 12 hex digits of its id>@<domain>.
 * The last digits, not the first: workspace ids are uuidv7, whose first 48 bits are the
 * creation time (guessable, and shared by workspaces made in the same millisecond).
 */
export function defaultSupportAddress(workspaceId: string, domain: string): string {
  return `support-${workspaceId.replace(/-/g, '').slice(-12)}@${domain}`;
}

const DEFAULT_PATTERN = /^support-([0-9a-f]{12})@(.+)$/;

interface MailboxRow {
  id: string;
  workspace_id: string;
  address: string;
  kind: string;
  name: string;
  is_default: boolean;
  active: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

function present(r: MailboxRow): TMailbox {
  return {
    id: r.id,
    address: r.address,
    kind: r.kind as TMailbox['kind'],
    name: r.name,
    active: r.active,
    isDefault: r.is_default,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/**
 * Creates the default support mailbox of every workspace that lacks one, and moves
 * default addresses to `domain` when it changed (one statement, at start-up).
 * Runs with system access (`database.system`).
 */
export async function ensureDefaultMailboxes(tx: Tx, domain: string, workspaceId?: string): Promise<void> {
  const only = workspaceId ? sql`and w.id = ${workspaceId}::uuid` : sql``;
  // A workspace whose address another one holds (48 random bits alike) gets none rather than failing the rest.
  await sql`
    insert into mailboxes (workspace_id, id, address, kind, name, is_default)
    select w.id, gen_random_uuid(), a.address, 'support', 'Support', true
    from workspaces w
    cross join lateral (select 'support-' || right(w.id::text, 12) || '@' || ${domain} as address) a
    where not exists (select 1 from mailboxes o where o.address = a.address and o.workspace_id <> w.id) ${only}
    on conflict (workspace_id, kind) where is_default
    do update set address = excluded.address, updated_at = now()
      where mailboxes.address <> excluded.address`.execute(tx);
}

/**
 * The active mailbox `address` belongs to, for the receiver (system access): a stored one,
 * or a workspace's default support address not made yet (made now). Null for anything else.
 */
export async function findMailbox(
  tx: Tx,
  address: string,
  domain: string,
): Promise<{ id: string; workspaceId: string; address: string; kind: string } | null> {
  const lower = address.trim().toLowerCase();
  const find = () =>
    sql<{ id: string; workspace_id: string; address: string; kind: string }>`
      select id, workspace_id, address, kind from mailboxes where address = ${lower} and active`.execute(tx);
  let { rows } = await find();
  if (rows.length === 0) {
    const m = lower.match(DEFAULT_PATTERN);
    if (!m || m[2] !== domain) return null;
    const ws = await sql<{ id: string }>`
      select id from workspaces where right(id::text, 12) = ${m[1] as string} limit 2`.execute(tx);
    // Two workspaces sharing 48 bits of id: neither gets mail at the ambiguous address.
    if (ws.rows.length !== 1) return null;
    await ensureDefaultMailboxes(tx, domain, ws.rows[0]?.id);
    ({ rows } = await find());
  }
  const row = rows[0];
  return row ? { id: row.id, workspaceId: row.workspace_id, address: row.address, kind: row.kind } : null;
}

const COLUMNS = sql`id, workspace_id, address, kind, name, is_default, active, created_at, updated_at`;

/** The workspace's mailboxes (making its default one first), the default first. */
export async function listMailboxes(tx: Tx, workspaceId: string, domain: string): Promise<TMailbox[]> {
  const { rows: existing } = await sql<{ n: number }>`
    select count(*)::int as n from mailboxes where is_default and kind = 'support'`.execute(tx);
  if (!existing[0]?.n) await ensureDefaultMailboxes(tx, domain, workspaceId);
  const { rows } = await sql<MailboxRow>`
    select ${COLUMNS} from mailboxes order by is_default desc, created_at, address`.execute(tx);
  return rows.map(present);
}

/** Addresses at the installation's own domain are its generated ones: a workspace brings its own domain. */
function assertOwnDomain(address: string, domain: string): void {
  if (address.endsWith(`@${domain}`)) {
    throw invalidField('address', `addresses at ${domain} are given out by Rapport; use an address of your own domain`);
  }
}

const taken = () =>
  new AppError('conflict', 'address: this address is already a mailbox', {
    errors: [{ path: 'address', message: 'this address is already a mailbox' }],
  });

/** Adds a mailbox (administrators); 409 naming the address when it is already one, here or elsewhere. */
export async function createMailbox(
  tx: Tx,
  workspaceId: string,
  domain: string,
  input: TCreateMailboxRequest,
): Promise<TMailbox> {
  assertOwnDomain(input.address, domain);
  const { rows } = await sql<MailboxRow>`
    insert into mailboxes (workspace_id, id, address, kind, name, active)
    values (${workspaceId}::uuid, ${uuidv7()}::uuid, ${input.address}, ${input.kind}, ${input.name ?? input.address},
      ${input.active ?? true})
    on conflict (address) do nothing
    returning ${COLUMNS}`.execute(tx);
  const row = rows[0];
  if (!row) throw taken();
  return present(row);
}

async function load(tx: Tx, id: string): Promise<MailboxRow> {
  const { rows } = await sql<MailboxRow>`select ${COLUMNS} from mailboxes where id = ${id}::uuid`.execute(tx);
  const row = rows[0];
  if (!row) throw notFound('Mailbox');
  return row;
}

/** Renames, (de)activates or readdresses a mailbox; the default one keeps its generated address. */
export async function updateMailbox(
  tx: Tx,
  id: string,
  domain: string,
  input: TUpdateMailboxRequest,
): Promise<TMailbox> {
  const current = await load(tx, id);
  if (input.address !== undefined && input.address !== current.address) {
    if (current.is_default) throw invalidField('address', 'the default mailbox keeps its generated address');
    assertOwnDomain(input.address, domain);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from mailboxes where address = ${input.address}`.execute(tx);
    if (rows[0]?.n) throw taken();
  }
  const { rows } = await sql<MailboxRow>`
    update mailboxes set
      address = coalesce(${input.address ?? null}, address),
      name = coalesce(${input.name ?? null}, name),
      active = coalesce(${input.active ?? null}::boolean, active),
      updated_at = now()
    where id = ${id}::uuid
    returning ${COLUMNS}`.execute(tx);
  return present(rows[0] as MailboxRow);
}

/** Deletes a custom mailbox (its stored mail stays); the default one can only be deactivated. */
export async function deleteMailbox(tx: Tx, id: string): Promise<void> {
  const current = await load(tx, id);
  if (current.is_default) {
    throw new AppError('conflict', 'The default mailbox cannot be deleted; deactivate it instead (active: false)');
  }
  await sql`delete from mailboxes where id = ${id}::uuid`.execute(tx);
}
