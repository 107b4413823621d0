import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import { enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import { suppressErased, suppressUnsentMail } from '../../platform/mail/suppressions';
import { loadSchemas } from '../../platform/records/object-schema';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { anyOf, asText, type CatalogueTable, catalogue, tableRef } from './catalogue';
import { fullName, identifiers, type Subject } from './subject';

/** What replaces a personal value in free text. */
export const ERASED = '[erased]';

/** Records that exist because of the person (their activities); an erasure in delete mode deletes them. */
const ACTIVITY_OBJECTS = new Set(['notes', 'interactions', 'tasks', 'meetings', 'tickets']);

/**
 * Rows an erasure keeps (their personal values rewritten), whatever they link to: the event
 * outbox (consumers must still learn of the purge), the audit log (who did what stays, the
 * values go) and the requests themselves.
 */
const KEEP_ROWS = new Set(['events', 'audit_log', 'privacy_requests', 'event_dead_letters']);

/** Field types whose value is nothing but an identifier: cleared rather than rewritten. */
const WHOLE_VALUE_TYPES = new Set(['email', 'phone', 'url']);

export interface ErasureReport {
  mode: 'delete' | 'anonymise';
  people: number;
  recordsPurged: number;
  recordsRewritten: number;
  /** Mail to them not sent yet, settled `suppressed`. */
  unsentMailStopped: number;
  rowsDeleted: Record<string, number>;
  valuesRewritten: Record<string, number>;
  /** Columns the generic pass could neither rewrite nor delete from (should stay empty). */
  failures: string[];
}

/** Replaces every identifier in a value (strings, arrays, objects); `undefined` when nothing matched. */
function rewrite(value: unknown, re: RegExp, type?: string): unknown {
  const hit = (s: string) => {
    re.lastIndex = 0;
    return re.test(s);
  };
  if (typeof value === 'string') {
    if (!hit(value)) return undefined;
    if (type && WHOLE_VALUE_TYPES.has(type)) return null;
    return value.replace(re, ERASED);
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out: unknown[] = [];
    for (const item of value) {
      // A list entry that is the identifier ({ value: "ada@…" } of emails and phones, a tag) is dropped.
      const itemText = typeof item === 'string' ? item : item && typeof item === 'object' ? JSON.stringify(item) : '';
      if (itemText && hit(itemText)) {
        changed = true;
        if (typeof item === 'string' || (item && typeof item === 'object' && 'value' in item)) continue;
        out.push(rewrite(item, re) ?? item);
        continue;
      }
      out.push(item);
    }
    return changed ? out : undefined;
  }
  if (value && typeof value === 'object') {
    if (!hit(JSON.stringify(value))) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = rewrite(v, re);
      out[k] = r === undefined ? v : r;
    }
    return out;
  }
  return undefined;
}

/** The changes that remove the person from a record's values (system fields are left alone). */
function scrubChanges(
  record: RecordData,
  re: RegExp,
  typeOf: (field: string) => string | undefined,
  readOnly: (field: string) => boolean,
): RecordData {
  const changes: RecordData = {};
  for (const [field, value] of Object.entries(record)) {
    if (field === 'id' || readOnly(field)) continue;
    const next = rewrite(value, re, typeOf(field));
    if (next !== undefined) changes[field] = next;
  }
  return changes;
}

/** Anonymise mode: the person's own record keeps its statistics fields and loses everything personal. */
function anonymousChanges(record: RecordData, typeOf: (field: string) => string | undefined): RecordData {
  const changes: RecordData = {};
  for (const [field, value] of Object.entries(record)) {
    const type = typeOf(field);
    if (value === null || value === undefined || !type) continue;
    if (['email', 'phone', 'url', 'address', 'json', 'date', 'longText'].includes(type)) changes[field] = null;
    if (['emails', 'phones'].includes(type)) changes[field] = [];
  }
  changes.firstName = null;
  changes.lastName = 'Anonymised';
  if ('title' in record) changes.title = null;
  return changes;
}

