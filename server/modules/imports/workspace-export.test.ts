import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact, buildOpportunity } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { EXPORT_QUEUE } from './workspace-export';

describe('whole-workspace export: every object the caller may export, as a ZIP of CSV and JSON, by a job', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let contact: { id: string };
  let account: { id: string };

  const runJobs = async () => {
    while ((await t.jobs.runDue({ queues: [EXPORT_QUEUE] })).completed > 0) {}
  };
  const download = async (as: HttpClient, id: string) => {
    const res = await as.get(`/api/v1/exports/${id}/file`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    return unzipSync(new Uint8Array(res.rawPayload));
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Leaving Co' });
    api = client(t, admin);
    account = await buildAccount(api, { name: 'Acme Leaving GmbH', domain: 'acme-leaving.example' });
    contact = await buildContact(api, {
      firstName: 'Ann',
      lastName: 'Exporter',
      email: 'ann@acme-leaving.example',
      accountId: account.id,
    });
    await buildOpportunity(api, { name: 'Acme renewal', accountId: account.id });
  });
  afterAll(() => t?.stop());

  it('writes every object with CSV, JSON and a manifest; progress in the API; audited', async () => {
    const res = await api.post('/api/v1/exports');
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().data.id as string;
    const queued = (await api.get(`/api/v1/exports/${id}`)).json().data;
    expect(queued).toMatchObject({ status: 'queued', fileUrl: null });
    expect(queued.progress.objectsDone).toBe(0);
    expect(queued.progress.objectsTotal).toBe(t.records.registry.all().length);
    // Not ready yet: 409, not a half file.
    expect((await api.get(`/api/v1/exports/${id}/file`)).statusCode).toBe(409);

    await runJobs();
    const done = (await api.get(`/api/v1/exports/${id}`)).json().data;
    expect(done.status).toBe('completed');
    expect(done.progress.objectsDone).toBe(done.progress.objectsTotal);
    expect(done.objects).toEqual(
      expect.arrayContaining([
        { object: 'contacts', records: 1 },
        { object: 'accounts', records: 1 },
        { object: 'opportunities', records: 1 },
      ]),
    );
    expect(done.fileUrl).toBe(`/api/v1/exports/${id}/file`);

    const files = await download(api, id);
    const manifest = JSON.parse(strFromU8(files['manifest.json'] as Uint8Array));
    expect(manifest.workspace.name).toBe('Leaving Co');
    expect(manifest.objects.map((o: { object: string }) => o.object).sort()).toEqual(
      t.records.registry
        .all()
        .map((d) => d.name)
        .sort(),
    );
    expect(manifest.objects.find((o: { object: string }) => o.object === 'contacts').fields).toEqual(
      expect.arrayContaining([{ name: 'email', type: 'email', label: expect.any(String) }]),
    );
    for (const o of manifest.objects as { object: string }[]) {
      expect(files[`${o.object}.csv`], o.object).toBeDefined();
      expect(files[`${o.object}.json`], o.object).toBeDefined();
    }
    const contacts = JSON.parse(strFromU8(files['contacts.json'] as Uint8Array));
    expect(contacts).toEqual([
      expect.objectContaining({ id: contact.id, email: 'ann@acme-leaving.example', accountId: account.id }),
    ]);
    const csv = strFromU8(files['contacts.csv'] as Uint8Array);
    // The spreadsheet export's shape: related records by name, their ids at the end.
    expect(csv).toContain('ann@acme-leaving.example');
    expect(csv).toContain('Acme Leaving GmbH');
    expect(csv).toContain(account.id);

    const { rows } = await sql<{ action: string; object: string | null }>`
      select action, object from audit_log where workspace_id = ${admin.workspaceId}::uuid
        and (action in ('workspace.export_requested', 'workspace.exported')
          or (action = 'records.exported' and detail->>'workspaceExport' = ${id}))`.execute(t.database.db);
    expect(rows.filter((r) => r.action === 'workspace.export_requested')).toHaveLength(1);
    expect(rows.filter((r) => r.action === 'workspace.exported')).toHaveLength(1);
    expect(rows.filter((r) => r.action === 'records.exported').map((r) => r.object)).toEqual(
      expect.arrayContaining(['contacts', 'accounts', 'opportunities']),
    );
    // Listed among the caller's exports.
    expect((await api.get('/api/v1/exports')).json().data.map((e: { id: string }) => e.id)).toContain(id);
  });

  it('a role that may export nothing gets 403 and nothing is written; another member cannot read someone’s export', async () => {
    const rep = client(t, (await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rep')).cookie);
    const before = await sql<{ n: number }>`select count(*)::int as n from workspace_exports`.execute(t.database.db);
    const refused = await rep.post('/api/v1/exports');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    const after = await sql<{ n: number }>`select count(*)::int as n from workspace_exports`.execute(t.database.db);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);

    const id = (await api.post('/api/v1/exports')).json().data.id as string;
    await runJobs();
    const analyst = client(t, (await memberWithRole(t, admin.workspaceId, 'data_analyst', 'Analyst')).cookie);
    expect((await analyst.get(`/api/v1/exports/${id}`)).statusCode).toBe(404);
    expect((await analyst.get(`/api/v1/exports/${id}/file`)).statusCode).toBe(404);
    expect((await analyst.get('/api/v1/exports')).json().data).toEqual([]);
  });

  it('writes only what the role may export, with the fields it sees', async () => {
    // A role exporting contacts only, with the email hidden.
    const role = await api.post('/api/v1/roles', {
      key: 'contacts_exporter',
      name: 'Contacts exporter',
      permissions: {
        objects: {
          '*': { create: false, read: true, update: false, delete: false, export: false, scope: 'all' },
          contacts: {
            create: false,
            read: true,
            update: false,
            delete: false,
            export: true,
            scope: 'all',
            fields: { email: 'hidden' },
          },
        },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const member = client(t, (await memberWithRole(t, admin.workspaceId, 'contacts_exporter', 'Exporter')).cookie);
    const id = (await member.post('/api/v1/exports')).json().data.id as string;
    await runJobs();
    const data = (await member.get(`/api/v1/exports/${id}`)).json().data;
    expect(data.objects).toEqual([{ object: 'contacts', records: 1 }]);
    const files = await download(member, id);
    expect(Object.keys(files).sort()).toEqual(['contacts.csv', 'contacts.json', 'manifest.json']);
    const contacts = JSON.parse(strFromU8(files['contacts.json'] as Uint8Array));
    expect(contacts[0].id).toBe(contact.id);
    expect(contacts[0]).not.toHaveProperty('email');
    expect(strFromU8(files['contacts.csv'] as Uint8Array)).not.toContain('ann@acme-leaving.example');
  });
});
