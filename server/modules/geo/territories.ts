import { type RawBuilder, sql } from 'kysely';
import { type TerritoryArea, TerritoryAreaSchema, territoryFilter } from '../../../common/contracts/geo';
import { humanIssueMessage } from '../../../common/validation-messages';
import { type Database, enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { RecordService } from '../../platform/records/records.service';
import type { ObjectDef } from '../../platform/records/types';
import { systemActor } from './geocode';

type Sql = RawBuilder<unknown>;

/** The objects whose records get a territory (each has `address` and `territoryId`). */
export const TERRITORY_OBJECTS = ['accounts', 'contacts', 'leads'] as const;
export const TERRITORY_QUEUE = 'geo.territories';
/** Records per transaction when a territory change re-places a workspace's records. */
export const TERRITORY_CHUNK = 500;

/**
 * Territories (issue 19, point 6): a named area — a drawn polygon and/or regions
 * (countries, regions, postal-code prefixes) — with an owner and a team, like any record.
 * Overlaps are settled by `priority` (lowest first), then name.
 */
export const territoriesObject: ObjectDef = {
  name: 'territories',
  singular: 'territory',
  label: 'Territory',
  labelPlural: 'Territories',
  table: 'territories',
  titleFields: ['name'],
  subtitleFields: ['description'],
  defaultSort: 'name',
  fields: [
    { name: 'name', type: 'text', label: 'Name', required: true, maxLength: 200, search: 'A', fuzzy: true },
    { name: 'description', type: 'longText', label: 'Description', search: 'C' },
    { name: 'area', type: 'json', label: 'Area', required: true },
    { name: 'priority', type: 'integer', label: 'Priority', min: 0, max: 1000 },
  ],
  validate(record) {
    if (record.area === undefined || record.area === null) return [];
    const parsed = TerritoryAreaSchema.safeParse(record.area);
    if (parsed.success) return [];
    return parsed.error.issues
      .slice(0, 20)
      .map((i) => ({ path: ['area', ...i.path.map(String)].join('.'), message: humanIssueMessage(i) }));
  },
};

interface Territory {
  id: string;
  area: TerritoryArea;
}

/** The workspace's live territories, in the order that settles overlaps. */
async function liveTerritories(tx: Tx): Promise<Territory[]> {
  const { rows } = await sql<{ id: string; area: unknown }>`
    select id, area from territories_scoped where deleted_at is null
    order by coalesce(priority, 1000), lower(name), id`.execute(tx);
  const out: Territory[] = [];
  for (const r of rows) {
    const parsed = TerritoryAreaSchema.safeParse(r.area);
    if (parsed.success) out.push({ id: r.id, area: parsed.data });
  }
  return out;
}

/**
 * Places records of `object` in their territory: the first live territory whose area
 * their address is in (the record engine's `within`, as the system sees it, in one
 * query), or none; writes `territoryId` through the engine (version, audit,
 * `<object>.updated`, so workflows' field_changed triggers and assignment follow) only
 * when it changed, and only if nobody moved it in between. `tx` has entered the workspace.
 */
export async function placeInTerritories(
  tx: Tx,
  records: RecordService,
  ws: string,
  object: string,
  ids: string[],
  territories?: Territory[],
): Promise<number> {
  const def = records.registry.get(object);
  if (!def || ids.length === 0) return 0;
  const all = territories ?? (await liveTerritories(tx));
  const matches = await records.matchingIds(
    tx,
    object,
    all.map((t) => territoryFilter(t.area)),
    ids,
  );
  const { rows } = await sql<{ id: string; territory_id: string | null }>`
    select id, territory_id from ${sql.table(`${def.table}_scoped`)}
    where deleted_at is null and id = any(${ids}::uuid[])`.execute(tx);
  const actor = systemActor(ws);
  let moved = 0;
  for (const r of rows) {
    const i = matches.findIndex((m) => m.has(r.id));
    const want = i === -1 ? null : (all[i] as Territory).id;
    if (want === r.territory_id) continue;
    const where: Sql = sql`t.territory_id is not distinct from ${r.territory_id}::uuid`;
    const written = await records.systemWrite(
      tx,
      actor,
      object,
      r.id,
      { territoryId: want },
      { where, detail: { territories: true } },
    );
    if (written) moved++;
  }
  return moved;
}

/**
 * Every live record of the workspace's territory objects re-placed, in keyset chunks
 * (one transaction each): after a territory was created, redrawn, re-ranked or deleted.
 */
export async function replaceAll(database: Database, records: RecordService, ws: string): Promise<number> {
  let moved = 0;
  for (const object of TERRITORY_OBJECTS) {
    const def = records.registry.get(object);
    if (!def) continue;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const more = await database.tenant(ws, async (tx) => {
        const { rows } = await sql<{ id: string }>`
          select id from ${sql.table(`${def.table}_scoped`)}
          where deleted_at is null and id > ${after}::uuid order by id limit ${TERRITORY_CHUNK}`.execute(tx);
        if (rows.length === 0) return false;
        moved += await placeInTerritories(
          tx,
          records,
          ws,
          object,
          rows.map((r) => r.id),
        );
        after = (rows[rows.length - 1] as { id: string }).id;
        return rows.length === TERRITORY_CHUNK;
      });
      if (!more) break;
    }
  }
  return moved;
}

