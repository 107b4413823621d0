import { type RawBuilder, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TRescore } from '../../../common/contracts/scoring';
import type { Database, Tx } from '../../platform/db/database';
import type { JobQueue } from '../../platform/jobs/job-queue';
import { loadSchemas } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import { systemBulkSet } from '../../platform/records/system-bulk';
import { importedRecordIds } from '../imports';
import { fitConditions, loadRules, loadSettings, SCORE_FIELDS, scoreSource, systemActor } from './score-engine';
import { qualifyReached, recordDrops } from './scorer';

type Sql = RawBuilder<unknown>;

export const RESCORE_QUEUE = 'scoring.rescore';
export const DECAY_QUEUE = 'scoring.decay';
/** Scores the records of one import (payload `{ importId, object }`). */
export const IMPORTED_QUEUE = 'scoring.imported';
/** Imported records scored per transaction. */
export const IMPORTED_CHUNK = 1000;
/** Records per transaction of a rescore: big enough for set-based speed, small enough for short locks. */
export const RESCORE_CHUNK = 20_000;

const OBJECTS = ['leads', 'contacts'] as const;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const present = (r: Record<string, unknown>): TRescore => ({
  id: r.id as string,
  state: r.state as TRescore['state'],
  reason: r.reason as string,
  total: r.total as number,
  done: r.done as number,
  changed: r.changed as number,
  error: (r.error as string | null) ?? null,
  createdAt: iso(r.created_at as Date) as string,
  startedAt: iso(r.started_at as Date | null),
  finishedAt: iso(r.finished_at as Date | null),
});

/**
 * Starts a background rescore of every lead and contact of the workspace (in the caller's
 * transaction). A rescore still waiting to start covers this request too: a burst of rule
 * edits makes one run, which sees them all.
 */
export async function requestRescore(tx: Tx, jobs: JobQueue, ws: string, reason: string): Promise<TRescore> {
  const { rows: waiting } = await sql<Record<string, unknown>>`
    update scoring_rescores set reason = left(reason || '; ' || ${reason}, 500)
    where workspace_id = ${ws}::uuid and state = 'queued' returning *`.execute(tx);
  if (waiting[0]) return present(waiting[0]);
  const id = uuidv7();
  const { rows } = await sql<Record<string, unknown>>`
    insert into scoring_rescores (workspace_id, id, state, reason) values (${ws}::uuid, ${id}::uuid, 'queued', ${reason})
    returning *`.execute(tx);
  await jobs.enqueue(tx, { queue: RESCORE_QUEUE, workspaceId: ws, payload: { rescoreId: id }, key: `rescore:${id}` });
  return present(rows[0] as Record<string, unknown>);
}

/** The workspace's latest rescore (null before the first). */
export async function latestRescore(tx: Tx, ws: string): Promise<TRescore | null> {
  const { rows } = await sql<Record<string, unknown>>`
    select * from scoring_rescores where workspace_id = ${ws}::uuid order by created_at desc, id desc limit 1`.execute(
    tx,
  );
  return rows[0] ? present(rows[0]) : null;
}

/**
 * Rescores the live records of one object in keyset chunks of RESCORE_CHUNK, each chunk
 * one transaction: the scores computed in SQL (score-engine's scoreSource) and written by
 * the record engine's bulk path (systemBulkSet: version bump, one audit row and one
 * `<object>.bulk_updated` event per chunk, no per-record events); then leads that reached
 * the MQL threshold become MQLs (a system write and `lead.mql` each) and qualified leads
 * that fell below get `lead.score_dropped`. `engagedOnly`: only records with engagement
 * (the decay job). Returns records seen and changed.
 */
