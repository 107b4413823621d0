import { sql } from 'kysely';
import { audit } from '../../platform/access/access.service';
import { type Actor, membershipOf } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import { AppError } from '../../platform/http/errors';
import type { Job, JobQueue } from '../../platform/jobs/job-queue';
import { type BatchItemResult, runBatch } from '../../platform/records/batch';
import type { RecordContext, RecordService } from '../../platform/records/records.service';
import { columnName } from '../../platform/records/types';
import { IMPORT_QUEUE, type ImportRow, MAX_STORED_ERRORS } from './imports.service';
import { type ConvertedRow, convertRow, type Reference } from './mapping';
import { externalSource, type MappingEntry } from './presets';
import { type ImportSource, readRows, type SourceRow, UnreadableFile } from './reader';

/** Rows per batch: one transaction each (records, errors and the checkpoint commit together). */
export const IMPORT_BATCH = 1000;
/** A run works this long, then hands over to a fresh job (short leases: a crash is picked up soon). */
const RUN_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ImportJobDeps {
  database: Database;
  records: RecordService;
  jobs: JobQueue;
}

/** Another run of the same import moved on (a lease taken back while this one still ran): stop quietly. */
class Superseded extends Error {}

interface RowError {
  row: number;
  column: string;
  message: string;
}

/**
 * The stored file as an import source: its chunks in order, each read in its own short
 * transaction, and at random (an XLSX's parts): the chunks' sizes are read once, and the
 * last chunk read is kept for the next read, which usually continues it.
 */
function storedFile(database: Database, workspaceId: string, importId: string): ImportSource {
  const chunk = async (seq: number) => {
    const { rows } = await database.tenant(workspaceId, (tx) =>
      sql<{ data: Buffer }>`select data from import_chunks
        where workspace_id = ${workspaceId}::uuid and import_id = ${importId}::uuid and seq = ${seq}`.execute(tx),
    );
    return rows[0]?.data;
  };
  let starts: number[] | null = null; // each chunk's first byte, then the file's size
  const layout = async () => {
    if (!starts) {
      const { rows } = await database.tenant(workspaceId, (tx) =>
        sql<{ n: number }>`select octet_length(data)::int as n from import_chunks
          where workspace_id = ${workspaceId}::uuid and import_id = ${importId}::uuid order by seq`.execute(tx),
      );
      let at = 0;
      starts = [0];
      for (const r of rows) {
        at += Number(r.n);
        starts.push(at);
      }
    }
    return starts;
  };
  let cached: { seq: number; data: Buffer } | null = null;
  return {
    async *chunks(from = 0) {
      let seq = 0;
      let skip = 0;
      if (from > 0) {
        const s = await layout();
        seq = s.findIndex((start, i) => from >= start && from < (s[i + 1] ?? 0));
        if (seq < 0) return;
        skip = from - (s[seq] as number);
      }
      for (; ; seq++) {
        const data = await chunk(seq);
        if (!data) return;
        yield skip ? data.subarray(skip) : data;
        skip = 0;
      }
    },
    size: async () => (await layout()).at(-1) as number,
    async read(offset, length) {
      const s = await layout();
      const parts: Buffer[] = [];
      let want = Math.max(0, Math.min(length, (s.at(-1) as number) - offset));
      let at = offset;
      while (want > 0) {
        let seq = cached && at >= (s[cached.seq] as number) && at < (s[cached.seq + 1] as number) ? cached.seq : -1;
        if (seq < 0) {
          seq = s.findIndex((start, i) => at >= start && at < (s[i + 1] ?? 0));
          const data = await chunk(seq);
          if (!data) break;
          cached = { seq, data };
        }
        const data = (cached as { data: Buffer }).data;
        const from = at - (s[seq] as number);
        const piece = data.subarray(from, Math.min(data.length, from + want));
        parts.push(piece);
        at += piece.length;
        want -= piece.length;
      }
      return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    },
  };
}

