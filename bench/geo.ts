/**
 * Radius and area search benchmark (npm run bench:geo): PostgreSQL server, the shared bench
 * database (bench/bench-db.ts: N contacts in the workspace 'Bench', default 1,000,000,
 * seeded with generate_series SQL with their coordinates spread uniformly over Europe at
 * city precision, so a 50 km circle holds about a thousandth of them, as real addresses
 * would). Lists the first page of contacts within 50 km of a random point
 * (`GET /api/v1/contacts?filter={"field":"address","op":"near",…}`, a real `rapport serve`
 * process, an API key) in the default order and by distance (the "near me" list), and
 * within a polygon of about the same area (`op: "within"`), each next to its raw SQL in the
 * same process, sequentially and with 16 concurrent clients. Checks first that the plans use
 * the latitude-band btree index (migration 0058) and print them. Target (issue 19): p95
 * under 50 ms at 1,000,000.
 *
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB), RAPPORT_BENCH_CONTACTS (default 1000000),
 * RAPPORT_BENCH_REUSE=1 to keep and reuse the seeded database, RAPPORT_BENCH_ITERATIONS (default 200).
 */
import http from 'node:http';
import pg from 'pg';
import { createApiKey } from '../server/platform/auth/api-keys.service';
import { bandsOf, circleBox, ringBox } from '../server/platform/records/geo-filter';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import {
  addResults,
  BENCH_CONTACTS,
  closeApiBench,
  EUROPE,
  keepAlive,
  loadAverage,
  machine,
  openBench,
  request,
  type Timed,
  timeConcurrent,
  timedTable,
  timeSequential,
} from './bench-db';

const ITERATIONS = Number(process.env.RAPPORT_BENCH_ITERATIONS ?? 200);
const WARMUP = 20;
const CLIENTS = 16;
const PER_CLIENT = 10;
const RADIUS_KM = 50;
const TARGET_MS = 50;
/** Half the side of the polygon workload's square, in degrees of latitude (~89 km across: the circle's area). */
const HALF_SIDE = 0.4;

// A fixed sequence of centres (reproducible runs).
let seed = 7;
const random = () => {
  seed = (seed * 16807) % 2147483647;
  return seed / 2147483647;
};
const centre = () => ({
  lat: EUROPE.lat[0] + random() * (EUROPE.lat[1] - EUROPE.lat[0]),
  lng: EUROPE.lng[0] + random() * (EUROPE.lng[1] - EUROPE.lng[0]),
});
/** A square of about the circle's area around a centre, RFC 7946 order (longitude, latitude), closed. */
const square = (c: { lat: number; lng: number }) => {
  const dLng = HALF_SIDE / Math.cos((c.lat * Math.PI) / 180);
  const [s, n, w, e] = [c.lat - HALF_SIDE, c.lat + HALF_SIDE, c.lng - dLng, c.lng + dLng];
  return [
    [w, s],
    [e, s],
    [e, n],
    [w, n],
    [w, s],
  ];
};

const EARTH_M = 6378168;
const CHORD = 2 * EARTH_M * Math.sin((RADIUS_KM * 1000) / (2 * EARTH_M));
const COLUMNS = `id, version, owner_id, tags, created_at, updated_at, first_name, last_name, email, title, account_id,
  lifecycle_stage, address_city, address_country, address_latitude, address_longitude`;
/** The box of the circle or polygon as the index reads it (geo-filter.ts): bands, longitudes, latitudes ($5–$9). */
const BOX = `rapport_geoband(address_latitude, address_longitude) = any($5::int[]) and address_longitude between $6 and $7 and address_latitude between $8 and $9`;
const NEAR = `cube_enlarge(rapport_earth($2, $3), $4, 3) @> rapport_earth(address_latitude, address_longitude)
    and cube_distance(rapport_earth($2, $3), rapport_earth(address_latitude, address_longitude)) <= $4`;
