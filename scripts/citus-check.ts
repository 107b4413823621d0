/**
 * Rapport on Citus, checked (issue 24 point 4; run by scripts/citus.sh, outside the suite).
 * Against a Citus coordinator with workers already added (RAPPORT_CITUS_URL), it:
 *
 * 1. runs Rapport's migrations on the coordinator;
 * 2. distributes the schema as docs/ARCHITECTURE.md "Running on Citus" plans it: the tables
 *    `reference-tables.ts` marks as reference tables, `workspaces` by `id`, every tenant table
 *    by `workspace_id` colocated with it (referenced tables first);
 * 3. drives the API through a real app on the cluster: sign-up, records written, listed,
 *    searched, changed and deleted, a second workspace that must see none of the first's;
 * 4. asks the planner whether a tenant-scoped statement is a router query (one shard).
 *
 * Every step prints ok or FAIL with the database's own message; exit 1 on any FAIL.
 */
import pg from 'pg';
import { loadConfig } from '../server/platform/config';
import { openDatabase } from '../server/platform/db/database';
import { migrateDatabase } from '../server/platform/db/migrate';
import { NON_TENANT_TABLES } from '../server/platform/db/reference-tables';
import { startRuntime } from '../server/runtime';

const URL = process.env.RAPPORT_CITUS_URL ?? 'postgres://postgres@127.0.0.1:5441/postgres';
const PASSWORD = 'correct horse battery staple';
const failures: string[] = [];

function report(ok: boolean, what: string, detail = '') {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
  if (!ok) failures.push(what);
}

/** The database's message with its detail and hint, which say what Citus does not support. */
function describe(err: unknown): string {
  const e = err as { message: string; detail?: string; hint?: string };
  return [e.message, e.detail, e.hint && `hint: ${e.hint}`].filter(Boolean).join(' | ');
}

const admin = new pg.Client({ connectionString: URL });
await admin.connect();
const version = (await admin.query<{ v: string }>(`select citus_version() as v`)).rows[0]?.v;
const nodes = (await admin.query(`select nodename, nodeport from pg_dist_node where noderole = 'primary'`)).rows;
console.log(`${version}\nnodes: ${nodes.map((n) => `${n.nodename}:${n.nodeport}`).join(', ')}`);

console.log('\n1. Migrations on the coordinator');
{
  const db = await openDatabase({ databaseUrl: URL, dataDir: 'memory://', poolSize: 2 });
  try {
    await migrateDatabase(db);
    report(true, 'every migration applied');
  } catch (err) {
    report(false, 'migrations', describe(err));
  } finally {
    await db.close();
  }
}

console.log('\n2. Distribution');
// Triggers on distributed tables (the audit of record changes, the cross-workspace name checks)
// run on the shards; Citus asks for this switch to allow them (see "Running on Citus").
await admin.query(`alter system set citus.enable_unsafe_triggers = on`);
await admin.query(`select pg_reload_conf()`);
await admin.query(`select run_command_on_workers($$alter system set citus.enable_unsafe_triggers = on$$)`);
await admin.query(`select run_command_on_workers($$select pg_reload_conf()$$)`);

const tables = (
  await admin.query<{ name: string; tenant: boolean }>(
    `select c.relname as name,
            exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped) as tenant
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition`,
  )
).rows;
const references = tables.filter((t) => NON_TENANT_TABLES[t.name]?.startsWith('reference table')).map((t) => t.name);
const tenant = tables.filter((t) => t.tenant).map((t) => t.name);
// Referenced tables first: a foreign key may only point at a table already distributed.
const deps = (
  await admin.query<{ from: string; to: string }>(
    `select c.conrelid::regclass::text as "from", c.confrelid::regclass::text as "to"
       from pg_constraint c where c.contype = 'f' and c.conrelid <> c.confrelid`,
  )
).rows;
function ordered(names: string[]): string[] {
  const set = new Set(names);
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (name: string, path: Set<string>) => {
    if (done.has(name) || path.has(name)) return;
    path.add(name);
    for (const d of deps) if (d.from === name && set.has(d.to)) visit(d.to, path);
    done.add(name);
    out.push(name);
  };
  for (const n of names) visit(n, new Set());
  return out;
}
const failedTables: string[] = [];
async function distribute(label: string, sql: string, params: unknown[], table: string) {
  try {
    await admin.query(sql, params);
    return true;
  } catch (err) {
    failedTables.push(table);
    report(false, `${label} ${table}`, describe(err));
    return false;
  }
}
let refOk = 0;
for (const t of ordered(references))
  if (await distribute('reference table', `select create_reference_table($1)`, [t], t)) refOk++;
report(refOk === references.length, `${refOk} of ${references.length} reference tables`);
await distribute('distributed table', `select create_distributed_table('workspaces', 'id')`, [], 'workspaces');
let tenantOk = 0;
for (const t of ordered(tenant)) {
  if (
    await distribute(
      'distributed table',
      `select create_distributed_table($1, 'workspace_id', colocate_with => 'workspaces')`,
      [t],
      t,
    )
  )
    tenantOk++;
}
report(tenantOk === tenant.length, `${tenantOk} of ${tenant.length} tenant tables distributed by workspace_id`);
const local = tables.filter((t) => !t.tenant && !references.includes(t.name) && t.name !== 'workspaces');
console.log(`  (left on the coordinator: ${local.map((t) => t.name).join(', ') || 'none'})`);