export async function rescoreObject(
  database: Database,
  records: RecordService,
  ws: string,
  object: 'leads' | 'contacts',
  now: Date,
  opts: {
    engagedOnly?: boolean;
    chunk?: number;
    reason: string;
    onChunk?: (done: number, changed: number) => Promise<void>;
  },
): Promise<{ done: number; changed: number }> {
  const def = records.registry.get(object);
  if (!def) return { done: 0, changed: 0 };
  const chunk = opts.chunk ?? RESCORE_CHUNK;
  const scoped = sql.table(`${def.table}_scoped`);
  const engaged = opts.engagedOnly
    ? sql`and t.id in (select record_id from score_contributions where workspace_id = ${ws}::uuid and object = ${object})`
    : sql``;
  let last: string | null = null;
  let done = 0;
  let changed = 0;
  for (;;) {
    const step = await database.tenant(ws, async (tx) => {
      const after: Sql = last ? sql`t.id > ${last}::uuid` : sql`true`;
      const { rows } = await sql<{ upto: string | null; n: string }>`
        with c as materialized (
          select t.id from ${scoped} t where t.workspace_id = ${ws}::uuid and t.deleted_at is null and ${after} ${engaged}
          order by t.id limit ${chunk})
        select (select c.id from c order by c.id desc limit 1)::text as upto, (select count(*) from c) as n`.execute(
        tx,
      );
      const upto = rows[0]?.upto;
      if (!upto) return null;
      const changed = await scoreChunk(tx, records, ws, object, now, opts.reason, {
        where: sql`${after} and t.id <= ${upto}::uuid ${engaged}`,
        range: sql`${last ? sql`id > ${last}::uuid` : sql`true`} and id <= ${upto}::uuid`,
      });
      return { upto, n: Number(rows[0]?.n ?? 0), changed };
    });
    if (!step) break;
    last = step.upto;
    done += step.n;
    changed += step.changed;
    await opts.onChunk?.(done, changed);
    if (step.n < chunk) break;
  }
  return { done, changed };
}

/**
 * Scores one chunk of an object's records in SQL and writes the changes by the record
 * engine's bulk path (one audit row and one `<object>.bulk_updated` event for the chunk);
 * for leads, those that reached the MQL threshold become MQLs and qualified ones that fell
 * below get `lead.score_dropped`. `where` selects the chunk (alias `t`), `range` the same
 * leads without alias. Returns how many records changed.
 */
async function scoreChunk(
  tx: Tx,
  records: RecordService,
  ws: string,
  object: 'leads' | 'contacts',
  now: Date,
  reason: string,
  chunk: { where: Sql; range: Sql },
): Promise<number> {
  const def = records.registry.get(object);
  if (!def) return 0;
  const settings = await loadSettings(tx, ws);
  const rules = await loadRules(tx, ws, { object, kind: 'fit', activeOnly: true });
  const fit = fitConditions(await loadSchemas(tx, records.registry), object, rules);
  const source = scoreSource({
    ws,
    object,
    table: def.table,
    fit,
    now,
    threshold: settings.mqlThreshold,
    where: chunk.where,
  });
  const changes = await systemBulkSet(records, tx, systemActor(ws), {
    object,
    fields: [...SCORE_FIELDS],
    source,
    reason,
  });
  if (object === 'leads') {
    await qualifyReached(tx, records, ws, chunk.range, settings, now);
    const thr = settings.mqlThreshold;
    const drops = changes
      .map((c) => ({ id: c.id, from: Number(c.before.score ?? 0), to: Number(c.after.score ?? 0) }))
      .filter((d) => d.from >= thr && d.to < thr);
    await recordDrops(tx, ws, drops, settings);
  }
  return changes.length;
}

/** Whether the workspace scores `object` at all (an active rule for it). */
export async function scoresObject(tx: Tx, ws: string, object: 'leads' | 'contacts'): Promise<boolean> {
  const { rows } = await sql`select 1 from scoring_rules
    where workspace_id = ${ws}::uuid and object = ${object} and active limit 1`.execute(tx);
  return rows.length > 0;
}

/**
 * Scores the records an import wrote (the IMPORTED_QUEUE job, started by the import's
 * summary event): its ids by pages of `chunk`, each page one transaction through the bulk
 * path, so a million imported leads make a thousand audit rows and events, not a million.
 * Idempotent (scores are recomputed, not added), so a retried job redoes nothing wrong.
 */
