/**
 * Record engine benchmark (npm run bench): PostgreSQL server, 1,000,000 contacts in
 * one workspace plus two other workspaces. Each workload runs through the HTTP API
 * (real sockets, keep-alive, an API key) and, in the same run, as the equivalent
 * raw SQL through `pg`, so machine noise hits both alike.
 *
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB, default postgres://postgres@127.0.0.1:5432/postgres),
 * RAPPORT_BENCH_CONTACTS (default 1000000), RAPPORT_BENCH_REUSE=1 to keep and reuse the seeded database.
 */
import http from 'node:http';
import os from 'node:os';
import pg from 'pg';
import { createApiKey } from '../server/platform/auth/api-keys.service';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import {
  ADMIN_URL,
  addResults,
  BENCH_CONTACTS,
  closeApiBench,
  keepAlive,
  openBench,
  percentile,
  request,
} from './bench-db';

const CONTACTS = BENCH_CONTACTS;
/**
 * Measured requests per workload, and warm-up requests before them. A long-running server
 * is measured in its steady state: with 50 warm-up requests the first few hundred measured
 * ones still ran while V8 was compiling the request path, and p95 counted that.
 */
const ITERATIONS = 2000;
const WARMUP = 500;

/**
 * The API workload and its raw-SQL baseline, interleaved request by request (which
 * goes first alternates), so both see the same machine: on a 2-core VM, noise that
 * hits one block of requests and not the next is larger than what is measured.
 */
async function timePair(
  n: number,
  api: (i: number) => Promise<unknown>,
  rawFn: (i: number) => Promise<unknown>,
): Promise<{ api: number[]; raw: number[] }> {
  for (let i = 0; i < WARMUP; i++) {
    await api(i + 1_000_000);
    await rawFn(i + 1_000_000);
  }
  const a: number[] = [];
  const r: number[] = [];
  const once = async (fn: (i: number) => Promise<unknown>, i: number, out: number[]) => {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      await once(api, i, a);
      await once(rawFn, i, r);
    } else {
      await once(rawFn, i, r);
      await once(api, i, a);
    }
  }
  return { api: a.sort((x, y) => x - y), raw: r.sort((x, y) => x - y) };
}

async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn(i + 1_000_000);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

/** For the concurrent batch-upsert workload: one keep-alive socket per client. */
const CONCURRENCY = 4;
const agentMany = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