console.log('\n3. The API on the cluster');
const runtime = await startRuntime(
  loadConfig({ databaseUrl: URL, dataDir: 'memory://', logLevel: 'silent', seedDemo: false, poolSize: 4 }, {}),
  { backgroundWork: true },
).catch((err: unknown) => {
  report(false, 'the app starts on the cluster', describe(err));
  return null;
});
if (!runtime) {
  await admin.end();
  console.log(`\n${failures.length} failed: ${failures.join('; ')}`);
  process.exit(1);
}
const app = runtime.app;
async function step(what: string, fn: () => Promise<string | undefined>) {
  try {
    const problem = await fn();
    report(!problem, what, problem);
  } catch (err) {
    report(false, what, describe(err));
  }
}
const cookies: string[] = [];
async function signUp(n: number) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/sign-up',
    payload: {
      name: `Citus ${n}`,
      email: `citus-${n}-${Date.now()}@example.com`,
      password: PASSWORD,
      workspaceName: `Citus ${n}`,
    },
  });
  if (res.statusCode !== 201) return `${res.statusCode} ${res.body.slice(0, 300)}`;
  const raw = res.headers['set-cookie'];
  const cookie = (Array.isArray(raw) ? raw : [raw ?? ''])
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('rapport.session_token='));
  if (!cookie) return 'no session cookie';
  cookies[n] = cookie;
  return undefined;
}
const call = (n: number, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({
    method,
    url,
    headers: { cookie: cookies[n] ?? '' },
    ...(payload ? { payload: payload as object } : {}),
  });
let contactId = '';
await step('sign-up (workspace, roles, pipelines, settings across shards)', () => signUp(1));
await step('a second workspace', () => signUp(2));
await step('create 20 contacts', async () => {
  for (let i = 0; i < 20; i++) {
    const res = await call(1, 'POST', '/api/v1/contacts', {
      firstName: `Ada${i}`,
      lastName: 'Lovelace',
      email: `ada${i}@example.com`,
    });
    if (res.statusCode !== 201) return `${res.statusCode} ${res.body.slice(0, 300)}`;
    if (i === 0) contactId = res.json().data.id;
  }
  return undefined;
});
await step('list them, sorted and filtered', async () => {
  const res = await call(1, 'GET', '/api/v1/contacts?sort=-createdAt&limit=50');
  if (res.statusCode !== 200) return `${res.statusCode} ${res.body.slice(0, 300)}`;
  return res.json().data.length === 20 ? undefined : `saw ${res.json().data.length}`;
});
await step('get one, change it, see the change', async () => {
  const patch = await call(1, 'PATCH', `/api/v1/contacts/${contactId}`, { jobTitle: 'Analyst' });
  if (patch.statusCode !== 200) return `${patch.statusCode} ${patch.body.slice(0, 300)}`;
  const got = await call(1, 'GET', `/api/v1/contacts/${contactId}`);
  return got.json().data?.jobTitle === 'Analyst' ? undefined : got.body.slice(0, 300);
});
await step('search', async () => {
  const res = await call(1, 'GET', '/api/v1/search?q=Lovelace');
  return res.statusCode === 200 ? undefined : `${res.statusCode} ${res.body.slice(0, 300)}`;
});
await step('the other workspace sees none of them', async () => {
  const list = await call(2, 'GET', '/api/v1/contacts');
  const one = await call(2, 'GET', `/api/v1/contacts/${contactId}`);
  if (list.statusCode !== 200) return `${list.statusCode} ${list.body.slice(0, 300)}`;
  return list.json().data.length === 0 && one.statusCode === 404
    ? undefined
    : `list ${list.json().data.length}, get ${one.statusCode}`;
});
await step('delete one', async () => {
  const res = await call(1, 'DELETE', `/api/v1/contacts/${contactId}`);
  return res.statusCode < 300 ? undefined : `${res.statusCode} ${res.body.slice(0, 300)}`;
});
await runtime.close();

console.log('\n4. Router queries');
{
  const ws = (await admin.query<{ id: string }>(`select id from workspaces limit 1`)).rows[0]?.id;
  const plan = (
    await admin.query<{ 'QUERY PLAN': string }>(
      `explain select * from contacts where workspace_id = $1 order by created_at desc limit 50`,
      [ws],
    )
  ).rows
    .map((r) => r['QUERY PLAN'])
    .join('\n');
  const router = /Task Count: 1\b/.test(plan) || /Router/.test(plan);
  report(router, 'a list by workspace_id goes to one shard', router ? '' : plan.split('\n').slice(0, 6).join(' | '));
}
await admin.end();

console.log(
  failures.length
    ? `\n${failures.length} failed: ${failures.join('; ')}${failedTables.length ? `\ntables not distributed: ${failedTables.join(', ')}` : ''}`
    : '\nall passed',
);
process.exit(failures.length ? 1 : 0);
