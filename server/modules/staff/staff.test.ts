import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { addMember } from '../../platform/workspaces/identity.service';
import { STAFF_PRIVATE_FIELDS, staffObject } from './staff.object';

const PRIVATE = [...STAFF_PRIVATE_FIELDS];

describe('the staff directory and its private fields', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: { cookie: string; userId: string; email: string };
  let analyst: { cookie: string; userId: string };
  let adminEntry: Record<string, unknown>;
  const sensitiveReads = async (actorUserId: string) =>
    (
      await client(t, admin).get(
        `/api/v1/audit-log?action=record.sensitive_read&object=staff&actorUserId=${actorUserId}`,
      )
    ).json().data as { recordId: string | null; detail: { recordIds: string[] } }[];

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Ada Admin', workspaceName: 'Staff Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Sam Rep');
    analyst = await memberWithRole(t, admin.workspaceId, 'data_analyst', 'Dana Analyst');
    // The administrator fills in their own entry's private fields.
    const list = (await client(t, admin).get('/api/v1/staff?sort=displayName')).json().data;
    adminEntry = list.find((e: { userId: string }) => e.userId === admin.userId);
    const res = await client(t, admin).patch(`/api/v1/staff/${adminEntry.id}`, {
      title: 'Head of operations',
      department: 'Operations',
      workPhone: '+442071234567',
      personalEmail: 'zanzibar.quill@example.org',
      personalPhone: '+447911123456',
      homeAddress: { street: '1 Private Road', city: 'London', country: 'GB' },
      dateOfBirth: '1815-12-10',
      emergencyContact: 'Charles, +447700900999',
    });
    expect(res.statusCode, res.body).toBe(200);
    adminEntry = res.json().data;
  });
  afterAll(() => t.stop());

  it('has one entry per member, created when they joined, named and emailed from their account', async () => {
    const res = await client(t, admin).get('/api/v1/staff?count=true&sort=displayName');
    expect(res.statusCode, res.body).toBe(200);
    const entries = res.json().data as { userId: string; displayName: string; workEmail: string }[];
    expect(res.json().total).toBe(3);
    expect(entries.map((e) => e.displayName)).toEqual(['Ada Admin', 'Dana Analyst', 'Sam Rep']);
    expect(entries.find((e) => e.userId === rep.userId)?.workEmail).toBe(rep.email);
  });

  it('a sales rep reads the directory without the private fields: get, list, search, filter, sort', async () => {
    const got = await client(t, rep).get(`/api/v1/staff/${adminEntry.id}`);
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json().data.title).toBe('Head of operations');
    expect(got.json().data.workPhone).toBe('+442071234567');
    for (const f of PRIVATE) expect(got.json().data, f).not.toHaveProperty(f);
    expect(got.body).not.toContain('zanzibar');
    expect(got.body).not.toContain('Private Road');

    const list = await client(t, rep).get('/api/v1/staff');
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toHaveLength(3); // the whole directory, not only their own entry
    expect(list.body).not.toContain('zanzibar');
    const asked = await client(t, rep).get(`/api/v1/staff?fields=displayName,personalEmail`);
    expect(asked.statusCode).toBe(422);

    // Private values are not searchable, by anyone (they feed no index).
    const search = (await client(t, rep).get('/api/v1/search?q=zanzibar&objects=staff')).json().data;
    expect(search).toEqual([]);
    const byName = (await client(t, rep).get('/api/v1/search?q=ada&objects=staff')).json().data;
    expect(byName.map((h: { id: string }) => h.id)).toEqual([adminEntry.id]);

    // Naming a private field in a filter or sort is an unknown field, so nothing can be probed.
    const filter = encodeURIComponent(JSON.stringify({ field: 'dateOfBirth', op: 'lt', value: '1900-01-01' }));
    const filtered = await client(t, rep).get(`/api/v1/staff?filter=${filter}`);
    expect(filtered.statusCode).toBe(422);
    expect(filtered.json().errors[0].path).toMatch(/^filter/);
    const sorted = await client(t, rep).get('/api/v1/staff?sort=dateOfBirth');
    expect(sorted.statusCode).toBe(422);
    // For the administrator the field is known, but encrypted at rest: equality only (a range is a 422 naming why).
    const range = await client(t, admin).get(`/api/v1/staff?filter=${filter}`);
    expect(range.statusCode).toBe(422);
    expect(range.json().errors[0].message).toMatch(/encrypted at rest/);
    const exact = encodeURIComponent(JSON.stringify({ field: 'dateOfBirth', op: 'eq', value: '1815-12-10' }));
    expect((await client(t, admin).get(`/api/v1/staff?filter=${exact}`)).json().data).toHaveLength(1);

    // The directory is read-only for them, and their metadata does not list the private fields.
    expect((await client(t, rep).patch(`/api/v1/staff/${adminEntry.id}`, { title: 'x' })).statusCode).toBe(403);
    expect((await client(t, rep).post('/api/v1/staff', { displayName: 'Ghost' })).statusCode).toBe(403);
    const meta = (await client(t, rep).get('/api/v1/objects/staff')).json().data;
    const names = meta.fields.map((f: { name: string }) => f.name);
    expect(names).toContain('workPhone');
    for (const f of PRIVATE) expect(names).not.toContain(f);
    // Nothing sensitive was read, so nothing was audited for them.
    expect(await sensitiveReads(rep.userId)).toEqual([]);
  });

  it('export leaves the private fields out for roles that may export (the sales rep may not export at all)', async () => {
    expect((await client(t, rep).get('/api/v1/staff/export')).statusCode).toBe(403);
    const csv = await client(t, analyst).get('/api/v1/staff/export');
    expect(csv.statusCode).toBe(200);
    // Headers are the fields' labels.
    const labelOf = (name: string) => staffObject.fields.find((f) => f.name === name)?.label as string;
    const header = csv.body.split('\r\n')[0] ?? '';
    expect(header).toContain('Name');
    for (const f of PRIVATE) expect(header).not.toContain(labelOf(f));
    expect(csv.body).not.toContain('zanzibar');
    const full = await client(t, admin).get('/api/v1/staff/export');
    expect(full.body.split('\r\n')[0]).toContain(labelOf('personalEmail'));
    expect(full.body).toContain('zanzibar.quill@example.org');
  });

  it('an administrator sees the private fields, and each such read is audited', async () => {
    const before = (await sensitiveReads(admin.userId)).length;
    const got = (await client(t, admin).get(`/api/v1/staff/${adminEntry.id}`)).json().data;
    expect(got.personalEmail).toBe('zanzibar.quill@example.org');
    expect(got.homeAddress).toMatchObject({ street: '1 Private Road', city: 'London', country: 'GB' });
    expect(got.dateOfBirth).toBe('1815-12-10');
    await client(t, admin).get('/api/v1/staff');
    const reads = await sensitiveReads(admin.userId);
    expect(reads.length).toBe(before + 2);
    expect(reads[1]?.recordId).toBe(adminEntry.id);
    expect(reads[0]?.detail.recordIds).toEqual([adminEntry.id]);
  });

  it('a member reads and changes their own private fields through /staff/me, and nothing of anyone else', async () => {
    const mine = await client(t, rep).get('/api/v1/staff/me');
    expect(mine.statusCode, mine.body).toBe(200);
    expect(mine.json().data.userId).toBe(rep.userId);
    expect(mine.json().data).toHaveProperty('personalEmail', null);
    const etag = mine.headers.etag as string;
    const changed = await client(t, rep).patch(
      '/api/v1/staff/me',
      { personalEmail: 'Sam@Home.example', mobilePhone: '+447911123457', emergencyContact: 'Alex' },
      { 'if-match': etag },
    );
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().data.personalEmail).toBe('sam@home.example');
    // A stale version changes nothing.
    const stale = await client(t, rep).patch('/api/v1/staff/me', { location: 'Leeds' }, { 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    // Title, department and manager are the administrators' to set.
    const title = await client(t, rep).patch('/api/v1/staff/me', { title: 'CEO', location: 'Leeds' });
    expect(title.statusCode).toBe(422);
    expect(title.json().errors).toEqual([{ path: 'title', message: expect.stringMatching(/read-only/) }]);
    // Bad values are named.
    const bad = await client(t, rep).patch('/api/v1/staff/me', { dateOfBirth: 'yesterday' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('dateOfBirth');
    // Their own entry in the directory still hides the private fields from them there…
    const inList = (await client(t, rep).get(`/api/v1/staff/${mine.json().data.id}`)).json().data;
    expect(inList).not.toHaveProperty('personalEmail');
    // …and the administrator sees what they wrote, with the change audited from → to.
    const seen = (await client(t, admin).get(`/api/v1/staff/${mine.json().data.id}`)).json().data;
    expect(seen.personalEmail).toBe('sam@home.example');
    const log = (
      await client(t, admin).get(`/api/v1/audit-log?action=record.updated&recordId=${mine.json().data.id}`)
    ).json().data;
    // The audit log records that an encrypted field changed, never its value.
    expect(log[0].changes.personalEmail).toEqual([null, '[encrypted]']);
    // Reading one's own private fields is a sensitive read too.
    expect(await sensitiveReads(rep.userId)).toEqual([]);
    await client(t, rep).get('/api/v1/staff/me');
    expect((await sensitiveReads(rep.userId))[0]?.recordId).toBe(mine.json().data.id);
  });

  it('a member who leaves has their entry moved to the trash; rejoining brings it back', async () => {
    const temp = await memberWithRole(t, admin.workspaceId, 'service_rep', 'Tess Temp');
    const entry = (await client(t, temp).get('/api/v1/staff/me')).json().data;
    const removed = await client(t, admin).del(`/api/v1/members/${temp.userId}`);
    expect(removed.statusCode, removed.body).toBe(204);
    expect((await client(t, admin).get(`/api/v1/staff/${entry.id}`)).statusCode).toBe(404);
    const trash = (await client(t, admin).get('/api/v1/staff/trash')).json().data;
    expect(trash.map((e: { id: string }) => e.id)).toContain(entry.id);
    await addMember(t.database, admin.workspaceId, temp.userId, 'service_rep');
    const back = await client(t, admin).get('/api/v1/staff?count=true');
    expect(back.json().total).toBe(4);
  });
});
