import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact, buildLead } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { timelineSources } from '../duplicates/timeline-links';

describe('leads and their conversion', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: { cookie: string; userId: string };
  const count = async (object: string, filter: unknown) =>
    (
      await client(t, admin).get(`/api/v1/${object}?count=true&filter=${encodeURIComponent(JSON.stringify(filter))}`)
    ).json().total;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Lead Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
  });
  afterAll(() => t.stop());

  it('a lead: person and company fields, source, status (new by default), score read-only', async () => {
    const l = await buildLead(client(t, admin), {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'Ada@Analytical.example',
      company: 'Analytical Engines',
      domain: 'https://www.analytical.example/about',
      source: 'trade_show',
    });
    expect(l).toMatchObject({
      status: 'new',
      email: 'ada@analytical.example',
      domain: 'analytical.example',
      score: null,
    });
    const score = await client(t, admin).patch(`/api/v1/leads/${l.id}`, { score: 99 });
    expect(score.json().errors).toEqual([{ path: 'score', message: 'is read-only' }]);
    const status = await client(t, admin).patch(`/api/v1/leads/${l.id}`, { status: 'converted' });
    expect(status.statusCode).toBe(422);
    expect(status.json().errors[0].path).toBe('status');
    const empty = await client(t, admin).post('/api/v1/leads', { source: 'website' });
    expect(empty.json().errors[0]).toEqual({
      path: 'lastName',
      message: 'a lead needs a last name, an email or a company',
    });
  });

  it('converts into a new account, contact and opportunity, copying fields and tags, in one go', async () => {
    const l = await buildLead(client(t, admin), {
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@cobol.example',
      phone: '+33 1 23 45 67 89',
      title: 'Rear admiral',
      company: 'Cobol Systems',
      domain: 'cobol.example',
      industry: 'software',
      employees: 120,
      source: 'referral',
      status: 'sql',
      tags: ['hot'],
    });
    const res = await client(t, admin).post(`/api/v1/leads/${l.id}/convert`, {
      opportunity: { name: 'Cobol rollout', amount: { amount: '25000', currency: 'USD' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { lead: converted, account, contact, opportunity } = res.json().data;
    expect(account.created).toBe(true);
    expect(contact.created).toBe(true);
    expect(converted).toMatchObject({
      status: 'converted',
      convertedAccountId: account.id,
      convertedContactId: contact.id,
      convertedOpportunityId: opportunity.id,
    });
    const a = (await client(t, admin).get(`/api/v1/accounts/${account.id}`)).json().data;
    expect(a).toMatchObject({
      name: 'Cobol Systems',
      domain: 'cobol.example',
      industry: 'software',
      employees: 120,
      tags: ['hot'],
    });
    const c = (await client(t, admin).get(`/api/v1/contacts/${contact.id}`)).json().data;
    expect(c).toMatchObject({
      firstName: 'Grace',
      lastName: 'Hopper',
      email: 'grace@cobol.example',
      phone: '+33123456789',
      title: 'Rear admiral',
      accountId: account.id,
      lifecycleStage: 'opportunity',
      tags: ['hot'],
    });
    const o = (await client(t, admin).get(`/api/v1/opportunities/${opportunity.id}`)).json().data;
    expect(o).toMatchObject({
      name: 'Cobol rollout',
      accountId: account.id,
      source: 'referral',
      status: 'open',
      amount: { amount: '25000', currency: 'USD' },
    });
    const roles = (await client(t, admin).get(`/api/v1/opportunities/${opportunity.id}/contacts`)).json().data;
    expect(roles).toMatchObject([{ contactId: contact.id, isPrimary: true }]);

    const { rows } = await t.database.tenant(admin.workspaceId, (tx) =>
      sql<{ type: string; data: Record<string, unknown> }>`select type, data from events
        where object = 'leads' and record_id = ${l.id}::uuid order by seq`.execute(tx),
    );
    expect(rows.map((r) => r.type)).toEqual(['lead.created', 'lead.updated', 'lead.converted']);
    expect(rows[2]?.data).toEqual({
      leadId: l.id,
      accountId: account.id,
      contactId: contact.id,
      opportunityId: opportunity.id,
      accountCreated: true,
      contactCreated: true,
    });
    const sources = await t.database.tenant(admin.workspaceId, (tx) =>
      timelineSources(tx, { object: 'contacts', id: contact.id }),
    );
    expect(sources).toEqual([
      { object: 'contacts', id: contact.id },
      { object: 'leads', id: l.id, reason: 'converted' },
    ]);

    const again = await client(t, admin).post(`/api/v1/leads/${l.id}/convert`, {});
    expect(again.statusCode).toBe(409);
    expect((await client(t, admin).patch(`/api/v1/leads/${l.id}`, { status: 'working' })).statusCode).toBe(422);
  });

  it('links the existing account (by domain, then by name) and contact (by email): no duplicates', async () => {
    const acc = await buildAccount(client(t, admin), { name: 'Babbage Ltd', domain: 'babbage.example' });
    const byName = await buildAccount(client(t, admin), { name: 'Difference Engines' });
    const person = await buildContact(client(t, admin), {
      lastName: 'Babbage',
      email: 'charles@babbage.example',
      tags: ['vip'],
    });
    const l1 = await buildLead(client(t, admin), {
      lastName: 'Babbage',
      email: 'charles@babbage.example',
      company: 'Babbage',
      domain: 'www.babbage.example',
      tags: ['event'],
    });
    const r1 = (await client(t, admin).post(`/api/v1/leads/${l1.id}/convert`, { createOpportunity: false })).json()
      .data;
    expect(r1.account).toEqual({ id: acc.id, created: false });
    expect(r1.contact).toEqual({ id: person.id, created: false });
    expect(r1.opportunity).toBeNull();
    const c = (await client(t, admin).get(`/api/v1/contacts/${person.id}`)).json().data;
    expect(c.tags.sort()).toEqual(['event', 'vip']);
    expect(c.accountId).toBe(acc.id); // had no account: linked

    const l2 = await buildLead(client(t, admin), { lastName: 'Clement', company: 'difference engines' });
    const r2 = (await client(t, admin).post(`/api/v1/leads/${l2.id}/convert`, { createOpportunity: false })).json()
      .data;
    expect(r2.account).toEqual({ id: byName.id, created: false });
    expect(r2.contact.created).toBe(true);
    expect(await count('accounts', { field: 'name', op: 'contains', value: 'engines' })).toBe(1);
  });

  const matchesOf = async (leadId: string, as: { cookie: string } = admin) => {
    const res = await client(t, as).get(`/api/v1/leads/${leadId}/conversion-matches`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as {
      accounts: { id: string; title: string; reasons: string[]; score: number; strong: boolean }[];
      contacts: { id: string; reasons: string[]; strong: boolean }[];
    };
  };
  const convert = async (leadId: string, body: Record<string, unknown> = {}) => {
    const res = await client(t, admin).post(`/api/v1/leads/${leadId}/convert`, { createOpportunity: false, ...body });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data;
  };

  it('links "Dubuque, Inc." with an email at the account’s domain to "DuBuque Inc", and says why', async () => {
    const acc = await buildAccount(client(t, admin), { name: 'DuBuque Inc', domain: 'dubuque.example' });
    const l = await buildLead(client(t, admin), {
      firstName: 'Kim',
      lastName: 'Dubuque',
      email: 'kim@dubuque.example',
      company: 'Dubuque, Inc.',
    });
    const m = await matchesOf(l.id);
    expect(m.accounts[0]).toMatchObject({
      id: acc.id,
      title: 'DuBuque Inc',
      subtitle: 'dubuque.example',
      reasons: ['email_domain', 'name'],
      strong: true,
    });
    expect(m.accounts[0]?.score).toBeGreaterThan(0.95);
    expect(m.contacts).toEqual([]);
    const r = await convert(l.id);
    expect(r.account).toEqual({ id: acc.id, created: false });
    expect(await count('accounts', { field: 'name', op: 'contains', value: 'buque' })).toBe(1);
  });

  it('legal forms, case, accents and punctuation do not make another company', async () => {
    const muller = await buildAccount(client(t, admin), { name: 'Müller Maschinenbau GmbH' });
    const lumiere = await buildAccount(client(t, admin), { name: 'Société Lumière SA' });
    const globex = await buildAccount(client(t, admin), { name: 'Globex Limited' });
    for (const [company, account] of [
      ['Muller Maschinenbau GmbH & Co. KG', muller],
      ['societe lumiere S.A.', lumiere],
      ['GLOBEX LTD.', globex],
    ] as const) {
      const l = await buildLead(client(t, admin), { lastName: 'Suffix', company });
      expect((await matchesOf(l.id)).accounts[0], company).toMatchObject({
        id: account.id,
        reasons: ['name'],
        strong: true,
      });
      expect((await convert(l.id)).account, company).toEqual({ id: account.id, created: false });
    }
  });

  it('matches the lead’s domain and business email against account domains and websites, not free mail', async () => {
    const initech = await buildAccount(client(t, admin), {
      name: 'Initech',
      website: 'https://www.initech.example/en/about',
    });
    const bySite = await buildLead(client(t, admin), {
      lastName: 'Lumbergh',
      company: 'Initrode',
      domain: 'initech.example',
    });
    expect((await matchesOf(bySite.id)).accounts[0]).toMatchObject({
      id: initech.id,
      reasons: ['website'],
      strong: true,
    });
    // An address at a subdomain of the account's website, and another company name on the lead.
    const byMail = await buildLead(client(t, admin), { lastName: 'Gibbons', email: 'peter@eu.initech.example' });
    const m = await matchesOf(byMail.id);
    expect(m.accounts[0]).toMatchObject({ id: initech.id, reasons: ['email_domain'], strong: true });
    // A lead with only a business email finds its company's account too.
    expect((await convert(byMail.id)).account).toEqual({ id: initech.id, created: false });
    await buildAccount(client(t, admin), { name: 'Mail Provider', domain: 'gmail.com' });
    const free = await buildLead(client(t, admin), {
      lastName: 'Free',
      email: 'someone@gmail.com',
      company: 'Bobs Burgers',
    });
    expect((await matchesOf(free.id)).accounts).toEqual([]);
    expect((await convert(free.id)).account.created).toBe(true);
  });

  it('a similar name is offered, not linked; the rep can confirm a new account beside a strong match', async () => {
    const umbrella = await buildAccount(client(t, admin), { name: 'Umbrella Corporation', domain: 'umbrella.example' });
    const similar = await buildLead(client(t, admin), { lastName: 'Wesker', company: 'Umbrela Corp' });
    const m = await matchesOf(similar.id);
    expect(m.accounts[0]).toMatchObject({ id: umbrella.id, reasons: ['similar_name'], strong: false });
    expect(m.accounts[0]?.score).toBeLessThan(0.8);
    const r1 = await convert(similar.id);
    expect(r1.account.created).toBe(true);
    expect((await client(t, admin).get(`/api/v1/accounts/${r1.account.id}`)).json().data.name).toBe('Umbrela Corp');
    // Same domain: strong, but the rep says it is another company. The domain names one account, so it is left off.
    const other = await buildLead(client(t, admin), {
      lastName: 'Birkin',
      company: 'Umbrella Labs',
      domain: 'umbrella.example',
    });
    expect((await matchesOf(other.id)).accounts[0]).toMatchObject({ id: umbrella.id, strong: true });
    const r2 = await convert(other.id, { newAccount: true });
    expect(r2.account.created).toBe(true);
    expect((await client(t, admin).get(`/api/v1/accounts/${r2.account.id}`)).json().data).toMatchObject({
      name: 'Umbrella Labs',
      domain: null,
    });
  });

  it('finds the contact by any of its emails, and gives a new contact the lead’s other emails and phones', async () => {
    const person = await buildContact(client(t, admin), {
      lastName: 'Alt',
      email: 'main@zeta.example',
      emails: [{ value: 'alt@zeta.example' }],
    });
    const l = await buildLead(client(t, admin), { lastName: 'Alt', email: 'alt@zeta.example' });
    expect((await matchesOf(l.id)).contacts).toMatchObject([{ id: person.id, reasons: ['email'], strong: true }]);
    expect((await convert(l.id)).contact).toEqual({ id: person.id, created: false });
    const fresh = await buildLead(client(t, admin), {
      lastName: 'Many',
      email: 'many@eta.example',
      emails: [{ value: 'many.home@eta.example' }],
      phone: '+33 1 23 45 67 00',
      phones: [{ value: '+33 6 12 34 56 78', label: 'mobile' }],
    });
    const r = await convert(fresh.id);
    expect((await client(t, admin).get(`/api/v1/contacts/${r.contact.id}`)).json().data).toMatchObject({
      email: 'many@eta.example',
      emails: [{ value: 'many.home@eta.example' }],
      phone: '+33123456700',
      phones: [{ value: '+33612345678', label: 'mobile' }],
    });
  });

  it('matches only accounts the caller may see', async () => {
    const supplier = await buildAccount(client(t, admin), { name: 'Hidden Supplies Ltd', type: 'supplier' });
    const l = await buildLead(client(t, rep), { lastName: 'Buyer', company: 'Hidden Supplies' });
    expect((await matchesOf(l.id)).accounts[0]).toMatchObject({ id: supplier.id, reasons: ['name'] });
    expect((await matchesOf(l.id, rep)).accounts).toEqual([]);
    const r = await client(t, rep).post(`/api/v1/leads/${l.id}/convert`, { createOpportunity: false });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().data.account.created).toBe(true);
    expect((await client(t, rep).get(`/api/v1/leads/${l.id}/conversion-matches`)).statusCode).toBe(200);
    const others = await buildLead(client(t, admin), { lastName: 'Not yours' });
    expect((await client(t, rep).get(`/api/v1/leads/${others.id}/conversion-matches`)).statusCode).toBe(404);
  });

  it('explicit accountId / contactId are used; unknown ones are 422 naming the field; failures write nothing', async () => {
    const acc = await buildAccount(client(t, admin), { name: 'Chosen Inc' });
    const l = await buildLead(client(t, admin), {
      lastName: 'Turing',
      email: 'alan@bletchley.example',
      company: 'Bletchley',
    });
    const bad = await client(t, admin).post(`/api/v1/leads/${l.id}/convert`, {
      accountId: '00000000-0000-4000-8000-000000000000',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ path: 'accountId', message: 'points to a record that does not exist' }]);
    // A bad stage fails after the account and contact were made: the whole conversion rolls back.
    const badStage = await client(t, admin).post(`/api/v1/leads/${l.id}/convert`, { opportunity: { stageId: 'nope' } });
    expect(badStage.statusCode).toBe(422);
    expect(await count('accounts', { field: 'name', op: 'eq', value: 'Bletchley' })).toBe(0);
    expect(await count('contacts', { field: 'email', op: 'eq', value: 'alan@bletchley.example' })).toBe(0);
    expect((await client(t, admin).get(`/api/v1/leads/${l.id}`)).json().data.status).toBe('new');
    const ok = (await client(t, admin).post(`/api/v1/leads/${l.id}/convert`, { accountId: acc.id })).json().data;
    expect(ok.account).toEqual({ id: acc.id, created: false });
  });

  it('two conversions of leads from the same new company create one account', async () => {
    const a = await buildLead(client(t, admin), {
      lastName: 'One',
      email: 'one@zuse.example',
      company: 'Zuse KG',
      domain: 'zuse.example',
    });
    const b = await buildLead(client(t, admin), {
      lastName: 'Two',
      email: 'two@zuse.example',
      company: 'Zuse KG',
      domain: 'zuse.example',
    });
    const [ra, rb] = await Promise.all([
      client(t, admin).post(`/api/v1/leads/${a.id}/convert`, { createOpportunity: false }),
      client(t, admin).post(`/api/v1/leads/${b.id}/convert`, { createOpportunity: false }),
    ]);
    expect(ra?.statusCode, ra?.body).toBe(200);
    expect(rb?.statusCode, rb?.body).toBe(200);
    expect(ra?.json().data.account.id).toBe(rb?.json().data.account.id);
    expect(await count('accounts', { field: 'domain', op: 'eq', value: 'zuse.example' })).toBe(1);
  });

  it('custom fields with the same name and type are copied', async () => {
    for (const object of ['leads', 'contacts']) {
      const res = await client(t, admin).post(`/api/v1/objects/${object}/fields`, {
        name: 'shoeSize',
        type: 'integer',
        label: 'Shoe size',
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const l = await buildLead(client(t, admin), { lastName: 'Custom', email: 'custom@copy.example', shoeSize: 44 });
    const r = (await client(t, admin).post(`/api/v1/leads/${l.id}/convert`, { createOpportunity: false })).json().data;
    expect((await client(t, admin).get(`/api/v1/contacts/${r.contact.id}`)).json().data.shoeSize).toBe(44);
  });

  it('a sales rep converts their own lead; records are theirs; other reps’ leads are 404', async () => {
    const mine = await buildLead(client(t, rep), { lastName: 'Rep lead', email: 'rep@own.example', company: 'Own Co' });
    const res = await client(t, rep).post(`/api/v1/leads/${mine.id}/convert`, {});
    expect(res.statusCode, res.body).toBe(200);
    const { contact, opportunity } = res.json().data;
    expect((await client(t, rep).get(`/api/v1/opportunities/${opportunity.id}`)).json().data.ownerId).toBe(rep.userId);
    expect((await client(t, rep).get(`/api/v1/contacts/${contact.id}`)).statusCode).toBe(200);
    const others = await buildLead(client(t, admin), { lastName: 'Admin lead' });
    expect((await client(t, rep).post(`/api/v1/leads/${others.id}/convert`, {})).statusCode).toBe(404);
  });

  it('the conversion is audited and honours Idempotency-Key', async () => {
    const l = await buildLead(client(t, admin), { lastName: 'Idem', email: 'idem@potent.example' });
    const first = await client(t, admin).post(
      `/api/v1/leads/${l.id}/convert`,
      {},
      {
        'idempotency-key': 'conv-1',
      },
    );
    const second = await client(t, admin).post(
      `/api/v1/leads/${l.id}/convert`,
      {},
      {
        'idempotency-key': 'conv-1',
      },
    );
    expect(second.statusCode).toBe(200);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    const log = (await client(t, admin).get(`/api/v1/audit-log?object=leads&recordId=${l.id}`)).json().data;
    expect(
      log.some(
        (e: { action: string; detail?: { converted?: unknown } }) =>
          e.action === 'record.updated' && e.detail?.converted,
      ),
    ).toBe(true);
  });
});