async function loadImport(tx: Tx, workspaceId: string, id: string, lock = false): Promise<ImportRow | undefined> {
  const { rows } = await sql<ImportRow>`select * from imports where workspace_id = ${workspaceId}::uuid
    and id = ${id}::uuid ${lock ? sql`for update` : sql``}`.execute(tx);
  return rows[0];
}

/** Who the import acts as: its starter, with their role as it is now (a member who left imports nothing). */
export async function importActor(
  database: Database,
  workspaceId: string,
  stored: ImportRow['actor'],
): Promise<Actor | null> {
  if (stored.kind === 'user') {
    if (!stored.userId) return null;
    const m = await membershipOf(database, stored.userId, workspaceId);
    if (!m) return null;
    return { kind: 'user', userId: stored.userId, workspaceId, role: m.role, scopes: stored.scopes ?? [] };
  }
  const { rows } = await database
    .tenant(workspaceId, (tx) =>
      sql<{ ok: boolean }>`select (revoked_at is null and (expires_at is null or expires_at > now())) as ok
      from api_keys where workspace_id = ${workspaceId}::uuid and id = ${stored.apiKeyId ?? null}::uuid`.execute(tx),
    )
    .catch(() => ({ rows: [] as { ok: boolean }[] }));
  if (!rows[0]?.ok) return null;
  return {
    kind: 'api_key',
    userId: stored.userId,
    workspaceId,
    role: stored.role,
    ...(stored.creatorRole ? { creatorRole: stored.creatorRole } : {}),
    apiKeyId: stored.apiKeyId,
    scopes: stored.scopes ?? [],
  };
}

async function finish(
  database: Database,
  workspaceId: string,
  imp: ImportRow,
  actor: Actor | null,
  outcome: { status: 'completed' | 'failed'; error?: string },
): Promise<void> {
  await database.tenant(workspaceId, async (tx) => {
    const row = await loadImport(tx, workspaceId, imp.id, true);
    if (!row || row.status === 'completed' || row.status === 'failed') return;
    await sql`update imports set status = ${outcome.status}, error = ${outcome.error ?? null}, finished_at = now()
      where workspace_id = ${workspaceId}::uuid and id = ${imp.id}::uuid`.execute(tx);
    const who = actor ?? { workspaceId, userId: row.created_by };
    const counts = {
      read: row.read_rows,
      created: row.created_rows,
      updated: row.updated_rows,
      failed: row.failed_rows,
    };
    const detail = {
      importId: row.id,
      fileName: row.file_name,
      preset: row.preset,
      mode: row.mode,
      dryRun: row.dry_run,
      counts,
      accountsCreated: row.accounts_created,
      ...(outcome.error ? { error: outcome.error } : {}),
    };
    // One audit entry and one summary event per import, not one per record.
    await audit(tx, who, { action: `import.${outcome.status}`, object: row.object, detail });
    await emitEvent(tx, who, { type: `import.${outcome.status}`, object: row.object, data: detail });
  });
}

/**
 * The import job: reads the stored file from the start, skips the rows whose batch has
 * committed (`checkpoint`), and writes the rest in batches of IMPORT_BATCH rows. Each batch
 * is ONE transaction that checks the checkpoint is still where this run left it, writes
 * the records through the record engine (quiet: no per-record audit or event), keeps the
 * external ids, stores the batch's row errors and moves the checkpoint: a crash loses at
 * most an uncommitted batch, which the next run redoes; nothing is written twice.
 */
