import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildLead } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { currentConsent } from '.';

describe('consent ledger, through HTTP', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let rep: Member;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app);
    as = client(t, admin);
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
  });
  afterAll(() => t?.stop());

  it('POST { purpose, status, source } → 201; GET lists the history newest first and the current status', async () => {
    const contact = await buildContact(as, { lastName: 'Consenting', email: 'c1@example.com' });
    const path = `/api/v1/contacts/${contact.id}/consents`;
    const first = await as.post(path, { purpose: 'marketing_email', status: 'granted', source: 'api' });
    expect(first.statusCode).toBe(201);
    expect(first.json().data).toMatchObject({ purpose: 'marketing_email', status: 'granted', source: 'api' });
    const second = await as.post(path, { purpose: 'marketing_email', status: 'withdrawn', source: 'user' });
    expect(second.statusCode).toBe(201);

    const res = await as.get(path);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.map((c: { status: string }) => c.status)).toEqual(['withdrawn', 'granted']);
    expect(body.data[0].recordedBy).toEqual({ id: admin.userId, name: 'Test User' });
    const current = Object.fromEntries(
      body.current.map((c: { purpose: string; status: string }) => [c.purpose, c.status]),
    );
    expect(current).toEqual({
      marketing_email: 'withdrawn',
      tracking: 'unknown',
      profiling: 'unknown',
      sale_sharing: 'unknown',
    });
    await t.database.tenant(admin.workspaceId, async (tx) => {
      expect(await currentConsent(tx, 'contacts', contact.id, 'marketing_email')).toBe('withdrawn');
      expect(await currentConsent(tx, 'contacts', contact.id, 'tracking')).toBe('unknown');
    });

    // Events for workflows and the timeline.
    const { rows } = await sql<{ data: { status: string } }>`
      select data from events where type = 'consent.changed' and record_id = ${contact.id}::uuid order by created_at`.execute(
      t.database.db,
    );
    expect(rows.map((r) => r.data.status)).toEqual(['granted', 'withdrawn']);
  });

  it('the history is append-only: the database refuses to change or delete a row', async () => {
    const lead = await buildLead(as, { lastName: 'Ledger' });
    await as.create(`/api/v1/leads/${lead.id}/consents`, { purpose: 'tracking', status: 'granted', source: 'api' });
    await expect(
      t.database.tenant(admin.workspaceId, (tx) =>
        sql`update consents set status = 'withdrawn' where record_id = ${lead.id}::uuid`.execute(tx),
      ),
    ).rejects.toThrow(/append-only/);
    await expect(
      t.database.tenant(admin.workspaceId, (tx) =>
        sql`delete from consents where record_id = ${lead.id}::uuid`.execute(tx),
      ),
    ).rejects.toThrow(/append-only/);
    const res = await as.get(`/api/v1/leads/${lead.id}/consents`);
    expect(res.json().data).toHaveLength(1);
    expect(res.json().data[0].status).toBe('granted');
  });

  it('bad input gets a 422 naming the field and records nothing', async () => {
    const lead = await buildLead(as, { lastName: 'Bad input' });
    const path = `/api/v1/leads/${lead.id}/consents`;
    const unknown = await as.post(path, { purpose: 'carrier_pigeons', status: 'granted' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json().errors[0].path).toBe('purpose');
    const status = await as.post(path, { purpose: 'tracking', status: 'maybe' });
    expect(status.statusCode).toBe(422);
    expect(status.json().errors[0].path).toBe('status');
    expect((await as.get(path)).json().data).toEqual([]);
  });

  it('workspace purposes: administrators add them, and they can then be recorded', async () => {
    const added = await as.post('/api/v1/consent-purposes', { key: 'event_photos', label: 'Photos at events' });
    expect(added.statusCode).toBe(201);
    expect((await as.post('/api/v1/consent-purposes', { key: 'event_photos', label: 'Again' })).statusCode).toBe(409);
    const asRep = client(t, rep);
    expect((await asRep.post('/api/v1/consent-purposes', { key: 'other_thing', label: 'No' })).statusCode).toBe(403);
    const keys = (await as.get('/api/v1/consent-purposes')).json().data.map((p: { key: string }) => p.key);
    expect(keys).toEqual(['marketing_email', 'tracking', 'profiling', 'sale_sharing', 'event_photos']);
    const contact = await buildContact(as, { lastName: 'Photographed' });
    const res = await as.post(`/api/v1/contacts/${contact.id}/consents`, {
      purpose: 'event_photos',
      status: 'granted',
    });
    expect(res.statusCode).toBe(201);
  });

  it('a sales rep cannot read or write the consents of a record they cannot see (404), but can of their own', async () => {
    const asRep = client(t, rep);
    const hidden = await buildLead(as, { lastName: 'Not yours', ownerId: admin.userId });
    const path = `/api/v1/leads/${hidden.id}/consents`;
    expect((await asRep.get(path)).statusCode).toBe(404);
    expect((await asRep.post(path, { purpose: 'tracking', status: 'granted' })).statusCode).toBe(404);
    expect((await as.get(path)).json().data).toEqual([]);
    const own = await buildLead(asRep, { lastName: 'Mine' });
    expect(
      (await asRep.post(`/api/v1/leads/${own.id}/consents`, { purpose: 'tracking', status: 'granted' })).statusCode,
    ).toBe(201);
    expect((await asRep.get(`/api/v1/leads/${own.id}/consents`)).json().data).toHaveLength(1);
  });

  it('the record page gets the current statuses as its "consents" section', async () => {
    const contact = await buildContact(as, { lastName: 'Sectioned' });
    await as.create(`/api/v1/contacts/${contact.id}/consents`, { purpose: 'profiling', status: 'withdrawn' });
    const res = await as.get(`/api/v1/contacts/${contact.id}?include=consents`);
    expect(res.statusCode).toBe(200);
    const section = res.json().data.consents as { purpose: string; status: string }[];
    expect(section.find((c) => c.purpose === 'profiling')?.status).toBe('withdrawn');
    expect(section.find((c) => c.purpose === 'marketing_email')?.status).toBe('unknown');
  });
});
