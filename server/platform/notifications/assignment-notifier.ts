import { sql } from 'kysely';
import type { EventConsumer } from '../events/dispatcher';
import { eventForMemberOfWorkspace } from '../events/event-visibility';
import type { RecordService } from '../records/records.service';
import { notify } from './notify';

/**
 * "Assigned to you": when a record is created for, or handed over to, someone other
 * than the person making the change, that person is notified (kind `assignment`).
 * Runs in the event dispatcher's transaction; the dedupe key (the event) makes a
 * redelivered event notify nobody twice.
 */
export function assignmentNotifier(records: RecordService): EventConsumer {
  const registry = records.registry;
  return {
    name: 'notifications.assignments',
    async handle(tx, events) {
      let wrote = false;
      for (const e of events) {
        if (!e.object || !e.recordId || !/\.(created|updated)$/.test(e.type)) continue;
        const record = (e.data.record ?? {}) as Record<string, unknown>;
        const changes = e.data.changes as Record<string, [unknown, unknown]> | undefined;
        const owner = e.type.endsWith('.created') ? record.ownerId : changes?.ownerId?.[1];
        if (typeof owner !== 'string' || owner === e.actorUserId) continue;
        const def = registry.get(e.object);
        if (!def) continue;
        // The new owner must be a member (a foreign key on notifications enforces it too).
        const { rows } =
          await sql`select 1 from workspace_members where workspace_id = ${e.workspaceId} and user_id = ${owner}`.execute(
            tx,
          );
        if (rows.length === 0) continue;
        // The new owner is told only what their role lets them see of the record (maybe nothing).
        const seen = await eventForMemberOfWorkspace(tx, records, e.workspaceId, owner, e);
        if (!seen) continue;
        const visible = (seen.record ?? {}) as Record<string, unknown>;
        const title = def.titleFields
          .map((f) => visible[f])
          .filter((v) => typeof v === 'string' && v)
          .join(' ');
        await notify(tx, {
          workspaceId: e.workspaceId,
          userId: owner,
          kind: 'assignment',
          title: `${def.label} assigned to you: ${title || 'untitled'}`,
          object: e.object,
          recordId: e.recordId,
          actorUserId: e.actorUserId,
          dedupeKey: `assignment:${e.id}`,
        });
        wrote = true;
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}
