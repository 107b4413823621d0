/**
 * Lead scoring rescore benchmark (npm run bench:scoring): PostgreSQL server, the shared bench
 * database (bench/bench-db.ts), N leads (default 1,000,000) in a workspace of their own, three fit rules and two decaying engagement rules, with
 * engagement (three events each) on one lead in ten. Times the background rescore
 * (server/modules/scoring/rescore.ts: set-based scores in chunks written through the record
 * engine's bulk path, MQLs made one by one) from empty scores, again with nothing to change,
 * and after a rule change; next to the raw-SQL baseline: one UPDATE … FROM of the same
 * computed scores, without the engine's version bump, audit, events or MQL pass.
 *
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB, default postgres://postgres@127.0.0.1:5432/postgres),
 * RAPPORT_BENCH_LEADS (default 1000000), RAPPORT_BENCH_REUSE=1 to keep and reuse the seeded database.
 */
import os from 'node:os';
import { type RawBuilder, sql } from 'kysely';
import { RESCORE_CHUNK, requestRescore, runRescore } from '../server/modules/scoring/rescore';
import { createRule, updateSettings } from '../server/modules/scoring/rules.service';
import { fitConditions, loadRules, scoreSource } from '../server/modules/scoring/score-engine';
import type { Tx } from '../server/platform/db/database';
import { loadSchemas } from '../server/platform/records/object-schema';
import type { ListOptions } from '../server/platform/records/records.service';
import { addResults, BENCH_CONTACTS, closeBench, loadAverage, machine, openBench, percentile } from './bench-db';

const LEADS = Number(process.env.RAPPORT_BENCH_LEADS ?? 1_000_000);

const secs = (ms: number) => (Number.isNaN(ms) ? 'not run' : `${(ms / 1000).toFixed(1)} s`);
const rate = (n: number, ms: number) =>
  Number.isNaN(ms) ? '–' : `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`;
const load1 = () => (os.loadavg()[0] ?? 0).toFixed(1);

