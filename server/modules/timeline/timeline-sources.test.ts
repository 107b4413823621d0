import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildLead } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';

/** A converted lead's and a merged record's history stay on the timeline of the record they went into. */
describe('timeline: history of converted and merged records', () => {
  let t: TestApp;
  let admin: SignedUp;
  const eventsOn = async (object: string, id: string) =>
    (
      (await client(t, admin).get(`/api/v1/${object}/${id}/timeline?kinds=event&limit=200`)).json().data as {
        type: string;
        object: string;
        recordId: string;
      }[]
    ).map((e) => `${e.object}:${e.type}:${e.recordId}`);

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Timeline Sources Co' });
  });
  afterAll(() => t.stop());

  it('shows the lead’s history on the contact it was converted into', async () => {
    const lead = await buildLead(client(t, admin), { lastName: 'Hopper', email: 'grace@navy.example' });
    expect((await client(t, admin).patch(`/api/v1/leads/${lead.id}`, { title: 'Rear admiral' })).statusCode).toBe(200);
    const res = await client(t, admin).post(`/api/v1/leads/${lead.id}/convert`, { createOpportunity: false });
    expect(res.statusCode, res.body).toBe(200);
    const contactId = res.json().data.contact.id as string;
    const items = await eventsOn('contacts', contactId);
    expect(items).toContain(`contacts:contact.created:${contactId}`);
    expect(items).toContain(`leads:lead.created:${lead.id}`);
    expect(items).toContain(`leads:lead.updated:${lead.id}`);
  });

  it('shows the merged-away contact’s history on the survivor', async () => {
    const keep = await buildContact(client(t, admin), { firstName: 'Ada', lastName: 'Lovelace' });
    const gone = await buildContact(client(t, admin), { firstName: 'Ada', lastName: 'Byron' });
    expect((await client(t, admin).patch(`/api/v1/contacts/${gone.id}`, { title: 'Countess' })).statusCode).toBe(200);
    const merged = await client(t, admin).post(`/api/v1/contacts/${keep.id}/merge`, { otherId: gone.id });
    expect(merged.statusCode, merged.body).toBe(200);
    const items = await eventsOn('contacts', keep.id);
    expect(items).toContain(`contacts:contact.updated:${gone.id}`);
    expect(items).toContain(`contacts:contact.created:${keep.id}`);
  });
});
