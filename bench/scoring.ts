/**
 * Lead scoring rescore benchmark (npm run bench:scoring): PostgreSQL server, N leads in one
 * workspace (default 1,000,000), three fit rules and two decaying engagement rules, with
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
import { sql } from 'kysely';
import { requestRescore, runRescore } from '../server/modules/scoring/rescore';
import { createRule, updateSettings } from '../server/modules/scoring/rules.service';
import { fitConditions, loadRules, scoreSource } from '../server/modules/scoring/score-engine';
import { loadConfig } from '../server/platform/config';
import { loadSchemas } from '../server/platform/records/object-schema';
import { signUp } from '../server/platform/workspaces/identity.service';
import { startRuntime } from '../server/runtime';
import { addResults, databaseUrl, dropUnlessReused, ensureDatabase } from './bench-db';

const LEADS = Number(process.env.RAPPORT_BENCH_LEADS ?? 1_000_000);
const DB_NAME = `rapport_bench_scoring_${LEADS}`;
const CHUNK = 50_000;
const TITLES = ['Director of IT', 'Engineer', 'Chief Marketing Officer', 'Analyst', 'VP Sales', 'Intern', 'Manager'];

const dbUrl = databaseUrl(DB_NAME);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString('en')}/s`;

async function main() {
  const reused = await ensureDatabase(DB_NAME, async (db) => {
    const { rows } = await db.query(`select count(*)::int as n from leads`);
    return rows[0].n >= LEADS;
  });
  const config = loadConfig({ databaseUrl: dbUrl, logLevel: 'silent', seedDemo: false, poolSize: 4 }, {});
  const runtime = await startRuntime(config, { backgroundWork: false });
  const { database, records, jobs } = runtime;
  try {
    let ws: string;
    let userId: string;
    if (!reused) {
      const main = await signUp(
        { database, auth: runtime.auth },
        { name: 'Bench', email: 'bench@scoring.example', password: 'bench main passphrase', workspaceName: 'Scoring' },
        {},
      );
      ws = main.data.workspace.id;
      userId = main.data.user?.id as string;
      const t0 = Date.now();
      for (let from = 1; from <= LEADS; from += CHUNK) {
        const to = Math.min(LEADS, from + CHUNK - 1);
        await database.system((tx) =>
          sql`insert into leads (workspace_id, id, last_name, email, title, company, employees, source, status, owner_id)
            select ${ws}::uuid, gen_random_uuid(), 'Lead ' || i, 'lead' || i || '@example.com',
              (${TITLES}::text[])[1 + i % ${TITLES.length}], 'Company ' || (i % 5000), (i * 7919) % 2000,
              (array['website','referral','event','advertising'])[1 + i % 4], 'new', ${userId}::uuid
            from generate_series(${from}::int, ${to}::int) i`.execute(tx),
        );
        process.stdout.write(`\rseeded ${to.toLocaleString('en')} leads`);
      }
      process.stdout.write(` in ${secs(Date.now() - t0)}\n`);
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
      await sql`vacuum analyze`.execute(database.db);
    } else {
      const { rows } = await sql<{ id: string }>`select id from workspaces where name = 'Scoring'`.execute(database.db);
      ws = rows[0]?.id as string;
      await database.system((tx) =>
        sql`update leads set score = null, fit_score = null, engagement_score = null, grade = null, mql_at = null,
          qualification = null, status = 'new' where workspace_id = ${ws}::uuid`.execute(tx),
      );
    }
    const { rows: counted } = await sql<{ n: string; engaged: string }>`select
      (select count(*) from leads where workspace_id = ${ws}::uuid) as n,
      (select count(distinct record_id) from score_contributions where workspace_id = ${ws}::uuid) as engaged`.execute(
      database.db,
    );
    const n = Number(counted[0]?.n);
    const engaged = Number(counted[0]?.engaged);

    const rescore = async (label: string) => {
      const r = await database.tenant(ws, (tx) => requestRescore(tx, jobs, ws, label));
      const t0 = performance.now();
      await runRescore(database, records, ws, r.id, new Date());
      const ms = performance.now() - t0;
      const { rows } = await sql<{
        changed: number;
      }>`select changed from scoring_rescores where id = ${r.id}::uuid`.execute(database.db);
      console.log(`${label}: ${secs(ms)} (${rows[0]?.changed} changed)`);
      return { ms, changed: rows[0]?.changed ?? 0 };
    };
    const first = await rescore('first rescore (empty scores)');
    const { rows: mqls } = await sql<{ n: string }>`select count(*) as n from leads
      where workspace_id = ${ws}::uuid and qualification = 'mql'`.execute(database.db);
    const same = await rescore('rescore, nothing changed');
    await database.system((tx) =>
      sql`update scoring_rules set points = 12 where workspace_id = ${ws}::uuid and name = 'Referral'`.execute(tx),
    );
    const ruleChange = await rescore('rescore after a rule change');

    // Raw-SQL baseline: the same computed scores in one UPDATE … FROM, nothing else.
    await database.system((tx) =>
      sql`update leads set score = null, fit_score = null, engagement_score = null, grade = null
        where workspace_id = ${ws}::uuid`.execute(tx),
    );
    const t0 = performance.now();
    await database.tenant(ws, async (tx) => {
      const rules = await loadRules(tx, ws, { object: 'leads', kind: 'fit', activeOnly: true });
      const fit = fitConditions(await loadSchemas(tx, records.registry), 'leads', rules);
      const source = scoreSource({
        ws,
        object: 'leads',
        table: 'leads',
        fit,
        now: new Date(),
        threshold: 70,
        where: sql`true`,
      });
      await sql`update leads t set score = s.score, fit_score = s.fit_score, engagement_score = s.engagement_score,
        grade = s.grade from (${source}) s where t.workspace_id = ${ws}::uuid and t.id = s.id`.execute(tx);
    });
    const rawMs = performance.now() - t0;
    console.log(`raw SQL baseline: ${secs(rawMs)}`);

    const { rows: version } = await sql<{ v: string }>`select version() as v`.execute(database.db);
    const pgVersion = /PostgreSQL [\d.]+/.exec(version[0]?.v ?? '')?.[0] ?? 'PostgreSQL';
    const date = new Date().toISOString().slice(0, 10);
    addResults(`## ${date} — lead scoring: rescore ${n.toLocaleString('en')} leads (\`npm run bench:scoring\`)

Machine: ${os.cpus()[0]?.model ?? 'CPU'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${pgVersion}. Three fit rules, two decaying engagement rules (cap, half-life); ${engaged.toLocaleString('en')} leads with three engagement events each. Chunks of 20,000 leads, each one transaction through the record engine's bulk path (\`systemBulkSet\`: version bump, one audit row and one \`lead.bulk_updated\` event per chunk); leads reaching the threshold become MQLs one by one (a system write and \`lead.mql\` each).

| run                                   | time | leads/s | changed | target (1M) | met |
| ------------------------------------- | ---- | ------- | ------- | ----------- | --- |
| first rescore (empty scores)          | ${secs(first.ms)} | ${rate(n, first.ms)} | ${first.changed} | < 60 s | ${n >= 1_000_000 ? (first.ms < 60_000 ? 'yes' : 'NO') : `(at ${n.toLocaleString('en')})`} |
| rescore with nothing to change        | ${secs(same.ms)} | ${rate(n, same.ms)} | ${same.changed} | < 60 s | ${n >= 1_000_000 ? (same.ms < 60_000 ? 'yes' : 'NO') : '–'} |
| rescore after a fit rule's points change | ${secs(ruleChange.ms)} | ${rate(n, ruleChange.ms)} | ${ruleChange.changed} | < 60 s | ${n >= 1_000_000 ? (ruleChange.ms < 60_000 ? 'yes' : 'NO') : '–'} |
| raw SQL: one UPDATE … FROM, same scores | ${secs(rawMs)} | ${rate(n, rawMs)} | ${n} | – | – |

MQLs made by the first rescore: ${Number(mqls[0]?.n).toLocaleString('en')}.`);
  } finally {
    await runtime.close();
    await dropUnlessReused(DB_NAME);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
