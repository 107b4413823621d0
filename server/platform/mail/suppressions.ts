import { sql } from 'kysely';
import type {
  TBounceSettings,
  TSuppression,
  TSuppressionReason,
  UpdateBounceSettingsRequest,
} from '../../../common/contracts/mail-suppressions';
import type { Tx } from '../db/database';
import { AppError, invalidField, notFound } from '../http/errors';

/**
 * The workspace's suppression list (`mail_suppressions`): addresses mail is not sent to,
 * whichever module queued it (the dispatcher settles such mail as `suppressed`). Hard
 * bounces and complaints add an address at once, soft bounces after N within a window
 * (server/modules/bounces), administrators by hand. Addresses are kept lower-cased.
 */

const lower = (email: string) => email.trim().toLowerCase();

/** The bare address of `Name <a@b>` or `a@b`, lower-cased. */
export function bareAddress(to: string): string {
  const m = to.match(/<([^<>\s]+@[^<>\s]+)>\s*$/);
  return lower(m ? (m[1] as string) : to);
}

/** Why each of `emails` is suppressed, by lower-cased address; addresses not suppressed are absent. */
export async function suppressionReasons(tx: Tx, workspaceId: string, emails: string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(emails.map(bareAddress))].filter(Boolean);
  const out = new Map<string, string>();
  if (wanted.length === 0) return out;
  // An erased person's addresses are kept only as salted hashes (erasedKey): looked up by the same hash.
  const { rows } = await sql<{ address: string; reason: string }>`
    select w.a as address, s.reason from unnest(${wanted}::text[]) w(a)
    join mail_suppressions s on s.workspace_id = ${workspaceId}::uuid
      and (s.address = w.a or s.address = ${erasedKeySql(workspaceId, sql`w.a`)})`.execute(tx);
  for (const r of rows) out.set(r.address, r.reason);
  return out;
}

/**
 * The suppression-list entry of an erased address: `erased:` and the hex HMAC-SHA256 of the
 * lower-cased address under the workspace's random salt (`mail_suppression_salts`), so the
 * address is recognised when it comes back (a send, an import) but cannot be read off the list.
 */
export function erasedKeySql(workspace: string | ReturnType<typeof sql>, address: ReturnType<typeof sql>) {
  const ws = typeof workspace === 'string' ? sql`${workspace}::uuid` : workspace;
  return sql<string>`'erased:' || encode(hmac(convert_to(${address}, 'UTF8'), (select salt from mail_suppression_salts
    where workspace_id = ${ws}), 'sha256'), 'hex')`;
}

/** Suppresses an erased person's address by its salted hash only (privacy erasure); removes the plain entry. */
export async function suppressErased(tx: Tx, workspaceId: string, email: string): Promise<void> {
  const address = bareAddress(email);
  await sql`insert into mail_suppression_salts (workspace_id) values (${workspaceId}::uuid) on conflict do nothing`.execute(
    tx,
  );
  await sql`delete from mail_suppressions where workspace_id = ${workspaceId}::uuid and address = ${address}`.execute(
    tx,
  );
  await sql`insert into mail_suppressions (workspace_id, address, reason, source)
    values (${workspaceId}::uuid, ${erasedKeySql(workspaceId, sql`${address}::text`)}, 'erasure', 'privacy request')
    on conflict (workspace_id, address) do nothing`.execute(tx);
}

/**
 * Mail not sent yet to any of these addresses is settled `suppressed` (a privacy erasure: nothing more goes
 * to the person, and their address is then rewritten out of the row). Returns how many were settled.
 */
export async function suppressUnsentMail(tx: Tx, workspaceId: string, emails: string[]): Promise<number> {
  const wanted = [...new Set(emails.map(bareAddress))].filter(Boolean);
  if (wanted.length === 0) return 0;
  const { rows } = await sql`update mail_outbox set status = 'suppressed',
      last_error = 'not sent: the recipient was erased (privacy request)'
    where workspace_id = ${workspaceId}::uuid and status in ('queued', 'held', 'failed')
      and exists (select 1 from unnest(${wanted}::text[]) w(a) where position(w.a in lower(to_address)) > 0)
    returning id`.execute(tx);
  return rows.length;
}

/** Whether an address belongs to a person erased from the workspace (importers refuse to bring them back). */
export async function isErasedAddress(tx: Tx, workspaceId: string, email: string): Promise<boolean> {
  const { rows } = await sql`select 1 from mail_suppressions where workspace_id = ${workspaceId}::uuid
    and address = ${erasedKeySql(workspaceId, sql`${bareAddress(email)}::text`)}`.execute(tx);
  return rows.length > 0;
}

export interface SuppressInput {
  address: string;
  reason: TSuppressionReason;
  source?: string;
  outboxId?: string | null;
  createdBy?: string | null;
}

/**
 * Suppresses an address (kept as first suppressed: a later bounce does not change why).
 * Returns true when the address was not suppressed before.
 */
