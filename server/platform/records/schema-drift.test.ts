import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/helpers/db';
import { STANDARD_OBJECTS } from '../../modules';
import { storageColumns } from './field-types';
import { ObjectRegistry } from './registry';

const TYPE_NAMES: Record<string, string> = {
  text: 'text',
  'text[]': 'ARRAY',
  'uuid[]': 'ARRAY',
  jsonb: 'jsonb',
  bigint: 'bigint',
  numeric: 'numeric',
  'numeric(12,4)': 'numeric',
  'numeric(19,4)': 'numeric',
  date: 'date',
  timestamptz: 'timestamp with time zone',
  boolean: 'boolean',
  uuid: 'uuid',
  'double precision': 'double precision',
};

describe('the migrated schema matches the object declarations', () => {
  let db: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(() => db.drop());

  it.each(STANDARD_OBJECTS.map((o) => [o.name, o] as const))('%s', async (_name, def) => {
    new ObjectRegistry(STANDARD_OBJECTS); // declarations are consistent
    const { rows } = await db.pool.query<{ column_name: string; data_type: string }>(
      `select column_name, data_type from information_schema.columns where table_schema = 'public' and table_name = $1`,
      [def.table],
    );
    const actual = new Map(rows.map((r) => [r.column_name, r.data_type]));
    for (const f of def.fields) {
      for (const c of storageColumns(f)) {
        expect(actual.get(c.column), `${def.name}.${f.name} → ${c.column}`).toBe(TYPE_NAMES[c.sqlType]);
      }
    }
    for (const c of [
      'workspace_id',
      'id',
      'owner_id',
      'tags',
      'custom',
      'version',
      'created_at',
      'updated_at',
      'deleted_at',
      'search_vector',
      'search_text',
    ]) {
      expect(actual.has(c), `${def.table}.${c}`).toBe(true);
    }
    const view = await db.pool.query(`select to_regclass($1) as v`, [`${def.table}_scoped`]);
    expect(view.rows[0].v).toBe(`${def.table}_scoped`);
    const rls = await db.pool.query<{ relrowsecurity: boolean }>(
      `select relrowsecurity from pg_class where relname = $1`,
      [def.table],
    );
    expect(rls.rows[0]?.relrowsecurity).toBe(true);
  });
});
