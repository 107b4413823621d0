import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildLead } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

const DAY = 86_400_000;

describe('data-subject requests: queue, verification, due dates, rectification, opt-out, restriction; retention', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let anon: HttpClient;
  let rep: Member;
  // The runtime's clock: the retention tests move it on.
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);

  const outbox = async (to: string) =>
    (
      await t.database.tenant(admin.workspaceId, (tx) =>
        sql<{ subject: string; text_body: string; confidential: boolean }>`
          select subject, text_body, confidential from mail_outbox where to_address = ${to} order by created_at`.execute(
          tx,
        ),
      )
    ).rows;
  const auditOf = async (id: string) =>
    (
      await t.database.tenant(admin.workspaceId, (tx) =>
        sql<{ action: string; detail: Record<string, unknown> | null }>`
          select action, detail from audit_log where record_id = ${id}::uuid order by at, id`.execute(tx),
      )
    ).rows;

  beforeAll(async () => {
    t = await createTestApp({}, { clock });
    admin = await signUp(t.app, { workspaceName: 'Careful Co' });
    as = client(t, admin);
    anon = client(t, null);
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('administrators only; bad input is a 422 naming the field', async () => {
    const asRep = client(t, rep);
    expect((await asRep.post('/api/v1/privacy/requests', { type: 'access', email: 'a@example.com' })).statusCode).toBe(
      403,
    );
    expect((await asRep.get('/api/v1/privacy/requests')).statusCode).toBe(403);
    expect((await asRep.get('/api/v1/privacy/retention-policies')).statusCode).toBe(403);
    const badType = await as.post('/api/v1/privacy/requests', { type: 'forget', email: 'a@example.com' });
    expect(badType.statusCode).toBe(422);
    expect(badType.headers['content-type']).toContain('application/problem+json');
    expect(badType.json().errors[0].path).toBe('type');
    const badEmail = await as.post('/api/v1/privacy/requests', { type: 'access', email: 'not mail' });
    expect(badEmail.statusCode).toBe(422);
    expect(badEmail.json().errors[0].path).toBe('email');
    const badVerified = await as.post('/api/v1/privacy/requests', {
      type: 'access',
      email: 'a@example.com',
      verified: false,
    });
    expect(badVerified.json().errors[0].path).toBe('verified');
    const stranger = await as.post('/api/v1/privacy/requests', {
      type: 'access',
      email: 'a@example.com',
      assigneeId: '01900000-0000-7000-8000-000000000000',
    });
    expect(stranger.statusCode).toBe(422);
    expect(stranger.json().errors[0].path).toBe('assigneeId');
    expect((await as.get('/api/v1/privacy/requests/01900000-0000-7000-8000-000000000000')).statusCode).toBe(404);
  });

  it('an unverified request mails a link; it cannot be completed until the person confirms it', async () => {
    const created = await as.post('/api/v1/privacy/requests', { type: 'access', email: 'Unsure@Example.com' });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json().data;
    expect((await as.get(`/api/v1/privacy/requests/${id}`)).json().data).toMatchObject({
      status: 'unverified',
      email: 'unsure@example.com',
      verifiedAt: null,
    });
    expect((await as.post(`/api/v1/privacy/requests/${id}/complete`, {})).statusCode).toBe(409);
    const [mail] = await outbox('unsure@example.com');
    expect(mail?.confidential).toBe(true);
    const link = (mail?.text_body.match(/http\S+\/privacy\/verify\/(rpv_[\w-]+)/) ?? [])[0] as string;
    expect(link).toBeTruthy();
    const path = new URL(link).pathname;
    // Opening the link confirms nothing (mail scanners follow links); its button does.
    const page = await anon.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post"');
    expect((await as.get(`/api/v1/privacy/requests/${id}`)).json().data.status).toBe('unverified');
    expect((await t.app.inject({ method: 'POST', url: path })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: path })).statusCode).toBe(404); // single use
    expect((await t.app.inject({ method: 'POST', url: '/privacy/verify/rpv_guessed' })).statusCode).toBe(404);
    const verified = (await as.get(`/api/v1/privacy/requests/${id}`)).json().data;
    expect(verified.status).toBe('pending');
    expect(verified.verifiedAt).toBeTruthy();
    expect((await as.post(`/api/v1/privacy/requests/${id}/complete`, {})).statusCode).toBe(200);
    expect((await auditOf(id)).map((a) => a.action)).toEqual([
      'privacy.request.created',
      'privacy.request.verified',
      'privacy.request.completed',
    ]);
    // The request's own audit trail never names the address.
    expect(JSON.stringify(await auditOf(id))).not.toContain('unsure@');
  });

  it('the public intake answers the same for a known person, an unknown one and an unknown workspace', async () => {
    await buildLead(as, { lastName: 'Known', email: 'known@example.com' });
    const post = (ws: string, email: string) =>
      t.app.inject({
        method: 'POST',
        url: `/privacy/${ws}`,
        headers: { 'content-type': 'application/json' },
        payload: { type: 'erasure', email },
      });
    const known = await post(admin.workspaceId, 'known@example.com');
    const unknown = await post(admin.workspaceId, 'nobody@example.com');
    const nowhere = await post('01900000-0000-7000-8000-000000000000', 'known@example.com');
    for (const r of [known, unknown, nowhere]) expect(r.statusCode).toBe(202);
    expect(unknown.body).toBe(known.body);
    expect(nowhere.body).toBe(known.body);
    const bad = await post(admin.workspaceId, 'nope');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('email');
    const form = await anon.get(`/privacy/${admin.workspaceId}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="email"');
    const browser = await t.app.inject({
      method: 'POST',
      url: `/privacy/${admin.workspaceId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      payload: 'type=access&email=browser%40example.com',
    });
    expect(browser.statusCode).toBe(202);
    expect(browser.headers['content-type']).toContain('text/html');
    // Both were queued for the administrators, unverified, each person mailed a link.
    const queue = (await as.get('/api/v1/privacy/requests?status=unverified')).json().data;
    expect(queue.map((r: { email: string }) => r.email)).toEqual(
      expect.arrayContaining(['known@example.com', 'nobody@example.com', 'browser@example.com']),
    );
    expect(queue.every((r: { source: string }) => r.source === 'public')).toBe(true);
    expect(await outbox('nobody@example.com')).toHaveLength(1);
  });

  it('due dates: GDPR 30 days, CCPA 45, extended once with a reason; assignment', async () => {
    const gdpr = (
      await as.post('/api/v1/privacy/requests', { type: 'access', email: 'g@example.com', verified: true })
    ).json().data;
    const ccpa = (
      await as.post('/api/v1/privacy/requests', {
        type: 'access',
        email: 'c@example.com',
        verified: true,
        regime: 'ccpa',
      })
    ).json().data;
    const days = (a: string, b = Date.now()) => Math.round((Date.parse(a) - b) / DAY);
    expect(days(gdpr.dueAt)).toBe(30);
    expect(days(ccpa.dueAt)).toBe(45);
    const noReason = await as.post(`/api/v1/privacy/requests/${gdpr.id}/extend`, { reason: ' ' });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().errors[0].path).toBe('reason');
    const extended = await as.post(`/api/v1/privacy/requests/${gdpr.id}/extend`, { reason: 'Data in archives' });
    expect(extended.statusCode, extended.body).toBe(200);
    expect(days(extended.json().data.dueAt, Date.parse(gdpr.dueAt))).toBe(60);
    expect(extended.json().data.extendedReason).toBe('Data in archives');
    expect((await as.post(`/api/v1/privacy/requests/${gdpr.id}/extend`, { reason: 'again' })).statusCode).toBe(409);
    const ccpaExtended = await as.post(`/api/v1/privacy/requests/${ccpa.id}/extend`, { reason: 'Many systems' });
    expect(days(ccpaExtended.json().data.dueAt, Date.parse(ccpa.dueAt))).toBe(45);
    const assigned = await as.patch(`/api/v1/privacy/requests/${gdpr.id}`, { assigneeId: rep.userId });
    expect(assigned.json().data.assigneeId).toBe(rep.userId);
    expect((await auditOf(gdpr.id)).map((a) => a.action)).toEqual([
      'privacy.request.created',
      'privacy.request.extended',
      'privacy.request.assigned',
    ]);
  });

  it('rectification goes through the record engine’s edit path and is recorded against the request', async () => {
    const c = await buildContact(as, { firstName: 'Jon', lastName: 'Smyth', email: 'jon@example.com' });
    const id = (
      await as.post('/api/v1/privacy/requests', { type: 'rectification', email: 'jon@example.com', verified: true })
    ).json().data.id;
    const missing = await as.post(`/api/v1/privacy/requests/${id}/complete`, {});
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0].path).toBe('changes');
    const invalid = await as.post(`/api/v1/privacy/requests/${id}/complete`, { changes: { email: 'not mail' } });
    expect(invalid.statusCode).toBe(422);
    expect((await as.get(`/api/v1/contacts/${c.id}`)).json().data.lastName).toBe('Smyth');
    const done = await as.post(`/api/v1/privacy/requests/${id}/complete`, { changes: { lastName: 'Smith' } });
    expect(done.statusCode, done.body).toBe(200);
    const record = (await as.get(`/api/v1/contacts/${c.id}`)).json().data;
    expect(record).toMatchObject({ lastName: 'Smith', version: 2 });
    const trail = await auditOf(id);
    expect(trail.find((a) => a.action === 'privacy.request.rectified')?.detail).toMatchObject({
      fields: ['lastName'],
      records: [`contacts:${c.id}`],
    });
  });

  it('opt-out sets doNotSell through the consent ledger; restriction withdraws every purpose', async () => {
    const lead = await buildLead(as, { lastName: 'Optout', email: 'optout@example.com' });
    const optOut = (
      await as.post('/api/v1/privacy/requests', { type: 'opt_out', email: 'optout@example.com', verified: true })
    ).json().data.id;
    // Completed once, even when two administrators press the button together.
    const both = await Promise.all([
      as.post(`/api/v1/privacy/requests/${optOut}/complete`, {}),
      as.post(`/api/v1/privacy/requests/${optOut}/complete`, {}),
    ]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect((await as.get(`/api/v1/leads/${lead.id}`)).json().data.doNotSell).toBe(true);
    const ledger = (await as.get(`/api/v1/leads/${lead.id}/consents`)).json().data;
    expect(ledger[0]).toMatchObject({
      purpose: 'sale_sharing',
      status: 'withdrawn',
      sourceRef: `privacy_request:${optOut}`,
    });

    const c = await buildContact(as, { lastName: 'Restrict', email: 'restrict@example.com' });
    const restriction = (
      await as.post('/api/v1/privacy/requests', { type: 'restriction', email: 'restrict@example.com', verified: true })
    ).json().data.id;
    expect((await as.post(`/api/v1/privacy/requests/${restriction}/complete`, {})).statusCode).toBe(200);
    const statuses = (await as.get(`/api/v1/contacts/${c.id}/consents`)).json().data as {
      purpose: string;
      status: string;
    }[];
    expect(statuses.map((s) => `${s.purpose}:${s.status}`).sort()).toEqual([
      'marketing_email:withdrawn',
      'profiling:withdrawn',
      'sale_sharing:withdrawn',
      'tracking:withdrawn',
    ]);
    expect((await as.post(`/api/v1/privacy/requests/${restriction}/complete`, {})).statusCode).toBe(409);
  });

  it('retention: a dry run reports, a run deletes or anonymises, each audited; the daily job applies active policies', async () => {
    const stale = await buildLead(as, { firstName: 'Old', lastName: 'Lead', email: 'old.lead@example.com' });
    const converted = await buildLead(as, { lastName: 'Keeper', status: 'working' });
    const oldContact = await buildContact(as, {
      firstName: 'Olga',
      lastName: 'Oldman',
      email: 'olga@example.com',
      phone: '+4930901820',
    });
    const bad = await as.post('/api/v1/privacy/retention-policies', {
      name: 'x',
      object: 'unicorns',
      months: 1,
      action: 'delete',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('object');
    const badFilter = await as.post('/api/v1/privacy/retention-policies', {
      name: 'x',
      object: 'leads',
      filter: { field: 'nope', op: 'eq', value: 1 },
      months: 1,
      action: 'delete',
    });
    expect(badFilter.statusCode).toBe(422);
    const leads = await as.post('/api/v1/privacy/retention-policies', {
      name: 'Unconverted leads after 24 months',
      object: 'leads',
      filter: { field: 'status', op: 'eq', value: 'new' },
      months: 24,
      action: 'delete',
    });
    expect(leads.statusCode, leads.body).toBe(201);
    const policyId = leads.json().data.id;
    // Nothing is 24 months old yet.
    const now = await as.post(`/api/v1/privacy/retention-policies/${policyId}/run`);
    expect(now.json().data).toMatchObject({ matched: 0, processed: 0, dryRun: true });

    offsetMs = 25 * 31 * DAY;
    const dry = await as.post(`/api/v1/privacy/retention-policies/${policyId}/run?dryRun=true`);
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.json().data.dryRun).toBe(true);
    expect(dry.json().data.sampleIds).toContain(stale.id);
    expect(dry.json().data.sampleIds).not.toContain(converted.id);
    expect(dry.json().data.processed).toBe(0);
    expect((await as.get(`/api/v1/leads/${stale.id}`)).statusCode).toBe(200);
    expect((await auditOf(policyId)).map((a) => a.action)).toContain('privacy.retention.dry_run');

    const contacts = await as.post('/api/v1/privacy/retention-policies', {
      name: 'Anonymise contacts after 2 years',
      object: 'contacts',
      filter: { field: 'email', op: 'eq', value: 'olga@example.com' },
      months: 24,
      action: 'anonymise',
    });
    expect(contacts.statusCode, contacts.body).toBe(201);
    // The daily job (as scheduled) applies every active policy.
    expect(await t.modules.privacy.retention(clock())).toBe(2);
    expect((await as.get(`/api/v1/leads/${stale.id}`)).statusCode).toBe(404);
    expect((await as.get(`/api/v1/leads/${converted.id}`)).statusCode).toBe(200);
    const anonymised = (await as.get(`/api/v1/contacts/${oldContact.id}`)).json().data;
    expect(anonymised).toMatchObject({ firstName: null, lastName: 'Anonymised', email: null, phone: null });
    const listed = (await as.get('/api/v1/privacy/retention-policies')).json().data;
    expect(listed.find((p: { id: string }) => p.id === policyId)).toMatchObject({
      lastResult: { matched: expect.any(Number), processed: expect.any(Number), dryRun: false },
    });
    expect((await auditOf(policyId)).map((a) => a.action)).toContain('privacy.retention.run');
    expect((await as.del(`/api/v1/privacy/retention-policies/${policyId}`)).statusCode).toBe(204);
    offsetMs = 0;
  });
});

describe('the public privacy intake is rate-limited per address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ publicRateLimits: true });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('answers 429 with Retry-After past 5 requests an hour from one address, the same for any workspace id', async () => {
    const post = (n: number) =>
      t.app.inject({
        method: 'POST',
        url: `/privacy/01900000-0000-7000-8000-00000000000${n % 10}`,
        headers: { 'content-type': 'application/json' },
        payload: { type: 'access', email: `someone${n}@example.com` },
        remoteAddress: '203.0.113.50',
      });
    const codes: number[] = [];
    for (let n = 0; n < 6; n++) codes.push((await post(n)).statusCode);
    expect(codes).toEqual([202, 202, 202, 202, 202, 429]);
    const limited = await post(7);
    expect(limited.headers['retry-after']).toBeTruthy();
    expect(limited.json().code).toBe('rate_limited');
  });
});
