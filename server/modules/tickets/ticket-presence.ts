import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';

/** A heartbeat older than this no longer counts (the web app beats every 15 seconds). */
export const PRESENCE_TTL_SECONDS = 45;

/**
 * Who else has a ticket open, and who is writing a reply: the first half of the
 * collision warning (the second is the 409 on a reply written against an old message).
 * Kept in a table so every app process sees every agent.
 */
export async function beat(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  ticketId: string,
  state: 'viewing' | 'replying',
) {
  if (!actor.userId) throw new AppError('forbidden', 'Presence is for people; this API key belongs to no one');
  await records.get(tx, actor, 'tickets', ticketId, { fields: 'id' });
  await sql`insert into ticket_presence (workspace_id, ticket_id, user_id, state, seen_at)
    values (${actor.workspaceId}, ${ticketId}::uuid, ${actor.userId}::uuid, ${state}, now())
    on conflict (workspace_id, ticket_id, user_id) do update set state = excluded.state, seen_at = excluded.seen_at`.execute(
    tx,
  );
  return others(tx, actor, records, ticketId);
}

/** The other members viewing or replying to a ticket the caller may read, replying first. */
export async function others(tx: Tx, actor: Actor, records: RecordService, ticketId: string) {
  await records.get(tx, actor, 'tickets', ticketId, { fields: 'id' });
  const { rows } = await sql<{ user_id: string; name: string; state: 'viewing' | 'replying'; seen_at: Date }>`
    select p.user_id, u.name, p.state, p.seen_at from ticket_presence p join users u on u.id = p.user_id
    where p.workspace_id = rapport_workspace() and p.ticket_id = ${ticketId}::uuid
      and p.seen_at > now() - make_interval(secs => ${PRESENCE_TTL_SECONDS})
      and p.user_id <> ${actor.userId ?? '00000000-0000-0000-0000-000000000000'}::uuid
    order by p.state = 'replying' desc, lower(u.name)`.execute(tx);
  return rows.map((r) => ({
    userId: r.user_id,
    name: r.name,
    state: r.state,
    seenAt: new Date(r.seen_at).toISOString(),
  }));
}

/** The caller closed the ticket (404 for a ticket they cannot see). */
export async function leave(tx: Tx, actor: Actor, records: RecordService, ticketId: string) {
  await records.get(tx, actor, 'tickets', ticketId, { fields: 'id' });
  if (!actor.userId) return;
  await sql`delete from ticket_presence where workspace_id = rapport_workspace() and ticket_id = ${ticketId}::uuid
    and user_id = ${actor.userId}::uuid`.execute(tx);
}
