import { sql } from 'kysely';
import { audit } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import { AppError } from '../../platform/http/errors';
import type { ObjectSchema } from '../../platform/records/object-schema';
import { presentRow, selectColumns } from '../../platform/records/query';
import type { RecordContext, RecordData, RecordService } from '../../platform/records/records.service';
import type { PolymorphicTable } from '../../platform/records/relink';
import { linkTimeline } from './timeline-links';

/** Objects that can be merged. */
export const MERGEABLE = new Set(['contacts', 'accounts', 'leads']);

/** Module tables that link to any record by (object name, id) under other names than related_object/related_id. */
export const POLYMORPHIC_TABLES: PolymorphicTable[] = [
  { table: 'comments', objectColumn: 'object', idColumn: 'record_id' },
];

/** A main email or phone field and the field of other ones beside it. */
const CONTACT_POINTS = [
  ['email', 'emails'],
  ['phone', 'phones'],
] as const;
/** At most this many other emails (phones) per record (the field type's limit). */
const MAX_OTHERS = 20;

interface Labelled {
  value: string;
  label?: string;
}

/** A record with every field, whatever the caller's role hides (for keeping values the caller may not see). */
async function wholeRecord(tx: Tx, records: RecordService, ctx: RecordContext, object: string, id: string) {
  const schema = ctx.full.get(object) as ObjectSchema;
  const { rows } = await sql<Record<string, unknown>>`select ${selectColumns(schema, undefined)}
    from ${records.scopedRelation(ctx, object)} t where t.id = ${id}::uuid`.execute(tx);
  return rows[0] ? presentRow(schema, rows[0]) : null;
}

/**
 * The survivor's emails and phones once merged: its main one as chosen (the other's when
 * it had none), and every other one of both records (their main and other values) among
 * the other emails / phones, once each.
 */
function keptContactPoints(
  schema: ObjectSchema,
  survivorBefore: RecordData,
  survivorAfter: RecordData,
  loser: RecordData,
): RecordData {
  const changes: RecordData = {};
  for (const [main, others] of CONTACT_POINTS) {
    if (!schema.field(main) || !schema.field(others)) continue;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
    const list = (v: unknown) => (Array.isArray(v) ? (v as Labelled[]) : []);
    const primary = str(survivorAfter[main]) ?? str(loser[main]);
    const seen = new Set<string>(primary ? [primary] : []);
    const kept: Labelled[] = [];
    for (const item of [
      ...list(survivorAfter[others]),
      ...list(survivorBefore[others]),
      ...[survivorBefore[main], survivorAfter[main], loser[main]].map((v) => ({ value: str(v) ?? '' })),
      ...list(loser[others]),
    ]) {
      if (!item.value || seen.has(item.value)) continue;
      seen.add(item.value);
      kept.push(item);
    }
    if (primary !== str(survivorAfter[main])) changes[main] = primary;
    const now = list(survivorAfter[others]);
    const next = kept.slice(0, MAX_OTHERS);
    if (JSON.stringify(next) !== JSON.stringify(now)) changes[others] = next.length ? next : null;
  }
  return changes;
}

/**
 * Merges `loserId` into `survivorId` (contacts, accounts or leads), in one transaction:
 * every record and module row that points at the loser (built-in and custom relation
 * fields of every object, child tables found through their foreign keys, polymorphic
 * related_object/related_id links such as tasks and notes, comments) and its shares
 * move to the survivor, and its timeline is linked to the survivor's (timeline-links.ts); the tags are united; the chosen `values`
 * (a PATCH body, e.g. the loser's email) are written to the survivor; every email and
 * phone of both records is kept (the ones not chosen as main among the other emails /
 * phones, by a system write: also those the caller's role does not see); the loser goes
 * to the trash (restorable, but empty: its links stay with the survivor); audited as
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
  const survivorWhole = (await wholeRecord(tx, records, ctx, object, survivorId)) as RecordData;
  const loserWhole = (await wholeRecord(tx, records, ctx, object, loserId)) as RecordData;
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
  await records.update(tx, actor, object, survivorId, { tags, ...values });
  const after = (await wholeRecord(tx, records, ctx, object, survivorId)) as RecordData;
  const kept = keptContactPoints(ctx.full.get(object) as ObjectSchema, survivorWhole, after, loserWhole);
  if (Object.keys(kept).length) {
    await records.systemWrite(tx, actor, object, survivorId, kept, {
      detail: { mergedId: loserId, kept: Object.keys(kept) },
    });
  }
  const merged = await records.get(tx, actor, object, survivorId);
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
