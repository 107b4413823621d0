/**
 * What the benchmarks share: the one seeded database on the PostgreSQL server (`openBench`:
 * a workspace of N contacts, optionally N leads and two other workspaces, seeded with
 * set-based SQL, kept and reused with RAPPORT_BENCH_REUSE=1 so the benchmarks can run one
 * after another on the same data), percentiles, the machine and its load average, and
 * writing a run's section into bench/RESULTS.md (RAPPORT_BENCH_NOTE: a paragraph the segments and
 * geo benchmarks add to their section, e.g. what was changed for the run).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { seedContacts } from '../cli/seed';
import { loadConfig } from '../server/platform/config';
import type { Database } from '../server/platform/db/database';
import { addMember, createUser, signUp } from '../server/platform/workspaces/identity.service';
import { type Runtime, startRuntime } from '../server/runtime';
import type { ServerProcess } from '../test/helpers/server-process';

export const ADMIN_URL = process.env.RAPPORT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REUSE = process.env.RAPPORT_BENCH_REUSE === '1';

/** The URL of database `name` on the benchmark's server. */
export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

/** p-th percentile of an ascending array (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/**
 * Database `name`, ready to seed: true when RAPPORT_BENCH_REUSE=1 and an earlier run
 * left it complete (`complete` answers that, run on it), else it is (re)created empty.
 */
export async function ensureDatabase(name: string, complete: (db: pg.Client) => Promise<boolean>): Promise<boolean> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
    if (exists && REUSE) {
      const db = new pg.Client({ connectionString: databaseUrl(name) });
      await db.connect();
      const ok = await complete(db).catch(() => false);
      await db.end();
      if (ok) return true;
    }
    if (exists) await admin.query(`drop database ${name} with (force)`);
    await admin.query(`create database ${name}`);
    return false;
  } finally {
    await admin.end();
  }
}

/** Europe, roughly: where the seeded contacts' coordinates are spread (and the geo benchmark's centres drawn). */
export const EUROPE = { lat: [36, 60], lng: [-10, 25] } as const;

/** The main workspace's size (RAPPORT_BENCH_CONTACTS, default 1,000,000). */
export const BENCH_CONTACTS = Number(process.env.RAPPORT_BENCH_CONTACTS ?? 1_000_000);

/** The shared database's name: RAPPORT_BENCH_DB, else by size (`rapport_bench_1m`, `rapport_bench_100000`). */
export function benchDatabaseName(contacts = BENCH_CONTACTS): string {
  if (process.env.RAPPORT_BENCH_DB) return process.env.RAPPORT_BENCH_DB;
  return `rapport_bench_${contacts % 1_000_000 === 0 ? `${contacts / 1_000_000}m` : contacts}`;
}

export interface Bench {
  name: string;
  url: string;
  runtime: Runtime;
  database: Database;
  /** The workspace 'Bench', its administrator (bench@bench.example) and a sales rep owning half its records. */
  workspaceId: string;
  ownerId: string;
  repId: string;
  /** The workspace 'Scoring' (administrator scoring@bench.example): the leads, when asked for. */
  scoringWorkspaceId: string | undefined;
  /** What this run seeded (empty when everything was reused). */
  seeded: string[];
}

const LEAD_CHUNK = 50_000;
const LEAD_TITLES = [
  'Director of IT',
  'Engineer',
  'Chief Marketing Officer',
  'Analyst',
  'VP Sales',
  'Intern',
  'Manager',
];

/**
 * The benchmarks' one database, seeded as far as this run needs and no further: the
 * workspace 'Bench' with an administrator and a sales rep, `contacts` contacts (names from
 * faker, coordinates spread over Europe at city precision, one in ten tagged "newsletter";
 * `cli/seed.ts`), `leads` leads in a workspace 'Scoring' of their own, and `others`
 * contacts in each of two other workspaces.
 * Everything is INSERT … SELECT FROM generate_series, never the API. With
 * RAPPORT_BENCH_REUSE=1 what an earlier run seeded is kept and only what is missing is
 * added, so the segments, scoring, geo and campaign benchmarks share one seed.
 */
