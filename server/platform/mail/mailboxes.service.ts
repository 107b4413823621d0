import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TCreateMailboxRequest, TMailbox, TUpdateMailboxRequest } from '../../../common/contracts/service-mail';
import type { Tx } from '../db/database';
import { isPgError } from '../db/pg-errors';
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

/**
 * The kinds of mailbox every workspace gets on first use, at a generated address
 * <kind>-<last 12 hex digits of its id>@<domain> (RAPPORT_MAIL_DOMAIN):
 * - `bounces` (server/modules/bounces): outgoing mail is sent with the envelope sender
 *   bounces+<the mail's VERP token>@<domain> (RFC 5321 return path), which the receiver routes
 *   to the bounce mailbox of the mail's workspace;
 * - `unsubscribe` (server/modules/campaigns): campaign mail names it in List-Unsubscribe as
 *   `mailto:` with the message's signed token in the subject (RFC 2369, RFC 8058);
 * - `calendar` (meeting invitations, server/modules/tasks): each invitation names its own
 *   sub-address calendar-<id digits>+<the invitation's token>@<domain> as its ORGANIZER, so an
 *   attendee's iTIP REPLY comes back to it and the handler knows whose it is.
 */
const GENERATED_NAMES = { bounces: 'Bounces', unsubscribe: 'Unsubscribe', calendar: 'Calendar replies' } as const;
type GeneratedKind = keyof typeof GENERATED_NAMES;

function generatedAddress(kind: GeneratedKind, workspaceId: string, domain: string, token?: string): string {
  return `${kind}-${workspaceId.replace(/-/g, '').slice(-12)}${token ? `+${token}` : ''}@${domain}`;
}

export const defaultBounceAddress = (workspaceId: string, domain: string) =>
  generatedAddress('bounces', workspaceId, domain);
export const defaultUnsubscribeAddress = (workspaceId: string, domain: string) =>
  generatedAddress('unsubscribe', workspaceId, domain);
export const defaultCalendarAddress = (workspaceId: string, domain: string, token?: string) =>
  generatedAddress('calendar', workspaceId, domain, token);

const VERP_PATTERN = /^bounces\+([0-9a-f]{32})@(.+)$/;
/** A generated address; only calendar addresses carry a sub-address (an invitation's token). */
const GENERATED_PATTERN = /^(bounces|unsubscribe|calendar)-([0-9a-f]{12})(\+[0-9a-f]{32})?@(.+)$/;

/**
 * The workspace's default mailbox of a generated kind, made now if it has none (or moved to
 * `domain` when that changed); null when it is inactive or another workspace holds the address.
 * System access or the workspace's own.
 */
async function generatedMailbox(tx: Tx, domain: string, workspaceId: string, kind: GeneratedKind) {
  await sql`
    insert into mailboxes (workspace_id, id, address, kind, name, is_default)
    select w.id, gen_random_uuid(), a.address, ${kind}, ${GENERATED_NAMES[kind]}, true
    from workspaces w
    cross join lateral (select ${kind} || '-' || right(replace(w.id::text, '-', ''), 12) || '@' || ${domain} as address) a
    where w.id = ${workspaceId}::uuid
      and not exists (select 1 from mailboxes o where o.address = a.address and o.workspace_id <> w.id)
    on conflict (workspace_id, kind) where is_default
    do update set address = excluded.address, updated_at = now()
      where mailboxes.address <> excluded.address`.execute(tx);
  const { rows } = await sql<{ id: string; workspace_id: string; address: string; kind: string }>`
    select id, workspace_id, address, kind from mailboxes
    where workspace_id = ${workspaceId}::uuid and kind = ${kind} and is_default and active`.execute(tx);
  const row = rows[0];
  return row ? { id: row.id, workspaceId: row.workspace_id, address: row.address, kind: row.kind } : null;
}

/**
 * The bounce mailbox a VERP address (bounces+<token>@<domain>) reaches: that of the workspace
 * whose outgoing mail carries the token (made now if needed). Null for an unknown token.
 */
async function verpMailbox(tx: Tx, token: string, domain: string) {
  const { rows } = await sql<{ workspace_id: string }>`
    select workspace_id from mail_outbox where verp_token = ${token}`.execute(tx);
  const workspaceId = rows[0]?.workspace_id;
  return workspaceId ? generatedMailbox(tx, domain, workspaceId, 'bounces') : null;
}

