import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { distanceKm } from '../../platform/records/geo-filter';

type Rec = { id: string; lastName: string; distanceKm?: number; address: Record<string, unknown> | null };

/** Issue 19: offline geocoding on write, near / within filters with distances, GeoJSON / KML, the geocoding run. */
describe('geo-location', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: Member;
  const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));
  const drain = () => t.events.drain(60_000);
  const near = (value: unknown) => ({ field: 'address', op: 'near', value });
  const names = (rows: Rec[]) => rows.map((r) => r.lastName);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Geo Co', name: 'Ada Admin' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
    const api = client(t, admin);
    // City and country only: the gazetteer places them.
    await buildContact(api, { lastName: 'Lyon', address: { city: 'Lyon', country: 'FR' } });
    await buildContact(api, { lastName: 'Villeurbanne', address: { city: 'Villeurbanne', country: 'FR' } });
    await buildContact(api, { lastName: 'Vienne', address: { city: 'Vienne', country: 'FR' } }); // ~30 km south
    await buildContact(api, { lastName: 'Grenoble', address: { city: 'Grenoble', country: 'FR' } }); // ~95 km
    await buildContact(api, { lastName: 'Paris', address: { city: 'Paris', country: 'FR' } });
    await buildContact(api, { lastName: 'Texas', address: { city: 'Paris', region: 'TX', country: 'US' } });
    await buildContact(api, { lastName: 'Munich', address: { city: 'München', country: 'DE' } });
    await buildContact(api, { lastName: 'Nowhere', address: { city: 'Xyzzyville', country: 'FR' } });
    await buildContact(api, { lastName: 'Homeless' });
    // Set by hand: never replaced, even though "Lyon" would place it elsewhere.
    await buildContact(api, {
      lastName: 'Manual',
      address: { city: 'Lyon', country: 'FR', latitude: 45.9, longitude: 4.9 },
    });
    await client(t, rep).post('/api/v1/contacts', { lastName: 'RepLyon', address: { city: 'Lyon', country: 'FR' } });
    await drain();
  });
  afterAll(() => t.stop());

  const list = async (path: string) => {
    const res = await client(t, admin).get(path);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as Rec[];
  };

  it('geocodes city-and-country addresses on write from the bundled gazetteer, with precision and source', async () => {
    const rows = await list('/api/v1/contacts?limit=100&fields=lastName,address');
    const by = Object.fromEntries(rows.map((r) => [r.lastName, r.address]));
    expect(by.Lyon).toMatchObject({ city: 'Lyon', country: 'FR', geoPrecision: 'city', geoSource: 'gazetteer' });
    expect(distanceKm(by.Lyon?.latitude as number, by.Lyon?.longitude as number, 45.764, 4.835)).toBeLessThan(3);
    // "Paris" with region TX is Paris, Texas; in FR it is the capital.
    expect(by.Texas?.latitude).toBeCloseTo(33.66, 0);
    expect(by.Texas?.longitude).toBeCloseTo(-95.56, 0);
    expect(by.Paris?.latitude).toBeCloseTo(48.85, 1);
    expect(by.Munich?.latitude).toBeCloseTo(48.14, 1); // the local name, folded to GeoNames'
    expect(by.Nowhere).toMatchObject({ latitude: null, geoSource: null });
    expect(by.Homeless).toBeNull();
    expect(by.Manual).toMatchObject({ latitude: 45.9, longitude: 4.9, geoPrecision: 'manual', geoSource: 'user' });
  });

  it('re-geocodes when the place changes, never replaces coordinates set by hand or by an import', async () => {
    const api = client(t, admin);
    const moving = await buildContact(api, { lastName: 'Mover', address: { city: 'Lyon', country: 'FR' } });
    const imported = await buildContact(api, {
      lastName: 'Imported',
      address: {
        city: 'Lyon',
        country: 'FR',
        latitude: 10,
        longitude: 10,
        geoPrecision: 'street',
        geoSource: 'import',
      },
    });
    await drain();
    const got = async (id: string) => (await api.get(`/api/v1/contacts/${id}`)).json().data.address;
    const before = await got(moving.id);
    expect(before.geoSource).toBe('gazetteer');
    // The web form sends the geocoded address back with a new city: the geocoder's own coordinates move.
    const res = await api.patch(`/api/v1/contacts/${moving.id}`, { address: { ...before, city: 'Marseille' } });
    expect(res.statusCode, res.body).toBe(200);
    await drain();
    const after = await got(moving.id);
    expect(after.latitude).toBeCloseTo(43.3, 0);
    expect(after.geoSource).toBe('gazetteer');
    // A person's point stays when only the text changes.
    await api.patch(`/api/v1/contacts/${moving.id}`, {
      address: { city: 'Marseille', country: 'FR', latitude: 43, longitude: 5 },
    });
    await api.patch(`/api/v1/contacts/${moving.id}`, {
      address: { city: 'Nice', country: 'FR', latitude: 43, longitude: 5, geoPrecision: 'manual', geoSource: 'user' },
    });
    await drain();
    expect(await got(moving.id)).toMatchObject({ city: 'Nice', latitude: 43, longitude: 5, geoSource: 'user' });
    expect(await got(imported.id)).toMatchObject({ latitude: 10, longitude: 10, geoSource: 'import' });
  });

  it('near a place: only records within the radius, each with its distance, sorted by distance', async () => {
    const rows = await list(
      `/api/v1/contacts?filter=${q(near({ place: 'Lyon, FR', radiusKm: 50 }))}&sort=distance&fields=lastName,address`,
    );
    expect(names(rows)).toEqual(['Lyon', 'RepLyon', 'Villeurbanne', 'Manual', 'Vienne']);
    for (const r of rows) {
      expect(typeof r.distanceKm).toBe('number');
      const a = r.address as { latitude: number; longitude: number };
      expect(r.distanceKm).toBeCloseTo(distanceKm(45.75, 4.85, a.latitude, a.longitude), -0.5);
      expect(r.distanceKm).toBeLessThanOrEqual(50);
    }
    const d = rows.map((r) => r.distanceKm as number);
    expect([...d].sort((a, b) => a - b)).toEqual(d);
    const desc = await list(`/api/v1/contacts?filter=${q(near({ place: 'Lyon, FR', radiusKm: 50 }))}&sort=-distance`);
    expect(names(desc)[0]).toBe('Vienne');
    // Page by page with the cursor, nearest first.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await client(t, admin).get(
        `/api/v1/contacts?filter=${q(near({ place: 'Lyon, FR', radiusKm: 50 }))}&sort=distance&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      seen.push(...names(res.json().data));
      cursor = res.json().page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(names(rows));
  });

  it('near a point (lat, lng) and a wider radius; without a near filter no distance', async () => {
    const rows = await list(
      `/api/v1/contacts?filter=${q(near({ lat: 45.76, lng: 4.84, radiusKm: 120 }))}&sort=distance`,
    );
    expect(names(rows)).toContain('Grenoble');
    expect(names(rows)).not.toContain('Paris');
    const plain = await list('/api/v1/contacts?limit=3');
    expect(plain[0]).not.toHaveProperty('distanceKm');
    // POST …/query and near inside and / not.
    const res = await client(t, admin).post('/api/v1/contacts/query', {
      filter: { and: [near({ place: 'Lyon', radiusKm: 50 }), { not: { field: 'lastName', op: 'eq', value: 'Lyon' } }] },
      sort: 'distance',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(names(res.json().data)).toEqual(['RepLyon', 'Villeurbanne', 'Manual', 'Vienne']);
  });

  it('works in segments (members, sorted by distance) and reports', async () => {
    const api = client(t, admin);
    const filter = near({ place: 'Lyon, FR', radiusKm: 50 });
    const seg = await api.post('/api/v1/segments', { name: 'Around Lyon', object: 'contacts', filter });
    expect(seg.statusCode, seg.body).toBe(201);
    const members = await api.get(`/api/v1/segments/${seg.json().data.id}/members?sort=distance&count=true`);
    expect(members.statusCode, members.body).toBe(200);
    expect(members.json().total).toBe(5);
    expect(names(members.json().data)).toEqual(['Lyon', 'RepLyon', 'Villeurbanne', 'Manual', 'Vienne']);
    const bad = await api.post('/api/v1/segments', {
      name: 'Bad',
      object: 'contacts',
      filter: near({ lat: 91, lng: 0, radiusKm: 5 }),
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toContain('value.lat');
    const report = await api.post('/api/v1/reports/run', {
      object: 'contacts',
      filter,
      measures: [{ op: 'count', as: 'n' }],
    });
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json().data.rows).toEqual([{ n: 5 }]);
  });

  it("keeps permissions: a sales rep's near search lists only the records they may see", async () => {
    const res = await client(t, rep).get(`/api/v1/contacts?filter=${q(near({ place: 'Lyon, FR', radiusKm: 50 }))}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(names(res.json().data)).toEqual(['RepLyon']);
  });

  it("never lists or exports another workspace's records", async () => {
    const other = await signUp(t.app, { workspaceName: 'Other Geo', name: 'Olga Other' });
    await buildContact(client(t, other), { lastName: 'OtherLyon', address: { city: 'Lyon', country: 'FR' } });
    await drain();
    const filter = q(near({ place: 'Lyon, FR', radiusKm: 50 }));
    const mine = await list(`/api/v1/contacts?filter=${filter}`);
    expect(names(mine)).not.toContain('OtherLyon');
    const geojson = await client(t, admin).get(`/api/v1/geo/export/contacts?filter=${filter}`);
    expect(geojson.body).not.toContain('OtherLyon');
    const theirs = (await client(t, other).get(`/api/v1/contacts?filter=${filter}`)).json().data;
    expect(names(theirs)).toEqual(['OtherLyon']);
  });

  it('within a polygon (GeoJSON, longitude first) and within a region', async () => {
    // A box around Lyon and Villeurbanne only.
    const box = {
      type: 'Polygon',
      coordinates: [
        [
          [4.7, 45.7],
          [5.0, 45.7],
          [5.0, 45.81],
          [4.7, 45.81],
          [4.7, 45.7],
        ],
      ],
    };
    const rows = await list(
      `/api/v1/contacts?filter=${q({ field: 'address', op: 'within', value: { polygon: box } })}`,
    );
    expect(names(rows).sort()).toEqual(['Lyon', 'RepLyon', 'Villeurbanne']);
    const us = await list(`/api/v1/contacts?filter=${q({ field: 'address', op: 'within', value: { country: 'us' } })}`);
    expect(names(us)).toEqual(['Texas']);
    await buildAccount(client(t, admin), {
      name: 'Rhone',
      address: { city: 'Lyon', postalCode: '69002', country: 'FR' },
    });
    const accounts = (
      await client(t, admin).get(
        `/api/v1/accounts?filter=${q({ field: 'address', op: 'within', value: { postalCodePrefix: '69', country: 'FR' } })}`,
      )
    ).json().data;
    expect(accounts.map((a: { name: string }) => a.name)).toEqual(['Rhone']);
  });

  it('refuses impossible values with a 422 naming the field', async () => {
    const api = client(t, admin);
    const problem = async (filter: unknown, sort = '') => {
      const res = await api.get(`/api/v1/contacts?filter=${q(filter)}${sort}`);
      expect(res.statusCode, res.body).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      return res.json().errors as { path: string; message: string }[];
    };
    expect(await problem(near({ lat: 91, lng: 0, radiusKm: 10 }))).toEqual([
      { path: 'filter.value.lat', message: 'must be between -90 and 90' },
    ]);
    expect(await problem(near({ lat: 0, lng: 200, radiusKm: 10 }))).toEqual([
      { path: 'filter.value.lng', message: 'must be between -180 and 180' },
    ]);
    expect((await problem(near({ place: 'Lyon, FR', radiusKm: 0 })))[0]?.path).toBe('filter.value.radiusKm');
    expect((await problem(near({ place: 'Lyon, FR', radiusKm: 50_000 })))[0]?.path).toBe('filter.value.radiusKm');
    const unknown = await problem(near({ place: 'Xyzzyville, FR', radiusKm: 10 }));
    expect(unknown[0]?.path).toBe('filter.value.place');
    expect(unknown[0]?.message).toContain('Xyzzyville');
    const bowtie = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 1],
          [1, 0],
          [0, 1],
          [0, 0],
        ],
      ],
    };
    expect(await problem({ field: 'address', op: 'within', value: { polygon: bowtie } })).toEqual([
      { path: 'filter.value.polygon.coordinates.0', message: 'crosses itself' },
    ]);
    expect((await problem({ field: 'lastName', op: 'near', value: { place: 'Lyon', radiusKm: 5 } }))[0]?.path).toBe(
      'filter.op',
    );
    expect((await problem({ field: 'address.city', op: 'eq', value: 'Lyon' }, '&sort=distance'))[0]?.path).toBe('sort');
  });

  // The index (the latitude bands of migration 0058): geo-index.test.ts.

  it('exports a filtered list as GeoJSON and KML, each record with its geo: link', async () => {
    const api = client(t, admin);
    const filter = q(near({ place: 'Lyon, FR', radiusKm: 50 }));
    const res = await api.get(`/api/v1/geo/export/contacts?format=geojson&filter=${filter}&sort=distance`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toContain('application/geo+json');
    const fc = JSON.parse(res.body);
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features).toHaveLength(5);
    const [first] = fc.features;
    expect(first.geometry.type).toBe('Point');
    const [lng, lat] = first.geometry.coordinates;
    expect(lat).toBeCloseTo(45.75, 1);
    expect(lng).toBeCloseTo(4.85, 1);
    expect(first.properties.geoUri).toBe(`geo:${lat},${lng}`);
    expect(first.properties.distanceKm).toBeTypeOf('number');
    const kml = await api.get(`/api/v1/geo/export/contacts?format=kml&filter=${filter}`);
    expect(kml.statusCode, kml.body).toBe(200);
    expect(kml.headers['content-type']).toContain('application/vnd.google-earth.kml+xml');
    expect(kml.body.match(/<Placemark /g)).toHaveLength(5);
    expect(kml.body).toMatch(/<coordinates>4\.\d+,45\.\d+<\/coordinates>/);
    // The export permission: a sales rep has none.
    expect((await client(t, rep).get('/api/v1/geo/export/contacts')).statusCode).toBe(403);
  });

  it('geocodes existing records in a background run that reports its progress', async () => {
    // Addresses stored before geocoding existed: the consumer has already passed them.
    const api = client(t, admin);
    const c = await buildContact(api, { lastName: 'Old', address: { city: 'Bordeaux', country: 'FR' } });
    await t.database.tenant(admin.workspaceId, (tx) =>
      t.records.systemWrite(
        tx,
        { kind: 'user', userId: null, workspaceId: admin.workspaceId, role: 'system', scopes: [] },
        'contacts',
        c.id,
        { address: { city: 'Bordeaux', country: 'FR' } },
      ),
    );
    expect((await api.get('/api/v1/contacts?limit=1')).statusCode).toBe(200);
    expect((await client(t, rep).post('/api/v1/geo/runs', {})).statusCode).toBe(403);
    const started = await api.post('/api/v1/geo/runs', {});
    expect(started.statusCode, started.body).toBe(202);
    expect(started.json().data.state).toBe('queued');
    await t.jobs.runDue();
    const latest = (await api.get('/api/v1/geo/runs/latest')).json().data;
    expect(latest).toMatchObject({ id: started.json().data.id, state: 'completed' });
    expect(latest.done).toBe(latest.total);
    expect(latest.unresolved).toBeGreaterThanOrEqual(1); // Xyzzyville
    const old = (await api.get(`/api/v1/contacts/${c.id}`)).json().data.address;
    expect(old).toMatchObject({ geoSource: 'gazetteer', geoPrecision: 'city' });
    expect(old.latitude).toBeCloseTo(44.84, 1);
  });

  it('looks places up for the map', async () => {
    const api = client(t, admin);
    const res = await api.get(`/api/v1/geo/places?q=${encodeURIComponent('Paris, TX')}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject({ name: 'Paris', country: 'US', adminCode: 'TX' });
    const none = await api.get('/api/v1/geo/places?q=Xyzzyville');
    expect(none.statusCode).toBe(422);
    expect(none.json().errors[0].path).toBe('q');
  });
});
