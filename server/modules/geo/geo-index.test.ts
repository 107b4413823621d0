import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilterNode } from '../../../common/filter';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { objectDDL } from '../../platform/records/ddl';
import {
  bandsOf,
  circleBox,
  compileNear,
  compileWithin,
  coverCells,
  customGeoCells,
  distanceKm,
  type GeoAccessor,
  geoBand,
  MAX_CELLS,
  pointCells,
  ringBox,
} from '../../platform/records/geo-filter';
import { loadSchemas, type ObjectSchema } from '../../platform/records/object-schema';
import { compileFilter } from '../../platform/records/query';
import { STANDARD_OBJECTS } from '..';

/**
 * Issue 19: the near / within filters use the latitude-band btree (migration 0058) on a
 * built-in address and the grid cells' GIN (migration 0063) on a custom address field
 * (`site`), and answer exactly what the exact tests alone answer, where the bands, cells
 * and boxes are easiest to get wrong: on band and cell borders, across the antimeridian,
 * around the poles.
 */
describe('geo band index', () => {
  let t: TestApp;
  let admin: SignedUp;
  const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));

  // Points where a wrong band or box would lose matches (lat, lng).
  const points: [number, number][] = [];
  for (const lat of [-90, -89.95, -89.9, -89.5, -45, -0.1, 0, 0.1, 44.9, 45, 45.1, 45.3, 89.9, 89.95, 90]) {
    for (const lng of [-180, -179.99, -179.9, -179.5, -90, -0.05, 0, 0.05, 90, 179.5, 179.9, 179.99, 180]) {
      points.push([lat, lng]);
    }
  }
  // A fixed pseudo-random scatter over the globe (reproducible).
  let seed = 19;
  const random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  for (let i = 0; i < 150; i++) points.push([-90 + random() * 180, -180 + random() * 360]);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Bands Co', name: 'Ada Admin' });
    const field = await client(t, admin).post('/api/v1/objects/contacts/fields', {
      name: 'site',
      type: 'address',
      label: 'Site',
    });
    expect(field.statusCode, field.body).toBe(201);
    // The custom address holds the next record's point (so it differs from the built-in
    // one), and every tenth record has none.
    const records = points.map(([latitude, longitude], i) => {
      const [siteLat, siteLng] = points[(i + 1) % points.length] as [number, number];
      return {
        lastName: `P${i}`,
        address: { latitude, longitude, geoPrecision: 'manual', geoSource: 'user' },
        ...(i % 10 === 9 ? {} : { site: { city: `Site ${i}`, latitude: siteLat, longitude: siteLng } }),
      };
    });
    const res = await client(t, admin).post('/api/v1/contacts/batch', { mode: 'create', atomic: true, records });
    expect(res.statusCode, res.body).toBeLessThan(300);
  });
  afterAll(() => t.stop());

  /** Every id the API lists for a filter (all pages). */
  const apiIds = async (filter: unknown) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await client(t, admin).get(
        `/api/v1/contacts?limit=200&filter=${q(filter)}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { data: { id: string }[]; page: { nextCursor: string | null } };
      ids.push(...body.data.map((r) => r.id));
      cursor = body.page.nextCursor;
    } while (cursor);
    return ids.sort();
  };

  /** The address as the filters see it; without the band, a leaf is the exact test alone (as before the index). */
  const exact: GeoAccessor = {
    lat: sql.ref('t.address_latitude'),
    lng: sql.ref('t.address_longitude'),
    part: () => sql`null`,
  };
  const banded: GeoAccessor = { ...exact, band: sql`rapport_geoband(t.address_latitude, t.address_longitude)` };
  /** The custom address `site` as the filters read it; with its cells, the index (0063). */
  const siteExact: GeoAccessor = {
    lat: sql`(t.custom -> 'site' ->> 'latitude')::float8`,
    lng: sql`(t.custom -> 'site' ->> 'longitude')::float8`,
    part: () => sql`null`,
  };
  const siteCells: GeoAccessor = { ...siteExact, cells: customGeoCells('t', 'site') };
  /** Each address field: its name, the exact test alone, and the test with its index. */
  const FIELDS = [
    { field: 'address', exact, indexed: banded },
    { field: 'site', exact: siteExact, indexed: siteCells },
  ] as const;

  /** The ids a condition on alias t accepts among the live contacts. */
  const idsWhere = (cond: ReturnType<typeof sql>) =>
    t.database.tenant(admin.workspaceId, async (tx) =>
      (
        await sql<{ id: string }>`select t.id from contacts_scoped t where t.deleted_at is null and ${cond}`.execute(tx)
      ).rows
        .map((r) => r.id)
        .sort(),
    );

  it('computes the same band in SQL (the index expression) as in JavaScript, on and beside every border', async () => {
    const lats = [-90, 90, 89.95, 89.9999999, -89.9999999, 0, -0, 1e-300, -1e-300];
    for (let k = 0; k <= 1800; k += 7) {
      const border = k / 10 - 90;
      lats.push(border, border + 1e-9, border - 1e-9, (k + 0.5) / 10 - 90);
    }
    const valid = lats.filter((l) => l >= -90 && l <= 90);
    const sqlBands = await t.database.tenant(admin.workspaceId, async (tx) =>
      (
        await sql<{
          b: number;
        }>`select rapport_geoband(x, 0) as b from unnest(${valid}::float8[]) with ordinality u(x, n) order by n`.execute(
          tx,
        )
      ).rows.map((r) => r.b),
    );
    expect(sqlBands).toEqual(valid.map(geoBand));
    // The index's expression over the stored coordinates gives that band.
    const stored = await t.database.tenant(
      admin.workspaceId,
      async (tx) =>
        (
          await sql<{
            lat: number;
            b: number;
          }>`select address_latitude as lat, rapport_geoband(address_latitude, address_longitude) as b from contacts_scoped`.execute(
            tx,
          )
        ).rows,
    );
    expect(stored.length).toBe(points.length);
    for (const r of stored) expect(r.b, `latitude ${r.lat}`).toBe(geoBand(r.lat));
    expect(geoBand(-90)).toBe(0);
    expect(geoBand(90)).toBe(1799);
    expect(geoBand(45)).toBe(1350);
    expect(geoBand(44.99999)).toBe(1349);
  });

  it('boxes a circle across the antimeridian or over a pole with every longitude', () => {
    expect(circleBox(0, 179.9, 50)).toMatchObject({ west: -180, east: 180 });
    expect(circleBox(0, -179.9, 50)).toMatchObject({ west: -180, east: 180 });
    expect(circleBox(89.9, 0, 50)).toMatchObject({ north: 90, west: -180, east: 180 });
    expect(circleBox(-89.9, 30, 50)).toMatchObject({ south: -90, west: -180, east: 180 });
    const lyon = circleBox(45.76, 4.84, 50);
    expect(lyon.west).toBeGreaterThan(4);
    expect(lyon.east).toBeLessThan(5.7);
    expect(bandsOf(lyon)).toEqual(Array.from({ length: 10 }, (_, i) => 1353 + i));
    expect(
      bandsOf(
        ringBox([
          [0, 45],
          [1, 45],
          [1, 45.2],
          [0, 45],
        ]),
      ),
    ).toEqual([1349, 1350, 1351, 1352]);
  });

  const circles: [number, number, number][] = [
    [0, 179.95, 30], // across the antimeridian, from the east
    [0, -179.95, 30], // and from the west
    [45.05, 180, 100],
    [-45, -180, 20],
    [89.9, 0, 40], // over the north pole
    [89.5, 120, 60],
    [-89.95, -60, 15], // over the south pole
    [45, 0.05, 12], // centred on a band border
    [45.1, 0, 11.13], // a radius of about one band
    [0, 0, 1],
    [0.1, -0.05, 0.5],
    [30, 60, 5000],
    [-10, -150, 15000],
    [0, 0, 20000], // the whole earth
  ];
  for (let i = 0; i < 15; i++) circles.push([-90 + random() * 180, -180 + random() * 360, 1 + random() * 3000]);

  it.each(FIELDS)('lists exactly what the exact distance test accepts, for circles anywhere ($field)', async (f) => {
    let matched = 0;
    for (const [lat, lng, radiusKm] of circles) {
      const value = { lat, lng, radiusKm };
      const expected = await idsWhere(compileNear(f.exact, value, 'value').cond);
      expect(await idsWhere(compileNear(f.indexed, value, 'value').cond)).toEqual(expected);
      const got = await apiIds({ field: f.field, op: 'near', value });
      expect(got, `near ${lat}, ${lng}, ${radiusKm} km`).toEqual(expected);
      matched += got.length;
    }
    expect(matched).toBeGreaterThan(100); // the circles do hold points
  });

  it.each(FIELDS)(
    'lists exactly the points in a polygon, with its edges on band borders and at the antimeridian ($field)',
    async (f) => {
      const polygons: [number, number][][] = [
        // Edges on band borders (latitudes 45.0 and 45.3), points on them included.
        [
          [-0.05, 45],
          [0.05, 45],
          [0.05, 45.3],
          [-0.05, 45.3],
          [-0.05, 45],
        ],
        // Up to the antimeridian on both sides (planar in longitude-latitude).
        [
          [179.5, -0.1],
          [180, -0.1],
          [180, 0.1],
          [179.5, 0.1],
          [179.5, -0.1],
        ],
        [
          [-180, -1],
          [-179.9, -1],
          [-179.9, 45.1],
          [-180, 45.1],
          [-180, -1],
        ],
        // Up to the north pole.
        [
          [-180, 89.9],
          [180, 89.9],
          [180, 90],
          [-180, 90],
          [-180, 89.9],
        ],
        // A triangle crossing many bands.
        [
          [-90, -45],
          [90, -0.1],
          [0, 89.95],
          [-90, -45],
        ],
      ];
      for (const ring of polygons) {
        const xs = ring.map(([x, y]) => `(${x},${y})`).join(',');
        const value = { polygon: { type: 'Polygon', coordinates: [ring] } };
        const expected = await idsWhere(compileWithin(f.exact, value, 'value'));
        expect(await idsWhere(compileWithin(f.indexed, value, 'value'))).toEqual(expected);
        const got = await apiIds({ field: f.field, op: 'within', value });
        expect(got, `within ${xs}`).toEqual(expected);
        expect(got.length, `within ${xs}`).toBeGreaterThan(0);
      }
    },
  );

  it('answers near with the band index', async () => {
    const near = compileNear(banded, { lat: 45.76, lng: 4.84, radiusKm: 50 }, 'filter.value');
    // Statistics as autovacuum would have them (a fresh table has none).
    await t.database.system((tx) => sql`analyze contacts`.execute(tx));
    const plan = await t.database.tenant(admin.workspaceId, async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select t.id from contacts_scoped t
        where t.deleted_at is null and ${near.cond}`.execute(tx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('contacts_address_geo_idx');
    expect(plan).toMatch(/Index Cond: .*rapport_geoband|Index Cond: .*= ANY/);
  });

  /** The plan of the record engine's own condition for a filter on contacts (its compiler, the workspace's schema). */
  const planOf = async (filter: FilterNode) => {
    await t.database.system((tx) => sql`analyze contacts`.execute(tx));
    return t.database.tenant(admin.workspaceId, async (tx) => {
      const schemas = await loadSchemas(tx, t.records.registry);
      const cond = compileFilter(schemas.get('contacts') as ObjectSchema, filter, { schemas });
      await sql`set local enable_seqscan = off`.execute(tx);
      const { rows } = await sql<{ 'QUERY PLAN': string }>`explain select t.id from contacts_scoped t
        where t.deleted_at is null and ${cond}`.execute(tx);
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
  };

  it('answers near and within on a custom address field with its cells index', async () => {
    const near = await planOf({ field: 'site', op: 'near', value: { lat: 45.76, lng: 4.84, radiusKm: 50 } });
    expect(near).toMatch(/Bitmap Index Scan on contacts_custom_geo_idx/);
    expect(near).toMatch(/Index Cond: \(rapport_geocells\(/);
    const ring = [
      [4, 45],
      [5, 45],
      [5, 46],
      [4, 45],
    ];
    const within = await planOf({
      field: 'site',
      op: 'within',
      value: { polygon: { type: 'Polygon', coordinates: [ring] } },
    });
    expect(within).toMatch(/Bitmap Index Scan on contacts_custom_geo_idx/);
  });

  it('computes the same cells in SQL (the index expression) as in JavaScript, on and beside every border', async () => {
    const pairs: [number, number][] = [];
    const near = (b: number) => [b, b + 1e-9, b - 1e-9, b + 0.05];
    for (let k = 0; k <= 1800; k += 13) for (const lat of near(k / 10 - 90)) pairs.push([lat, (k % 360) - 180]);
    for (let k = 0; k <= 3600; k += 17) for (const lng of near(k / 10 - 180)) pairs.push([(k % 180) - 90, lng]);
    for (const lat of [-90, 90, 0, 89.9999999]) for (const lng of [-180, 180, 0, 179.9999999]) pairs.push([lat, lng]);
    const valid = pairs.filter(([lat, lng]) => Math.abs(lat) <= 90 && Math.abs(lng) <= 180);
    const sqlCells = await t.database.tenant(admin.workspaceId, async (tx) =>
      (
        await sql<{ c: number[] }>`select rapport_geocell_ids(x, y) as c
          from unnest(${valid.map((p) => p[0])}::float8[], ${valid.map((p) => p[1])}::float8[]) with ordinality u(x, y, n)
          order by n`.execute(tx)
      ).rows.map((r) => r.c.map(Number)),
    );
    expect(sqlCells).toEqual(valid.map(([lat, lng]) => pointCells(lat, lng)));
    // A 50 km circle at Lyon is its 0.1° cells; a continent, 1° or 10° ones; the earth, one key.
    const lyon = coverCells(circleBox(45.76, 4.84, 50));
    expect(lyon.length).toBeLessThanOrEqual(MAX_CELLS);
    expect(lyon.every((c) => c < 10_000_000)).toBe(true);
    expect(coverCells(circleBox(30, 60, 5000)).every((c) => c >= 10_000_000 && c < 30_000_000)).toBe(true);
    expect(coverCells(circleBox(0, 0, 20000))).toEqual([30_000_000]);
  });

  it('indexes only address-shaped values, and no json value can make a write fail', async () => {
    // What the index holds for a record is its expression: the keys of its custom address,
    // none for a json value that only looks like one, and an out-of-range number is no error.
    const keys = await t.database.tenant(
      admin.workspaceId,
      async (tx) =>
        (
          await sql<{ n: number; text: number; two: number; odd: number | null; none: number | null }>`select
          cardinality(rapport_geocells(${admin.workspaceId}::uuid, '{"site": {"latitude": 45.76, "longitude": 4.84}}'::jsonb)) as n,
          cardinality(rapport_geocells(${admin.workspaceId}::uuid, '{"site": {"latitude": " 45.76", "longitude": "4.8e0"}}'::jsonb)) as text,
          cardinality(rapport_geocells(${admin.workspaceId}::uuid, '{"a": {"latitude": 1, "longitude": 2}, "b": {"latitude": -90, "longitude": 180}}'::jsonb)) as two,
          cardinality(rapport_geocells(${admin.workspaceId}::uuid, '{"j": {"latitude": 1e400, "longitude": 1e-400},
            "k": {"latitude": "x", "longitude": 1}, "m": {"latitude": 91, "longitude": 1}, "n": {"latitude": 1, "longitude": -180.5},
            "o": {"latitude": 1e-400, "longitude": 1}, "p": [1], "q": 2, "r": "s", "s": null}'::jsonb)) as odd,
          cardinality(rapport_geocells(${admin.workspaceId}::uuid, '{}'::jsonb)) as none`.execute(tx)
        ).rows[0],
    );
    expect(keys).toEqual({ n: 4, text: 4, two: 8, odd: null, none: null });
    // Nor does writing such a value fail: a json custom field holding it is indexed as nothing.
    const api = client(t, admin);
    const field = await api.post('/api/v1/objects/contacts/fields', { name: 'extra', type: 'json', label: 'Extra' });
    expect(field.statusCode, field.body).toBe(201);
    for (const extra of [
      { latitude: '1e-400', longitude: 1e300 },
      { latitude: 'north', longitude: [1] },
      { latitude: 45.76, longitude: 4.84 },
    ]) {
      const made = await api.post('/api/v1/contacts', { lastName: 'Odd', extra });
      expect(made.statusCode, made.body).toBe(201);
    }
  });

  it('follows a custom address through update, soft delete and restore, and sorts it by distance', async () => {
    const api = client(t, admin);
    const created = await api.post('/api/v1/contacts', {
      lastName: 'Mover',
      site: { city: 'Lyon', country: 'FR', latitude: 45.76, longitude: 4.84 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const id = (created.json() as { data: { id: string } }).data.id;
    const lyon = { field: 'site', op: 'near', value: { lat: 45.76, lng: 4.84, radiusKm: 5 } };
    const tokyo = { field: 'site', op: 'near', value: { lat: 35.68, lng: 139.69, radiusKm: 5 } };
    expect(await apiIds(lyon)).toContain(id);
    const moved = await api.patch(`/api/v1/contacts/${id}`, {
      site: { city: 'Tokyo', country: 'JP', latitude: 35.68, longitude: 139.69 },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(await apiIds(lyon)).not.toContain(id);
    expect(await apiIds(tokyo)).toContain(id);
    expect((await api.del(`/api/v1/contacts/${id}`)).statusCode).toBeLessThan(300);
    expect(await apiIds(tokyo)).not.toContain(id);
    const restored = await api.post(`/api/v1/contacts/${id}/restore`, {});
    expect(restored.statusCode, restored.body).toBe(200);
    expect(await apiIds(tokyo)).toContain(id);

    // sort=distance and distanceKm on the custom field: nearest first, each its great-circle distance.
    const centre = { lat: 45, lng: 0 };
    const filter = { field: 'site', op: 'near', value: { ...centre, radiusKm: 3000 } };
    const res = await api.get(`/api/v1/contacts?limit=200&sort=distance&fields=lastName,site&filter=${q(filter)}`);
    expect(res.statusCode, res.body).toBe(200);
    const data = (
      res.json() as { data: { id: string; distanceKm: number; site: { latitude: number; longitude: number } }[] }
    ).data;
    expect(data.length).toBeGreaterThan(3);
    expect(data.map((r) => r.id).sort()).toEqual(await apiIds(filter));
    const distances = data.map((r) => r.distanceKm);
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    for (const r of data) {
      expect(r.distanceKm).toBeCloseTo(distanceKm(centre.lat, centre.lng, r.site.latitude, r.site.longitude), 1);
    }
    const desc = await api.get(`/api/v1/contacts?limit=200&sort=-distance&filter=${q(filter)}`);
    const far = (desc.json() as { data: { distanceKm: number }[] }).data.map((r) => r.distanceKm);
    expect(far).toEqual([...distances].sort((a, b) => b - a));
  });

  it('has the custom address index on every object table (migration 0063 = ddl.ts)', async () => {
    const { rows } = await t.database.system((tx) =>
      sql<{ indexname: string }>`select indexname from pg_indexes where indexname like '%custom_geo_idx'`.execute(tx),
    );
    const have = new Set(rows.map((r) => r.indexname));
    const target = (name: string) => STANDARD_OBJECTS.find((o) => o.name === name);
    for (const def of STANDARD_OBJECTS) {
      expect(have.has(`${def.table}_custom_geo_idx`), def.table).toBe(true);
      expect(objectDDL(def, target)).toContain(`CREATE INDEX ${def.table}_custom_geo_idx ON ${def.table} USING gin`);
    }
  });
});
