import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { ROOT } from '../root';

export const MIGRATIONS_DIR = path.join(ROOT, 'server/migrations');

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

/** Reads `NNNN_name.sql` files in version order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const [version = '', ...rest] = file.replace(/\.sql$/, '').split('_');
      return {
        version,
        name: rest.join('_'),
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    });
}

const LOCK_KEY = 7_204_550_113; // any constant: serialises concurrent migrators

/**
 * Applies pending migrations, each in its own transaction, under an advisory
 * lock. Refuses to run if an applied migration's file has changed since.
 * Returns the versions applied.
 */
export async function migrate(pool: pg.Pool, migrations = readMigrations()): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`create table if not exists schema_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const { rows } = await client.query<{ version: string; checksum: string }>(
      'select version, checksum from schema_migrations',
    );
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    for (const m of migrations) {
      const previous = done.get(m.version);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new Error(
            `Migration ${m.version}_${m.name} was changed after it was applied; add a new migration instead.`,
          );
        }
        continue;
      }
      await client.query('begin');
      try {
        await client.query(m.sql);
        await client.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw new Error(`Migration ${m.version}_${m.name} failed: ${(err as Error).message}`);
      }
      applied.push(m.version);
    }
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    client.release();
  }
  return applied;
}

/**
 * Applies pending migrations and, on a PostgreSQL server, makes sure the tenant
 * connections' login role exists (`ensureTenantLogin`). What `rapport migrate` and
 * every start run.
 */
export async function migrateDatabase(database: {
  pool: pg.Pool;
  tenantLogin?: { user: string; password?: string };
}): Promise<string[]> {
  const applied = await migrate(database.pool);
  if (database.tenantLogin) await ensureTenantLogin(database.pool, database.tenantLogin);
  return applied;
}

const RETRYABLE = new Set(['42710', '23505', 'XX000', '40001', '40P01']);

/**
 * Creates (or updates) the login role tenant connections use: LOGIN, no superuser,
 * no BYPASSRLS, a member of rapport_app and nothing else, so a statement that resets
 * or sets the role on a tenant connection gains nothing past RLS. Roles are
 * cluster-wide and other databases (other installations, concurrent test runs) may be
 * doing the same at this moment: every step is idempotent, and a collision
 * (duplicate role, "tuple concurrently updated") is retried.
 */
export async function ensureTenantLogin(pool: pg.Pool, login: { user: string; password?: string }): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const client = await pool.connect();
    try {
      const { rows: me } = await client.query<{ me: string }>('select current_user as me');
      if (me[0]?.me === login.user) {
        throw new Error(
          `Tenant connections must not log in as the owner "${login.user}": set RAPPORT_APP_DATABASE_URL to another role`,
        );
      }
      const { rows } = await client.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
        'select rolsuper, rolbypassrls from pg_roles where rolname = $1',
        [login.user],
      );
      const ddl = async (template: string, ...args: string[]) => {
        const { rows: f } = await client.query<{ q: string }>('select format($1::text, variadic $2::text[]) as q', [
          template,
          args,
        ]);
        await client.query(f[0]?.q ?? '');
      };
      if (!rows[0]) {
        await ddl('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT', login.user);
      } else if (rows[0].rolsuper || rows[0].rolbypassrls) {
        throw new Error(`The tenant login role "${login.user}" must not be a superuser or bypass row-level security`);
      }
      if (login.password) await ddl('ALTER ROLE %I LOGIN PASSWORD %L', login.user, login.password);
      const { rows: member } = await client.query(
        `select 1 from pg_auth_members m join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
         where r.rolname = 'rapport_app' and u.rolname = $1`,
        [login.user],
      );
      if (!member[0]) await ddl('GRANT rapport_app TO %I', login.user);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (code === '42501') {
        throw new Error(
          `The database owner may not create roles. Create the tenant login role once as a superuser: CREATE ROLE "${login.user}" LOGIN PASSWORD '…'; GRANT rapport_app TO "${login.user}"; then set RAPPORT_APP_DATABASE_URL.`,
        );
      }
      if (!RETRYABLE.has(code) || attempt >= 8) throw err;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 100 * (attempt + 1)));
    } finally {
      client.release();
    }
  }
}
