import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact, buildLead, buildOpportunity, buildQuote } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { timelineSources } from './timeline-links';

describe('duplicates: detection and merge', () => {
  let t: TestApp;
  let admin: SignedUp;
  const events = (recordId: string) =>
    t.database.tenant(
      admin.workspaceId,
      async (tx) =>
        (
          await sql<{
            type: string;
            data: Record<string, unknown>;
          }>`select type, data from events where record_id = ${recordId}::uuid order by seq`.execute(tx)
        ).rows,
    );

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Dup Co' });
  });
  afterAll(() => t.stop());

  it('contacts: same email (also among other emails), same phone in any format, similar name', async () => {
    const jane = await buildContact(client(t, admin), {
      firstName: 'Jane',
      lastName: 'Doe',
      email: 'jane@doe.example',
      phone: '+33 1 23 45 67 89',
    });
    const other = await buildContact(client(t, admin), {
      firstName: 'Someone',
      lastName: 'Else',
      emails: [{ value: 'janed@work.example' }],
    });
    const check = (body: Record<string, unknown>) => client(t, admin).post('/api/v1/contacts/duplicates', body);
    const byEmail = (await check({ email: 'JANE@doe.example' })).json().data;
    expect(byEmail).toEqual([
      expect.objectContaining({
        object: 'contacts',
        id: jane.id,
        title: 'Jane Doe',
        reasons: ['email'],
        score: 1,
        strong: true,
      }),
    ]);
    expect((await check({ email: 'janed@work.example' })).json().data[0]).toMatchObject({
      id: other.id,
      reasons: ['email'],
    });
    // A phone only this contact has: a candidate, not sure enough to merge in one click.
    expect((await check({ phone: '0033 1 23 45 67 89' })).json().data[0]).toMatchObject({
      id: jane.id,
      reasons: ['phone'],
      strong: false,
    });
    const byName = (await check({ firstName: 'Jane', lastName: 'Doé' })).json().data;
    expect(byName[0]).toMatchObject({ id: jane.id, reasons: ['name'], strong: false });
    expect(byName[0].score).toBeGreaterThanOrEqual(0.5);
    // The same name and the same phone: strong.
    expect((await check({ firstName: 'Jane', lastName: 'Doe', phone: '+33123456789' })).json().data[0]).toMatchObject({
      id: jane.id,
      reasons: ['phone', 'name'],
      strong: true,
    });
    expect((await check({ firstName: 'Bob', lastName: 'Marley', email: 'bob@marley.example' })).json().data).toEqual(
      [],
    );
    const bad = await check({ email: 'not-an-email' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('email');
    const own = (await client(t, admin).get(`/api/v1/contacts/${jane.id}/duplicates`)).json().data;
    expect(own.map((d: { id: string }) => d.id)).not.toContain(jane.id);
  });

  it('accounts: same domain in any spelling, similar name; leads are checked against leads and contacts', async () => {
    const acme = await buildAccount(client(t, admin), { name: 'Acme Corporation', domain: 'acme.example' });
    const res = await client(t, admin).post('/api/v1/accounts/duplicates', {
      name: 'ACME Corporation Ltd',
      domain: 'https://www.Acme.example/home',
    });
    expect(res.json().data[0]).toMatchObject({ id: acme.id, reasons: ['domain', 'name'], score: 1, strong: true });
    // A company's name without its legal form is strong evidence on its own.
    const dubuque = await buildAccount(client(t, admin), { name: 'DuBuque Inc' });
    const byName = await client(t, admin).post('/api/v1/accounts/duplicates', { name: 'Dubuque, Inc.' });
    expect(byName.json().data[0]).toMatchObject({ id: dubuque.id, reasons: ['name'], strong: true });
    const lead = await buildLead(client(t, admin), {
      firstName: 'Jane',
      lastName: 'Doe',
      email: 'jane.doe@lead.example',
    });
    const forLead = (
      await client(t, admin).post('/api/v1/leads/duplicates', {
        email: 'jane@doe.example',
        firstName: 'Jane',
        lastName: 'Doe',
      })
    ).json().data;
    expect(forLead.map((d: { object: string; id: string }) => d.object).sort()).toEqual(['contacts', 'leads']);
    expect(forLead.find((d: { object: string }) => d.object === 'leads').id).toBe(lead.id);
  });

  it('a switchboard number shared by many records is weak evidence: alone it makes no duplicate', async () => {
    const switchboard = '+33 1 40 20 50 00';
    const staff = [];
    for (const [firstName, lastName] of [
      ['Anna', 'Board'],
      ['Bernd', 'Desk'],
      ['Carla', 'Front'],
    ])
      staff.push(await buildContact(client(t, admin), { firstName, lastName, phone: switchboard }));
    const [anna, bernd] = staff as [{ id: string }, { id: string }];
    const check = (body: Record<string, unknown>) => client(t, admin).post('/api/v1/contacts/duplicates', body);
    expect((await check({ firstName: 'Dora', lastName: 'Newcomer', phone: switchboard })).json().data).toEqual([]);
    // Stored records sharing only the switchboard are not each other's duplicates.
    expect((await client(t, admin).get(`/api/v1/contacts/${bernd.id}/duplicates`)).json().data).toEqual([]);
    // With the same name it is a candidate, but not a strong one.
    const named = (await check({ firstName: 'Anna', lastName: 'Board', phone: switchboard })).json().data;
    expect(named).toEqual([expect.objectContaining({ id: anna.id, reasons: ['shared_phone', 'name'], strong: false })]);
    // Among other phones too.
    await buildContact(client(t, admin), { lastName: 'Elsewhere', phones: [{ value: '+33 1 40 20 60 00' }] });
    expect((await check({ lastName: 'Zyx Probe', phone: '+33 1 40 20 60 00' })).json().data).toMatchObject([
      { reasons: ['phone'], strong: false },
    ]);
  });

  it('merging keeps every email and phone of both records, for contacts, accounts and leads', async () => {
    const keep = await buildContact(client(t, admin), {
      firstName: 'Max',
      lastName: 'Keep',
      email: 'max@keep.example',
      emails: [{ value: 'max.home@keep.example', label: 'home' }],
      phone: '+33 1 42 00 01 00',
    });
    const lose = await buildContact(client(t, admin), {
      firstName: 'Max',
      lastName: 'Keep',
      email: 'max@lose.example',
      phone: '+33 1 42 00 01 99',
      phones: [{ value: '+33 6 42 00 01 42', label: 'mobile' }],
    });
    const res = await client(t, admin).post(`/api/v1/contacts/${keep.id}/merge`, { otherId: lose.id });
    expect(res.statusCode, res.body).toBe(200);
    const merged = (await client(t, admin).get(`/api/v1/contacts/${keep.id}`)).json().data;
    expect(merged).toMatchObject({ email: 'max@keep.example', phone: '+33142000100' });
    expect(merged.emails).toEqual([{ value: 'max.home@keep.example', label: 'home' }, { value: 'max@lose.example' }]);
    expect(merged.phones).toEqual([{ value: '+33142000199' }, { value: '+33642000142', label: 'mobile' }]);
    // The merged record is found by the other record's email (its duplicates and lead conversion look there too).
    const found = (await client(t, admin).post('/api/v1/contacts/duplicates', { email: 'max@lose.example' })).json();
    expect(found.data[0]).toMatchObject({ id: keep.id, reasons: ['email'] });

    // Choosing the other record's email as the main one keeps this one's among the others.
    const a = await buildContact(client(t, admin), { lastName: 'Swap', email: 'one@swap.example' });
    const b = await buildContact(client(t, admin), { lastName: 'Swap', email: 'two@swap.example' });
    const swapped = await client(t, admin).post(`/api/v1/contacts/${a.id}/merge`, {
      otherId: b.id,
      values: { email: 'two@swap.example' },
    });
    expect(swapped.json().data).toMatchObject({ email: 'two@swap.example', emails: [{ value: 'one@swap.example' }] });

    // Accounts keep both phones; a survivor without a phone takes the other's as its main one.
    const acc1 = await buildAccount(client(t, admin), { name: 'Phone One', phone: '+44 20 7946 0000' });
    const acc2 = await buildAccount(client(t, admin), { name: 'Phone One GmbH', phone: '+44 20 7946 0001' });
    const acc3 = await buildAccount(client(t, admin), { name: 'Phone None' });
    await client(t, admin).post(`/api/v1/accounts/${acc1.id}/merge`, { otherId: acc2.id });
    expect((await client(t, admin).get(`/api/v1/accounts/${acc1.id}`)).json().data).toMatchObject({
      phone: '+442079460000',
      phones: [{ value: '+442079460001' }],
    });
    await client(t, admin).post(`/api/v1/accounts/${acc3.id}/merge`, { otherId: acc1.id });
    expect((await client(t, admin).get(`/api/v1/accounts/${acc3.id}`)).json().data).toMatchObject({
      phone: '+442079460000',
      phones: [{ value: '+442079460001' }],
    });

    // Leads keep both emails and phones.
    const l1 = await buildLead(client(t, admin), {
      lastName: 'Twice',
      email: 'twice@one.example',
      phone: '+33 1 45 00 00 01',
    });
    const l2 = await buildLead(client(t, admin), {
      lastName: 'Twice',
      email: 'twice@two.example',
      phone: '+33 1 45 00 00 02',
    });
    const leads = await client(t, admin).post(`/api/v1/leads/${l1.id}/merge`, { otherId: l2.id });
    expect(leads.statusCode, leads.body).toBe(200);
    expect(leads.json().data).toMatchObject({
      email: 'twice@one.example',
      emails: [{ value: 'twice@two.example' }],
      phone: '+33145000001',
      phones: [{ value: '+33145000002' }],
    });
  });

  it('merging keeps the other record’s emails even when the caller’s role cannot see other emails', async () => {
    const hide = await client(t, admin).post('/api/v1/roles', {
      key: 'no_other_emails',
      name: 'No other emails',
      permissions: {
        objects: {
          '*': { create: true, read: true, update: true, delete: true, export: false, scope: 'all' },
          contacts: { fields: { emails: 'hidden' } },
        },
      },
    });
    expect(hide.statusCode, hide.body).toBe(201);
    const member = await memberWithRole(t, admin.workspaceId, 'no_other_emails');
    const keep = await buildContact(client(t, admin), { lastName: 'Hidden', email: 'h1@hidden.example' });
    const lose = await buildContact(client(t, admin), {
      lastName: 'Hidden',
      email: 'h2@hidden.example',
      emails: [{ value: 'h3@hidden.example' }],
    });
    const res = await client(t, member).post(`/api/v1/contacts/${keep.id}/merge`, { otherId: lose.id });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.emails).toBeUndefined();
    expect((await client(t, admin).get(`/api/v1/contacts/${keep.id}`)).json().data.emails).toEqual([
      { value: 'h2@hidden.example' },
      { value: 'h3@hidden.example' },
    ]);
  });

  it('only records the caller may see are reported', async () => {
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    await buildContact(client(t, admin), { lastName: 'Hidden', email: 'hidden@secret.example' });
    const res = await client(t, rep).post('/api/v1/contacts/duplicates', { email: 'hidden@secret.example' });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual([]);
  });

  it('merging contacts keeps every related record, custom relations, roles, tags, shares, timeline and the chosen values', async () => {
    const customRel = await client(t, admin).post('/api/v1/objects/accounts/fields', {
      name: 'champion',
      type: 'relation',
      label: 'Champion',
      relation: { object: 'contacts', cardinality: 'one' },
    });
    expect(customRel.statusCode, customRel.body).toBe(201);
    const manyRel = await client(t, admin).post('/api/v1/objects/opportunities/fields', {
      name: 'influencers',
      type: 'relation',
      label: 'Influencers',
      relation: { object: 'contacts', cardinality: 'many' },
    });
    expect(manyRel.statusCode, manyRel.body).toBe(201);
    const keep = await buildContact(client(t, admin), {
      firstName: 'Ann',
      lastName: 'Smith',
      email: 'ann@old.example',
      tags: ['a'],
      phone: '+44 20 7946 0958',
    });
    const lose = await buildContact(client(t, admin), {
      firstName: 'Anne',
      lastName: 'Smith',
      email: 'ann@new.example',
      tags: ['b'],
      title: 'CTO',
    });
    const acc = await buildAccount(client(t, admin), { name: 'Smith & Co', champion: lose.id });
    const opp = await buildOpportunity(client(t, admin), { name: 'Smith deal', influencers: [lose.id, keep.id] });
    const opp2 = await buildOpportunity(client(t, admin), { name: 'Other deal' });
    await client(t, admin).put(`/api/v1/opportunities/${opp.id}/contacts`, {
      contacts: [
        { contactId: keep.id, role: 'champion' },
        { contactId: lose.id, role: 'economic_buyer', isPrimary: true },
      ],
    });
    await client(t, admin).put(`/api/v1/opportunities/${opp2.id}/contacts`, {
      contacts: [{ contactId: lose.id, role: 'user' }],
    });
    const quote = await buildQuote(client(t, admin), {
      name: 'Q',
      opportunityId: opp.id,
      currency: 'EUR',
      contactId: lose.id,
    });
    const lead = await buildLead(client(t, admin), { lastName: 'Smith', email: 'ann@lead.example' });
    const converted = await client(t, admin).post(`/api/v1/leads/${lead.id}/convert`, {
      contactId: lose.id,
      createOpportunity: false,
    });
    expect(converted.statusCode, converted.body).toBe(200);
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    expect(
      (await client(t, admin).post(`/api/v1/contacts/${lose.id}/shares`, { userId: rep.userId, access: 'read' }))
        .statusCode,
    ).toBe(201);

    const res = await client(t, admin).post(`/api/v1/contacts/${keep.id}/merge`, {
      otherId: lose.id,
      values: { email: 'ann@new.example', title: 'CTO' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const merged = res.json().data;
    expect(merged).toMatchObject({ id: keep.id, email: 'ann@new.example', title: 'CTO', phone: '+442079460958' });
    expect(merged.tags.sort()).toEqual(['a', 'b']);

    // The loser is in the trash; everything that pointed at it points at the survivor.
    expect((await client(t, admin).get(`/api/v1/contacts/${lose.id}`)).statusCode).toBe(404);
    expect(
      (await client(t, admin).get('/api/v1/contacts/trash')).json().data.map((c: { id: string }) => c.id),
    ).toContain(lose.id);
    expect((await client(t, admin).get(`/api/v1/accounts/${acc.id}`)).json().data.champion).toBe(keep.id);
    expect((await client(t, admin).get(`/api/v1/opportunities/${opp.id}`)).json().data.influencers).toEqual([keep.id]);
    expect((await client(t, admin).get(`/api/v1/quotes/${quote.id}`)).json().data.contactId).toBe(keep.id);
    expect((await client(t, admin).get(`/api/v1/leads/${lead.id}`)).json().data.convertedContactId).toBe(keep.id);
    // Opportunity contacts: the survivor's own link wins where both were linked; the others move.
    const roles = (await client(t, admin).get(`/api/v1/opportunities/${opp.id}/contacts`)).json().data;
    expect(roles).toMatchObject([{ contactId: keep.id, role: 'champion' }]);
    expect((await client(t, admin).get(`/api/v1/opportunities/${opp2.id}/contacts`)).json().data).toMatchObject([
      { contactId: keep.id, role: 'user' },
    ]);
    // The share moved: the rep now sees the survivor.
    expect((await client(t, rep).get(`/api/v1/contacts/${keep.id}`)).statusCode).toBe(200);
    // The timeline: the loser's (and the lead converted into it) now show on the survivor.
    const sources = await t.database.tenant(admin.workspaceId, (tx) =>
      timelineSources(tx, { object: 'contacts', id: keep.id }),
    );
    expect(sources).toEqual(
      expect.arrayContaining([
        { object: 'contacts', id: keep.id },
        expect.objectContaining({ object: 'contacts', id: lose.id, reason: 'merged' }),
        expect.objectContaining({ object: 'leads', id: lead.id, reason: 'converted' }),
      ]),
    );
    // Audited and an event, in the same transaction.
    const log = (await client(t, admin).get(`/api/v1/audit-log?action=record.merged&recordId=${keep.id}`)).json().data;
    expect(log[0].detail).toMatchObject({ mergedId: lose.id, chosen: ['email', 'title'] });
    expect((await events(keep.id)).some((e) => e.type === 'record.merged' && e.data.mergedId === lose.id)).toBe(true);
  });

  it('merging accounts re-points contacts, opportunities, subsidiaries and quotes; a parent link to itself is cleared', async () => {
    const keep = await buildAccount(client(t, admin), { name: 'Globex', domain: 'globex.example' });
    const lose = await buildAccount(client(t, admin), {
      name: 'Globex Inc',
      domain: 'globex-inc.example',
      parentAccountId: undefined,
    });
    await client(t, admin).patch(`/api/v1/accounts/${keep.id}`, { parentAccountId: lose.id });
    const sub = await buildAccount(client(t, admin), { name: 'Globex Labs', parentAccountId: lose.id });
    const person = await buildContact(client(t, admin), { lastName: 'Scorpio', accountId: lose.id });
    const deal = await buildOpportunity(client(t, admin), { name: 'Globex deal', accountId: lose.id });
    const before = (await client(t, admin).get(`/api/v1/contacts/${person.id}`)).json().data.version;
    const res = await client(t, admin).post(`/api/v1/accounts/${keep.id}/merge`, {
      otherId: lose.id,
      values: { domain: 'globex-inc.example' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject({ domain: 'globex-inc.example', parentAccountId: null });
    const moved = (await client(t, admin).get(`/api/v1/contacts/${person.id}`)).json().data;
    expect(moved.accountId).toBe(keep.id);
    expect(moved.version).toBe(before + 1); // stale ETags of re-pointed records are refused
    expect((await client(t, admin).get(`/api/v1/opportunities/${deal.id}`)).json().data.accountId).toBe(keep.id);
    expect((await client(t, admin).get(`/api/v1/accounts/${sub.id}`)).json().data.parentAccountId).toBe(keep.id);
  });

  it('merging re-points polymorphic links (related_object + related_id) of other modules’ tables', async () => {
    // A stand-in for tasks / notes: any tenant table with the convention's two columns.
    await sql`create table merge_test_notes (workspace_id uuid not null, id uuid primary key,
      related_object text, related_id text)`.execute(t.database.db);
    const keep = await buildContact(client(t, admin), { lastName: 'Keeper' });
    const lose = await buildContact(client(t, admin), { lastName: 'Loser' });
    const other = await buildAccount(client(t, admin), { name: 'Unrelated' });
    await t.database.tenant(admin.workspaceId, (tx) =>
      sql`insert into merge_test_notes values
        (${admin.workspaceId}, gen_random_uuid(), 'contacts', ${lose.id}),
        (${admin.workspaceId}, gen_random_uuid(), 'accounts', ${other.id})`.execute(tx),
    );
    const res = await client(t, admin).post(`/api/v1/contacts/${keep.id}/merge`, { otherId: lose.id });
    expect(res.statusCode, res.body).toBe(200);
    const { rows } = await sql<{ related_object: string; related_id: string }>`
      select related_object, related_id from merge_test_notes order by related_object`.execute(t.database.db);
    expect(rows).toEqual([
      { related_object: 'accounts', related_id: other.id },
      { related_object: 'contacts', related_id: keep.id },
    ]);
  });

  it('refuses a merge with itself, with an unknown record, with bad values, or without delete permission', async () => {
    const a = await buildContact(client(t, admin), { lastName: 'A' });
    const b = await buildContact(client(t, admin), { lastName: 'B', email: 'b@b.example' });
    const self = await client(t, admin).post(`/api/v1/contacts/${a.id}/merge`, { otherId: a.id });
    expect(self.statusCode).toBe(422);
    expect(self.json().errors[0].path).toBe('otherId');
    const unknown = await client(t, admin).post(`/api/v1/contacts/${a.id}/merge`, {
      otherId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.json().errors[0]).toEqual({ path: 'otherId', message: 'points to a record that does not exist' });
    const badValue = await client(t, admin).post(`/api/v1/contacts/${a.id}/merge`, {
      otherId: b.id,
      values: { email: 'nope' },
    });
    expect(badValue.statusCode).toBe(422);
    expect((await client(t, admin).get(`/api/v1/contacts/${b.id}`)).statusCode).toBe(200); // nothing happened
    const marketing = await memberWithRole(t, admin.workspaceId, 'marketing_manager');
    const refused = await client(t, marketing).post(`/api/v1/contacts/${a.id}/merge`, { otherId: b.id });
    expect(refused.statusCode).toBe(403);
  });
});
