import { sql } from 'kysely';
import type { EventConsumer } from '../events/dispatcher';
import { eventForMemberOfWorkspace } from '../events/event-visibility';
import type { RecordService } from '../records/records.service';
import type { ObjectDef } from '../records/types';
import { notify } from './notify';

/**
 * How an object tells someone a record was assigned to them. Every record object has
 * the default (its owner; "<Label> assigned to you: <title>"); a module registers its
 * own for an object whose assignee is another field or whose message says more (tasks).
 */
export interface AssignmentNotice {
  /** The user field naming whom the record is assigned to (default `ownerId`). */
  field?: string;
  /** Whether a record in this state is worth telling about (stored record, every field; default: always). */
  applies?: (record: Record<string, unknown>) => boolean;
  /** The notification's title and body, from what the assignee may see of the record. */
  message?: (
    seen: Record<string, unknown>,
    about: { def: ObjectDef; assignedBy: string | null },
  ) => { title: string; body?: string };
}

/** Assignment notices per object name (objects not named get the default). */
export type AssignmentNotices = Readonly<Record<string, AssignmentNotice>>;

/** The notices modules registered (RapportModule.assignmentNotices), by object name. */
const registered: Record<string, AssignmentNotice> = {};

/** Registers a module's assignment notices (the same call twice changes nothing). */
export function registerAssignmentNotices(notices: AssignmentNotices): void {
  Object.assign(registered, notices);
}

const byDefault: Required<Pick<AssignmentNotice, 'field' | 'message'>> = {
  field: 'ownerId',
  message: (seen, { def }) => {
    const title = def.titleFields
      .map((f) => seen[f])
      .filter((v) => typeof v === 'string' && v)
      .join(' ');
    return { title: `${def.label} assigned to you: ${title || 'untitled'}` };
  },
};

/**
 * "Assigned to you": when a record is created for, or handed over to, someone other
 * than the person making the change, that person is notified (kind `assignment`), once
 * per committed event whichever path wrote the record (REST, batch, workflows, a
 * consumer). Runs in the event dispatcher's transaction; the dedupe key (the event)
 * makes a redelivered event notify nobody twice. The one assignment notifier: objects
 * with their own rules are registered by their module (registerAssignmentNotices).
 */
export function assignmentNotifier(records: RecordService, notices: AssignmentNotices = registered): EventConsumer {
  const registry = records.registry;
  return {
    name: 'notifications.assignments',
    async handle(tx, events) {
      let wrote = false;
      for (const e of events) {
        if (!e.object || !e.recordId || !/\.(created|updated)$/.test(e.type)) continue;
        const def = registry.get(e.object);
        if (!def) continue;
        const notice = notices[e.object] ?? {};
        const field = notice.field ?? byDefault.field;
        const record = (e.data.record ?? {}) as Record<string, unknown>;
        const changes = e.data.changes as Record<string, [unknown, unknown]> | undefined;
        const assignee = e.type.endsWith('.created') ? record[field] : changes?.[field]?.[1];
        if (typeof assignee !== 'string' || assignee === e.actorUserId) continue;
        if (notice.applies && !notice.applies(record)) continue;
        // The assignee must be a member (a foreign key on notifications enforces it too).
        const { rows } = await sql<{ member: boolean; assignedBy: string | null }>`
          select exists (select 1 from workspace_members where workspace_id = ${e.workspaceId} and user_id = ${assignee}) as member,
            (select name from users where id = ${e.actorUserId}) as "assignedBy"`.execute(tx);
        if (!rows[0]?.member) continue;
        // The assignee is told only what their role lets them see of the record (maybe nothing).
        const seen = await eventForMemberOfWorkspace(tx, records, e.workspaceId, assignee, e);
        if (!seen) continue;
        const message = (notice.message ?? byDefault.message)((seen.record ?? {}) as Record<string, unknown>, {
          def,
          assignedBy: rows[0].assignedBy,
        });
        await notify(tx, {
          workspaceId: e.workspaceId,
          userId: assignee,
          kind: 'assignment',
          title: message.title,
          body: message.body,
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
