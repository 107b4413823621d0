import { type RawBuilder, sql } from 'kysely';
import type { TGuardResult, TRecentContact } from '../../../common/contracts/timeline';
import type { Tx } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import { CHANNELS, type Channel } from './interactions.object';

type Sql = RawBuilder<unknown>;

/** Cool-down after a contact, per channel, in hours, unless the workspace set its own. */
export const DEFAULT_COOLDOWN_HOURS: Record<Channel, number> = {
  email: 48,
  call: 24,
  meeting: 72,
  direct_mail: 336,
  social: 48,
  chat: 24,
};

/** The workspace's cool-downs (the defaults where it set none). Runs in a tenant transaction. */
export async function loadCooldowns(tx: Tx): Promise<Record<Channel, number>> {
  const { rows } = await sql<{ channel: Channel; hours: number }>`select channel, hours from contact_cooldowns`.execute(
    tx,
  );
  const out = { ...DEFAULT_COOLDOWN_HOURS };
  for (const r of rows) out[r.channel] = r.hours;
  return out;
}

export type RecentContact = TRecentContact;

export interface GuardQuery {
  contactId: string;
  /** The channel about to be used (marks same-channel contacts). */
  channel?: Channel;
  topic?: string;
  opportunityId?: string;
  /** The user about to make contact: their own contacts do not raise the warning. Null for automation. */
  userId?: string | null;
  now?: Date;
  /**
   * The records the caller may see, per object (RecordService.scopedRelation) for
   * requests; leave it out for automated sends, which see every record of the workspace.
   */
  scoped?: (object: 'contacts' | 'accounts') => Sql;
}

export type GuardResult = TGuardResult;

const STOP = new Set(['the', 'and', 'for', 'with', 'about', 'call', 'email', 'meeting', 'follow', 'up', 're', 'fwd']);
const words = (s: string) =>
  new Set(
    s
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length >= 3 && !STOP.has(w)),
  );

/** Two topics are the same when they share at least half of the shorter one's significant words. */
export function sameTopic(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b) return false;
  const wa = words(a);
  const wb = words(b);
  const [small, large] = wa.size <= wb.size ? [wa, wb] : [wb, wa];
  if (small.size === 0) return a.trim().toLowerCase() === b.trim().toLowerCase();
  let shared = 0;
  for (const w of small) if (large.has(w)) shared++;
  return shared * 2 >= small.size;
}

const and = (parts: (Sql | undefined)[]) =>
  sql.join(
    parts.filter((p): p is Sql => !!p),
    sql` and `,
  );

/**
 * "Don't contact twice": who contacted this contact, or their account, recently — within
 * the cool-down of the channel they used — and whether that should stop the caller.
 * The one function behind `GET /api/v1/contacts/{id}/recent-contacts`, the web app's
 * warnings and automated sends (workflows call it without `visible` and skip or delay
 * a send when `warn` is true). Runs in a tenant transaction; 404 for a contact that is
 * not there (or not visible to the caller).
 */
