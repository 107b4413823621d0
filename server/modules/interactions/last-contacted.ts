import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import { enterWorkspace, leaveWorkspace } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { RecordService } from '../../platform/records/records.service';

/**
 * Keeps `contacts.lastContactedAt` (read-only, system-set) at the latest interaction with
 * each contact, whoever logged it and however (REST, batch, workflows): an event consumer,
 * so it runs once per committed interaction change. Never moves the date backwards.
 * A system write through the engine: the contact's version moves, the change is audited
 * and `contact.updated` is emitted, as for any other change.
 */
export function lastContactedUpdater(records: RecordService): EventConsumer {
  return {
    name: 'interactions.last-contacted',
    types: ['interaction.created', 'interaction.updated', 'interaction.restored'],
    async handle(tx, events) {
      try {
        for (const e of events) {
          const r = (e.data.record ?? {}) as Record<string, unknown>;
          const at = typeof r.occurredAt === 'string' ? r.occurredAt : null;
          const ids = [r.contactId, ...((r.participantContactIds as unknown[]) ?? [])].filter(
            (x): x is string => typeof x === 'string',
          );
          if (!at || ids.length === 0) continue;
          await enterWorkspace(tx, e.workspaceId);
          const actor: Actor = { kind: 'user', userId: null, workspaceId: e.workspaceId, role: 'system', scopes: [] };
          for (const id of new Set(ids)) {
            await records.systemWrite(
              tx,
              actor,
              'contacts',
              id,
              { lastContactedAt: at },
              {
                where: sql`(t.last_contacted_at is null or t.last_contacted_at < ${at}::timestamptz)
                  and ${at}::timestamptz <= now() + interval '1 minute'`,
              },
            );
          }
        }
      } finally {
        await leaveWorkspace(tx);
      }
    },
  };
}