/**
 * Removes (mode `delete`) or irreversibly anonymises (mode `anonymise`: the records stay,
 * counted in reports and campaign results, with nothing left that names the person) the
 * person everywhere in the workspace, in the caller's system transaction:
 *
 * 1. Records, through the record engine as the system: in delete mode their own contacts
 *    and leads and the activities about them (notes, interactions, tasks, meetings, tickets)
 *    are purged; every other record that mentions them has those values rewritten
 *    (`systemWrite`: versioned, audited, an event) and trashed ones are purged.
 * 2. The suppression list keeps only a salted hash of each of their addresses.
 * 3. Every other table of the workspace, found in the database catalogue (so a table added
 *    later is covered): rows linked to their records by id are deleted in delete mode; every
 *    text, JSON and search-vector value holding their email, phone or full name is rewritten
 *    (event payloads, webhook deliveries, job payloads, audit values, mail, notifications…).
 */
export async function eraseSubject(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  subject: Subject,
  mode: 'delete' | 'anonymise',
): Promise<ErasureReport> {
  const report: ErasureReport = {
    mode,
    people: subject.records.length,
    recordsPurged: 0,
    recordsRewritten: 0,
    unsentMailStopped: 0,
    rowsDeleted: {},
    valuesRewritten: {},
    failures: [],
  };
  const workspaceId = actor.workspaceId;
  const pattern = anyOf(identifiers(subject));
  if (!pattern) return report;
  const re = new RegExp(pattern, 'gi');
  const personIds = subject.records.map((r) => r.id);
  const linkPattern = anyOf([...identifiers(subject), ...personIds]) as string;

  // 1. Records, through the engine (as the application role in the workspace).
  await enterWorkspace(tx, workspaceId);
  const schemas = await loadSchemas(tx, records.registry);
  const typeIn = (object: string) => (field: string) => schemas.get(object)?.field(field)?.def.type;
  const readOnlyIn = (object: string) => (field: string) => {
    const f = schemas.get(object)?.field(field)?.def;
    return !f || !!f.readOnly || f.type === 'relation' || f.type === 'user';
  };
  const own = new Set(subject.records.map((r) => `${r.object}:${r.id}`));
  for (const def of records.registry.all()) {
    const { rows } = await sql<{ id: string; trashed: boolean }>`
      select t.id, t.deleted_at is not null as trashed from ${sql.table(`${def.table}_scoped`)} t
      where to_jsonb(t)::text ~* ${linkPattern}`.execute(tx);
    for (const row of rows) {
      if (own.has(`${def.name}:${row.id}`)) continue;
      if (row.trashed || (mode === 'delete' && ACTIVITY_OBJECTS.has(def.name))) {
        await records.purge(tx, actor, def.name, row.id);
        report.recordsPurged++;
        continue;
      }
      const record = await records.get(tx, actor, def.name, row.id);
      const changes = scrubChanges(record, re, typeIn(def.name), readOnlyIn(def.name));
      if (Object.keys(changes).length === 0) continue;
      await records.systemWrite(tx, actor, def.name, row.id, changes, { detail: { privacyErasure: true } });
      report.recordsRewritten++;
    }
  }
  for (const person of subject.records) {
    if (mode === 'delete') {
      await records.purge(tx, actor, person.object, person.id);
      report.recordsPurged++;
    } else {
      const record = await records.get(tx, actor, person.object, person.id);
      const changes = anonymousChanges(record, typeIn(person.object));
      await records.systemWrite(tx, actor, person.object, person.id, changes, { detail: { privacyErasure: true } });
      const rest = scrubChanges({ ...record, ...changes }, re, typeIn(person.object), readOnlyIn(person.object));
      if (Object.keys(rest).length)
        await records.systemWrite(tx, actor, person.object, person.id, rest, { detail: { privacyErasure: true } });
      report.recordsRewritten++;
    }
  }

  // 2. The suppression list: the addresses go, their salted hashes stay.
  for (const email of subject.emails) await suppressErased(tx, workspaceId, email);
  const unsent = await suppressUnsentMail(tx, workspaceId, subject.emails);
  report.unsentMailStopped = unsent;

  // 3. Every other table, as the owner (the audit log and the consent ledger allow this erasure only).
  await leaveWorkspace(tx);
  await sql`select set_config('rapport.privacy_erasure', 'on', true)`.execute(tx);
  const recordTables = new Set(records.registry.all().map((d) => d.table));
  const tables = (await catalogue(tx)).filter((t) => t.tenant && !recordTables.has(t.table));
  if (mode === 'delete' && personIds.length) {
    for (const t of tables) {
      if (KEEP_ROWS.has(t.table) || t.uuidColumns.length === 0) continue;
      const linked = sql.join(
        t.uuidColumns.map((c) => sql`${sql.ref(`t.${c}`)} = any(${personIds}::uuid[])`),
        sql` or `,
      );
      const n = await guarded(tx, report, `${t.table} (linked rows)`, () =>
        sql`delete from ${tableRef(t.schema, t.table)} t where t.workspace_id = ${workspaceId}::uuid and (${linked})`.execute(
          tx,
        ),
      );
      if (n) report.rowsDeleted[t.table] = (report.rowsDeleted[t.table] ?? 0) + n;
    }
  }
  for (const t of tables) await scrubTable(tx, report, t, workspaceId, pattern);
  await sql`select set_config('rapport.privacy_erasure', '', true)`.execute(tx);
  report.people = subject.records.length;
  return report;
}

