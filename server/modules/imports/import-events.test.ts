import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client, type HttpClient } from '../../../test/helpers/http';

/** A multipart/form-data body as a browser or curl sends it (built by the platform's own FormData). */
async function multipart(fields: Record<string, string>, file: { name: string; content: string }) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file.content], { type: 'text/csv' }), file.name);
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return {
    payload: Buffer.from(await req.arrayBuffer()),
    headers: { 'content-type': req.headers.get('content-type') as string },
  };
}

/**
 * An import writes its records quietly (no per-record event) and emits one summary event,
 * `import.completed`: the consumers that react to record changes read the import's records
 * from it, so segments, geocoding and sequences see imported records as they see typed ones.
 */
describe('an import’s summary event: segments, geocoding and sequences react to the imported records', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;

  const importCsv = async (content: string, fields: Record<string, string> = {}) => {
    const body = await multipart({ object: 'contacts', ...fields }, { name: 'people.csv', content });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { cookie: admin.cookie, ...body.headers },
      payload: body.payload,
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().data.id as string;
    for (let i = 0; i < 50; i++) {
      await t.jobs.runDue({ queues: ['imports.run'] });
      const data = (await api.get(`/api/v1/imports/${id}`)).json().data;
      if (data.status === 'completed' || data.status === 'failed') return data;
    }
    throw new Error('the import did not finish');
  };
  const byEmail = async (email: string) =>
    (
      await api.get(
        `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: email }))}`,
      )
    ).json().data[0];

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Import Events Co' });
    api = client(t, admin);
    await t.events.drain();
  });
  afterAll(() => t?.stop());

  it('imported contacts enter a dynamic segment, are geocoded and go into a sequence enrolling new contacts', async () => {
    const segment = await api.create('/api/v1/segments', {
      name: 'Berliners',
      object: 'contacts',
      filter: { field: 'address.city', op: 'eq', value: 'Berlin' },
    });
    const sequence = await api.create('/api/v1/sequences', {
      name: 'Imported welcome',
      object: 'contacts',
      enrolment: { newRecords: true },
      steps: [{ id: 'call', type: 'create_task', title: 'Call {{ record.lastName }}', dueInDays: 1 }],
      active: true,
    });
    await t.events.drain();

    const summary = await importCsv(
      [
        'Email,First name,Last name,City,Country',
        'anna.import@example.org,Anna,Berliner,Berlin,DE',
        'paul.import@example.org,Paul,Parisien,Paris,FR',
      ].join('\n'),
      {
        mapping: JSON.stringify({
          Email: 'email',
          'First name': 'firstName',
          'Last name': 'lastName',
          City: 'address.city',
          Country: 'address.country',
        }),
      },
    );
    expect(summary.counts).toMatchObject({ read: 2, created: 2, failed: 0 });
    const anna = await byEmail('anna.import@example.org');
    const paul = await byEmail('paul.import@example.org');
    // Before the summary event is delivered, nothing reacted (the import wrote quietly).
    expect(anna.address.latitude ?? null).toBeNull();

    for (let i = 0; i < 3; i++) await t.events.drain();

    // Segments: Anna entered (a segment.entered event, so workflows and sequences see it); Paul did not.
    const members = (await api.get(`/api/v1/segments/${segment.id}/members`)).json().data as { id: string }[];
    expect(members.map((m) => m.id)).toEqual([anna.id]);
    const timeline = (await api.get(`/api/v1/contacts/${anna.id}/timeline?kinds=event`)).json().data as {
      type?: string;
      data?: Record<string, unknown>;
      actor?: { id: string } | null;
    }[];
    expect(timeline.some((i) => i.type === 'segment.entered')).toBe(true);
    // "Imported from people.csv" on the record's timeline, by whoever imported it.
    expect(timeline.find((i) => i.type === 'record.imported')).toMatchObject({
      data: { importId: summary.id, fileName: 'people.csv', result: 'created', row: 2 },
      actor: { id: admin.userId },
    });
    // Geocoding: both have coordinates from the gazetteer.
    expect((await api.get(`/api/v1/contacts/${anna.id}`)).json().data.address.latitude).toBeCloseTo(52.5, 0);
    expect((await api.get(`/api/v1/contacts/${paul.id}`)).json().data.address.latitude).toBeCloseTo(48.9, 0);
    // Sequences: both imported contacts are new contacts, enrolled once.
    const enrolled = (await api.get(`/api/v1/sequences/${sequence.id}/enrolments`)).json().data as {
      recordId: string;
      via: string;
    }[];
    expect(enrolled.map((e) => e.recordId).sort()).toEqual([anna.id, paul.id].sort());
    expect(enrolled.every((e) => e.via === 'new_record')).toBe(true);

    // Importing the same file again updates (no new records): nobody is enrolled twice, Anna stays in.
    await importCsv(
      ['Email,First name,Last name,City,Country', 'anna.import@example.org,Anna,Berliner,Berlin,DE'].join('\n'),
      { mode: 'upsert', matchOn: 'email' },
    );
    for (let i = 0; i < 3; i++) await t.events.drain();
    expect((await api.get(`/api/v1/sequences/${sequence.id}/enrolments`)).json().data).toHaveLength(2);
    const imports = (
      (await api.get(`/api/v1/contacts/${anna.id}/timeline?kinds=event`)).json().data as {
        type?: string;
        data?: { result?: string };
      }[]
    ).filter((i) => i.type === 'record.imported');
    expect(imports.map((i) => i.data?.result)).toEqual(['updated', 'created']);
    expect(
      ((await api.get(`/api/v1/segments/${segment.id}/members`)).json().data as { id: string }[]).map((m) => m.id),
    ).toEqual([anna.id]);
  });

  it('a dry run writes nothing and nothing reacts', async () => {
    const summary = await importCsv(['Email,Last name', 'dry.import@example.org,Dry'].join('\n'), { dryRun: 'true' });
    expect(summary.counts.created).toBe(1);
    await t.events.drain();
    expect(await byEmail('dry.import@example.org')).toBeUndefined();
  });
});
