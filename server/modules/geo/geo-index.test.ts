import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import {
  bandsOf,
  circleBox,
  compileNear,
  compileWithin,
  type GeoAccessor,
  geoBand,
  ringBox,
} from '../../platform/records/geo-filter';

/**
 * Issue 19: the near / within filters use the latitude-band btree (migration 0058) and
 * answer exactly what the exact tests alone answer, where the bands and boxes are easiest
 * to get wrong: on band borders, across the antimeridian, around the poles.
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
    const records = points.map(([latitude, longitude], i) => ({
      lastName: `P${i}`,
      address: { latitude, longitude, geoPrecision: 'manual', geoSource: 'user' },
    }));
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

  it('lists exactly what the exact distance test accepts, for circles anywhere', async () => {
    let matched = 0;
    for (const [lat, lng, radiusKm] of circles) {
      const value = { lat, lng, radiusKm };
      const expected = await idsWhere(compileNear(exact, value, 'value').cond);
      expect(await idsWhere(compileNear(banded, value, 'value').cond)).toEqual(expected);
      const got = await apiIds({ field: 'address', op: 'near', value });
      expect(got, `near ${lat}, ${lng}, ${radiusKm} km`).toEqual(expected);
      matched += got.length;
    }
    expect(matched).toBeGreaterThan(100); // the circles do hold points
  });

  it('lists exactly the points in a polygon, with its edges on band borders and at the antimeridian', async () => {
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
      const expected = await idsWhere(compileWithin(exact, value, 'value'));
      expect(await idsWhere(compileWithin(banded, value, 'value'))).toEqual(expected);
      const got = await apiIds({ field: 'address', op: 'within', value });
      expect(got, `within ${xs}`).toEqual(expected);
      expect(got.length, `within ${xs}`).toBeGreaterThan(0);
    }
  });

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
});
