import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';

/**
 * The database's own catalogue of where personal values can be: every column of every
 * table of the schemas the app uses that holds text (text, varchar, char, citext, arrays of
 * them), JSON, a search vector or bytes. Read from pg_catalog each time, so a table a later
 * migration adds is covered without anyone listing it: access exports collect from it and
 * erasure rewrites it (server/modules/privacy/erasure.ts).
 */

export type ColumnKind = 'text' | 'array' | 'json' | 'jsonb' | 'tsvector' | 'bytea';

export interface PersonalColumn {
  schema: string;
  table: string;
  column: string;
  kind: ColumnKind;
  /** Generated columns follow their sources: read, never written. */
  generated: boolean;
}

export interface CatalogueTable {
  schema: string;
  table: string;
  /** Tenant tables (workspace_id): the only ones a workspace's request reads or rewrites. */
  tenant: boolean;
  columns: PersonalColumn[];
  /** Its uuid columns: a value equal to a person's record id links the row to them. */
  uuidColumns: string[];
}

/** The schemas the app's tables live in (everything but PostgreSQL's own). */
export const APP_SCHEMA_FILTER = sql`n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'`;

const kindOf = (type: string): ColumnKind | null => {
  if (/^(text|character varying|character|citext|name)(\(.*\))?$/.test(type)) return 'text';
  if (/^(text|character varying|character|citext)(\(.*\))?\[\]$/.test(type)) return 'array';
  if (type === 'jsonb') return 'jsonb';
  if (type === 'json') return 'json';
  if (type === 'tsvector') return 'tsvector';
  if (type === 'bytea') return 'bytea';
  return null;
};

/** Every table (not views, not partitions: their parent covers them) with its personal columns. */
export async function catalogue(tx: Tx): Promise<CatalogueTable[]> {
  const { rows } = await sql<{ schema: string; table: string; column: string; type: string; generated: string }>`
    select n.nspname as schema, c.relname as table, a.attname as column,
      format_type(a.atttypid, a.atttypmod) as type, a.attgenerated::text as generated
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where c.relkind in ('r', 'p') and not c.relispartition and ${APP_SCHEMA_FILTER}
    order by n.nspname, c.relname, a.attnum`.execute(tx);
  const tables = new Map<string, CatalogueTable>();
  for (const r of rows) {
    const key = `${r.schema}.${r.table}`;
    let t = tables.get(key);
    if (!t) {
      t = { schema: r.schema, table: r.table, tenant: false, columns: [], uuidColumns: [] };
      tables.set(key, t);
    }
    if (r.column === 'workspace_id') t.tenant = true;
    else if (r.type === 'uuid') t.uuidColumns.push(r.column);
    const kind = kindOf(r.type);
    if (kind)
      t.columns.push({
        schema: r.schema,
        table: r.table,
        column: r.column,
        kind,
        generated: r.generated !== '' && r.generated !== '\u0000',
      });
  }
  return [...tables.values()];
}

/** A column's value as text to match against (jsonb and vectors by their text form, bytes as escaped text). */
export function asText(c: PersonalColumn, alias = 't') {
  const ref = sql.ref(`${alias}.${c.column}`);
  switch (c.kind) {
    case 'text':
      return sql`${ref}::text`;
    case 'array':
      return sql`array_to_string(${ref}, ' ')`;
    case 'bytea':
      return sql`encode(${ref}, 'escape')`;
    default:
      return sql`${ref}::text`;
  }
}

/**
 * A POSIX regular expression matching any of `values` as written (case-insensitive with `~*`).
 * Values shorter than 3 characters are left out: they would match nearly everything.
 */
export function anyOf(values: Iterable<string>): string | null {
  const parts = [...new Set([...values].map((v) => v.trim()).filter((v) => v.length >= 3))]
    .sort((a, b) => b.length - a.length)
    .map((v) => v.replace(/[\\.^$|?*+()[\]{}]/g, (ch) => `\\${ch}`));
  return parts.length ? parts.join('|') : null;
}

/** Quoted `schema.table` for SQL. */
export const tableRef = (schema: string, table: string) => sql.table(`${schema}.${table}`);