const PLACE_PARTS = ['country', 'region', 'postalCode', 'latitude', 'longitude'] as const;

/** Whether a written address moved as far as territories are concerned. */
function addressMoved(change: [unknown, unknown] | undefined): boolean {
  if (!change) return false;
  const [from, to] = change as [Record<string, unknown> | null, Record<string, unknown> | null];
  return PLACE_PARTS.some((p) => (from?.[p] ?? null) !== (to?.[p] ?? null));
}

/**
 * Keeps records in their territory: a created, restored or re-addressed account, contact
 * or lead is placed at once (in the dispatcher's transaction; the geocoder's own write of
 * coordinates comes back as an update and places it again by its point); a territory
 * created, changed, deleted or restored queues a job that re-places the workspace's
 * records (one job per consumed batch; a pass is idempotent).
 */
export function territoriesConsumer(records: RecordService, jobs: JobQueue): EventConsumer {
  const singulars = new Map(
    TERRITORY_OBJECTS.flatMap((o) => {
      const def = records.registry.get(o);
      return def ? [[def.singular, def.name] as const] : [];
    }),
  );
  return {
    name: 'geo.territories',
    types: [
      ...[...singulars.keys()].flatMap((s) => ['created', 'updated', 'restored'].map((v) => `${s}.${v}`)),
      ...['created', 'updated', 'deleted', 'restored', 'purged'].map((v) => `territory.${v}`),
    ],
    async handle(tx, events) {
      const place = new Map<string, Map<string, Set<string>>>();
      const rerun = new Set<string>();
      for (const e of events) {
        const [singular = '', verb] = e.type.split('.');
        if (singular === 'territory') {
          if (verb === 'updated') {
            const changes = (e.data.changes ?? {}) as Record<string, unknown>;
            if (!('area' in changes) && !('priority' in changes) && !('name' in changes)) continue;
          }
          rerun.add(e.workspaceId);
          continue;
        }
        const object = singulars.get(singular);
        if (!object || !e.recordId) continue;
        if (verb === 'updated') {
          const changes = (e.data.changes ?? {}) as Record<string, [unknown, unknown]>;
          if (!addressMoved(changes.address)) continue;
        }
        const byObject = place.get(e.workspaceId) ?? new Map<string, Set<string>>();
        place.set(e.workspaceId, byObject);
        const ids = byObject.get(object) ?? new Set<string>();
        byObject.set(object, ids);
        ids.add(e.recordId);
      }
      let wrote = false;
      try {
        for (const [ws, byObject] of place) {
          if (rerun.has(ws)) continue;
          await enterWorkspace(tx, ws);
          const all = await liveTerritories(tx);
          for (const [object, ids] of byObject) {
            if ((await placeInTerritories(tx, records, ws, object, [...ids], all)) > 0) wrote = true;
          }
        }
        for (const ws of rerun) {
          await enterWorkspace(tx, ws);
          await jobs.enqueue(tx, { queue: TERRITORY_QUEUE, workspaceId: ws, payload: {} });
          wrote = true;
        }
      } finally {
        await leaveWorkspace(tx);
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}
