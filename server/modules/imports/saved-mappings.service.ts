import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TSavedMapping, TSavedMappingInput, TSavedMappingPatch } from '../../../common/contracts/imports';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { isPgError } from '../../platform/db/pg-errors';
import { AppError, notFound } from '../../platform/http/errors';
import type { ObjectSchema } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import { mappingFromInput } from './mapping';

/**
 * Saved import mappings: a column → field mapping kept under a name per object, shared by
 * the workspace. Whoever may import the object (create permission on it) lists, saves,
 * reads, deletes and uses them; to anybody else a saved mapping does not exist (404).
 */

type StoredMapping = Record<string, string | { field: string; by?: 'id' | 'externalId' | 'name' | 'email' }>;

interface SavedMappingRow {
  id: string;
  object: string;
  name: string;
  mapping: StoredMapping;
  columns: string[];
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The mapping in its columns' order (jsonb keeps keys in its own order). */
const ordered = (r: SavedMappingRow): StoredMapping =>
  Object.fromEntries(
    r.columns.filter((c) => r.mapping[c] !== undefined).map((c) => [c, r.mapping[c]]),
  ) as StoredMapping;

const present = (r: SavedMappingRow): TSavedMapping => ({
  id: r.id,
  object: r.object,
  name: r.name,
  mapping: ordered(r),
  columns: r.columns,
  createdBy: r.created_by,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** 403 (404 for an unknown object) unless the caller may import into `object`. */
async function assertMayImport(tx: Tx, records: RecordService, actor: Actor, object: string) {
  return records.context(tx, actor, object, 'create');
}

/** A saved mapping the caller may use (may import its object); 404 otherwise. */
async function loadUsable(tx: Tx, records: RecordService, actor: Actor, id: string): Promise<SavedMappingRow> {
  const { rows } = await sql<SavedMappingRow>`select * from import_mappings
    where workspace_id = ${actor.workspaceId}::uuid and id = ${id}::uuid`.execute(tx);
  const row = rows[0];
  if (!row) throw notFound('Saved mapping');
  const policy = await records.access.policy(tx, actor);
  if (!policy.can(row.object, 'create')) throw notFound('Saved mapping');
  return row;
}

/** The object's saved mappings, by name. */
export async function listSavedMappings(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  object: string,
): Promise<TSavedMapping[]> {
  await assertMayImport(tx, records, actor, object);
  const { rows } = await sql<SavedMappingRow>`select * from import_mappings
    where workspace_id = ${actor.workspaceId}::uuid and object = ${object}
    order by lower(name), id`.execute(tx);
  return rows.map(present);
}

export async function getSavedMapping(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
): Promise<TSavedMapping> {
  return present(await loadUsable(tx, records, actor, id));
}

/**
 * Saves a mapping under a name: every field it names is checked against the object as the
 * caller's role sees it (422 `mapping.<column>`); names are unique per object,
 * case-insensitively (409 `name`).
 */
export async function createSavedMapping(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  input: TSavedMappingInput,
): Promise<TSavedMapping> {
  const ctx = await assertMayImport(tx, records, actor, input.object);
  const mapping = checkedMapping(ctx.schema, input.mapping);
  const name = input.name.trim();
  const taken = nameTaken(name, input.object);
  if (await nameUsed(tx, actor, input.object, name, null)) throw taken;
  try {
    const { rows } = await sql<SavedMappingRow>`insert into import_mappings
        (workspace_id, id, object, name, mapping, columns, created_by)
      values (${actor.workspaceId}::uuid, ${uuidv7()}::uuid, ${input.object}, ${name}, ${JSON.stringify(mapping)}::jsonb,
        ${Object.keys(mapping)}::text[], ${actor.userId}::uuid)
      returning *`.execute(tx);
    return present(rows[0] as SavedMappingRow);
  } catch (err) {
    throw isPgError(err, 'uniqueViolation') ? taken : err;
  }
}

/** The mapping as stored, every field checked against the object as the caller's role sees it (422 `mapping.<column>`). */
function checkedMapping(schema: ObjectSchema, input: TSavedMappingInput['mapping']): StoredMapping {
  const { entries, errors } = mappingFromInput(schema, input);
  if (errors.length) throw new AppError('validation_failed', `${errors[0]?.path}: ${errors[0]?.message}`, { errors });
  return Object.fromEntries(entries.map((e) => [e.column, e.by ? { field: e.field, by: e.by } : e.field]));
}

const nameTaken = (name: string, object: string) =>
  new AppError('already_exists', `A saved mapping named "${name}" exists for ${object}`, {
    errors: [{ path: 'name', message: 'is the name of another saved mapping of this object' }],
  });

/** Whether another saved mapping of `object` (not `except`) has this name, case-insensitively. */
async function nameUsed(tx: Tx, actor: Actor, object: string, name: string, except: string | null): Promise<boolean> {
  const { rows } = await sql`select 1 from import_mappings where workspace_id = ${actor.workspaceId}::uuid
    and object = ${object} and lower(name) = lower(${name}) and id is distinct from ${except}::uuid`.execute(tx);
  return rows.length > 0;
}

/**
 * Renames a saved mapping, replaces its mapping, or both: the same permission (create on its
 * object; 404 otherwise) and checks as saving it (422 `mapping.<column>`, 409 `name` when
 * another mapping of the object has the name, case-insensitively; its own name in another
 * case is a rename).
 */
export async function updateSavedMapping(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
  patch: TSavedMappingPatch,
): Promise<TSavedMapping> {
  const row = await loadUsable(tx, records, actor, id);
  const ctx = await assertMayImport(tx, records, actor, row.object);
  const mapping = patch.mapping ? checkedMapping(ctx.schema, patch.mapping) : null;
  const name = patch.name?.trim() ?? row.name;
  const taken = nameTaken(name, row.object);
  if (patch.name !== undefined && (await nameUsed(tx, actor, row.object, name, row.id))) throw taken;
  try {
    const { rows } = await sql<SavedMappingRow>`update import_mappings set name = ${name},
        mapping = coalesce(${mapping ? JSON.stringify(mapping) : null}::jsonb, mapping),
        columns = coalesce(${mapping ? Object.keys(mapping) : null}::text[], columns),
        updated_at = now()
      where workspace_id = ${actor.workspaceId}::uuid and id = ${row.id}::uuid
      returning *`.execute(tx);
    return present(rows[0] as SavedMappingRow);
  } catch (err) {
    throw isPgError(err, 'uniqueViolation') ? taken : err;
  }
}

export async function deleteSavedMapping(tx: Tx, records: RecordService, actor: Actor, id: string): Promise<void> {
  await loadUsable(tx, records, actor, id);
  await sql`delete from import_mappings where workspace_id = ${actor.workspaceId}::uuid and id = ${id}::uuid`.execute(
    tx,
  );
}

/**
 * The saved mapping of `object` that fits a file's header: every column it names is in
 * the header; of several, the one naming most columns, then the latest saved.
 */
export async function savedMappingFor(
  tx: Tx,
  actor: Actor,
  object: string,
  header: string[],
): Promise<{ id: string; name: string } | null> {
  const { rows } = await sql<{ id: string; name: string }>`select id, name from import_mappings
    where workspace_id = ${actor.workspaceId}::uuid and object = ${object}
      and cardinality(columns) > 0 and columns <@ ${header}::text[]
    order by cardinality(columns) desc, updated_at desc, id desc limit 1`.execute(tx);
  return rows[0] ?? null;
}

/** A saved mapping to import with (`mappingId`), as the JSON the `mapping` part takes; 422 naming `mappingId` otherwise. */
export async function savedMappingJson(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
  object: string,
): Promise<string> {
  const row = await loadUsable(tx, records, actor, id).catch((err) => {
    if (err instanceof AppError && err.code === 'not_found') {
      throw new AppError('validation_failed', 'mappingId: no such saved mapping', {
        errors: [{ path: 'mappingId', message: 'is not a saved mapping you may use' }],
      });
    }
    throw err;
  });
  if (row.object !== object) {
    throw new AppError('validation_failed', `mappingId: the saved mapping "${row.name}" imports ${row.object}`, {
      errors: [{ path: 'mappingId', message: `is a mapping for ${row.object}, not ${object}` }],
    });
  }
  return JSON.stringify(ordered(row));
}
