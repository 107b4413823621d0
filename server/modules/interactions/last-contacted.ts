import { sql } from 'kysely';
import type { EventConsumer } from '../../platform/events/dispatcher';

/**
 * Keeps `contacts.lastContactedAt` (read-only, system-set) at the latest interaction with
 * each contact, whoever logged it and however (REST, batch, workflows): an event consumer,
 * so it runs once per committed interaction change. Never moves the date backwards.
 */
export const lastContactedUpdater: EventConsumer = {
  name: 'interactions.last-contacted',
  types: ['interaction.created', 'interaction.updated', 'interaction.restored'],
  async handle(tx, events) {
    for (const e of events) {
      const r = (e.data.record ?? {}) as Record<string, unknown>;
      const at = typeof r.occurredAt === 'string' ? r.occurredAt : null;
      const ids = [r.contactId, ...((r.participantContactIds as unknown[]) ?? [])].filter(
        (x): x is string => typeof x === 'string',
      );
      if (!at || ids.length === 0) continue;
      await sql`update contacts set last_contacted_at = ${at}::timestamptz
        where workspace_id = ${e.workspaceId} and id = any(${ids}::uuid[])
          and (last_contacted_at is null or last_contacted_at < ${at}::timestamptz)
          and ${at}::timestamptz <= now() + interval '1 minute'`.execute(tx);
    }
  },
};