export async function suppress(tx: Tx, workspaceId: string, input: SuppressInput): Promise<boolean> {
  const address = bareAddress(input.address);
  const { rows } = await sql<{ address: string }>`
    insert into mail_suppressions (workspace_id, address, reason, source, outbox_id, created_by)
    values (${workspaceId}::uuid, ${address}, ${input.reason}, ${(input.source ?? '').slice(0, 500)},
      ${input.outboxId ?? null}::uuid, ${input.createdBy ?? null}::uuid)
    on conflict (workspace_id, address) do nothing
    returning address`.execute(tx);
  return rows.length > 0;
}

/** Lifts a suppression; false when the address was not suppressed. */
export async function unsuppress(tx: Tx, workspaceId: string, address: string): Promise<boolean> {
  const { rows } = await sql<{ address: string }>`
    delete from mail_suppressions where workspace_id = ${workspaceId}::uuid and address = ${bareAddress(address)}
    returning address`.execute(tx);
  return rows.length > 0;
}

interface SuppressionRow {
  address: string;
  reason: TSuppressionReason;
  source: string;
  outbox_id: string | null;
  created_at: Date | string;
}

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

const present = (r: SuppressionRow): TSuppression => ({
  address: r.address,
  reason: r.reason,
  source: r.source,
  outboxId: r.outbox_id,
  createdAt: iso(r.created_at),
});

const encodeCursor = (r: SuppressionRow) =>
  Buffer.from(JSON.stringify([iso(r.created_at), r.address])).toString('base64url');

function decodeCursor(cursor: string | undefined): [string, string] | null {
  if (!cursor) return null;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'string' && !Number.isNaN(Date.parse(v[0]))) {
      return [v[0], v[1]];
    }
  } catch {
    // fall through
  }
  throw invalidField('cursor', 'is not a cursor this list gave out');
}

/** The suppression list, newest first, keyset-paged. */
export async function listSuppressions(
  tx: Tx,
  workspaceId: string,
  query: { reason?: string; q?: string; cursor?: string; limit: number },
) {
  const after = decodeCursor(query.cursor);
  const prefix = query.q ? `${lower(query.q).replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const { rows } = await sql<SuppressionRow>`
    select address, reason, source, outbox_id, created_at from mail_suppressions
    where workspace_id = ${workspaceId}::uuid
      ${query.reason ? sql`and reason = ${query.reason}` : sql``}
      ${prefix ? sql`and address like ${prefix}` : sql``}
      ${after ? sql`and (created_at, address) < (${after[0]}::timestamptz, ${after[1]})` : sql``}
    order by created_at desc, address desc limit ${query.limit + 1}`.execute(tx);
  const page = rows.slice(0, query.limit);
  const hasMore = rows.length > query.limit;
  const last = page.at(-1);
  return {
    data: page.map(present),
    page: { nextCursor: hasMore && last ? encodeCursor(last) : null, hasMore },
  };
}

/** One suppression (404 when the address is not suppressed). */
export async function getSuppression(tx: Tx, workspaceId: string, address: string): Promise<TSuppression> {
  const { rows } = await sql<SuppressionRow>`
    select address, reason, source, outbox_id, created_at from mail_suppressions
    where workspace_id = ${workspaceId}::uuid and address = ${bareAddress(address)}`.execute(tx);
  if (!rows[0]) throw notFound('Suppression');
  return present(rows[0]);
}

/** Adds an address by hand; 409 naming the address when it is already suppressed. */
export async function addSuppression(
  tx: Tx,
  workspaceId: string,
  input: { address: string; reason: TSuppressionReason; source?: string },
  userId: string | null,
): Promise<TSuppression> {
  const added = await suppress(tx, workspaceId, {
    address: input.address,
    reason: input.reason,
    source: input.source ?? 'manual',
    createdBy: userId,
  });
  if (!added) {
    throw new AppError('conflict', 'address: this address is already suppressed', {
      errors: [{ path: 'address', message: 'is already suppressed' }],
    });
  }
  return getSuppression(tx, workspaceId, input.address);
}

export const DEFAULT_BOUNCE_SETTINGS: TBounceSettings = { softBounceLimit: 3, softBounceWindowDays: 30 };

/** How many soft bounces within how many days suppress an address. */
export async function bounceSettings(tx: Tx, workspaceId: string): Promise<TBounceSettings> {
  const { rows } = await sql<{ soft_bounce_limit: number; soft_bounce_window_days: number }>`
    select soft_bounce_limit, soft_bounce_window_days from mail_bounce_settings
    where workspace_id = ${workspaceId}::uuid`.execute(tx);
  const r = rows[0];
  return r
    ? { softBounceLimit: r.soft_bounce_limit, softBounceWindowDays: r.soft_bounce_window_days }
    : { ...DEFAULT_BOUNCE_SETTINGS };
}

export async function updateBounceSettings(
  tx: Tx,
  workspaceId: string,
  input: typeof UpdateBounceSettingsRequest._output,
): Promise<TBounceSettings> {
  const next = { ...(await bounceSettings(tx, workspaceId)), ...input };
  await sql`
    insert into mail_bounce_settings (workspace_id, soft_bounce_limit, soft_bounce_window_days)
    values (${workspaceId}::uuid, ${next.softBounceLimit}, ${next.softBounceWindowDays})
    on conflict (workspace_id) do update set soft_bounce_limit = excluded.soft_bounce_limit,
      soft_bounce_window_days = excluded.soft_bounce_window_days, updated_at = now()`.execute(tx);
  return next;
}