const DIST = `round((earth_distance(ll_to_earth($2, $3), ll_to_earth(address_latitude, address_longitude)) / 1000)::numeric, 3) as distance_km`;
const BY_DISTANCE = `cube_distance(rapport_earth($2, $3), rapport_earth(address_latitude, address_longitude)), id`;
/** As the API runs it: the page's ids from the index, then those rows. */
const page = (select: string, where: string, order: string) => `select ${select} from contacts
  where workspace_id = $1 and id in (select id from contacts where workspace_id = $1 and deleted_at is null
    and ${BOX} and ${where} order by ${order} limit 51)
  order by ${order}`;
const RAW_NEAR = page(`${COLUMNS}, ${DIST}`, NEAR, 'created_at desc, id desc');
const RAW_NEAR_BY_DISTANCE = page(`${COLUMNS}, ${DIST}`, NEAR, BY_DISTANCE);
/** The polygon: the cube around its circumscribed circle (as before the band index), then the point in the polygon. */
const RAW_WITHIN = page(
  COLUMNS,
  `cube_enlarge(rapport_earth($2, $3), $4, 3) @> rapport_earth(address_latitude, address_longitude)
    and $10::polygon @> point(address_longitude, address_latitude)`,
  'created_at desc, id desc',
);
const boxArgs = (box: ReturnType<typeof circleBox>) => [bandsOf(box), box.west, box.east, box.south, box.north];