export async function openBench(opts: {
  contacts?: number;
  leads?: number;
  others?: number;
  poolSize?: number;
  /** false: leave the contacts as they are (a second seeding process adding only the leads beside the first). */
  seedContacts?: boolean;
}): Promise<Bench> {
  const contacts = opts.contacts ?? BENCH_CONTACTS;
  const name = benchDatabaseName(contacts);
  const url = databaseUrl(name);
  await ensureDatabase(name, async (db) => {
    const { rows } = await db.query(`select 1 from workspaces where name = 'Bench'`);
    return rows.length === 1;
  });
  const config = loadConfig(
    { databaseUrl: url, logLevel: 'silent', seedDemo: false, rateLimitPerMinute: 0, poolSize: opts.poolSize ?? 8 },
    {},
  );
  const runtime = await startRuntime(config, { backgroundWork: false });
  const { database } = runtime;
  const deps = { database, auth: runtime.auth };
  const seeded: string[] = [];
  const progress = (what: string) => (n: number) =>
    process.stderr.write(`\r  seeding ${n.toLocaleString('en')} ${what}… (load ${loadAverage()})`);
  const timed = async (what: string, fn: () => Promise<unknown>) => {
    const t0 = Date.now();
    await fn();
    const line = `${what} in ${((Date.now() - t0) / 1000).toFixed(0)} s (load average ${loadAverage()})`;
    process.stderr.write(`\n  seeded ${line}\n`);
    seeded.push(line);
  };
  const workspaceNamed = async (ws: string) =>
    (await sql<{ id: string }>`select id from workspaces where name = ${ws}`.execute(database.db)).rows[0]?.id;

  for (const other of opts.others ? ['Other A', 'Other B'] : []) {
    if (await workspaceNamed(other)) continue;
    const made = await signUp(
      deps,
      {
        name: 'Other',
        email: `${other.replace(' ', '').toLowerCase()}@bench.example`,
        password: 'bench other passphrase',
        workspaceName: other,
      },
      {},
    );
    const n = opts.others ?? 0;
    await timed(`${n.toLocaleString('en')} contacts in '${other}'`, () =>
      seedContacts(database, made.data.workspace.id, { contacts: n, spread: EUROPE }, progress('contacts')),
    );
  }
  let workspaceId = await workspaceNamed('Bench');
  if (!workspaceId) {
    const main = await signUp(
      deps,
      { name: 'Bench', email: 'bench@bench.example', password: 'bench main passphrase', workspaceName: 'Bench' },
      {},
    );
    workspaceId = main.data.workspace.id;
    // A sales rep who owns half the records (owners alternate), for the permission overhead figures.
    const { userId: repId } = await createUser(
      deps,
      { name: 'Rep', email: 'rep@bench.example', password: 'bench rep passphrase' },
      {},
    );
    await addMember(database, workspaceId, repId, 'sales_rep');
  }
  const ws = workspaceId;
  const { rows: users } = await sql<{ email: string; id: string }>`select email, id from users
    where email in ('bench@bench.example', 'rep@bench.example')`.execute(database.db);
  const ownerId = users.find((u) => u.email === 'bench@bench.example')?.id as string;
  const repId = users.find((u) => u.email === 'rep@bench.example')?.id as string;

  const count = async (table: 'contacts' | 'leads', in_ = ws) =>
    Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from ${sql.table(table)} where workspace_id = ${in_}::uuid`.execute(database.db)
      ).rows[0]?.n,
    );
  const haveContacts = await count('contacts');
  if (opts.seedContacts !== false && haveContacts < contacts) {
    await timed(`${(contacts - haveContacts).toLocaleString('en')} contacts`, () =>
      seedContacts(database, ws, { contacts: contacts - haveContacts, spread: EUROPE }, progress('contacts')),
    );
  }
  // The leads live in a workspace of their own ('Scoring', same administrator): a rescore covers
  // a workspace's leads and contacts, and the 1M-lead figure must not rescore the contacts too.
  let scoringWorkspaceId = await workspaceNamed('Scoring');
  if (opts.leads) {
    if (!scoringWorkspaceId) {
      const made = await signUp(
        deps,
        {
          name: 'Scoring',
          email: 'scoring@bench.example',
          password: 'bench scoring passphrase',
          workspaceName: 'Scoring',
        },
        {},
      );
      scoringWorkspaceId = made.data.workspace.id;
    }
    const sws = scoringWorkspaceId;
    const scorer = (
      await sql<{ id: string }>`select id from users where email = 'scoring@bench.example'`.execute(database.db)
    ).rows[0]?.id as string;
    const haveLeads = await count('leads', sws);
    if (haveLeads < opts.leads) {
      const wanted = opts.leads;
      await timed(`${(wanted - haveLeads).toLocaleString('en')} leads in 'Scoring'`, () =>
        seedLeads(database, sws, [scorer], haveLeads + 1, wanted, progress('leads')),
      );
    }
  }
  if (seeded.length) await sql`vacuum analyze`.execute(database.db);
  return { name, url, runtime, database, workspaceId: ws, scoringWorkspaceId, ownerId, repId, seeded };
}

/** Leads `from`..`to` (numbered, so a later run adds only the missing ones), owners alternating. */
async function seedLeads(
  database: Database,
  ws: string,
  owners: string[],
  from: number,
  to: number,
  progress: (n: number) => void,
): Promise<void> {
  for (let start = from; start <= to; start += LEAD_CHUNK) {
    const end = Math.min(to, start + LEAD_CHUNK - 1);
    await database.system((tx) =>
      sql`insert into leads (workspace_id, id, last_name, email, title, company, employees, source, status, owner_id,
          address_city, address_country)
        select ${ws}::uuid, gen_random_uuid(), 'Lead ' || i, 'lead' || i || '@example.com',
          (${LEAD_TITLES}::text[])[1 + i % ${LEAD_TITLES.length}], 'Company ' || (i % 5000), (i::bigint * 7919) % 2000,
          (array['website','referral','event','advertising'])[1 + i % 4], 'new',
          (${owners}::uuid[])[1 + (i / 7) % ${owners.length}],
          (array['Berlin','Paris','Lyon','Madrid','Milan'])[1 + i % 5], (array['DE','FR','FR','ES','IT'])[1 + i % 5]
        from generate_series(${start}::int, ${end}::int) i`.execute(tx),
    );
    progress(end);
  }
}

/** Closes the bench's runtime and drops its database (unless RAPPORT_BENCH_REUSE=1). */
export async function closeBench(bench: Bench): Promise<void> {
  await bench.runtime.close();
  await dropUnlessReused(bench.name);
}

/**
 * The end of a benchmark that drives a `rapport serve` over HTTP against raw SQL: its agents
 * (and the shared keep-alive one) closed, the server stopped, the raw pool ended, the bench closed.
 */
export async function closeApiBench(parts: {
  server: ServerProcess | undefined;
  raw: pg.Pool;
  agents: http.Agent[];
  bench: Bench;
}): Promise<void> {
  for (const agent of [keepAlive, ...parts.agents]) agent.destroy();
  if (parts.server) {
    parts.server.child.kill('SIGTERM');
    await parts.server.exited;
  }
  await parts.raw.end();
  await closeBench(parts.bench);
}

/** The 1-, 5- and 15-minute load averages, as `2.1 / 1.8 / 1.5`. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
}

/** One line naming the machine, for a section's header. */
export function machine(): string {
  return `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** Drops database `name` unless RAPPORT_BENCH_REUSE=1 keeps it for the next run. */
export async function dropUnlessReused(name: string): Promise<void> {
  if (!REUSE) await dropDatabase(name);
}

/** Drops database `name` (if it exists). */
export async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

/**
 * Adds a run's section to bench/RESULTS.md, newest first (after the title and the intro
 * paragraph), then formats the file as `npm run lint` checks it (Biome aligns the tables).
 */
export function addResults(section: string): void {
  // A trial run (RAPPORT_BENCH_RESULTS_DRY=1) prints its section and leaves the file alone.
  if (process.env.RAPPORT_BENCH_RESULTS_DRY === '1') return;
  const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
  const previous = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmark results\n\nNewest first. Produced by `npm run bench`.\n\n';
  const [title, ...rest] = previous.split('\n\n');
  const text = [title, rest[0], section.trim(), ...rest.slice(1)].filter((s) => s !== undefined).join('\n\n');
  fs.writeFileSync(file, text);
  const format = spawnSync(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'format', '--write', file], {
    encoding: 'utf8',
  });
  if (format.status !== 0) process.stderr.write(`could not format ${file}: ${format.stderr}\n`);
}

