import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import { AppError } from '../../platform/http/errors';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import type { PolymorphicTable } from '../../platform/records/relink';
import { linkTimeline } from './timeline-links';

/** Objects that can be merged. */
export const MERGEABLE = new Set(['contacts', 'accounts', 'leads']);

/** Module tables that link to any record by (object name, id) under other names than related_object/related_id. */
export const POLYMORPHIC_TABLES: PolymorphicTable[] = [
  { table: 'comments', objectColumn: 'object', idColumn: 'record_id' },
];

/**
 * Merges `loserId` into `survivorId` (contacts, accounts or leads), in one transaction:
 * every record and module row that points at the loser (built-in and custom relation
 * fields of every object, child tables found through their foreign keys, polymorphic
 * related_object/related_id links such as tasks and notes, comments) and its shares
 * move to the survivor, and its timeline is linked to the survivor's (timeline-links.ts); the tags are united; the chosen `values`
 * (a PATCH body, e.g. the loser's email) are written to the survivor; the loser goes to
 * the trash (restorable, but empty: its links stay with the survivor); audited as
 * `record.merged`.
 */
export async function mergeRecords(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  object: string,
  survivorId: string,
  loserId: string,
  values: RecordData = {},
): Promise<RecordData> {
  if (!MERGEABLE.has(object)) throw new AppError('route_not_found', `${object} cannot be merged`);
  if (survivorId === loserId) {
    throw new AppError('validation_failed', 'A record cannot be merged with itself', {
      errors: [{ path: 'otherId', message: 'must be another record' }],
    });
  }
  const ctx = await records.require(tx, actor, object, survivorId, 'update');
  try {
    await records.require(tx, actor, object, loserId, 'delete');
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') {
      throw new AppError('validation_failed', 'otherId points to a record that does not exist', {
        errors: [{ path: 'otherId', message: 'points to a record that does not exist' }],
      });
    }
    throw err;
  }
  const survivor = await records.get(tx, actor, object, survivorId);
  const loser = await records.get(tx, actor, object, loserId);
  const moved = await records.relink(tx, actor, ctx, loserId, survivorId, { polymorphic: POLYMORPHIC_TABLES });
  const timeline = await linkTimeline(
    tx,
    actor.workspaceId,
    { object, id: loserId },
    { object, id: survivorId },
    'merged',
  );
  if (timeline > 0) moved.timeline = timeline;

  await records.trash(tx, actor, object, loserId);
  const tags = [...new Set([...((survivor.tags as string[]) ?? []), ...((loser.tags as string[]) ?? [])])];
  const merged = await records.update(tx, actor, object, survivorId, { tags, ...values });
  await audit(tx, actor, {
    action: 'record.merged',
    object,
    recordId: survivorId,
    detail: { mergedId: loserId, moved, chosen: Object.keys(values) },
  });
  await emitEvent(tx, actor, {
    type: 'record.merged',
    object,
    recordId: survivorId,
    data: { object, survivorId, mergedId: loserId, moved },
  });
  return merged;
}