async function main() {
  const bench = await openBench({ contacts: BENCH_CONTACTS });
  const { database, workspaceId } = bench;
  const raw = new pg.Pool({ connectionString: bench.url, max: CLIENTS });
  const agentMany = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let server: ServerProcess | undefined;
  try {
    await raw.query('checkpoint');
    const nearArgs = () => {
      const c = centre();
      return [workspaceId, c.lat, c.lng, CHORD, ...boxArgs(circleBox(c.lat, c.lng, RADIUS_KM))];
    };
    const withinArgs = () => {
      const c = centre();
      const ring = square(c);
      // The circle through the square's corners (as compileWithin does: its bounding box's half-diagonal, + 1%, + 1 km).
      const reachKm = Math.hypot(HALF_SIDE * 111.2, HALF_SIDE * 111.2) * 1.01 + 1;
      return [
        workspaceId,
        c.lat,
        c.lng,
        2 * EARTH_M * Math.sin((reachKm * 1000) / (2 * EARTH_M)),
        ...boxArgs(ringBox(ring as [number, number][])),
        `(${ring.map(([x, y]) => `(${x},${y})`).join(',')})`,
      ];
    };
    for (const [name, q, args] of [
      ['near', RAW_NEAR, nearArgs()],
      ['near by distance', RAW_NEAR_BY_DISTANCE, nearArgs()],
      ['within', RAW_WITHIN, withinArgs()],
    ] as const) {
      const plan = (await raw.query(`explain (analyze, buffers) ${q}`, args)).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      process.stderr.write(`raw ${name} plan:\n${plan}\n`);
      if (!plan.includes('contacts_address_geo_idx'))
        throw new Error(`the ${name} query does not use the index:\n${plan}`);
    }
    const key = (await createApiKey(database, workspaceId, { name: 'bench', role: 'administrator', createdBy: null }))
      .key;
    server = await startServerProcess({
      DATABASE_URL: bench.url,
      RAPPORT_RATE_LIMIT: '0',
      RAPPORT_SEED_DEMO: '0',
      LOG_LEVEL: 'warn',
    });
    const address = server.url;
    const check = (r: { status: number; body: string }) => {
      if (r.status >= 300) throw new Error(`API error ${r.status}: ${r.body.slice(0, 300)}`);
      return r;
    };
    const nearPath = (sort: string) => {
      const c = centre();
      const filter = { field: 'address', op: 'near', value: { lat: c.lat, lng: c.lng, radiusKm: RADIUS_KM } };
      return `/api/v1/contacts?limit=50${sort}&filter=${encodeURIComponent(JSON.stringify(filter))}`;
    };
    const withinPath = () => {
      const filter = {
        field: 'address',
        op: 'within',
        value: { polygon: { type: 'Polygon', coordinates: [square(centre())] } },
      };
      return `/api/v1/contacts?limit=50&filter=${encodeURIComponent(JSON.stringify(filter))}`;
    };
    // The API and the raw SQL agree on a fixed centre.
    {
      const c = { lat: 48.2, lng: 11.5 };
      const filter = { field: 'address', op: 'near', value: { lat: c.lat, lng: c.lng, radiusKm: RADIUS_KM } };
      const api = JSON.parse(
        check(
          await request(
            address,
            key,
            'GET',
            `/api/v1/contacts?limit=50&sort=distance&filter=${encodeURIComponent(JSON.stringify(filter))}`,
          ),
        ).body,
      ).data.map((r: { id: string }) => r.id);
      const sqlIds = (
        await raw.query(RAW_NEAR_BY_DISTANCE, [
          workspaceId,
          c.lat,
          c.lng,
          CHORD,
          ...boxArgs(circleBox(c.lat, c.lng, RADIUS_KM)),
        ])
      ).rows
        .slice(0, 50)
        .map((r) => r.id);
      // The same nearest 50 (the order may differ where distances tie at the API's 3 decimals).
      const shared = api.filter((id: string) => sqlIds.includes(id)).length;
      if (shared < 45) throw new Error(`the API and the raw SQL share only ${shared} of the nearest 50`);
    }
    const counts: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { rows } = await raw.query(
        `select count(*)::int as n from contacts where workspace_id = $1 and deleted_at is null and ${BOX} and ${NEAR}`,
        nearArgs(),
      );
      counts.push(rows[0].n);
    }

    const rows: (Timed & { target?: number })[] = [];
    const seq = async (name: string, fn: () => Promise<unknown>, target?: number) => {
      rows.push({ ...(await timeSequential(name, ITERATIONS, WARMUP, fn)), target });
      process.stderr.write(`  ${name}: done (load ${loadAverage()})\n`);
    };
    const get = (path: string, via = keepAlive) => request(address, key, 'GET', path, undefined, via).then(check);
    await seq(`API: near, ${RADIUS_KM} km, first page (newest first)`, () => get(nearPath('')), TARGET_MS);
    await seq('raw SQL: the same', () => raw.query(RAW_NEAR, nearArgs()));
    await seq(
      `API: near me, ${RADIUS_KM} km, first page by distance`,
      () => get(nearPath('&sort=distance')),
      TARGET_MS,
    );
    await seq('raw SQL: the same', () => raw.query(RAW_NEAR_BY_DISTANCE, nearArgs()));
    await seq('API: within a polygon (~89 km square), first page', () => get(withinPath()), TARGET_MS);
    await seq('raw SQL: the same', () => raw.query(RAW_WITHIN, withinArgs()));
    rows.push({
      ...(await timeConcurrent(`API: near me by distance, ${CLIENTS} concurrent clients`, CLIENTS, PER_CLIENT, () =>
        get(nearPath('&sort=distance'), agentMany),
      )),
      target: TARGET_MS,
    });
    rows.push(
      await timeConcurrent(`raw SQL: the same, ${CLIENTS} concurrent clients`, CLIENTS, PER_CLIENT, () =>
        raw.query(RAW_NEAR_BY_DISTANCE, nearArgs()),
      ),
    );
    const avg = Math.round(counts.reduce((a, b) => a + b, 0) / counts.length);
    const report = [
      `## Geo: ${RADIUS_KM} km radius and polygon over ${BENCH_CONTACTS.toLocaleString('en')} geocoded contacts — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `Machine: ${machine()}; PostgreSQL server on 127.0.0.1:5432, \`npm run bench:geo\` (database \`${bench.name}\`, seeded by \`bench/bench-db.ts\`). ` +
        `Points spread uniformly over Europe; a random centre per request (about ${avg.toLocaleString('en')} contacts within ${RADIUS_KM} km). ` +
        `Btree index on (workspace, latitude band, longitude, latitude) INCLUDE (created_at, id, owner, team) of migration 0058 (the plans are checked to use it). Sequential: ${ITERATIONS} requests after ${WARMUP} warm-up; ` +
        `concurrent: ${CLIENTS} clients × ${PER_CLIENT}. The API is a separate \`rapport serve\` process over HTTP keep-alive; each raw SQL row is the query the API runs for it, through \`pg\` from the benchmark process.`,
      ...(process.env.RAPPORT_BENCH_NOTE ? ['', process.env.RAPPORT_BENCH_NOTE] : []),
      '',
      timedTable(rows),
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
