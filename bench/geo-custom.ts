/**
 * Radius search on a custom address field (issue 19, migration 0063): the grid cells' GIN
 * index against the exact test alone (what a custom address cost before: a scan of the
 * workspace). PostgreSQL server, the bench database (bench/bench-db.ts; use your own with
 * RAPPORT_BENCH_DB), RAPPORT_BENCH_CONTACTS contacts (default 200,000) whose custom field
 * `site` holds their seeded coordinates (spread over Europe). For random centres: the
 * first page (50, newest first) within 50 km, the same sorted by distance, and the count
 * the exact test alone gives (which must equal the indexed count). SQL only: the condition
 * is the record engine's own (compileNear with the custom field's accessor).
 *
 * npm run bench:geo-custom (RAPPORT_BENCH_ITERATIONS, default 100).
 */
import { sql } from 'kysely';
import { compileNear, customGeoCells, type GeoAccessor } from '../server/platform/records/geo-filter';
import { closeBench, EUROPE, openBench } from './bench-db';

const CONTACTS = Number(process.env.RAPPORT_BENCH_CONTACTS ?? 200_000);
const ITERATIONS = Number(process.env.RAPPORT_BENCH_ITERATIONS ?? 100);
const RADIUS_KM = 50;

let seed = 7;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};

const exact: GeoAccessor = {
  lat: sql`(t.custom -> 'site' ->> 'latitude')::float8`,
  lng: sql`(t.custom -> 'site' ->> 'longitude')::float8`,
  part: () => sql`null`,
};
const indexed: GeoAccessor = { ...exact, cells: customGeoCells('t', 'site') };

const p = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? 0;

async function main() {
  const bench = await openBench({ contacts: CONTACTS });
  try {
    const ws = bench.workspaceId;
    await bench.database.system((tx) =>
      sql`update contacts set custom = custom || jsonb_build_object('site',
      jsonb_build_object('latitude', address_latitude, 'longitude', address_longitude))
      where workspace_id = ${ws}::uuid and not custom ? 'site' and address_latitude is not null`.execute(tx),
    );
    await bench.database.system((tx) => sql`analyze contacts`.execute(tx));
    const timings = { page: [] as number[], nearest: [] as number[], exact: [] as number[] };
    let plan = '';
    for (let i = 0; i < ITERATIONS; i++) {
      const value = {
        lat: EUROPE.lat[0] + random() * (EUROPE.lat[1] - EUROPE.lat[0]),
        lng: EUROPE.lng[0] + random() * (EUROPE.lng[1] - EUROPE.lng[0]),
        radiusKm: RADIUS_KM,
      };
      const near = compileNear(indexed, value, 'value');
      const alone = compileNear(exact, value, 'value');
      await bench.database.tenant(ws, async (tx) => {
        const time = async (q: ReturnType<typeof sql>) => {
          const t0 = performance.now();
          const { rows } = await q.execute(tx);
          return { ms: performance.now() - t0, rows: rows as Record<string, unknown>[] };
        };
        const page = await time(sql`select t.id from contacts_scoped t where t.deleted_at is null and ${near.cond}
        order by t.created_at desc, t.id desc limit 50`);
        const nearest = await time(sql`select t.id, ${near.distance} as d from contacts_scoped t
        where t.deleted_at is null and ${near.cond} order by d, t.id limit 50`);
        const counted = await time(
          sql`select count(*)::int as n from contacts_scoped t where t.deleted_at is null and ${near.cond}`,
        );
        const exactCount = await time(
          sql`select count(*)::int as n from contacts_scoped t where t.deleted_at is null and ${alone.cond}`,
        );
        if (counted.rows[0]?.n !== exactCount.rows[0]?.n)
          throw new Error(`indexed ${counted.rows[0]?.n} ≠ exact ${exactCount.rows[0]?.n} at ${JSON.stringify(value)}`);
        timings.page.push(page.ms);
        timings.nearest.push(nearest.ms);
        timings.exact.push(exactCount.ms);
        if (i === 0) {
          const { rows } = await sql<{
            'QUERY PLAN': string;
          }>`explain (analyze, buffers) select t.id from contacts_scoped t
          where t.deleted_at is null and ${near.cond} order by t.created_at desc, t.id desc limit 50`.execute(tx);
          plan = rows.map((r) => r['QUERY PLAN']).join('\n');
        }
      });
    }
    console.log(plan);
    console.log(`${CONTACTS.toLocaleString('en')} contacts, ${ITERATIONS} circles of ${RADIUS_KM} km, sequential, ms:`);
    for (const [name, xs] of Object.entries(timings))
      console.log(`  ${name.padEnd(8)} p50 ${p(xs, 0.5).toFixed(1)}  p95 ${p(xs, 0.95).toFixed(1)}`);
  } finally {
    await closeBench(bench);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
