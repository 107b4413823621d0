import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContact, buildLead } from '../../../test/helpers/factories';
import { workflowTestbed } from '../../../test/helpers/workflow-testbed';

type Bed = Awaited<ReturnType<typeof workflowTestbed>>;
type Rec = { id: string; lastName: string; territoryId: string | null; ownerId: string | null };

/** A square around a point, in RFC 7946 order (longitude, latitude). */
const square = (lat: number, lng: number, d: number) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lng - d, lat - d],
      [lng + d, lat - d],
      [lng + d, lat + d],
      [lng - d, lat + d],
      [lng - d, lat - d],
    ],
  ],
});

/** Issue 19, point 6: territories (drawn or by regions), records placed in them, filters, reports and assignment. */
describe('territories', () => {
  let b: Bed;
  const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));
  /** Events (geocoding, placing), then the re-placing jobs, then the events those wrote. */
  const settle = async () => {
    await b.t.events.drain(60_000);
    await b.t.jobs.runDue();
    await b.settle();
  };
  const contacts = async (filter?: unknown) => {
    const res = await b.adminApi.get(
      `/api/v1/contacts?limit=100&fields=lastName,territoryId,ownerId${filter ? `&filter=${q(filter)}` : ''}`,
    );
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as Rec[];
  };
  const territoryOf = async () => Object.fromEntries((await contacts()).map((c) => [c.lastName, c.territoryId]));
  let rhone: { id: string };
  let germany: { id: string };

  beforeAll(async () => {
    b = await workflowTestbed('Territory Co');
  });
  afterAll(() => b.t.stop());

  it('places records in the territory their address is in: a drawn polygon or regions, the lowest priority first', async () => {
    const api = b.adminApi;
    const created = await api.post('/api/v1/territories', {
      name: 'Rhône valley',
      area: { polygon: square(45.76, 4.84, 0.5) }, // Lyon, about 50 km around
      priority: 1,
    });
    expect(created.statusCode, created.body).toBe(201);
    rhone = created.json().data;
    germany = (
      await api.post('/api/v1/territories', {
        name: 'Germany',
        area: { regions: [{ country: 'de' }, { country: 'AT', postalCodePrefix: '10' }] },
      })
    ).json().data;
    // France as a region overlaps the polygon: the polygon's territory ranks first.
    await api.post('/api/v1/territories', { name: 'France', area: { regions: [{ country: 'FR' }] }, priority: 5 });
    await settle();
    await buildContact(api, { lastName: 'Lyon', address: { city: 'Lyon', country: 'FR' } });
    await buildContact(api, { lastName: 'Berlin', address: { city: 'Berlin', country: 'DE' } });
    await buildContact(api, { lastName: 'Boston', address: { city: 'Boston', country: 'US' } });
    await buildContact(api, { lastName: 'Nobody' });
    const lead = await buildLead(api, { lastName: 'LeadLyon', address: { city: 'Villeurbanne', country: 'FR' } });
    await settle();
    const by = await territoryOf();
    expect(by.Lyon).toBe(rhone.id);
    expect(by.Berlin).toBe(germany.id);
    expect(by.Boston).toBeNull();
    expect(by.Nobody).toBeNull();
    expect((await api.get(`/api/v1/leads/${lead.id}`)).json().data.territoryId).toBe(rhone.id);
    // The record's territory is the system's to keep: a caller cannot set it.
    const set = await api.patch(`/api/v1/contacts/${(await contacts())[0]?.id}`, { territoryId: germany.id });
    expect(set.statusCode).toBe(422);
  });

  it('filters lists by territory and reports by it', async () => {
    const inRhone = await contacts({ field: 'territoryId', op: 'eq', value: rhone.id });
    expect(inRhone.map((c) => c.lastName)).toEqual(['Lyon']);
    const report = await b.adminApi.post('/api/v1/reports/run', {
      object: 'contacts',
      groupBy: [{ field: 'territoryId' }],
      measures: [{ op: 'count', as: 'n' }],
    });
    expect(report.statusCode, report.body).toBe(200);
    const { columns, rows } = report.json().data as {
      columns: { name: string; labels: Record<string, string> | null }[];
      rows: Record<string, unknown>[];
    };
    const group = columns[0] as { name: string; labels: Record<string, string> | null };
    const count = (id: string | null) => rows.find((r) => r[group.name] === id)?.n;
    expect(count(rhone.id)).toBe(1);
    expect(count(germany.id)).toBe(1);
    expect(group.labels?.[rhone.id]).toBe('Rhône valley');
  });

  it('re-places the records when a territory is redrawn, re-ranked or deleted', async () => {
    const api = b.adminApi;
    // Boston joins when the territory's regions take in the US.
    const moved = await api.patch(`/api/v1/territories/${germany.id}`, {
      area: { regions: [{ country: 'DE' }, { country: 'US', region: 'MA' }] },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await settle();
    expect((await territoryOf()).Boston).toBeNull(); // no region on the address: a region needs one
    await api.patch(`/api/v1/territories/${germany.id}`, { area: { regions: [{ country: 'DE' }, { country: 'US' }] } });
    await settle();
    expect((await territoryOf()).Boston).toBe(germany.id);
    expect((await api.del(`/api/v1/territories/${germany.id}`)).statusCode).toBe(204);
    await settle();
    const by = await territoryOf();
    expect(by.Boston).toBeNull();
    expect(by.Berlin).toBeNull();
    expect(by.Lyon).toBe(rhone.id);
  });

  it('refuses an area that is not one, naming the field', async () => {
    const api = b.adminApi;
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
    const crossed = await api.post('/api/v1/territories', { name: 'Bow tie', area: { polygon: bowtie } });
    expect(crossed.statusCode).toBe(422);
    expect(crossed.headers['content-type']).toContain('application/problem+json');
    expect(crossed.json().errors[0]).toMatchObject({ path: 'area.polygon.coordinates.0', message: 'crosses itself' });
    const empty = await api.post('/api/v1/territories', { name: 'Empty', area: {} });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors[0].path).toBe('area.polygon');
    const country = await api.post('/api/v1/territories', { name: 'X', area: { regions: [{ country: 'France' }] } });
    expect(country.statusCode).toBe(422);
    expect(country.json().errors[0].path).toBe('area.regions.0.country');
    expect((await b.adminApi.get('/api/v1/territories?limit=100')).json().data).toHaveLength(2);
  });

  it("assigns owners round robin within the territory's team, through a workflow's assign-owner step", async () => {
    const api = b.adminApi;
    const rep1 = await b.member('sales_rep');
    const rep2 = await b.member('sales_rep');
    const team = (await api.post('/api/v1/teams', { name: 'Rhône reps' })).json().data;
    await api.put(`/api/v1/teams/${team.id}/members/${rep1.userId}`);
    await api.put(`/api/v1/teams/${team.id}/members/${rep2.userId}`);
    expect((await api.patch(`/api/v1/territories/${rhone.id}`, { teamId: team.id })).statusCode).toBe(200);
    const w = await api.post('/api/v1/workflows', {
      name: 'Assign by territory',
      active: true,
      definition: {
        trigger: { type: 'field_changed', object: 'contacts', field: 'territoryId' },
        conditions: { field: 'territoryId', op: 'isNotEmpty' },
        steps: [{ id: 'assign', type: 'assign_owner', mode: 'territory' }],
      },
    });
    expect(w.statusCode, w.body).toBe(201);
    await settle();
    for (const name of ['Lyon 1', 'Lyon 2', 'Lyon 3', 'Lyon 4']) {
      await buildContact(api, { lastName: name, address: { city: 'Lyon', country: 'FR' } });
    }
    await settle();
    const owners = (await contacts({ field: 'lastName', op: 'startsWith', value: 'Lyon ' })).map((c) => c.ownerId);
    expect(owners).toHaveLength(4);
    const counts: Record<string, number> = {};
    for (const o of owners) counts[String(o)] = (counts[String(o)] ?? 0) + 1;
    expect(counts).toEqual({ [rep1.userId]: 2, [rep2.userId]: 2 });
    // A sales rep sees the territories, and may not draw them.
    const rep = b.as(rep1.cookie);
    expect((await rep.get(`/api/v1/territories/${rhone.id}`)).statusCode).toBe(200);
    expect(
      (await rep.post('/api/v1/territories', { name: 'Mine', area: { regions: [{ country: 'FR' }] } })).statusCode,
    ).toBe(403);
  });
});
