import { type RawBuilder, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Database, Tx } from '../db/database';
import type { JobQueue } from '../jobs/job-queue';
import { isEncrypted, storageColumns } from '../records/field-types';
import type { ObjectRegistry } from '../records/registry';
import { columnName } from '../records/types';
import { openCustomValue, openValue, sealValue } from './field-crypto';
import { resealKeyCheck } from './instance-key';
import type { SecretBox } from './secret-box';

/**
 * `rapport keys rotate`: every value sealed under an older key of the ring (or still
 * plain) is sealed again under the newest key — sensitive record fields (built-in
 * columns and custom fields) with their blind indexes, and every secret the server reads
 * back. A platform job (`keys.rotate`) with its progress in `key_rotations`; it runs as the
 * database owner across workspaces. Resumable: it only ever picks values not yet sealed
 * under the newest key, so a run interrupted (a crash, a stopped server) continues where
 * it stopped when it is retried or started again.
 */
export const ROTATION_QUEUE = 'keys.rotate';
const BATCH = 200;

type Sql = RawBuilder<unknown>;

/**
 * The secrets the server reads back, sealed with the SecretBox: the context each is
 * bound to is `<table>.<column>:<key columns joined by ":">` (see each owner's service).
 */
export const SEALED_SECRETS: { table: string; column: string; keys: string[] }[] = [
  { table: 'webhook_subscriptions', column: 'secret', keys: ['workspace_id', 'id'] },
  { table: 'telephony_numbers', column: 'auth_token', keys: ['workspace_id', 'id'] },
  { table: 'social_connections', column: 'app_secret', keys: ['workspace_id', 'id'] },
  { table: 'social_connections', column: 'verify_token', keys: ['workspace_id', 'id'] },
  { table: 'social_connections', column: 'access_token', keys: ['workspace_id', 'id'] },
  { table: 'chat_settings', column: 'identity_secret', keys: ['workspace_id'] },
  { table: 'user_two_factor', column: 'secret', keys: ['user_id'] },
];

/** One place holding sealed values: how to find the pending ones and write one back. */
interface Target {
  name: string;
  /** Key columns, in keyset order. */
  keys: string[];
  table: string;
  /** The stored value (text or jsonb) as selected. */
  value: Sql;
  /** Rows whose value is not sealed under the newest key. */
  pending: (prefix: string) => Sql;
  /** The new stored value (or null when it cannot be opened), and the SET clause that writes it. */
  reseal: (box: SecretBox, row: Record<string, unknown>) => { set: Sql; guard: Sql } | null;
}

const keyOf = (keys: string[], row: Record<string, unknown>) => keys.map((k) => String(row[k]));

function secretTargets(): Target[] {
  return SEALED_SECRETS.map(({ table, column, keys }) => {
    const col = sql.ref(column);
    return {
      name: `${table}.${column}`,
      keys,
      table,
      value: col,
      pending: (prefix) => sql`${col} is not null and left(${col}, ${prefix.length}) <> ${prefix}`,
      reseal: (box, row) => {
        const context = `${table}.${column}:${keyOf(keys, row).join(':')}`;
        const stored = String(row.value);
        const plain = box.openStored(stored, context);
        return { set: sql`${col} = ${box.seal(plain, context)}`, guard: sql`${col} = ${stored}` };
      },
    };
  });
}

function builtinFieldTargets(registry: ObjectRegistry): Target[] {
  return registry.all().flatMap((def) =>
    def.fields.filter(isEncrypted).map((f): Target => {
      const [main, bidx] = storageColumns(f).map((c) => sql.ref(c.column)) as [Sql, Sql];
      return {
        name: `${def.table}.${columnName(f.name)}`,
        keys: ['workspace_id', 'id'],
        table: def.table,
        value: main,
        pending: (prefix) => sql`${main} is not null and left(${main}, ${prefix.length}) <> ${prefix}`,
        reseal: (_box, row) => {
          const stored = String(row.value);
          const sealed = sealValue(def.table, f.name, openValue(def.table, f.name, stored));
          return { set: sql`${main} = ${sealed.sealed}, ${bidx} = ${sealed.bidx}`, guard: sql`${main} = ${stored}` };
        },
      };
    }),
  );
}

