import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

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

type Row = Record<string, unknown>;

const OLD_CRM = [
  'Nom,Prénom,Courriel,Société,Ville',
  'Curie,Marie,marie@curie.example,Radium SA,Paris',
  'Pasteur,Louis,louis@pasteur.example,Radium SA,Lille',
].join('\n');
const OLD_CRM_MAPPING = {
  Nom: 'lastName',
  Prénom: 'firstName',
  Courriel: 'email',
  Société: { field: 'accountId', by: 'name' },
  Ville: 'address.city',
};

describe('saved import mappings: save under a name, list, reuse, suggested for a matching header', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: Member;
  let analyst: Member;
  let other: SignedUp;

  const upload = async (who: { cookie: string }, url: string, fields: Record<string, string>, content: string) => {
    const body = await multipart(fields, { name: 'old-crm.csv', content });
    return t.app.inject({
      method: 'POST',
      url,
      headers: { cookie: who.cookie, ...body.headers },
      payload: body.payload,
    });
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Mapping Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
    analyst = await memberWithRole(t, admin.workspaceId, 'data_analyst', 'Ana Lyst');
    other = await signUp(t.app, { workspaceName: 'Other Mapping Co' });
  }, 120_000);
  afterAll(() => t?.stop());

  it('a mapping saved by one member is listed, suggested and used by another who may import the object', async () => {
    const saved = await client(t, admin).post('/api/v1/imports/mappings', {
      object: 'contacts',
      name: 'Old CRM contacts',
      mapping: { ...OLD_CRM_MAPPING, Fax: null },
    });
    expect(saved.statusCode, saved.body).toBe(201);
    const mapping = saved.json().data;
    expect(mapping).toMatchObject({
      object: 'contacts',
      name: 'Old CRM contacts',
      mapping: OLD_CRM_MAPPING,
      columns: ['Nom', 'Prénom', 'Courriel', 'Société', 'Ville'],
      createdBy: admin.userId,
    });
    // A second mapping for another object, and one whose columns this file lacks.
    expect(
      (
        await client(t, admin).post('/api/v1/imports/mappings', {
          object: 'contacts',
          name: 'Newsletter list',
          mapping: { 'E-mail': 'email', Nom: 'lastName' },
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await client(t, admin).post('/api/v1/imports/mappings', {
          object: 'accounts',
          name: 'Old CRM accounts',
          mapping: { Société: 'name' },
        })
      ).statusCode,
    ).toBe(201);

    // Shared: the sales rep (who may import contacts) sees the workspace's contact mappings, by name.
    const list = await client(t, rep).get('/api/v1/imports/mappings?object=contacts');
    expect(list.statusCode, list.body).toBe(200);
    expect((list.json().data as Row[]).map((m) => m.name)).toEqual(['Newsletter list', 'Old CRM contacts']);
    expect((await client(t, rep).get(`/api/v1/imports/mappings/${mapping.id}`)).json().data).toEqual(mapping);

    // The preview of a file with the same header suggests it (not the one naming a missing column).
    const preview = await upload(rep, '/api/v1/imports/preview', { object: 'contacts' }, OLD_CRM);
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().data.savedMapping).toEqual({ id: mapping.id, name: 'Old CRM contacts' });
    // Sent back by id, it is the mapping the preview and the import use.
    const withIt = await upload(rep, '/api/v1/imports/preview', { object: 'contacts', mappingId: mapping.id }, OLD_CRM);
    expect(withIt.json().data.mapping).toEqual([
      { column: 'Nom', field: 'lastName' },
      { column: 'Prénom', field: 'firstName' },
      { column: 'Courriel', field: 'email' },
      { column: 'Société', field: 'accountId', by: 'name' },
      { column: 'Ville', field: 'address.city' },
    ]);
    const started = await upload(rep, '/api/v1/imports', { object: 'contacts', mappingId: mapping.id }, OLD_CRM);
    expect(started.statusCode, started.body).toBe(202);
    const id = started.json().data.id as string;
    let done: Row | undefined;
    for (let i = 0; i < 50 && !done; i++) {
      await t.jobs.runDue({ queues: ['imports.run'] });
      const data = (await client(t, rep).get(`/api/v1/imports/${id}`)).json().data;
      if (data.status === 'completed' || data.status === 'failed') done = data;
    }
    expect(done).toMatchObject({ status: 'completed', counts: { read: 2, created: 2, failed: 0 }, accountsCreated: 1 });
    const filter = encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'marie@curie.example' }));
    const marie = (await client(t, rep).get(`/api/v1/contacts?filter=${filter}`)).json().data[0] as Row;
    expect(marie).toMatchObject({ firstName: 'Marie', lastName: 'Curie', address: { city: 'Paris' } });

    // A file whose header fits no saved mapping gets no suggestion.
    const none = await upload(rep, '/api/v1/imports/preview', { object: 'contacts' }, 'Email\nx@y.example\n');
    expect(none.json().data.savedMapping).toBeNull();

    // Deleted, it is gone for everyone.
    expect((await client(t, rep).del(`/api/v1/imports/mappings/${mapping.id}`)).statusCode).toBe(204);
    expect((await client(t, admin).get(`/api/v1/imports/mappings/${mapping.id}`)).statusCode).toBe(404);
    expect(
      (await upload(rep, '/api/v1/imports/preview', { object: 'contacts' }, OLD_CRM)).json().data.savedMapping,
    ).toBeNull();
  });

  it('only whoever may import the object uses its mappings; other workspaces never see them', async () => {
    const mapping = await client(t, admin).create('/api/v1/imports/mappings', {
      object: 'contacts',
      name: 'Private to importers',
      mapping: { Email: 'email' },
    });
    // The analyst may not create contacts: no list, no mapping, no saving, no deleting.
    expect((await client(t, analyst).get('/api/v1/imports/mappings?object=contacts')).statusCode).toBe(403);
    expect((await client(t, analyst).get(`/api/v1/imports/mappings/${mapping.id}`)).statusCode).toBe(404);
    expect((await client(t, analyst).del(`/api/v1/imports/mappings/${mapping.id}`)).statusCode).toBe(404);
    expect(
      (
        await client(t, analyst).post('/api/v1/imports/mappings', {
          object: 'contacts',
          name: 'Mine',
          mapping: { Email: 'email' },
        })
      ).statusCode,
    ).toBe(403);
    // Another workspace: 404, and its list holds none of ours.
    expect((await client(t, other).get(`/api/v1/imports/mappings/${mapping.id}`)).statusCode).toBe(404);
    expect((await client(t, other).del(`/api/v1/imports/mappings/${mapping.id}`)).statusCode).toBe(404);
    expect((await client(t, other).get('/api/v1/imports/mappings?object=contacts')).json().data).toEqual([]);
    const foreign = await upload(
      other,
      '/api/v1/imports',
      { object: 'contacts', mappingId: mapping.id },
      'Email\na@b.example\n',
    );
    expect(foreign.statusCode).toBe(422);
    expect(foreign.json().errors[0].path).toBe('mappingId');
    expect((await client(t, admin).get(`/api/v1/imports/mappings/${mapping.id}`)).statusCode).toBe(200);
  });

  it('a saved mapping is renamed and its mapping replaced; a taken name is 409; only importers may change it', async () => {
    const api = client(t, admin);
    const mapping = await api.create('/api/v1/imports/mappings', {
      object: 'contacts',
      name: 'To rename',
      mapping: { Nom: 'lastName', Courriel: 'email' },
    });
    const neighbour = await api.create('/api/v1/imports/mappings', {
      object: 'contacts',
      name: 'Neighbour',
      mapping: { Email: 'email' },
    });
    // Another object's mapping may carry the same name.
    await api.create('/api/v1/imports/mappings', { object: 'accounts', name: 'Fair list', mapping: { Nom: 'name' } });

    // Renamed by the sales rep (who may import contacts): the list and the preview's suggestion say so.
    const renamed = await client(t, rep).patch(`/api/v1/imports/mappings/${mapping.id}`, { name: '  Fair list ' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json().data).toMatchObject({
      id: mapping.id,
      name: 'Fair list',
      mapping: { Nom: 'lastName', Courriel: 'email' },
      columns: ['Nom', 'Courriel'],
      createdBy: admin.userId,
    });
    expect(Date.parse(renamed.json().data.updatedAt)).toBeGreaterThanOrEqual(Date.parse(mapping.updatedAt as string));
    expect((await api.get(`/api/v1/imports/mappings/${mapping.id}`)).json().data.name).toBe('Fair list');
    const file = 'Nom,Courriel\nCurie,marie@curie.example\n';
    expect(
      (await upload(rep, '/api/v1/imports/preview', { object: 'contacts' }, file)).json().data.savedMapping,
    ).toEqual({ id: mapping.id, name: 'Fair list' });
    // Its own name in another case is a rename, not a clash.
    const recased = await api.patch(`/api/v1/imports/mappings/${mapping.id}`, { name: 'FAIR LIST' });
    expect(recased.statusCode, recased.body).toBe(200);
    expect(recased.json().data.name).toBe('FAIR LIST');

    // Another contacts mapping's name, in any case: 409 naming `name`, and nothing changed.
    const clash = await api.patch(`/api/v1/imports/mappings/${mapping.id}`, {
      name: 'neighbour',
      mapping: { Courriel: 'email' },
    });
    expect(clash.statusCode, clash.body).toBe(409);
    expect(clash.headers['content-type']).toContain('application/problem+json');
    expect(clash.json().errors[0].path).toBe('name');
    expect((await api.get(`/api/v1/imports/mappings/${mapping.id}`)).json().data).toMatchObject({
      name: 'FAIR LIST',
      columns: ['Nom', 'Courriel'],
    });

    // The mapping itself replaced: its columns follow, so the old file's header no longer gets it
    // suggested and a file with the new columns does; an import by its id uses the new mapping.
    const changed = await api.patch(`/api/v1/imports/mappings/${mapping.id}`, {
      mapping: { 'E-mail': 'email', Famille: 'lastName', Fax: null },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().data).toMatchObject({
      name: 'FAIR LIST',
      mapping: { 'E-mail': 'email', Famille: 'lastName' },
      columns: ['E-mail', 'Famille'],
    });
    expect(
      (await upload(rep, '/api/v1/imports/preview', { object: 'contacts' }, file)).json().data.savedMapping,
    ).toBeNull();
    const newFile = 'Famille,E-mail\nNobel,alfred@nobel.example\n';
    const preview = await upload(
      rep,
      '/api/v1/imports/preview',
      { object: 'contacts', mappingId: mapping.id },
      newFile,
    );
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().data.mapping).toEqual([
      { column: 'E-mail', field: 'email' },
      { column: 'Famille', field: 'lastName' },
    ]);

    // Whoever may not import contacts, and other workspaces, cannot see it to change it.
    expect(
      (await client(t, analyst).patch(`/api/v1/imports/mappings/${mapping.id}`, { name: 'Mine' })).statusCode,
    ).toBe(404);
    expect((await client(t, other).patch(`/api/v1/imports/mappings/${mapping.id}`, { name: 'Mine' })).statusCode).toBe(
      404,
    );
    expect((await api.get(`/api/v1/imports/mappings/${mapping.id}`)).json().data.name).toBe('FAIR LIST');
    expect((await api.get(`/api/v1/imports/mappings/${neighbour.id}`)).json().data.name).toBe('Neighbour');

    // Bad input: 422 naming the field, nothing changed.
    const bad = async (body: Row, path: string) => {
      const r = await api.patch(`/api/v1/imports/mappings/${mapping.id}`, body);
      expect(r.statusCode, r.body).toBe(422);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(((r.json().errors ?? []) as { path: string }[]).map((e) => e.path)).toContain(path);
    };
    await bad({}, 'name');
    await bad({ name: '   ' }, 'name');
    await bad({ name: 'x'.repeat(101) }, 'name');
    await bad({ mapping: {} }, 'mapping');
    await bad({ mapping: { Email: 'shoeSize' } }, 'mapping.Email');
    await bad({ name: 'Ok', object: 'leads' }, 'object');
    expect((await api.patch('/api/v1/imports/mappings/not-an-id', { name: 'x' })).statusCode).toBe(422);
    expect((await api.get(`/api/v1/imports/mappings/${mapping.id}`)).json().data).toMatchObject({
      name: 'FAIR LIST',
      columns: ['E-mail', 'Famille'],
    });
  });

  it('bad input gets a 4xx problem naming the field', async () => {
    const problem = async (
      res: Promise<{ statusCode: number; headers: Row; json: () => Row }>,
      status: number,
      path: string,
    ) => {
      const r = await res;
      expect(r.statusCode).toBe(status);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(((r.json().errors ?? []) as { path: string }[]).map((e) => e.path)).toContain(path);
    };
    const api = client(t, admin);
    await problem(
      api.post('/api/v1/imports/mappings', { object: 'contacts', mapping: { Email: 'email' } }),
      422,
      'name',
    );
    await problem(api.post('/api/v1/imports/mappings', { object: 'contacts', name: 'x', mapping: {} }), 422, 'mapping');
    await problem(
      api.post('/api/v1/imports/mappings', { object: 'contacts', name: 'x', mapping: { Email: 'shoeSize' } }),
      422,
      'mapping.Email',
    );
    await problem(
      api.post('/api/v1/imports/mappings', { object: 'contacts', name: 'x', mapping: { Email: 7 } }),
      422,
      'mapping.Email',
    );
    await problem(api.get('/api/v1/imports/mappings'), 422, 'object');
    await problem(api.get('/api/v1/imports/mappings/not-an-id'), 422, 'id');
    const first = await api.post('/api/v1/imports/mappings', {
      object: 'leads',
      name: 'Trade fair',
      mapping: { Email: 'email' },
    });
    expect(first.statusCode, first.body).toBe(201);
    await problem(
      api.post('/api/v1/imports/mappings', { object: 'leads', name: 'TRADE FAIR', mapping: { Email: 'email' } }),
      409,
      'name',
    );
    expect(
      (await api.post('/api/v1/imports/mappings', { object: 'nothing', name: 'x', mapping: { A: 'b' } })).statusCode,
    ).toBe(404);
    // A saved mapping of leads is not a contacts mapping; a mapping and a mappingId together are refused.
    const leadsMapping = first.json().data.id as string;
    const wrongObject = await upload(
      admin,
      '/api/v1/imports',
      { object: 'contacts', mappingId: leadsMapping },
      'Email\na@b.example\n',
    );
    expect(wrongObject.statusCode).toBe(422);
    expect(wrongObject.json().errors[0].path).toBe('mappingId');
    const both = await upload(
      admin,
      '/api/v1/imports/preview',
      { object: 'leads', mappingId: leadsMapping, mapping: '{"Email":"email"}' },
      'Email\na@b.example\n',
    );
    expect(both.statusCode).toBe(422);
    expect(both.json().errors[0].path).toBe('mappingId');
  });
});