export async function runImportJob(deps: ImportJobDeps, job: Job<{ importId: string }>): Promise<void> {
  const { database } = deps;
  const workspaceId = job.workspaceId;
  if (!workspaceId) return;
  const importId = job.payload.importId;
  const started = Date.now();
  const imp = await database.tenant(workspaceId, async (tx) => {
    const row = await loadImport(tx, workspaceId, importId, true);
    if (!row || row.status === 'completed' || row.status === 'failed') return null;
    if (row.status === 'queued') {
      await sql`update imports set status = 'running', started_at = coalesce(started_at, now())
        where workspace_id = ${workspaceId}::uuid and id = ${importId}::uuid`.execute(tx);
    }
    return row;
  });
  if (!imp) return;
  const actor = await importActor(database, workspaceId, imp.actor);
  if (!actor) {
    await finish(database, workspaceId, imp, null, {
      status: 'failed',
      error: 'the person who started the import can no longer import',
    });
    return;
  }
  const state = new BatchState(imp);
  // A CSV run resumes just after the checkpoint's last row; otherwise the file is read from the start.
  const from =
    imp.checkpoint > 0 && imp.resume_offset != null && imp.resume_row != null
      ? { offset: Number(imp.resume_offset), row: imp.resume_row }
      : undefined;
  let index = from ? imp.checkpoint : 0; // data rows read so far (the checkpoint counts the same)
  let batch: SourceRow[] = [];
  let checkpoint = imp.checkpoint;
  try {
    for await (const item of readRows(imp.format, storedFile(database, workspaceId, importId), from)) {
      if ('header' in item) continue;
      index++;
      if (index <= checkpoint) continue;
      batch.push(item);
      if (batch.length >= IMPORT_BATCH) {
        checkpoint = await writeBatch(deps, actor, state, checkpoint, batch);
        batch = [];
        if (Date.now() - started > RUN_MS) {
          // Hand over to a fresh job: a short lease keeps a crash's pause short.
          await database.tenant(workspaceId, (tx) =>
            deps.jobs.enqueue(tx, {
              queue: IMPORT_QUEUE,
              workspaceId,
              payload: { importId },
              key: `import:${importId}:${checkpoint}`,
            }),
          );
          return;
        }
      }
    }
    if (batch.length) checkpoint = await writeBatch(deps, actor, state, checkpoint, batch);
  } catch (err) {
    if (err instanceof Superseded) return;
    if (err instanceof UnreadableFile || (err instanceof Error && err.name === 'CsvError')) {
      await finish(database, workspaceId, imp, actor, {
        status: 'failed',
        error: `the file could not be read: ${err.message}`,
      });
      return;
    }
    if (err instanceof AppError && (err.code === 'forbidden' || err.code === 'route_not_found')) {
      await finish(database, workspaceId, imp, actor, { status: 'failed', error: err.message });
      return;
    }
    throw err;
  }
  await finish(database, workspaceId, imp, actor, { status: 'completed' });
}

/** What a run remembers between batches. */
class BatchState {
  /** Account names a dry run would create (counted once across batches). */
  readonly dryAccounts = new Set<string>();
  constructor(readonly imp: ImportRow) {}
}

interface Pending {
  source: SourceRow;
  converted: ConvertedRow;
  errors: RowError[];
  /** The existing record this row updates. */
  id?: string;
  key?: string;
  result?: 'created' | 'updated' | 'failed';
}

