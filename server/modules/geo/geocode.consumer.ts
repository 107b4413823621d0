import { sql } from 'kysely';
import { enterWorkspace, leaveWorkspace } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { JobQueue } from '../../platform/jobs/job-queue';
import { fromRow, storageColumns } from '../../platform/records/field-types';
import type { RecordService } from '../../platform/records/records.service';
import { IMPORT_SUMMARY_EVENTS, importedRecordIds, importOf } from '../imports';
import { type Address, addressFields, geocodeRecordField, needsGeocoding, systemActor } from './geocode';
import { REFINE_QUEUE, type RefinePayload, refineKey, wantsRefinement } from './online-geocoder';

/**
 * Geocodes addresses as they are written: an event consumer on the created / updated /
 * restored events of every object with an address field, so it runs once per committed
 * change, whoever made it (REST, batch, imports, workflows), and never inside the
 * request. The gazetteer is in memory (no network): the coordinates are written in the
 * consumer's own transaction through the record engine. With an online geocoder
 * configured, an address with a street is also queued for refinement (a job, at most one
 * request a second).
 */
export function geocodeConsumer(records: RecordService, jobs: JobQueue, online: boolean): EventConsumer {
  const objects = records.registry.all().filter((d) => addressFields(d).length > 0);
  const bySingular = new Map(objects.map((d) => [d.singular, d]));
  return {
    name: 'geo.geocode',
    types: [
      ...objects.flatMap((d) => ['created', 'updated', 'restored'].map((v) => `${d.singular}.${v}`)),
      // An import writes quietly and emits one summary event: its records are geocoded then.
      ...IMPORT_SUMMARY_EVENTS,
    ],
    async handle(tx, events) {
      let wrote = false;
      try {
        for (const e of events) {
          const imported = importOf(e);
          if (imported) {
            const def = objects.find((d) => d.name === imported.object);
            if (!def) continue;
            await enterWorkspace(tx, e.workspaceId);
            const actor = systemActor(e.workspaceId);
            for await (const ids of importedRecordIds(tx, imported.importId)) {
              for (const field of addressFields(def)) {
                const cols = storageColumns(field).map((c) => sql.ref(`t.${c.column}`));
                const { rows } = await sql<Record<string, unknown>>`
                  select t.id, ${sql.join(cols)} from ${sql.table(`${def.table}_scoped`)} t
                  where t.id = any(${ids}::uuid[]) and t.deleted_at is null`.execute(tx);
                for (const r of rows) {
                  const to = fromRow(field, r) as Address | null;
                  if (!to) continue;
                  const id = r.id as string;
                  if (needsGeocoding(to, undefined)) {
                    const outcome = await geocodeRecordField(tx, records, actor, def.name, field, id, to);
                    if (outcome !== 'unchanged') wrote = true;
                  }
                  if (online && wantsRefinement(to, undefined)) {
                    await jobs.enqueue<RefinePayload>(tx, {
                      queue: REFINE_QUEUE,
                      workspaceId: e.workspaceId,
                      payload: { object: def.name, field: field.name, id, address: to },
                      key: refineKey(def.name, id, field.name, to),
                    });
                    wrote = true;
                  }
                }
              }
            }
            continue;
          }
          const [singular = '', verb] = e.type.split('.');
          const def = bySingular.get(singular);
          const record = e.data.record as Record<string, unknown> | undefined;
          const id = e.recordId ?? (record?.id as string | undefined);
          if (!def || !record || !id) continue;
          const changes = (e.data.changes ?? {}) as Record<string, [unknown, unknown]>;
          for (const field of addressFields(def)) {
            if (verb === 'updated' && !changes[field.name]) continue;
            const to = record[field.name] as Address | null;
            const from = verb === 'updated' ? ((changes[field.name]?.[0] as Address | null) ?? null) : undefined;
            if (!to) continue;
            const actor = systemActor(e.workspaceId);
            if (needsGeocoding(to, from)) {
              await enterWorkspace(tx, e.workspaceId);
              const outcome = await geocodeRecordField(tx, records, actor, def.name, field, id, to);
              if (outcome !== 'unchanged') wrote = true;
            }
            if (online && wantsRefinement(to, from)) {
              await enterWorkspace(tx, e.workspaceId);
              await jobs.enqueue<RefinePayload>(tx, {
                queue: REFINE_QUEUE,
                workspaceId: e.workspaceId,
                payload: { object: def.name, field: field.name, id, address: to },
                key: refineKey(def.name, id, field.name, to),
              });
              wrote = true;
            }
          }
        }
      } finally {
        await leaveWorkspace(tx);
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}