interface MailboxRow {
  id: string;
  workspace_id: string;
  address: string;
  kind: string;
  name: string;
  is_default: boolean;
  active: boolean;
  team_id: string | null;
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
    teamId: r.team_id,
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
  const verp = lower.match(VERP_PATTERN);
  if (verp) return verp[2] === domain ? verpMailbox(tx, verp[1] as string, domain) : null;
  const generated = lower.match(GENERATED_PATTERN);
  if (generated && (!generated[3] || generated[1] === 'calendar')) {
    // A generated address (or an invitation's sub-address): the workspace's default mailbox
    // of its kind, made on first use.
    if (generated[4] !== domain) return null;
    if (!generated[3]) {
      const { rows } = await find();
      if (rows[0])
        return { id: rows[0].id, workspaceId: rows[0].workspace_id, address: rows[0].address, kind: rows[0].kind };
    }
    const ws = await sql<{ id: string }>`
      select id from workspaces where right(replace(id::text, '-', ''), 12) = ${generated[2] as string} limit 2`.execute(
      tx,
    );
    if (ws.rows.length !== 1) return null;
    return generatedMailbox(tx, domain, ws.rows[0]?.id as string, generated[1] as GeneratedKind);
  }
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

const COLUMNS = sql`id, workspace_id, address, kind, name, is_default, active, team_id, created_at, updated_at`;

/** A team of the workspace (422 naming teamId otherwise); only support mail becomes tickets for a team. */
async function assertTeam(tx: Tx, teamId: string | null | undefined, kind: string): Promise<void> {
  if (!teamId) return;
  if (kind !== 'support') throw invalidField('teamId', 'only support mailboxes route tickets to a team');
  const { rows } =
    await sql`select 1 from teams where workspace_id = rapport_workspace() and id = ${teamId}::uuid`.execute(tx);
  if (!rows[0]) throw invalidField('teamId', 'is not a team of this workspace');
}

/** The workspace's mailboxes (making its default one first), the default support one first, then the bounce one. */
export async function listMailboxes(tx: Tx, workspaceId: string, domain: string): Promise<TMailbox[]> {
  const { rows: existing } = await sql<{ n: number }>`
    select count(*)::int as n from mailboxes where is_default and kind = 'support'`.execute(tx);
  if (!existing[0]?.n) await ensureDefaultMailboxes(tx, domain, workspaceId);
  const { rows } = await sql<MailboxRow>`
    select ${COLUMNS} from mailboxes order by is_default desc, kind = 'support' desc, created_at, address`.execute(tx);
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
  await assertTeam(tx, input.teamId, input.kind);
  // The address is unique across workspaces by a trigger (0040), which refuses with unique_violation.
  const row = await sql<MailboxRow>`
    insert into mailboxes (workspace_id, id, address, kind, name, active, team_id)
    values (${workspaceId}::uuid, ${uuidv7()}::uuid, ${input.address}, ${input.kind}, ${input.name ?? input.address},
      ${input.active ?? true}, ${input.teamId ?? null}::uuid)
    returning ${COLUMNS}`
    .execute(tx)
    .then(
      (r) => r.rows[0],
      (err) => {
        if (isPgError(err, 'uniqueViolation')) return undefined;
        throw err;
      },
    );
  if (!row) throw taken();
  return present(row);
}

async function load(tx: Tx, id: string): Promise<MailboxRow> {
  const { rows } = await sql<MailboxRow>`select ${COLUMNS} from mailboxes where id = ${id}::uuid`.execute(tx);
  const row = rows[0];
  if (!row) throw notFound('Mailbox');
  return row;
}

/** Renames, (de)activates, readdresses or routes (teamId) a mailbox; the default one keeps its generated address. */
export async function updateMailbox(
  tx: Tx,
  id: string,
  domain: string,
  input: TUpdateMailboxRequest,
): Promise<TMailbox> {
  const current = await load(tx, id);
  await assertTeam(tx, input.teamId, current.kind);
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
      team_id = case when ${input.teamId !== undefined} then ${input.teamId ?? null}::uuid else team_id end,
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