export async function findRecentContacts(tx: Tx, q: GuardQuery): Promise<GuardResult> {
  const now = q.now ?? new Date();
  const from = (object: 'contacts' | 'accounts') => q.scoped?.(object) ?? sql.table(`${object}_scoped`);
  const { rows: cs } = await sql<{ id: string; account_id: string | null; do_not_contact: boolean }>`
    select c.id, c.account_id, c.do_not_contact from ${from('contacts')} c
    where ${and([sql`c.id = ${q.contactId}::uuid`, sql`c.deleted_at is null`])}`.execute(tx);
  const contact = cs[0];
  if (!contact) throw notFound('Contact');
  const cooldownHours = await loadCooldowns(tx);
  const longest = Math.max(...Object.values(cooldownHours));
  const since = new Date(now.getTime() - longest * 3_600_000);
  const account = contact.account_id;
  const links: Sql[] = [
    sql`i.contact_id = ${contact.id}::uuid`,
    sql`${contact.id}::uuid = any(i.participant_contact_ids)`,
  ];
  if (account) {
    links.push(sql`(i.account_id = ${account}::uuid and exists (select 1 from ${from('accounts')} a
      where ${and([sql`a.id = ${account}::uuid`, sql`a.deleted_at is null`])}))`);
    links.push(sql`i.contact_id in (select c2.id from ${from('contacts')} c2
      where ${and([sql`c2.account_id = ${account}::uuid`, sql`c2.deleted_at is null`])})`);
  }
  const { rows } = await sql<{
    id: string;
    channel: Channel;
    direction: string | null;
    topic: string | null;
    occurred_at: Date;
    by_id: string | null;
    by_name: string | null;
    contact_id: string | null;
    contact_name: string | null;
    related_object: string | null;
    related_id: string | null;
    participant_contact_ids: string[] | null;
  }>`
    select i.id, i.channel, i.direction, i.topic, i.occurred_at, u.id as by_id, u.name as by_name,
      i.contact_id, nullif(trim(coalesce(ic.first_name, '') || ' ' || coalesce(ic.last_name, '')), '') as contact_name,
      i.related_object, i.related_id, i.participant_contact_ids
    from interactions_scoped i
    left join users u on u.id = coalesce(i.owner_id, i.created_by)
    left join contacts_scoped ic on ic.id = i.contact_id
    where i.deleted_at is null and i.occurred_at >= ${since} and i.occurred_at <= ${now}
      and (${sql.join(links, sql` or `)})
    order by i.occurred_at desc, i.id desc
    limit 200`.execute(tx);
  const recent: RecentContact[] = [];
  for (const r of rows) {
    const hours = cooldownHours[r.channel] ?? 0;
    const ends = new Date(r.occurred_at.getTime() + hours * 3_600_000);
    if (ends <= now) continue;
    recent.push({
      interactionId: r.id,
      channel: r.channel,
      direction: r.direction,
      topic: r.topic,
      occurredAt: r.occurred_at.toISOString(),
      by: r.by_id ? { id: r.by_id, name: r.by_name ?? '' } : null,
      contact: r.contact_id ? { id: r.contact_id, name: r.contact_name ?? '' } : null,
      viaAccount: r.contact_id !== contact.id && !(r.participant_contact_ids ?? []).includes(contact.id),
      sameTopic: sameTopic(q.topic, r.topic),
      sameOpportunity:
        !!q.opportunityId && r.related_object === 'opportunities' && r.related_id === q.opportunityId.toLowerCase(),
      sameChannel: !!q.channel && q.channel === r.channel,
      cooldownEndsAt: ends.toISOString(),
    });
  }
  const narrowed = !!q.topic || !!q.opportunityId;
  const warn =
    contact.do_not_contact ||
    recent.some((r) => (!q.userId || r.by?.id !== q.userId) && (!narrowed || r.sameTopic || r.sameOpportunity));
  return {
    contactId: contact.id,
    accountId: account,
    doNotContact: contact.do_not_contact,
    cooldownHours,
    recent,
    warn,
  };
}

export { CHANNELS };

/**
 * The "don't contact twice" rule for automated sends, set-based (a campaign's batch): which
 * of `contactIds` were contacted on `channel` within its cool-down before `now` — directly,
 * as a participant, or through their account (an interaction with the account, or with any
 * other contact of it), as findRecentContacts' `sameChannel` entries count. Every record of
 * the workspace is seen (no caller's scope). Runs in a tenant transaction.
 */
export async function contactedWithinCooldown(
  tx: Tx,
  contactIds: string[],
  channel: Channel,
  now: Date,
): Promise<Set<string>> {
  const out = new Set<string>();
  if (contactIds.length === 0) return out;
  const hours = (await loadCooldowns(tx))[channel] ?? 0;
  if (hours <= 0) return out;
  const since = new Date(now.getTime() - hours * 3_600_000);
  const recent = sql`i.deleted_at is null and i.channel = ${channel} and i.occurred_at > ${since}
    and i.occurred_at <= ${now}`;
  const { rows } = await sql<{ id: string }>`
    with t as (
      select c.id, c.account_id from contacts_scoped c
      where c.id = any(${contactIds}::uuid[]) and c.deleted_at is null),
    acc as (select distinct t.account_id from t where t.account_id is not null),
    hot as (
      select i.account_id from interactions_scoped i
      join accounts_scoped x on x.id = i.account_id and x.deleted_at is null
      where i.account_id in (select account_id from acc) and ${recent}
      union
      select c2.account_id from contacts_scoped c2 join interactions_scoped i on i.contact_id = c2.id
      where c2.account_id in (select account_id from acc) and c2.deleted_at is null and ${recent})
    select t.id from t
    where t.account_id in (select account_id from hot)
      or exists (select 1 from interactions_scoped i where i.contact_id = t.id and ${recent})
      or exists (select 1 from interactions_scoped i
        where i.participant_contact_ids && array[t.id] and ${recent})`.execute(tx);
  for (const r of rows) out.add(r.id);
  return out;
}