async function customFieldTargets(db: Tx, registry: ObjectRegistry): Promise<Target[]> {
  const { rows } = await sql<{ object: string; name: string }>`
    select distinct object, name from custom_fields where sensitive order by object, name`.execute(db);
  return rows.flatMap(({ object, name }) => {
    const def = registry.get(object);
    if (!def) return [];
    const value = sql`(custom -> ${name})`;
    return [
      {
        name: `${def.table}.custom.${name}`,
        keys: ['workspace_id', 'id'],
        table: def.table,
        value,
        // A sensitive custom field is sensitive in every workspace that has it; others have no such key.
        pending: (prefix: string) =>
          sql`custom ? ${name} and jsonb_typeof(custom -> ${name}) <> 'null' and exists (select 1 from custom_fields cf
            where cf.workspace_id = ${sql.table(def.table)}.workspace_id and cf.object = ${object} and cf.name = ${name} and cf.sensitive)
            and left(coalesce(custom -> ${name} ->> 'sealed', ''), ${prefix.length}) <> ${prefix}`,
        reseal: (_box: SecretBox, row: Record<string, unknown>) => {
          const plain = openCustomValue(def.table, name, row.value);
          const sealed = sealValue(def.table, name, plain);
          return {
            set: sql`custom = jsonb_set(custom, array[${name}], ${JSON.stringify(sealed)}::jsonb)`,
            guard: sql`custom -> ${name} = ${JSON.stringify(row.value)}::jsonb`,
          };
        },
      },
    ];
  });
}

/** Every place holding sealed values, in the order a run visits them. */
export async function rotationTargets(db: Tx, registry: ObjectRegistry): Promise<Target[]> {
  return [...secretTargets(), ...builtinFieldTargets(registry), ...(await customFieldTargets(db, registry))];
}