async function writeBatch(
  deps: ImportJobDeps,
  actor: Actor,
  state: BatchState,
  checkpoint: number,
  rows: SourceRow[],
): Promise<number> {
  const { imp } = state;
  return deps.database.tenant(actor.workspaceId, async (tx) => {
    const locked = await loadImport(tx, actor.workspaceId, imp.id, true);
    if (locked?.status !== 'running' || locked.checkpoint !== checkpoint) throw new Superseded();
    const ctx = await deps.records.context(tx, actor, imp.object, imp.mode === 'update' ? 'update' : 'create');
    const pending: Pending[] = rows.map((source) => {
      if (source.error) {
        return {
          source,
          converted: { record: {}, externalId: null, references: new Map(), errors: [] },
          errors: [{ row: source.row, column: '', message: source.error }],
        };
      }
      const converted = convertRow(ctx.schema, imp.mapping.entries, source.values, source.fields);
      return {
        source,
        converted,
        errors: converted.errors.map((e) => ({ row: source.row, column: e.column, message: e.message })),
      };
    });
    if (imp.dry_run) await sql`savepoint import_dry_run`.execute(tx);
    const accountsCreated = await resolveReferences(tx, deps, actor, ctx, state, pending);
    await writeRecords(tx, deps, actor, ctx, state, pending);
    if (imp.dry_run) await sql`rollback to savepoint import_dry_run`.execute(tx);

    if (!imp.dry_run) {
      // Which records this batch wrote: the summary event's consumers and the timeline read them.
      const written = pending
        .filter((p) => !p.errors.length && p.id && p.result)
        .map((p) => ({ id: p.id, result: p.result, row: p.source.row }));
      if (written.length) {
        await sql`insert into import_records (workspace_id, import_id, record_id, result, row_number)
          select ${actor.workspaceId}::uuid, ${imp.id}::uuid, v.id, v.result, v.row
          from jsonb_to_recordset(${JSON.stringify(written)}::jsonb) as v(id uuid, result text, row int)
          on conflict (workspace_id, import_id, record_id) do nothing`.execute(tx);
      }
    }
    const errors = pending.flatMap((p) => (p.errors.length ? p.errors : []));
    const failed = pending.filter((p) => p.errors.length > 0).length;
    const created = pending.filter((p) => !p.errors.length && p.result === 'created').length;
    const updated = pending.filter((p) => !p.errors.length && p.result === 'updated').length;
    const room = Math.max(0, MAX_STORED_ERRORS - (await storedErrors(tx, actor.workspaceId, imp.id)));
    const kept = errors.slice(0, room);
    if (kept.length) {
      const seqs = new Map<number, number>();
      const values = kept.map((e) => {
        const seq = seqs.get(e.row) ?? 0;
        seqs.set(e.row, seq + 1);
        return { row_number: e.row, seq, column_name: e.column.slice(0, 200), message: e.message.slice(0, 1000) };
      });
      await sql`insert into import_errors (workspace_id, import_id, row_number, seq, column_name, message)
        select ${actor.workspaceId}::uuid, ${imp.id}::uuid, v.row_number, v.seq, v.column_name, v.message
        from jsonb_to_recordset(${JSON.stringify(values)}::jsonb) as v(row_number int, seq int, column_name text, message text)
        on conflict do nothing`.execute(tx);
    }
    const next = checkpoint + rows.length;
    // Where the next run resumes: after this batch's last row, when the reader knows its offset.
    const last = rows[rows.length - 1];
    const resumeOffset = last?.end ?? null;
    await sql`update imports set checkpoint = ${next}, read_rows = read_rows + ${rows.length},
        resume_offset = ${resumeOffset}, resume_row = ${resumeOffset == null ? null : (last?.row ?? null)},
        created_rows = created_rows + ${created}, updated_rows = updated_rows + ${updated},
        failed_rows = failed_rows + ${failed}, accounts_created = accounts_created + ${accountsCreated}
      where workspace_id = ${actor.workspaceId}::uuid and id = ${imp.id}::uuid`.execute(tx);
    return next;
  });
}