async function main() {
  // The shared bench database; the leads are in their own workspace ('Scoring'), so the
  // rescore (every lead and contact of a workspace) covers exactly the 1,000,000 leads.
  const bench = await openBench({ contacts: BENCH_CONTACTS, leads: LEADS, poolSize: 4 });
  const { database, runtime } = bench;
  const { records, jobs } = runtime;
  try {
    const ws = bench.scoringWorkspaceId as string;
    const userId = (
      await sql<{ id: string }>`select id from users where email = 'scoring@bench.example'`.execute(database.db)
    ).rows[0]?.id as string;
    const { rows: existing } = await sql`select 1 from scoring_rules where workspace_id = ${ws}::uuid`.execute(
      database.db,
    );
    if (!existing.length) {
      await database.tenant(ws, async (tx) => {
        const actor = { kind: 'user' as const, userId, workspaceId: ws, role: 'administrator', scopes: [] };
        const fitRule = (name: string, condition: object, points: number) =>
          createRule(tx, records, actor, { name, kind: 'fit', condition: condition as never, points });
        await fitRule(
          'Decision maker',
          {
            or: [
              { field: 'title', op: 'contains', value: 'Director' },
              { field: 'title', op: 'contains', value: 'Chief' },
            ],
          },
          20,
        );
        await fitRule('200+ employees', { field: 'employees', op: 'gte', value: 200 }, 15);
        await fitRule('Referral', { field: 'source', op: 'eq', value: 'referral' }, 10);
        const pricing = await createRule(tx, records, actor, {
          name: 'Pricing',
          kind: 'engagement',
          event: 'page.viewed',
          match: { path: '/pricing*' },
          points: 10,
          halfLifeDays: 14,
          cap: 30,
        });
        const form = await createRule(tx, records, actor, {
          name: 'Form',
          kind: 'engagement',
          event: 'form.submitted',
          points: 25,
          halfLifeDays: 30,
        });
        await updateSettings(tx, ws, { mqlThreshold: 70 });
        // One lead in ten engaged: two pricing views and a form, over the last 60 days.
        await sql`insert into score_contributions (workspace_id, object, record_id, rule_id, event_id, points, occurred_at)
          select ${ws}::uuid, 'leads', l.id, r.rule_id, gen_random_uuid(), r.points,
            now() - make_interval(days => (abs(hashtext(l.id::text || r.n)) % 60))
          from (select id from leads where workspace_id = ${ws}::uuid and abs(hashtext(id::text)) % 10 = 0) l
          cross join (values (${pricing.id}::uuid, 10, 'a'), (${pricing.id}::uuid, 10, 'b'), (${form.id}::uuid, 25, 'c'))
            as r(rule_id, points, n)`.execute(tx);
      });
      await sql`analyze score_contributions`.execute(database.db);
    }
    // Runs `write` on the first `upto` leads by id (all when undefined) in keyset chunks of
    // RESCORE_CHUNK, one transaction each, as the rescore job does: a row's new version fits
    // on its page (a HOT update) once the chunk that last wrote the page has committed.
    const inChunks = async (write: (tx: Tx, range: RawBuilder<unknown>) => Promise<unknown>, upto?: number) => {
      let last: string | null = null;
      let done = 0;
      for (;;) {
        const size = upto === undefined ? RESCORE_CHUNK : Math.min(RESCORE_CHUNK, upto - done);
        if (size <= 0) break;
        const after: string | null = last;
        const upper = await database.tenant(ws, async (tx): Promise<{ top: string; n: number } | null> => {
          const { rows }: { rows: { id: string | null; n: string }[] } = await sql<{
            id: string | null;
            n: string;
          }>`select max(id::text) as id, count(*) as n from (
              select id from leads where workspace_id = ${ws}::uuid ${after ? sql`and id > ${after}::uuid` : sql``}
              order by id limit ${size}) c`.execute(tx);
          const top = rows[0]?.id;
          if (!top) return null;
          await write(tx, sql`${after ? sql`t.id > ${after}::uuid and` : sql``} t.id <= ${top}::uuid`);
          return { top, n: Number(rows[0]?.n ?? 0) };
        });
        if (!upper) break;
        last = upper.top;
        done += upper.n;
        if (upper.n < size) break;
      }
    };
    // A reused database: start from empty scores, as after the seed (the raw baseline alone resets its own leads).
    const RUNS = process.env.RAPPORT_BENCH_SCORING_RUNS ?? 'all';
    if (RUNS !== 'raw') {
      let reset = 0;
      await inChunks(async (tx, range) => {
        const r = await sql`update leads t set score = null, fit_score = null, engagement_score = null, grade = null,
          mql_at = null, qualification = null, status = 'new'
          where t.workspace_id = ${ws}::uuid and ${range} and t.score is not null`.execute(tx);
        reset += Number(r.numAffectedRows ?? 0);
      });
      if (reset > 0) await sql`vacuum analyze leads`.execute(database.db);
    }
    await sql`checkpoint`.execute(database.db);
    const { rows: counted } = await sql<{ n: string; engaged: string }>`select
      (select count(*) from leads where workspace_id = ${ws}::uuid) as n,
      (select count(distinct record_id) from score_contributions where workspace_id = ${ws}::uuid) as engaged`.execute(
      database.db,
    );
    const n = Number(counted[0]?.n);
    const engaged = Number(counted[0]?.engaged);

    // How many of the updates since the last call were HOT (written in place, no index entries).
    const hotStats = async () => {
      const { rows } = await sql<{ upd: string; hot: string }>`select n_tup_upd as upd, n_tup_hot_upd as hot
        from pg_stat_user_tables where relname = 'leads'`.execute(database.db);
      return { upd: Number(rows[0]?.upd ?? 0), hot: Number(rows[0]?.hot ?? 0) };
    };
    // The statistics collector reports a finished transaction's counts with a short delay.
    const settledHot = async (since: { upd: number; hot: number }) => {
      let last = await hotStats();
      for (let i = 0; i < 20; i++) {
        await sql`select pg_stat_clear_snapshot()`.execute(database.db);
        const now = await hotStats();
        if (now.upd === last.upd && now.upd > since.upd) break;
        last = now;
        await new Promise((r) => setTimeout(r, 500));
      }
      const upd = last.upd - since.upd;
      return upd > 0 ? `${Math.round(((last.hot - since.hot) / upd) * 100)} %` : '–';
    };
    const rescore = async (label: string) => {
      // The job's run, in this process: its queued job is taken off the queue, so a server
      // on the same database (another benchmark's) does not run it beside this one.
      const r = await database.tenant(ws, async (tx) => {
        const requested = await requestRescore(tx, jobs, ws, label);
        await sql`delete from jobs where key = ${`rescore:${requested.id}`}`.execute(tx);
        return requested;
      });
      const before = load1();
      const stats = await hotStats();
      const t0 = performance.now();
      await runRescore(database, records, ws, r.id, new Date());
      const ms = performance.now() - t0;
      const load = `${before} → ${load1()}`;
      const hot = await settledHot(stats);
      const { rows } = await sql<{
        changed: number;
      }>`select changed from scoring_rescores where id = ${r.id}::uuid`.execute(database.db);
      process.stderr.write(
        `  ${label}: ${secs(ms)} (${rows[0]?.changed} changed, ${hot} HOT, load ${loadAverage()})\n`,
      );
      return { ms, changed: rows[0]?.changed ?? 0, load, hot };
    };
    // RAPPORT_BENCH_SCORING_RUNS=raw: only the raw baseline (e.g. beside a rescore figure taken by an earlier run).
    const skipped = { ms: Number.NaN, changed: 0, load: '–', hot: '–' };
    const first = RUNS === 'raw' ? skipped : await rescore('first rescore (empty scores)');
    const { rows: mqls } = await sql<{ n: string }>`select count(*) as n from leads
      where workspace_id = ${ws}::uuid and qualification = 'mql'`.execute(database.db);
    // Raw-SQL baseline: the same computed scores in one UPDATE … FROM, nothing else; over the
    // first RAPPORT_BENCH_SCORING_RAW_LEADS leads by id when set (a busy machine), else all.
    const rawLeads = Number(process.env.RAPPORT_BENCH_SCORING_RAW_LEADS ?? 0) || n;
    const rawUpto = rawLeads < n ? rawLeads : undefined;
    await inChunks(
      (tx, range) =>
        sql`update leads t set score = null, fit_score = null, engagement_score = null, grade = null
        where t.workspace_id = ${ws}::uuid and ${range}`.execute(tx),
      rawUpto,
    );
    await sql`vacuum leads`.execute(database.db);
    await sql`checkpoint`.execute(database.db);
    const rawBefore = load1();
    const rawStats = await hotStats();
    const t0 = performance.now();
    const now = new Date();
    await inChunks(async (tx, range) => {
      const rules = await loadRules(tx, ws, { object: 'leads', kind: 'fit', activeOnly: true });
      const fit = fitConditions(await loadSchemas(tx, records.registry), 'leads', rules);
      const source = scoreSource({ ws, object: 'leads', table: 'leads', fit, now, threshold: 70, where: range });
      await sql`update leads t set score = s.score, fit_score = s.fit_score, engagement_score = s.engagement_score,
        grade = s.grade from (${source}) s where t.workspace_id = ${ws}::uuid and t.id = s.id`.execute(tx);
    }, rawUpto);
    const rawMs = performance.now() - t0;
    const rawLoad = `${rawBefore} → ${load1()}`;
    const rawHot = await settledHot(rawStats);
    process.stderr.write(`  raw SQL baseline: ${secs(rawMs)} (${rawHot} HOT, load ${loadAverage()})\n`);

    // The later runs (RAPPORT_BENCH_SCORING_RUNS=first skips them: on a busy machine a 1M rescore takes long).
    let same = skipped;
    let ruleChange = skipped;
    if (RUNS === 'all') {
      // The scores the raw UPDATE wrote are the rescore's: nothing changes.
      same = await rescore('rescore, nothing changed');
      await database.system((tx) =>
        sql`update scoring_rules set points = case when points = 12 then 10 else 12 end
          where workspace_id = ${ws}::uuid and name = 'Referral'`.execute(tx),
      );
      ruleChange = await rescore('rescore after a rule change');
    }

    // Reading by score after the rescores: the list sorted by score (a lead list's "hottest first")
    // and filtered by it, through the record engine as the administrator, 10 times each.
    const admin = { kind: 'user' as const, userId, workspaceId: ws, role: 'administrator', scopes: [] };
    const timeList = async (opts: ListOptions) => {
      const ms: number[] = [];
      for (let i = 0; i < 11; i++) {
        const t = performance.now();
        await database.tenant(ws, (tx) => records.list(tx, admin, 'leads', opts));
        if (i > 0) ms.push(performance.now() - t);
      }
      ms.sort((a, b) => a - b);
      return `${(percentile(ms, 50) / 1000).toFixed(2)} s / ${(percentile(ms, 95) / 1000).toFixed(2)} s`;
    };
    const sortedBefore = load1();
    const sorted = await timeList({ sort: '-score', limit: 50 });
    const hottest = await timeList({
      filter: { field: 'score', op: 'gte', value: 70 },
      sort: '-score',
      limit: 50,
      count: true,
    });
    const readLoad = `${sortedBefore} → ${load1()}`;
    process.stderr.write(`  sorted by score: ${sorted}; score ≥ 70 with count: ${hottest} (load ${loadAverage()})\n`);

    const { rows: version } = await sql<{ v: string }>`select version() as v`.execute(database.db);
    const pgVersion = /PostgreSQL [\d.]+/.exec(version[0]?.v ?? '')?.[0] ?? 'PostgreSQL';
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const met = (ms: number) =>
      Number.isNaN(ms) ? '–' : n >= 1_000_000 ? (ms < 60_000 ? 'yes' : 'NO') : `(at ${n.toLocaleString('en')})`;
    addResults(`## Lead scoring: rescore ${n.toLocaleString('en')} leads — ${when} UTC

Machine: ${machine()}; ${pgVersion} on 127.0.0.1:5432, \`npm run bench:scoring\` (database \`${bench.name}\`, seeded by \`bench/bench-db.ts\`; the leads in a workspace of their own, so the rescore job covers exactly them; their ids are random, \`gen_random_uuid()\`). Three fit rules, two decaying engagement rules (cap, half-life); ${engaged.toLocaleString('en')} leads with three engagement events each. The rescore job's path (\`runRescore\`): chunks of 20,000 leads, each one transaction through the record engine's bulk path (\`systemBulkSet\`: version bump, no \`updatedAt\`, one audit row and one \`lead.bulk_updated\` event per chunk); leads reaching the threshold become MQLs one by one (a system write and \`lead.mql\` each). The baseline, in the same process: a raw \`UPDATE … FROM\` of the same computed scores in the same chunks (no version bump, audit, events or MQL pass). HOT: the share of the table's row updates during the run that PostgreSQL wrote in place (no index entries). A rescore is one background job, so there is no concurrent-clients row.

| run | time | leads/s | changed | HOT | target (1M) | met | load average (1 min) |
| --- | --- | --- | --- | --- | --- | --- | --- |
| first rescore (empty scores) | ${secs(first.ms)} | ${rate(n, first.ms)} | ${first.changed} | ${first.hot} | < 60 s | ${met(first.ms)} | ${first.load} |
| rescore with nothing to change | ${secs(same.ms)} | ${rate(n, same.ms)} | ${same.changed} | ${same.hot} | < 60 s | ${met(same.ms)} | ${same.load} |
| rescore after a fit rule's points change | ${secs(ruleChange.ms)} | ${rate(n, ruleChange.ms)} | ${ruleChange.changed} | ${ruleChange.hot} | < 60 s | ${met(ruleChange.ms)} | ${ruleChange.load} |
| raw SQL: UPDATE … FROM in the same chunks, same scores, from empty${rawLeads < n ? ` (the first ${rawLeads.toLocaleString('en')} leads)` : ''} | ${secs(rawMs)} | ${rate(rawLeads, rawMs)} | ${rawLeads} | ${rawHot} | – | – | ${rawLoad} |

MQLs made by the first rescore: ${Number(mqls[0]?.n).toLocaleString('en')}. Reading by score afterwards (record engine, administrator, p50 / p95 of 10): the list sorted by score, 50 leads: ${sorted}; score ≥ 70 sorted by score, with the count: ${hottest} (load ${readLoad}).`);
  } finally {
    await closeBench(bench);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