async function main() {
  // The shared bench database (bench/bench-db.ts): 1,000,000 contacts in 'Bench', 2 × 50,000 in two others.
  const bench = await openBench({ contacts: CONTACTS, others: 50_000, poolSize: 8 });
  const { database, workspaceId } = bench;
  const dbUrl = bench.url;
  const raw = new pg.Pool({ connectionString: dbUrl, max: 2 });
  let server: ServerProcess | undefined;
  try {
    // A reused database: drop the contacts an earlier run's upserts created (new, with no
    // lifecycle stage, at the head of created_at order, they would slow the list workload
    // run after run), so every run measures the same data.
    const leftover = await raw.query(`delete from contacts where workspace_id = $1 and email like '%@upsert.bench'`, [
      workspaceId,
    ]);
    if ((leftover.rowCount ?? 0) > 0) await raw.query('vacuum analyze contacts');
    // Measure with the seed's dirty pages written out, not while the checkpointer flushes them.
    await raw.query('checkpoint');
    if (process.env.RAPPORT_BENCH_SEED_ONLY === '1') {
      process.stderr.write('  seeded; RAPPORT_BENCH_SEED_ONLY=1, so no workloads\n');
      return;
    }
    const key = (await createApiKey(database, workspaceId, { name: 'bench', role: 'administrator', createdBy: null }))
      .key;
    const repKey = (
      await createApiKey(database, workspaceId, { name: 'rep', role: 'sales_rep', createdBy: bench.repId })
    ).key;
    // The API runs as its own `rapport serve` process, as in production; this process is the
    // client and runs the raw-SQL baseline, so server and client do not share a CPU core.
    server = await startServerProcess({
      DATABASE_URL: dbUrl,
      RAPPORT_RATE_LIMIT: '0',
      RAPPORT_SEED_DEMO: '0',
      LOG_LEVEL: 'warn',
    });
    const address = server.url;

    const sample = (
      await raw.query(
        `select id, last_name, email from contacts where workspace_id = $1 order by random() limit 6000`,
        [workspaceId],
      )
    ).rows;
    // Disjoint rows for the API and the raw side, measured and warm-up (indices ≥ 1,000,000).
    const apiRow = (i: number) => sample[i >= 1_000_000 ? 4000 + ((i - 1_000_000) % 1000) : i % 2000];
    const rawRow = (i: number) => sample[i >= 1_000_000 ? 5000 + ((i - 1_000_000) % 1000) : 2000 + (i % 2000)];
    const stages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'];
    const columns = `id, version, owner_id, tags, created_at, updated_at, created_by, updated_by, first_name, last_name, email, emails, phone, phones,
      title, department, account_id, lifecycle_stage, address_street, address_city, address_region, address_postal_code, address_country,
      address_latitude, address_longitude, social_profiles, birthday, do_not_contact, do_not_sell, last_contacted_at, description, custom`;
    const results: { name: string; api: number[]; raw: number[]; note?: string }[] = [];
    const check = (r: { status: number; body: string }) => {
      if (r.status >= 300) throw new Error(`API error ${r.status}: ${r.body.slice(0, 300)}`);
    };

    // 0. The floor: the cheapest request the server answers (no database), for context.
    const floor = await time(ITERATIONS, async () => check(await request(address, key, 'GET', '/health')));
    // 1. Filtered + sorted list page (50 rows).
    results.push({
      name: 'list: lifecycleStage = X, sort -createdAt, 50 rows',
      ...(await timePair(
        ITERATIONS,
        async (i) => {
          const filter = encodeURIComponent(
            JSON.stringify({ field: 'lifecycleStage', op: 'eq', value: stages[i % 6] }),
          );
          check(await request(address, key, 'GET', `/api/v1/contacts?filter=${filter}&sort=-createdAt&limit=50`));
        },
        (i) =>
          raw.query(
            `select ${columns} from contacts where workspace_id = $1 and deleted_at is null and lifecycle_stage = $2
                   order by created_at desc, id desc limit 51`,
            [workspaceId, stages[i % 6]],
          ),
      )),
    });
    // 2. Point read.
    results.push({
      name: 'point read by id',
      ...(await timePair(
        ITERATIONS,
        async (i) => check(await request(address, key, 'GET', `/api/v1/contacts/${apiRow(i).id}`)),
        (i) =>
          raw.query(`select ${columns} from contacts where workspace_id = $1 and id = $2 and deleted_at is null`, [
            workspaceId,
            rawRow(i).id,
          ]),
      )),
    });
    // 3. Search (a last name, as typed: its first 5 letters).
    const term = (i: number) => String(sample[i % sample.length].last_name).slice(0, 5);
    results.push({
      name: 'search contacts: 5-letter name prefix, 20 hits',
      ...(await timePair(
        ITERATIONS,
        async (i) =>
          check(await request(address, key, 'GET', `/api/v1/search?q=${encodeURIComponent(term(i))}&objects=contacts`)),
        (i) =>
          raw.query(
            // The API's query (search.service.ts): up to 200 whole-word and 200 prefix matches, ranked.
            `with q as (select to_tsquery('simple', $2) tq, to_tsquery('simple', $4) wq, lower(rapport_unaccent($3)) norm),
           ids as ((select id from contacts, q where workspace_id = $1 and deleted_at is null and search_vector @@ q.wq limit 200)
             union (select id from contacts, q where workspace_id = $1 and deleted_at is null and search_vector @@ q.tq limit 200)),
           c as (select id, search_vector, search_text, first_name, last_name, email from contacts
                 where workspace_id = $1 and id in (select id from ids))
           select id, first_name, last_name, email, ts_rank(search_vector, q.tq) + word_similarity(q.norm, search_text) s
           from c, q order by s desc, id limit 20`,
            [
              workspaceId,
              `'${term(i).toLowerCase().replace(/'/g, "''")}':*`,
              term(i),
              `'${term(i).toLowerCase().replace(/'/g, "''")}'`,
            ],
          ),
      )),
    });
    // 4. Update one field (a write: reported, no target in the issue).
    results.push({
      name: 'update: PATCH one field',
      ...(await timePair(
        ITERATIONS,
        async (i) =>
          check(
            await request(address, key, 'PATCH', `/api/v1/contacts/${apiRow(i).id}`, {
              title: `Title ${i}`,
            }),
          ),
        (i) =>
          raw.query(
            `update contacts set title = $3, version = version + 1, updated_at = now() where workspace_id = $1 and id = $2 and deleted_at is null returning ${columns}`,
            [workspaceId, rawRow(i).id, `Raw ${i}`],
          ),
      )),
    });
    // 5. Batch upsert by email: 1,000 per request, half existing, half new. API and raw
    //    batches alternate and each touches its own never-read rows, so neither finds the
    //    other's pages already in the cache.
    const batches = 20;
    const cold = (
      await raw.query(
        `select email from contacts where workspace_id = $1 and not (id = any($2::uuid[]))
         order by random() limit ${batches * 500 * 4}`,
        [workspaceId, sample.map((r) => r.id)],
      )
    ).rows.map((r) => r.email as string);
    let coldNext = 0;
    const makeBatch = (b: number, prefix: string) => {
      const existing = cold.slice(coldNext, coldNext + 500);
      coldNext += 500;
      return Array.from({ length: 1000 }, (_, j) =>
        j % 2 === 0
          ? { email: existing[j / 2], title: `${prefix} ${b}` }
          : { email: `${prefix}-${b}-${j}@upsert.bench`, firstName: 'Up', lastName: `Sert ${j}`, tags: ['bench'] },
      );
    };
    const apiUpsert = (b: number, prefix: string, via = keepAlive) =>
      request(
        address,
        key,
        'POST',
        '/api/v1/contacts/batch',
        { mode: 'upsert', matchOn: 'email', records: makeBatch(b, prefix) },
        via,
      ).then(check);
    const rawUpsert = (b: number, prefix: string, pool: pg.Pool = raw) => {
      const rows = makeBatch(b, prefix);
      return pool.query(
        `insert into contacts (workspace_id, id, email, title, first_name, last_name, tags)
         select $1, gen_random_uuid(), v.email, v.title, v.first_name, v.last_name, coalesce(v.tags, '{}')
         from jsonb_to_recordset($2::jsonb) as v(email text, title text, first_name text, last_name text, tags text[])
         on conflict (workspace_id, email) where deleted_at is null
         do update set title = coalesce(excluded.title, contacts.title), version = contacts.version + 1, updated_at = now()`,
        [
          workspaceId,
          JSON.stringify(
            rows.map((r) => ({
              email: r.email,
              title: r.title,
              first_name: r.firstName,
              last_name: r.lastName,
              tags: r.tags,
            })),
          ),
        ],
      );
    };
    // 6. Permission overhead: the same list and search as a sales rep (own scope, half the records)
    //    and as an administrator, in the same run.
    const listPath = (i: number) =>
      `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'lifecycleStage', op: 'eq', value: stages[i % 6] }))}&sort=-createdAt&limit=50`;
    const searchPath = (i: number) => `/api/v1/search?q=${encodeURIComponent(term(i))}&objects=contacts`;
    const perm: { name: string; admin: number[]; rep: number[] }[] = [];
    for (const [name, path] of [
      ['list', listPath],
      ['search', searchPath],
    ] as const) {
      const t = await timePair(
        ITERATIONS,
        async (i) => check(await request(address, key, 'GET', path(i))),
        async (i) => check(await request(address, repKey, 'GET', path(i))),
      );
      perm.push({ name, admin: t.api, rep: t.raw });
    }

    const upsertApi: number[] = [];
    const upsertRaw: number[] = [];
    const stamp = Date.now();
    for (let b = 0; b < batches; b++) {
      let t0 = performance.now();
      await apiUpsert(b, `api${stamp}`);
      upsertApi.push(performance.now() - t0);
      t0 = performance.now();
      await rawUpsert(b, `raw${stamp}`);
      upsertRaw.push(performance.now() - t0);
    }
    upsertApi.sort((a, b) => a - b);
    upsertRaw.sort((a, b) => a - b);
    // The same with CONCURRENCY clients at once (records/s over the wall time), as an
    // import or a sync job with several workers would send them.
    const concurrent = async (fn: (b: number) => Promise<unknown>) => {
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < batches / 2) await fn(next++);
        }),
      );
      return Math.round(((batches / 2) * 1000 * 1000) / (performance.now() - t0));
    };
    const rawMany = new pg.Pool({ connectionString: dbUrl, max: CONCURRENCY });
    const manyApiRate = await concurrent((b) => apiUpsert(b, `capi${stamp}`, agentMany));
    const manyRawRate = await concurrent((b) => rawUpsert(b, `craw${stamp}`, rawMany));
    await rawMany.end();
    const perSec = (ms: number[]) => Math.round((1000 * 1000 * ms.length) / ms.reduce((a, b) => a + b, 0));

    const lines: string[] = [];
    const head = '| workload | API p50 | API p95 | raw p50 | raw p95 | target (p95) | met |';
    lines.push(head, '|---|---|---|---|---|---|---|');
    for (const r of results) {
      const [a50, a95, r50, r95] = [
        percentile(r.api, 50),
        percentile(r.api, 95),
        percentile(r.raw, 50),
        percentile(r.raw, 95),
      ];
      const limit = 2 * r95 + 1;
      const isWrite = r.name.startsWith('update');
      const cap = r.name.startsWith('list') || r.name.startsWith('search') ? Math.min(limit, 20) : limit;
      const target = isWrite
        ? '– (a write; the targets are for reads)'
        : r.name.startsWith('list') || r.name.startsWith('search')
          ? `≤ 2×raw+1 ms (${limit.toFixed(2)}) and < 20 ms`
          : `≤ 2×raw+1 ms (${limit.toFixed(2)})`;
      lines.push(
        `| ${r.name} | ${a50.toFixed(2)} ms | ${a95.toFixed(2)} ms | ${r50.toFixed(2)} ms | ${r95.toFixed(2)} ms | ${target} | ${isWrite ? '–' : a95 <= cap ? 'yes' : 'NO'} |`,
      );
    }
    const apiRate = perSec(upsertApi);
    lines.push(
      `| batch upsert by email, 1,000/request (half new) | ${percentile(upsertApi, 50).toFixed(0)} ms | ${percentile(upsertApi, 95).toFixed(0)} ms | ${percentile(upsertRaw, 50).toFixed(0)} ms | ${percentile(upsertRaw, 95).toFixed(0)} ms | ≥ 20,000 records/s | ${apiRate >= 20_000 ? 'yes' : 'NO'} |`,
    );
    lines.push(
      `| batch upsert as above, ${CONCURRENCY} clients at once | ${manyApiRate.toLocaleString('en')} records/s | – | ${manyRawRate.toLocaleString('en')} records/s | – | ≥ 20,000 records/s | ${manyApiRate >= 20_000 ? 'yes' : 'NO'} |`,
    );
    lines.push(
      `| (floor) GET /health, no database | ${percentile(floor, 50).toFixed(2)} ms | ${percentile(floor, 95).toFixed(2)} ms | – | – | – | – |`,
    );
    lines.push(
      '',
      '| permissions: same request as | administrator p50 | sales rep (own scope) p50 | administrator p95 | sales rep p95 | overhead p50 | target |',
      '|---|---|---|---|---|---|---|',
    );
    for (const p of perm) {
      const [a50, r50, a95, r95] = [
        percentile(p.admin, 50),
        percentile(p.rep, 50),
        percentile(p.admin, 95),
        percentile(p.rep, 95),
      ];
      const over = (r50 / a50 - 1) * 100;
      lines.push(
        `| ${p.name} | ${a50.toFixed(2)} ms | ${r50.toFixed(2)} ms | ${a95.toFixed(2)} ms | ${r95.toFixed(2)} ms | ${over.toFixed(1)} % | < 10 % ${over < 10 ? 'yes' : 'NO'} |`,
      );
    }
    const summary = `Batch upsert, one client: API ${apiRate.toLocaleString('en')} records/s, raw SQL ${perSec(upsertRaw).toLocaleString('en')} records/s; ${CONCURRENCY} clients: API ${manyApiRate.toLocaleString('en')} records/s, raw SQL ${manyRawRate.toLocaleString('en')} records/s.`;
    const pgVersion = (await raw.query('show server_version')).rows[0].server_version;
    const pgPort = new URL(ADMIN_URL).port || '5432';
    const sharedBuffers = (await raw.query('show shared_buffers')).rows[0].shared_buffers;
    const machine = `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, PostgreSQL ${pgVersion} on port ${pgPort} (shared_buffers ${sharedBuffers})`;
    const report = [
      `## ${new Date().toISOString().slice(0, 10)} — ${CONTACTS.toLocaleString('en')} contacts (+ 2 × 50,000 in other workspaces)`,
      '',
      `Machine: ${machine}. ${ITERATIONS} sequential requests per workload after ${WARMUP} warm-up, API and raw SQL interleaved request by request; the API is a separate \`rapport serve\` process, called over HTTP keep-alive on loopback with an API key; raw SQL runs through \`pg\` from the client process.`,
      '',
      ...lines,
      '',
      summary,
      '',
    ].join('\n');
    process.stdout.write(`\n${report}\n`);
    addResults(report);
  } finally {
    await closeApiBench({ server, raw, agents: [agentMany], bench });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