async function storedErrors(tx: Tx, workspaceId: string, importId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from import_errors
    where workspace_id = ${workspaceId}::uuid and import_id = ${importId}::uuid`.execute(tx);
  return rows[0]?.n ?? 0;
}

/** Ids the source system's ids stand for, of `object`. */
async function externalIds(tx: Tx, workspaceId: string, object: string, source: string, ids: string[]) {
  if (ids.length === 0) return new Map<string, string>();
  const { rows } = await sql<{ external_id: string; record_id: string }>`
    select external_id, record_id from import_external_ids
    where workspace_id = ${workspaceId}::uuid and object = ${object} and source = ${source}
      and external_id = any(${ids}::text[])`.execute(tx);
  return new Map(rows.map((r) => [r.external_id, r.record_id]));
}

/** The title field a record is named by in a file (accounts: name; people: last name is not enough, so email). */
const NAME_FIELD: Record<string, string> = {
  accounts: 'name',
  products: 'name',
  opportunities: 'name',
  campaigns: 'name',
};

/**
 * Resolves every relation and person cell of the batch to an id: by id, by the source
 * system's id, by name (accounts…) or email (contacts, leads, people); creates missing
 * accounts named in the file when the import says so (once per name). A cell that names
 * nothing found is that row's error. Returns how many accounts were created.
 */
async function resolveReferences(
  tx: Tx,
  deps: ImportJobDeps,
  actor: Actor,
  ctx: RecordContext,
  state: BatchState,
  pending: Pending[],
): Promise<number> {
  const { imp } = state;
  const source = externalSource(imp.preset);
  const refs = pending.flatMap((p) => (p.errors.length ? [] : [...p.converted.references.values()].flat()));
  if (refs.length === 0) return 0;
  const found = new Map<string, string>(); // `${object}|${by}|${value}` → id
  const key = (object: string, by: string, value: string) => `${object}|${by}|${value.toLowerCase()}`;
  const byObject = new Map<string, Reference[]>();
  for (const r of refs) byObject.set(r.object, [...(byObject.get(r.object) ?? []), r]);
  let accountsCreated = 0;
  for (const [object, list] of byObject) {
    if (object === 'users' || object === 'teams') {
      const { rows } = await sql<{ id: string; email: string; name: string }>`
        select u.id, lower(u.email) as email, lower(u.name) as name from users u
        join workspace_members m on m.user_id = u.id and m.workspace_id = ${actor.workspaceId}::uuid`.execute(tx);
      for (const u of rows) {
        found.set(key('users', 'id', u.id), u.id);
        found.set(key('users', 'email', u.email), u.id);
        found.set(key('users', 'name', u.name), u.id);
      }
      continue;
    }
    if (!ctx.full.has(object) || !ctx.policy.can(object, 'read')) continue;
    const uuids = [...new Set(list.filter((r) => (!r.by || r.by === 'id') && UUID.test(r.value)).map((r) => r.value))];
    for (const id of await deps.records.visibleIds(tx, ctx, object, uuids)) found.set(key(object, 'id', id), id);
    const ext = [...new Set(list.filter((r) => !r.by || r.by === 'externalId').map((r) => r.value))];
    const extMap = await externalIds(tx, actor.workspaceId, object, source, ext);
    const extVisible = await deps.records.visibleIds(tx, ctx, object, [...extMap.values()]);
    for (const [e, id] of extMap) if (extVisible.has(id)) found.set(key(object, 'externalId', e), id);
    const names = [...new Set(list.filter((r) => !r.by || r.by === 'name').map((r) => r.value.toLowerCase()))];
    const nameField = NAME_FIELD[object];
    if (names.length && nameField && ctx.full.get(object)?.field(nameField)) {
      const { rows } = await sql<{ id: string; k: string }>`
        select distinct on (lower(r.name)) r.id, lower(r.name) as k from ${deps.records.scopedRelation(ctx, object)} r
        where lower(r.name) = any(${names}::text[]) order by lower(r.name), r.created_at, r.id`.execute(tx);
      for (const r of rows) found.set(key(object, 'name', r.k), r.id);
    }
    const emails = [
      ...new Set(
        list.filter((r) => (!r.by || r.by === 'email') && r.value.includes('@')).map((r) => r.value.toLowerCase()),
      ),
    ];
    if (emails.length && ctx.full.get(object)?.field('email')) {
      const { rows } = await sql<{ id: string; k: string }>`
        select distinct on (lower(r.email)) r.id, lower(r.email) as k from ${deps.records.scopedRelation(ctx, object)} r
        where lower(r.email) = any(${emails}::text[]) order by lower(r.email), r.created_at, r.id`.execute(tx);
      for (const r of rows) found.set(key(object, 'email', r.k), r.id);
    }
    // Missing accounts named in the file: created once each (first spelling wins).
    if (object === 'accounts' && imp.create_missing) {
      const missing = new Map<string, string>();
      for (const p of pending) {
        if (p.errors.length) continue;
        for (const refsOfField of p.converted.references.values()) {
          const candidates = refsOfField.filter((r) => r.object === 'accounts');
          if (candidates.length === 0 || candidates.some((r) => lookup(found, key, r))) continue;
          const named = candidates.find((r) => r.by === 'name' || (!r.by && !UUID.test(r.value)));
          if (named && !missing.has(named.value.toLowerCase()))
            missing.set(named.value.toLowerCase(), named.value.trim());
        }
      }
      if (missing.size) {
        const result = await runBatch(deps.records, tx, actor, 'accounts', {
          mode: 'create',
          quiet: true,
          records: [...missing.values()].map((name) => ({ name: name.slice(0, 200) })),
        });
        const names = [...missing.keys()];
        result.data.forEach((r, i) => {
          const n = names[i] as string;
          if (r.status === 'created' && r.id) {
            found.set(key('accounts', 'name', n), r.id);
            if (imp.dry_run) {
              if (!state.dryAccounts.has(n)) accountsCreated++;
              state.dryAccounts.add(n);
            } else accountsCreated++;
          }
        });
      }
    }
  }
  for (const p of pending) {
    if (p.errors.length) continue;
    for (const [field, candidates] of p.converted.references) {
      const hit = candidates.map((r) => lookup(found, key, r)).find((id): id is string => !!id);
      if (hit) p.converted.record[field] = hit;
      else if (candidates.every((c) => c.lenient)) continue;
      else {
        const first = candidates[0] as Reference;
        const what = first.object === 'users' ? 'no member of this workspace' : `no ${first.object.replace(/s$/, '')}`;
        p.errors.push({
          row: p.source.row,
          column: first.column,
          message: `${what} is "${first.value}"${
            candidates.length > 1
              ? ` (nor ${candidates
                  .slice(1)
                  .map((c) => `"${c.value}"`)
                  .join(', ')})`
              : ''
          }`,
        });
      }
    }
  }
  return accountsCreated;
}

function lookup(found: Map<string, string>, key: (o: string, b: string, v: string) => string, r: Reference) {
  const object = r.object === 'teams' ? 'teams' : r.object;
  const kinds = r.by ? [r.by] : ['id', 'externalId', 'email', 'name'];
  for (const k of kinds) {
    const id = found.get(key(object, k, r.value));
    if (id) return id;
  }
  return undefined;
}

/** The field a row is matched on, normalised like the stored value. */
function matchValue(ctx: RecordContext, matchOn: string, record: Record<string, unknown>): string | undefined {
  const v = record[matchOn];
  if (typeof v !== 'string' || !v.trim()) return undefined;
  const normalise = ctx.schema.def.normalise?.[matchOn];
  const s = normalise ? normalise(v) : v.trim();
  return s.toLowerCase();
}

/**
 * Creates, updates or upserts the batch's valid rows: an existing record is found by the
 * source system's id first, then by the import's unique field; a key repeated in the batch
 * is written in a later pass (it then updates what the first row created), so the file never
 * makes a duplicate.
 */
async function writeRecords(
  tx: Tx,
  deps: ImportJobDeps,
  actor: Actor,
  ctx: RecordContext,
  state: BatchState,
  pending: Pending[],
): Promise<void> {
  const { imp } = state;
  const source = externalSource(imp.preset);
  const columnOf = (field: string) =>
    imp.mapping.entries.find((e: MappingEntry) => e.field === field || e.field.startsWith(`${field}.`))?.column ??
    field;
  let todo = pending.filter((p) => p.errors.length === 0);
  for (let pass = 0; todo.length && pass < 50; pass++) {
    // Existing records: by external id, then by the unique field.
    const ext = await externalIds(
      tx,
      actor.workspaceId,
      imp.object,
      source,
      todo.map((p) => p.converted.externalId).filter((e): e is string => !!e),
    );
    const live = await deps.records.visibleIds(tx, ctx, imp.object, [...ext.values()]);
    const matchOn = imp.match_on;
    const byUnique = new Map<string, string>();
    if (matchOn && matchOn !== 'id') {
      const values = [
        ...new Set(todo.map((p) => matchValue(ctx, matchOn, p.converted.record)).filter((v): v is string => !!v)),
      ];
      const field = ctx.schema.field(matchOn);
      if (field && values.length) {
        const column = sql.ref(`r.${columnName(matchOn)}`);
        // Emails and normalised fields (an account's domain) are stored lower-cased: compared as
        // they are, the unique index finds them (lower() would read every record of the object).
        const stored = field.def.type === 'email' || !!ctx.schema.def.normalise?.[matchOn];
        const { rows } = await sql<{ id: string; k: string }>`
          select r.id, lower(${column}::text) as k from ${deps.records.scopedRelation(ctx, imp.object)} r
          where ${stored ? sql`${column} = any(${values}::text[])` : sql`lower(${column}::text) = any(${values}::text[])`}`.execute(
          tx,
        );
        for (const r of rows) byUnique.set(r.k, r.id);
      }
    }
    const seen = new Set<string>();
    const now: Pending[] = [];
    const later: Pending[] = [];
    for (const p of todo) {
      const e = p.converted.externalId;
      const u =
        matchOn === 'id'
          ? (p.source.values.id ?? undefined)
          : matchOn
            ? matchValue(ctx, matchOn, p.converted.record)
            : undefined;
      const keys = [e ? `e:${e}` : null, u ? `u:${u}` : null].filter((k): k is string => !!k);
      if (keys.some((k) => seen.has(k))) {
        later.push(p);
        continue;
      }
      for (const k of keys) seen.add(k);
      const byExt = e ? ext.get(e) : undefined;
      p.id =
        (byExt && live.has(byExt) ? byExt : undefined) ?? (u ? (matchOn === 'id' ? u : byUnique.get(u)) : undefined);
      now.push(p);
    }
    const creates = now.filter((p) => !p.id);
    const updates = now.filter((p) => p.id);
    if (imp.mode === 'create') {
      for (const p of updates) {
        p.errors.push({
          row: p.source.row,
          column: p.converted.externalId ? columnOf('@externalId') : columnOf(matchOn ?? ''),
          message: 'this record was already imported or exists; import with mode upsert to update it',
        });
      }
    }
    if (imp.mode === 'update') {
      for (const p of creates) {
        p.errors.push({ row: p.source.row, column: '', message: 'no existing record matches this row' });
      }
    }
    const toCreate = imp.mode === 'update' ? [] : creates;
    const toUpdate = imp.mode === 'create' ? [] : updates;
    const apply = (list: Pending[], results: BatchItemResult[], status: 'created' | 'updated') => {
      results.forEach((r, i) => {
        const p = list[i] as Pending;
        if (r.status === 'error') {
          const fieldErrors = r.error?.errors ?? [];
          if (fieldErrors.length === 0)
            p.errors.push({ row: p.source.row, column: '', message: r.error?.message ?? 'could not be written' });
          for (const fe of fieldErrors) {
            const field = fe.path.replace(/^records\.\d+\.?/, '');
            const top = field.split('.')[0] as string;
            p.errors.push({
              row: p.source.row,
              column: field ? columnOf(top) : '',
              message: field && columnOf(top) === top ? `${field} ${fe.message}` : fe.message,
            });
          }
        } else {
          p.result = status;
          p.id = r.id;
        }
      });
    };
    if (toCreate.length) {
      const res = await runBatch(deps.records, tx, actor, imp.object, {
        mode: 'create',
        quiet: true,
        records: toCreate.map((p) => p.converted.record),
      });
      apply(toCreate, res.data, 'created');
    }
    if (toUpdate.length) {
      const res = await runBatch(deps.records, tx, actor, imp.object, {
        mode: 'update',
        quiet: true,
        records: toUpdate.map((p) => ({ ...p.converted.record, id: p.id })),
      });
      apply(toUpdate, res.data, 'updated');
    }
    // Keep the source system's ids of what was written.
    const links = now
      .filter((p) => p.result && p.converted.externalId && p.id)
      .map((p) => ({ external_id: p.converted.externalId, record_id: p.id }));
    if (links.length) {
      await sql`insert into import_external_ids (workspace_id, object, source, external_id, record_id, import_id)
        select ${actor.workspaceId}::uuid, ${imp.object}, ${source}, v.external_id, v.record_id, ${imp.id}::uuid
        from jsonb_to_recordset(${JSON.stringify(links)}::jsonb) as v(external_id text, record_id uuid)
        on conflict (workspace_id, object, source, external_id)
        do update set record_id = excluded.record_id, import_id = excluded.import_id`.execute(tx);
    }
    todo = later;
  }
}
