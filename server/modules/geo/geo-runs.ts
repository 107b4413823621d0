import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TGeoRun } from '../../../common/contracts/geo';
import type { Database, Tx } from '../../platform/db/database';
import type { JobQueue } from '../../platform/jobs/job-queue';
import { fromRow, storageColumns } from '../../platform/records/field-types';
import type { RecordService } from '../../platform/records/records.service';
import { type Address, addressFields, geocodeRecordField, systemActor } from './geocode';

export const RUN_QUEUE = 'geo.run';
/** Records per transaction of a run. */
export const RUN_CHUNK = 500;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const present = (r: Record<string, unknown>): TGeoRun => ({
  id: r.id as string,
  state: r.state as TGeoRun['state'],
  total: r.total as number,
  done: r.done as number,
  geocoded: r.geocoded as number,
  unresolved: r.unresolved as number,
  error: (r.error as string | null) ?? null,
  createdAt: iso(r.created_at as Date) as string,
  startedAt: iso(r.started_at as Date | null),
  finishedAt: iso(r.finished_at as Date | null),
});

/** Starts a geocoding run over the workspace's existing addresses (one waiting run covers a second request). */
export async function requestRun(tx: Tx, jobs: JobQueue, ws: string): Promise<TGeoRun> {
  const { rows: waiting } = await sql<Record<string, unknown>>`
    select * from geo_runs where workspace_id = ${ws}::uuid and state = 'queued' limit 1`.execute(tx);
  if (waiting[0]) return present(waiting[0]);
  const run = await insertRun(tx, ws);
  await jobs.enqueue(tx, { queue: RUN_QUEUE, workspaceId: ws, payload: { runId: run.id }, key: `run:${run.id}` });
  return run;
}

/** A new run's row, queued (the caller runs it or enqueues its job). */
export async function insertRun(tx: Tx, ws: string): Promise<TGeoRun> {
  const id = uuidv7();
  const { rows } = await sql<Record<string, unknown>>`
    insert into geo_runs (workspace_id, id, state) values (${ws}::uuid, ${id}::uuid, 'queued') returning *`.execute(tx);
  return present(rows[0] as Record<string, unknown>);
}

export async function latestRun(tx: Tx, ws: string): Promise<TGeoRun | null> {
  const { rows } = await sql<Record<string, unknown>>`
    select * from geo_runs where workspace_id = ${ws}::uuid order by created_at desc, id desc limit 1`.execute(tx);
  return rows[0] ? present(rows[0]) : null;
}

/**
 * The run: every live record of every object with an address field whose address names
 * a city and has no coordinates, in keyset chunks of RUN_CHUNK (one transaction each,
 * progress committed with it), geocoded from the gazetteer through the record engine.
 * Coordinates already present (a person's, an import's or the geocoder's) are left alone.
 * Idempotent: a retried run starts over and skips what is done.
 */
export async function runGeocoding(
  database: Database,
  records: RecordService,
  ws: string,
  runId: string,
  chunk = RUN_CHUNK,
): Promise<void> {
  const actor = systemActor(ws);
  const targets = records.registry.all().flatMap((def) => addressFields(def).map((field) => ({ def, field })));
  const col = (field: (typeof targets)[number]['field'], sub: string) =>
    storageColumns(field).find((c) => c.sub === sub)?.column as string;
  // A city, or a postal code in a country (placed when the postal-code file holds it).
  const pending = (t: (typeof targets)[number]) =>
    sql`t.deleted_at is null and ${sql.ref(`t.${col(t.field, 'latitude')}`)} is null
      and (coalesce(${sql.ref(`t.${col(t.field, 'city')}`)}, '') <> ''
        or (coalesce(${sql.ref(`t.${col(t.field, 'postalCode')}`)}, '') <> ''
          and coalesce(${sql.ref(`t.${col(t.field, 'country')}`)}, '') <> ''))`;
  try {
    await database.tenant(ws, async (tx) => {
      let total = 0;
      for (const t of targets) {
        const { rows } = await sql<{ n: string }>`
          select count(*) as n from ${sql.table(`${t.def.table}_scoped`)} t where ${pending(t)}`.execute(tx);
        total += Number(rows[0]?.n ?? 0);
      }
      await sql`update geo_runs set state = 'running', started_at = now(), total = ${total}, done = 0, geocoded = 0, unresolved = 0
        where workspace_id = ${ws}::uuid and id = ${runId}::uuid`.execute(tx);
    });
    for (const t of targets) {
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const more = await database.tenant(ws, async (tx) => {
          const cols = storageColumns(t.field).map((c) => sql.ref(`t.${c.column}`));
          const { rows } = await sql<Record<string, unknown>>`
            select t.id, ${sql.join(cols)} from ${sql.table(`${t.def.table}_scoped`)} t
            where ${pending(t)} and t.id > ${after}::uuid order by t.id limit ${chunk}`.execute(tx);
          let geocoded = 0;
          let unresolved = 0;
          for (const r of rows) {
            const address = fromRow(t.field, r) as Address;
            const outcome = await geocodeRecordField(tx, records, actor, t.def.name, t.field, r.id as string, address);
            if (outcome === 'geocoded') geocoded++;
            if (outcome === 'unresolved') unresolved++;
          }
          await sql`update geo_runs set done = done + ${rows.length}, geocoded = geocoded + ${geocoded},
            unresolved = unresolved + ${unresolved} where workspace_id = ${ws}::uuid and id = ${runId}::uuid`.execute(
            tx,
          );
          const last = rows[rows.length - 1];
          if (last) after = last.id as string;
          return rows.length === chunk;
        });
        if (!more) break;
      }
    }
    await database.tenant(ws, (tx) =>
      sql`update geo_runs set state = 'completed', finished_at = now()
        where workspace_id = ${ws}::uuid and id = ${runId}::uuid`.execute(tx),
    );
  } catch (err) {
    await database.tenant(ws, (tx) =>
      sql`update geo_runs set state = 'failed', finished_at = now(), error = ${String((err as Error).message).slice(0, 500)}
        where workspace_id = ${ws}::uuid and id = ${runId}::uuid`.execute(tx),
    );
    throw err;
  }
}