export async function rescoreImported(
  database: Database,
  records: RecordService,
  ws: string,
  object: 'leads' | 'contacts',
  importId: string,
  now: Date,
  chunk = IMPORTED_CHUNK,
): Promise<{ done: number; changed: number }> {
  let after: string | undefined;
  let done = 0;
  let changed = 0;
  for (;;) {
    const step = await database.tenant(ws, async (tx) => {
      if (!(await scoresObject(tx, ws, object))) return null;
      const page = await importedRecordIds(tx, importId, { pageSize: chunk, after }).next();
      const ids = page.done ? [] : page.value;
      if (ids.length === 0) return null;
      const n = await scoreChunk(tx, records, ws, object, now, 'scoring.imported', {
        where: sql`t.id = any(${ids}::uuid[])`,
        range: sql`id = any(${ids}::uuid[])`,
      });
      return { ids, changed: n };
    });
    if (!step) break;
    done += step.ids.length;
    changed += step.changed;
    after = step.ids[step.ids.length - 1];
    if (step.ids.length < chunk) break;
  }
  return { done, changed };
}

/** Runs one requested rescore (the RESCORE_QUEUE job), keeping its progress row current. */
export async function runRescore(
  database: Database,
  records: RecordService,
  ws: string,
  rescoreId: string,
  now: Date,
  chunk?: number,
): Promise<void> {
  const total = await database.tenant(ws, async (tx) => {
    let n = 0;
    for (const object of OBJECTS) {
      const def = records.registry.get(object);
      if (!def) continue;
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(`${def.table}_scoped`)}
        where workspace_id = ${ws}::uuid and deleted_at is null`.execute(tx);
      n += Number(rows[0]?.n ?? 0);
    }
    await sql`update scoring_rescores set state = 'running', started_at = ${now.toISOString()}::timestamptz, total = ${n},
      done = 0, changed = 0, error = null where workspace_id = ${ws}::uuid and id = ${rescoreId}::uuid`.execute(tx);
    return n;
  });
  let base = { done: 0, changed: 0 };
  try {
    for (const object of OBJECTS) {
      const result = await rescoreObject(database, records, ws, object, now, {
        chunk,
        reason: 'scoring.rescore',
        onChunk: (done, changed) =>
          database.tenant(ws, async (tx) => {
            await sql`update scoring_rescores set done = ${Math.min(total, base.done + done)}, changed = ${base.changed + changed}
              where workspace_id = ${ws}::uuid and id = ${rescoreId}::uuid`.execute(tx);
          }),
      });
      base = { done: base.done + result.done, changed: base.changed + result.changed };
    }
    await database.tenant(ws, async (tx) => {
      await sql`update scoring_rescores set state = 'completed', done = ${base.done}, changed = ${base.changed},
        total = greatest(total, ${base.done}), finished_at = now()
        where workspace_id = ${ws}::uuid and id = ${rescoreId}::uuid`.execute(tx);
    });
  } catch (err) {
    await database.tenant(ws, async (tx) => {
      await sql`update scoring_rescores set state = 'failed', error = ${String((err as Error).message).slice(0, 500)},
        finished_at = now() where workspace_id = ${ws}::uuid and id = ${rescoreId}::uuid`.execute(tx);
    });
    throw err;
  }
}

/**
 * The decay pass (DECAY_QUEUE, hourly): rescores the records with engagement in every
 * workspace that has decaying rules, so stored scores and grades follow the decay and
 * MQLs, drops and filters see it. `GET …/score` is always computed live.
 */
export async function runDecay(database: Database, records: RecordService, now: Date): Promise<number> {
  const { rows } = await database.system((tx) =>
    sql<{ workspace_id: string }>`select distinct workspace_id from scoring_rules
      where kind = 'engagement' and active and half_life_days is not null`.execute(tx),
  );
  let changed = 0;
  for (const { workspace_id: ws } of rows) {
    for (const object of OBJECTS) {
      const r = await rescoreObject(database, records, ws, object, now, { engagedOnly: true, reason: 'scoring.decay' });
      changed += r.changed;
    }
  }
  return changed;
}