/** How many values are not sealed under the newest key (the whole run's total). */
export async function countPending(db: Tx, box: SecretBox, registry: ObjectRegistry): Promise<number> {
  let total = 0;
  for (const t of await rotationTargets(db, registry)) {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from ${sql.table(t.table)} where ${t.pending(box.currentPrefix)}`.execute(db);
    total += Number(rows[0]?.n ?? 0);
  }
  return total;
}

export interface RotationView {
  id: string;
  state: 'queued' | 'running' | 'completed' | 'failed';
  keyId: string;
  total: number;
  done: number;
  failed: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

const present = (r: Record<string, unknown>): RotationView => ({
  id: r.id as string,
  state: r.state as RotationView['state'],
  keyId: r.key_id as string,
  total: Number(r.total),
  done: Number(r.done),
  failed: Number(r.failed),
  error: (r.error as string | null) ?? null,
  createdAt: new Date(r.created_at as Date).toISOString(),
  finishedAt: r.finished_at ? new Date(r.finished_at as Date).toISOString() : null,
});

/** A new run, or the unfinished one (a second request joins it). */
export async function requestRotation(db: Tx, box: SecretBox): Promise<RotationView> {
  const { rows: open } = await sql<Record<string, unknown>>`
    select * from key_rotations where state in ('queued', 'running') order by created_at desc limit 1`.execute(db);
  if (open[0]) return present(open[0]);
  const { rows } = await sql<Record<string, unknown>>`
    insert into key_rotations (id, state, key_id) values (${uuidv7()}, 'queued', ${box.currentKeyId})
    returning *`.execute(db);
  return present(rows[0] as Record<string, unknown>);
}

export async function rotationById(db: Tx, id: string): Promise<RotationView | null> {
  const { rows } = await sql<Record<string, unknown>>`select * from key_rotations where id = ${id}`.execute(db);
  return rows[0] ? present(rows[0]) : null;
}

export async function latestRotation(db: Tx): Promise<RotationView | null> {
  const { rows } = await sql<Record<string, unknown>>`
    select * from key_rotations order by created_at desc limit 1`.execute(db);
  return rows[0] ? present(rows[0]) : null;
}

/**
 * Carries out a run (owner connection): counts what is pending, then seals every such
 * value again in keyset batches, each committed with its progress. A value no key of
 * the ring opens is counted in `failed` and left as it is. When nothing is left, the
 * key check value is sealed under the newest key too: older keys may then be removed.
 */
export async function runRotation(
  database: Database,
  box: SecretBox,
  registry: ObjectRegistry,
  runId: string,
  onProgress?: (v: { done: number; total: number }) => void,
): Promise<RotationView> {
  const db = database.db;
  const prefix = box.currentPrefix;
  try {
    const remaining = await countPending(db, box, registry);
    const { rows: started } = await sql<{ done: number }>`
      update key_rotations set state = 'running', started_at = coalesce(started_at, now()), key_id = ${box.currentKeyId},
        total = done + ${remaining}, failed = 0, error = null
      where id = ${runId} returning done`.execute(db);
    let done = Number(started[0]?.done ?? 0);
    const total = done + remaining;
    onProgress?.({ done, total });
    let failed = 0;
    for (const t of await rotationTargets(db, registry)) {
      let after: string[] | null = null;
      for (;;) {
        const keys = sql.join(t.keys.map((k) => sql.ref(k)));
        const cursor: Sql = after ? sql`and (${keys}) > (${sql.join(after.map((v) => sql`${v}`))})` : sql``;
        const { rows } = await sql<Record<string, unknown>>`
          select ${keys}, ${t.value} as value from ${sql.table(t.table)}
          where ${t.pending(prefix)} ${cursor}
          order by ${keys} limit ${BATCH}`.execute(db);
        if (rows.length === 0) break;
        const batch = await database.db.transaction().execute(async (tx) => {
          let n = 0;
          for (const r of rows) {
            let change: { set: Sql; guard: Sql } | null;
            try {
              change = t.reseal(box, r);
            } catch {
              change = null; // unknown key or tampered: left as it is, counted
            }
            if (!change) {
              failed++;
              continue;
            }
            const where = sql.join(
              t.keys.map((k) => sql`${sql.ref(k)} = ${r[k]}`),
              sql` and `,
            );
            await sql`update ${sql.table(t.table)} set ${change.set} where ${where} and ${change.guard}`.execute(tx);
            n++;
          }
          await sql`update key_rotations set done = done + ${n}, failed = ${failed} where id = ${runId}`.execute(tx);
          return n;
        });
        done += batch;
        onProgress?.({ done, total });
        after = keyOf(t.keys, rows[rows.length - 1] as Record<string, unknown>);
      }
    }
    if (failed === 0) await resealKeyCheck(db, box);
    await sql`update key_rotations set state = ${failed === 0 ? 'completed' : 'failed'}, finished_at = now(),
      error = ${failed === 0 ? null : `${failed} value(s) could not be opened with any configured key and were left as they are`}
      where id = ${runId}`.execute(db);
  } catch (err) {
    await sql`update key_rotations set state = 'failed', finished_at = now(), error = ${String((err as Error).message).slice(0, 500)}
      where id = ${runId}`.execute(db);
    throw err;
  }
  return (await rotationById(db, runId)) as RotationView;
}

/**
 * The `keys.rotate` queue, and at start-up: a run left unfinished (the server stopped
 * during it) is taken up again, and values still plain where a field became encrypted
 * (migration 0044) get a run of their own.
 */
export async function registerKeyRotation(
  jobs: JobQueue,
  deps: { database: Database; box: SecretBox; registry: ObjectRegistry },
): Promise<void> {
  jobs.define<{ runId: string }>(
    ROTATION_QUEUE,
    async (job) => {
      await runRotation(deps.database, deps.box, deps.registry, job.payload.runId);
    },
    { concurrency: 1, maxAttempts: 10, leaseSeconds: 3600 },
  );
  const db = deps.database.db;
  const { rows } = await sql<{ id: string }>`
    select id from key_rotations where state in ('queued', 'running') order by created_at desc limit 1`.execute(db);
  let runId = rows[0]?.id;
  if (!runId) {
    let plain = 0;
    for (const t of builtinFieldTargets(deps.registry)) {
      const { rows: n } = await sql<{ n: string }>`
        select count(*) as n from ${sql.table(t.table)} where ${t.value} is not null and left(${t.value}, 3) <> 'v1:'`.execute(
        db,
      );
      plain += Number(n[0]?.n ?? 0);
    }
    if (plain > 0) runId = (await requestRotation(db, deps.box)).id;
  }
  if (runId) await enqueueRotation(db, jobs, runId);
}

/** The job that carries out run `runId` (once per run). */
export async function enqueueRotation(db: Tx, jobs: JobQueue, runId: string): Promise<void> {
  await jobs.enqueue(db, { queue: ROTATION_QUEUE, payload: { runId }, key: `rotation:${runId}` });
}