/** Rewrites one table's personal values; a value that cannot be rewritten (a constraint) loses its row. */
async function scrubTable(tx: Tx, report: ErasureReport, t: CatalogueTable, workspaceId: string, pattern: string) {
  const table = tableRef(t.schema, t.table);
  for (const c of t.columns) {
    if (c.generated) continue;
    const ref = sql.ref(c.column);
    const where = sql`t.workspace_id = ${workspaceId}::uuid and ${asText(c)} ~* ${pattern}`;
    const label = `${t.table}.${c.column}`;
    let set: ReturnType<typeof sql> | null = null;
    if (c.kind === 'text') set = sql`regexp_replace(${ref}, ${pattern}, ${ERASED}, 'gi')`;
    else if (c.kind === 'array')
      set = sql`array(select regexp_replace(x, ${pattern}, ${ERASED}, 'gi') from unnest(${ref}) with ordinality u(x, n) order by n)`;
    else if (c.kind === 'jsonb') set = sql`regexp_replace(${ref}::text, ${pattern}, ${ERASED}, 'gi')::jsonb`;
    else if (c.kind === 'json') set = sql`regexp_replace(${ref}::text, ${pattern}, ${ERASED}, 'gi')::json`;
    else if (c.kind === 'tsvector') set = sql`regexp_replace(${ref}::text, ${pattern}, 'erased', 'gi')::tsvector`;
    if (set) {
      const expr = set;
      const n = await guarded(tx, report, null, () =>
        sql`update ${table} t set ${ref} = ${expr} where ${where}`.execute(tx),
      );
      if (n !== null) {
        if (n) report.valuesRewritten[label] = (report.valuesRewritten[label] ?? 0) + n;
        continue;
      }
    }
    // Bytes (files), or a value whose rewrite a constraint refuses: the rows go.
    const n = await guarded(tx, report, label, () => sql`delete from ${table} t where ${where}`.execute(tx));
    if (n) report.rowsDeleted[t.table] = (report.rowsDeleted[t.table] ?? 0) + n;
  }
}

/** Runs one statement under a savepoint: rows affected, or null (and a failure noted when `label`) if it failed. */
async function guarded(
  tx: Tx,
  report: ErasureReport,
  label: string | null,
  run: () => Promise<{ numAffectedRows?: bigint }>,
): Promise<number | null> {
  await sql`savepoint privacy_erasure`.execute(tx);
  try {
    const res = await run();
    await sql`release savepoint privacy_erasure`.execute(tx);
    return Number(res.numAffectedRows ?? 0n);
  } catch (err) {
    await sql`rollback to savepoint privacy_erasure`.execute(tx);
    if (label) report.failures.push(`${label}: ${(err as Error).message}`);
    return null;
  }
}

export { fullName };
