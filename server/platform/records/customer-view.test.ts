import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import {
  buildAccount,
  buildContact,
  buildInteraction,
  buildMeeting,
  buildOpportunity,
  buildQuote,
  buildTask,
} from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';

/** Issue 14 item 7: an account or contact and everything done with it, in one call, with counts. */
describe('the single customer view: GET /{object}/{id}?include=…', () => {
  let t: TestApp;
  let admin: SignedUp;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Customer view' });
  });
  afterAll(() => t.stop());

  const ids = (list: { id: string }[]) => list.map((r) => r.id).sort();

  it('embeds opportunities, quotes, tasks, meetings, interactions and the recent timeline, with how many of each', async () => {
    const api = client(t, admin);
    const account = await buildAccount(api, { name: 'Initech' });
    const other = await buildAccount(api, { name: 'Elsewhere' });
    const contact = await buildContact(api, { firstName: 'Peter', lastName: 'Gibbons', accountId: account.id });
    const opp = await buildOpportunity(api, { name: 'Initech renewal', accountId: account.id });
    await buildOpportunity(api, { name: 'Not theirs', accountId: other.id });
    const quote = await buildQuote(api, {
      opportunityId: opp.id,
      accountId: account.id,
      contactId: contact.id,
      currency: 'EUR',
    });
    const onAccount = await buildTask(api, {
      title: 'Send the TPS report',
      relatedObject: 'accounts',
      relatedId: account.id,
    });
    const onContact = await buildTask(api, { title: 'Call Peter', relatedObject: 'contacts', relatedId: contact.id });
    const gone = await buildTask(api, { title: 'Trashed', relatedObject: 'accounts', relatedId: account.id });
    expect((await api.del(`/api/v1/tasks/${gone.id}`)).statusCode).toBe(204);
    const meeting = await buildMeeting(api, {
      startAt: new Date(Date.now() + 86_400_000).toISOString(),
      relatedObject: 'accounts',
      relatedId: account.id,
    });
    const older = await buildInteraction(api, {
      topic: 'Kick-off call',
      accountId: account.id,
      contactId: contact.id,
      occurredAt: new Date(Date.now() - 7 * 86_400_000).toISOString(),
    });
    const newer = await buildInteraction(api, {
      topic: 'Site visit',
      channel: 'meeting',
      relatedObject: 'accounts',
      relatedId: account.id,
      occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
    });

    const res = await api.get(
      `/api/v1/accounts/${account.id}?include=contacts,opportunities,quotes,tasks,meetings,interactions,timeline`,
    );
    expect(res.statusCode, res.body).toBe(200);
    const { data, meta } = res.json();
    expect(ids(data.contacts)).toEqual([contact.id]);
    expect(ids(data.opportunities)).toEqual([opp.id]);
    expect(ids(data.quotes)).toEqual([quote.id]);
    expect(ids(data.tasks)).toEqual([onAccount.id]);
    expect(ids(data.meetings)).toEqual([meeting.id]);
    // Linked by its account field or by "related to", newest first (the interactions' own order).
    expect(data.interactions.map((r: { id: string }) => r.id)).toEqual([newer.id, older.id]);
    expect(data.timeline.length).toBeGreaterThan(0);
    expect(data.timeline.length).toBeLessThanOrEqual(20);
    expect(meta.counts).toEqual({
      contacts: 1,
      opportunities: 1,
      quotes: 1,
      tasks: 1,
      meetings: 1,
      interactions: 2,
      timeline: data.timeline.length,
    });

    const person = await api.get(`/api/v1/contacts/${contact.id}?include=account,quotes,tasks,meetings,interactions`);
    expect(person.statusCode, person.body).toBe(200);
    expect(person.json().data.account.id).toBe(account.id);
    expect(ids(person.json().data.tasks)).toEqual([onContact.id]);
    expect(ids(person.json().data.interactions)).toEqual([older.id]);
    expect(person.json().meta.counts).toEqual({ quotes: 1, tasks: 1, meetings: 0, interactions: 1 });

    // Without include the answer is the record alone.
    expect((await api.get(`/api/v1/accounts/${account.id}`)).json().meta).toBeUndefined();
  });

  it('lists embed the same related lists; sections are for one record only', async () => {
    const api = client(t, admin);
    const a = await buildAccount(api, { name: 'Listed' });
    const task = await buildTask(api, { title: 'For the list', relatedObject: 'accounts', relatedId: a.id });
    const filter = encodeURIComponent(JSON.stringify({ field: 'id', op: 'eq', value: a.id }));
    const list = await api.get(`/api/v1/accounts?filter=${filter}&include=tasks`);
    expect(list.statusCode, list.body).toBe(200);
    expect(ids(list.json().data[0].tasks)).toEqual([task.id]);
    const bad = await api.get(`/api/v1/accounts?include=timeline`);
    expect(bad.statusCode, bad.body).toBe(422);
    expect(bad.json().errors[0].path).toBe('include');
    const unknown = await api.get(`/api/v1/accounts/${a.id}?include=nonsense`);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].message).toContain('timeline');
  });
});
