import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact, buildInteraction } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { contactedWithinCooldown, findRecentContacts, sameTopic } from './contact-guard';

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

describe('don’t contact twice', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: ReturnType<typeof client>;
  let mia: Member;
  let sam: Member;
  let rep: Member;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Alice Admin', workspaceName: 'Guard Co' });
    as = client(t, admin.cookie);
    mia = await memberWithRole(t, admin.workspaceId, 'marketing_manager', 'Mia Manager');
    sam = await memberWithRole(t, admin.workspaceId, 'service_rep', 'Sam Service');
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rob Rep');
  });
  afterAll(() => t.stop());

  const recent = async (who: { cookie: string }, contactId: string, query = '') => {
    const res = await client(t, who.cookie).get(`/api/v1/contacts/${contactId}/recent-contacts${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data;
  };

  it('warns a second user that a colleague contacted the person recently, with who, when, channel and topic', async () => {
    const c = await buildContact(as, { firstName: 'Carla', lastName: 'Customer' });
    const call = await buildInteraction(client(t, mia.cookie), {
      channel: 'call',
      topic: 'Q3 pricing',
      contactId: c.id,
      occurredAt: hoursAgo(2),
    });
    const r = await recent(sam, c.id, '?channel=email&topic=Pricing%20follow-up');
    expect(r.warn).toBe(true);
    expect(r.recent).toEqual([
      expect.objectContaining({
        interactionId: call.id,
        channel: 'call',
        topic: 'Q3 pricing',
        by: { id: mia.userId, name: 'Mia Manager' },
        contact: { id: c.id, name: 'Carla Customer' },
        viaAccount: false,
        sameTopic: true,
        sameChannel: false,
      }),
    ]);
    expect(Date.parse(r.recent[0].cooldownEndsAt) - Date.parse(call.occurredAt)).toBe(24 * 3_600_000);
    // Another topic: still listed, but no warning.
    const other = await recent(sam, c.id, '?channel=email&topic=Conference%20invitation');
    expect(other.warn).toBe(false);
    expect(other.recent).toHaveLength(1);
    // The one who made the call is not warned about their own call.
    expect((await recent(mia, c.id)).warn).toBe(false);
    expect((await recent(sam, c.id)).warn).toBe(true);
  });

  it('covers the contact’s account and colleagues, and lets cool-downs expire per channel', async () => {
    const acc = await buildAccount(as, { name: 'Guarded Ltd' });
    const c1 = await buildContact(as, { lastName: 'One', accountId: acc.id });
    const c2 = await buildContact(as, { lastName: 'Two', accountId: acc.id });
    const colleague = await buildInteraction(client(t, mia.cookie), {
      channel: 'email',
      topic: 'Renewal',
      contactId: c2.id,
      occurredAt: hoursAgo(30),
    });
    const accountLevel = await buildInteraction(client(t, mia.cookie), {
      channel: 'direct_mail',
      topic: 'Catalogue',
      accountId: acc.id,
      occurredAt: hoursAgo(24 * 10),
    });
    // Email cool-down (48 h) long over; call cool-down (24 h) over.
    await buildInteraction(client(t, mia.cookie), {
      channel: 'email',
      topic: 'Old',
      contactId: c1.id,
      occurredAt: hoursAgo(50),
    });
    await buildInteraction(client(t, mia.cookie), {
      channel: 'call',
      topic: 'Old call',
      contactId: c1.id,
      occurredAt: hoursAgo(25),
    });
    const r = await recent(sam, c1.id);
    expect(r.accountId).toBe(acc.id);
    expect(r.recent.map((x: { interactionId: string }) => x.interactionId)).toEqual([colleague.id, accountLevel.id]);
    expect(r.recent.every((x: { viaAccount: boolean }) => x.viaAccount)).toBe(true);

    // Administrators change cool-downs; others may read but not change them.
    expect(
      (await client(t, sam.cookie).call('PUT', '/api/v1/settings/contact-cooldowns', { cooldownHours: { email: 1 } }))
        .statusCode,
    ).toBe(403);
    const bad = await as.call('PUT', '/api/v1/settings/contact-cooldowns', { cooldownHours: { email: -1, fax: 2 } });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .join(' '),
    ).toMatch(/email/);
    const ok = await as.call('PUT', '/api/v1/settings/contact-cooldowns', { cooldownHours: { email: 24, call: 48 } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data.cooldownHours).toMatchObject({ email: 24, call: 48, direct_mail: 336 });
    expect((await client(t, sam.cookie).get('/api/v1/settings/contact-cooldowns')).json().data.cooldownHours.call).toBe(
      48,
    );
    const after = await recent(sam, c1.id);
    // The 30 h old email is now past its 24 h cool-down; the 25 h old call is within 48 h.
    expect(after.recent.map((x: { topic: string }) => x.topic)).toEqual(['Old call', 'Catalogue']);
    await as.call('PUT', '/api/v1/settings/contact-cooldowns', { cooldownHours: { email: 48, call: 24 } });
  });

  it('flags do-not-contact and respects the caller’s scope', async () => {
    const c = await buildContact(as, { lastName: 'Quiet', doNotContact: true });
    const r = await recent(sam, c.id);
    expect(r).toMatchObject({ doNotContact: true, warn: true, recent: [] });
    // A sales rep cannot ask about a contact outside their scope: 404, nothing revealed.
    const res = await client(t, rep.cookie).get(`/api/v1/contacts/${c.id}/recent-contacts`);
    expect(res.statusCode).toBe(404);
    expect((await as.get(`/api/v1/contacts/${c.id}/recent-contacts?channel=fax`)).statusCode).toBe(422);
  });

  it('is the one function automated sends call (no caller: every interaction counts)', async () => {
    const c = await buildContact(as, { lastName: 'Automated' });
    const opportunityId = '0190b4d1-0000-7000-8000-00000000abcd';
    await buildInteraction(as, { channel: 'email', topic: 'Nurture 1', contactId: c.id });
    await t.database.tenant(admin.workspaceId, async (tx) => {
      const r = await findRecentContacts(tx, { contactId: c.id, channel: 'email', topic: 'Nurture 1' });
      expect(r.warn).toBe(true);
      expect(r.recent[0]).toMatchObject({ sameTopic: true, sameChannel: true, sameOpportunity: false });
      const later = await findRecentContacts(tx, { contactId: c.id, now: new Date(Date.now() + 49 * 3_600_000) });
      expect(later).toMatchObject({ warn: false, recent: [] });
      const opp = await findRecentContacts(tx, { contactId: c.id, opportunityId });
      expect(opp.warn).toBe(false);
    });
    // An interaction about that opportunity (the opportunities object comes with the sales
    // module; the row is written directly here) makes the same question warn.
    await sql`insert into interactions (workspace_id, id, topic, channel, contact_id, related_object, related_id)
      values (${admin.workspaceId}, ${uuidv7()}, 'Proposal', 'call', ${c.id}, 'opportunities', ${opportunityId})`.execute(
      t.database.db,
    );
    await t.database.tenant(admin.workspaceId, async (tx) => {
      const opp = await findRecentContacts(tx, { contactId: c.id, opportunityId });
      expect(opp.warn).toBe(true);
      expect(opp.recent.find((r) => r.sameOpportunity)?.topic).toBe('Proposal');
    });
  });

  it('answers for a whole batch at once (campaign sends): direct, participant, account and colleague emails count, calls and expired ones do not', async () => {
    const acme = await buildAccount(as, { name: 'Batch Acme' });
    const other = await buildAccount(as, { name: 'Batch Other' });
    const direct = await buildContact(as, { lastName: 'Direct' });
    const participant = await buildContact(as, { lastName: 'Participant' });
    const viaAccount = await buildContact(as, { lastName: 'ViaAccount', accountId: acme.id });
    const colleague = await buildContact(as, { lastName: 'Colleague', accountId: other.id });
    const colleagueMailed = await buildContact(as, { lastName: 'Mailed', accountId: other.id });
    const called = await buildContact(as, { lastName: 'Called' });
    const expired = await buildContact(as, { lastName: 'Expired' });
    const untouched = await buildContact(as, { lastName: 'Untouched' });
    const host = await buildContact(as, { lastName: 'Host' });
    await buildInteraction(as, { channel: 'email', topic: 'a', contactId: direct.id, occurredAt: hoursAgo(1) });
    await buildInteraction(as, {
      channel: 'email',
      topic: 'b',
      contactId: host.id,
      participantContactIds: [participant.id],
      occurredAt: hoursAgo(1),
    });
    await buildInteraction(as, { channel: 'email', topic: 'c', accountId: acme.id, occurredAt: hoursAgo(1) });
    await buildInteraction(as, {
      channel: 'email',
      topic: 'd',
      contactId: colleagueMailed.id,
      occurredAt: hoursAgo(1),
    });
    await buildInteraction(as, { channel: 'call', topic: 'e', contactId: called.id, occurredAt: hoursAgo(1) });
    await buildInteraction(as, { channel: 'email', topic: 'f', contactId: expired.id, occurredAt: hoursAgo(49) });
    const batch = [direct, participant, viaAccount, colleague, called, expired, untouched].map((c) => c.id as string);
    await t.database.tenant(admin.workspaceId, async (tx) => {
      const cooling = await contactedWithinCooldown(tx, batch, 'email', new Date());
      expect([...cooling].sort()).toEqual([direct.id, participant.id, viaAccount.id, colleague.id].sort());
      // The same answer as the per-contact guard's same-channel entries.
      for (const id of batch) {
        const one = await findRecentContacts(tx, { contactId: id, channel: 'email' });
        expect(
          one.recent.some((r) => r.sameChannel),
          id,
        ).toBe(cooling.has(id));
      }
    });
  });

  it('keeps the contacts’ last-contacted date at their latest interaction', async () => {
    const c = await buildContact(as, { lastName: 'Dated' });
    const p = await buildContact(as, { lastName: 'Participant' });
    await t.events.drain(); // the consumer starts here
    const at = hoursAgo(5);
    await buildInteraction(as, {
      channel: 'call',
      topic: 'x',
      contactId: c.id,
      participantContactIds: [p.id],
      occurredAt: at,
    });
    await buildInteraction(as, {
      channel: 'email',
      topic: 'older',
      contactId: c.id,
      occurredAt: hoursAgo(50),
    });
    await t.events.drain();
    const read = async (id: string) => (await as.get(`/api/v1/contacts/${id}`)).json().data.lastContactedAt;
    expect(await read(c.id)).toBe(at);
    expect(await read(p.id)).toBe(at);
  });

  it('compares topics by their significant words', () => {
    expect(sameTopic('Pricing', 'Q3 pricing proposal')).toBe(true);
    expect(sameTopic('Renewal call', 'Pricing call')).toBe(false);
    expect(sameTopic('Démo produit', 'demo PRODUIT')).toBe(true);
    expect(sameTopic('', 'x')).toBe(false);
    expect(sameTopic('Hi', 'hi')).toBe(true);
  });
});