/** One keep-alive socket: the benchmarks' sequential requests reuse it (destroy it when done). */
export const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One API call with an API key; the body comes back as text. */
export function request(
  base: string,
  key: string,
  method: string,
  path: string,
  body?: unknown,
  via: http.Agent = keepAlive,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent: via,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** One measured workload: its latencies (ascending) and the 1-minute load average before and after. */
export interface Timed {
  name: string;
  ms: number[];
  load: [number, number];
}

/** `n` requests one after another after `warmup` unmeasured ones. */
export async function timeSequential(
  name: string,
  n: number,
  warmup: number,
  fn: (i: number) => Promise<unknown>,
): Promise<Timed> {
  for (let i = 0; i < warmup; i++) await fn(i + 1_000_000);
  const before = os.loadavg()[0] ?? 0;
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return { name, ms: ms.sort((a, b) => a - b), load: [before, os.loadavg()[0] ?? 0] };
}

/** `clients` clients at once, each running `perClient` requests back to back: every request's latency. */
export async function timeConcurrent(
  name: string,
  clients: number,
  perClient: number,
  fn: (client: number, i: number) => Promise<unknown>,
): Promise<Timed> {
  const before = os.loadavg()[0] ?? 0;
  const ms: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; i < perClient; i++) {
        const t0 = performance.now();
        await fn(c, i);
        ms.push(performance.now() - t0);
      }
    }),
  );
  return { name, ms: ms.sort((a, b) => a - b), load: [before, os.loadavg()[0] ?? 0] };
}

/**
 * A results table of timed workloads: p50, p95 and the 1-minute load average before → after,
 * with the target judged on p95 where one is given (`target` in ms).
 */
export function timedTable(rows: (Timed & { target?: number })[]): string {
  const f = (n: number) => n.toFixed(1);
  return [
    '| workload | n | p50 ms | p95 ms | target p95 | met | load average (1 min) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => {
      const p95 = percentile(r.ms, 95);
      const met = r.target === undefined ? '–' : p95 < r.target ? 'yes' : 'NO';
      return `| ${r.name} | ${r.ms.length} | ${f(percentile(r.ms, 50))} | ${f(p95)} | ${r.target === undefined ? '–' : `< ${r.target} ms`} | ${met} | ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} |`;
    }),
  ].join('\n');
}
