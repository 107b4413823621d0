import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../server/platform/db/database';
import { NON_TENANT_TABLES } from '../server/platform/db/reference-tables';
import { openTestDatabase } from './helpers/db';

/**
 * Citus-ready schema (docs/ARCHITECTURE.md, "Running on Citus"): every table with a
 * `workspace_id` column is a tenant table, every other one is listed in NON_TENANT_TABLES.
 */
interface Violation {
  table: string;
  name: string;
  kind: string;
  definition: string;
}

/** Keys of tenant tables that do not include workspace_id, from the catalogue. */
async function keyViolations(database: Database): Promise<Violation[]> {
  const { rows } = await sql<Violation>`
    with tenant as (
      select c.oid, c.relname, a.attnum as ws
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped
      where n.nspname = 'public' and c.relkind in ('r', 'p')
    )
    select t.relname as "table", con.conname as name,
      case con.contype when 'p' then 'primary key' when 'u' then 'unique constraint' else 'foreign key' end as kind,
      pg_get_constraintdef(con.oid) as definition
    from tenant t join pg_constraint con on con.conrelid = t.oid
    where (con.contype in ('p', 'u') or (con.contype = 'f' and con.confrelid in (select oid from tenant)))
      and not (t.ws = any (con.conkey))
    union all
    select t.relname, ic.relname, 'unique index', pg_get_indexdef(i.indexrelid)
    from tenant t join pg_index i on i.indrelid = t.oid join pg_class ic on ic.oid = i.indexrelid
    where i.indisunique and not (t.ws = any (i.indkey::int2[]))
    order by 1, 2`.execute(database.db);
  return rows;
}

async function tables(database: Database): Promise<{ name: string; tenant: boolean }[]> {
  const { rows } = await sql<{ name: string; tenant: boolean }>`
    select c.relname as name,
      exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped) as tenant
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') order by 1`.execute(database.db);
  return rows;
}

describe('Citus-ready schema: every key of a tenant table includes workspace_id', () => {
  let database: Database & { drop(): Promise<void> };

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.drop());

  it('no primary key, unique constraint, unique index or tenant foreign key lacks workspace_id', async () => {
    expect(await keyViolations(database)).toEqual([]);
  });

  it('the check finds a key without workspace_id (it would catch a new table that breaks the rule)', async () => {
    await database.system(async (tx) => {
      await sql`create table if not exists scale_probe_parent (workspace_id uuid not null, id uuid not null,
        primary key (workspace_id, id), unique (id))`.execute(tx);
      await sql`create table if not exists scale_probe (workspace_id uuid not null, id uuid primary key,
        code text unique, parent_id uuid references scale_probe_parent (id))`.execute(tx);
    });
    try {
      const found = (await keyViolations(database)).map((v) => `${v.table} ${v.kind} ${v.name}`);
      expect(found).toEqual(
        expect.arrayContaining([
          'scale_probe primary key scale_probe_pkey',
          'scale_probe unique constraint scale_probe_code_key',
          'scale_probe foreign key scale_probe_parent_id_fkey',
          'scale_probe_parent unique constraint scale_probe_parent_id_key',
        ]),
      );
    } finally {
      await database.system(async (tx) => {
        await sql`drop table scale_probe`.execute(tx);
        await sql`drop table scale_probe_parent`.execute(tx);
      });
    }
  });

  it('every table without workspace_id is marked as the tenant root or a reference table', async () => {
    const others = (await tables(database)).filter((t) => !t.tenant).map((t) => t.name);
    expect(others.sort()).toEqual(Object.keys(NON_TENANT_TABLES).sort());
  });

  it('platform jobs carry the nil workspace; names people choose stay unique across workspaces', async () => {
    const a = uuidv7();
    const b = uuidv7();
    await database.system(async (tx) => {
      await sql`insert into workspaces (id, name) values (${a}, 'A'), (${b}, 'B')`.execute(tx);
      await sql`insert into jobs (id, queue) values (${uuidv7()}, 'probe.platform')`.execute(tx);
      await sql`insert into mailboxes (workspace_id, id, address, kind, name)
        values (${a}, ${uuidv7()}, 'help@a.example', 'support', 'Help')`.execute(tx);
      await sql`insert into service_settings (workspace_id, help_centre_slug, help_centre_title)
        values (${a}, 'acme', 'Acme help')`.execute(tx);
    });
    const job = await sql<{
      workspace_id: string;
    }>`select workspace_id from jobs where queue = 'probe.platform'`.execute(database.db);
    expect(job.rows[0]?.workspace_id).toBe('00000000-0000-0000-0000-000000000000');
    await expect(
      database.system((tx) =>
        sql`insert into mailboxes (workspace_id, id, address, kind, name)
          values (${b}, ${uuidv7()}, 'help@a.example', 'support', 'Taken')`.execute(tx),
      ),
    ).rejects.toMatchObject({ code: '23505' });
    await expect(
      database.system((tx) =>
        sql`insert into service_settings (workspace_id, help_centre_slug, help_centre_title)
          values (${b}, 'acme', 'Taken')`.execute(tx),
      ),
    ).rejects.toMatchObject({ code: '23505' });
    // A workspace may keep and rewrite its own name; deleting a workspace deletes its jobs.
    await database.system(async (tx) => {
      await sql`update service_settings set help_centre_slug = 'acme', help_centre_title = 'Renamed'
        where workspace_id = ${a}`.execute(tx);
      await sql`insert into jobs (id, workspace_id, queue) values (${uuidv7()}, ${b}, 'probe.tenant')`.execute(tx);
      await sql`delete from workspaces where id = ${b}`.execute(tx);
    });
    const left = await sql<{ n: number }>`select count(*)::int as n from jobs where queue = 'probe.tenant'`.execute(
      database.db,
    );
    expect(left.rows[0]?.n).toBe(0);
  });
});
