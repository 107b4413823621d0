import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';

/**
 * Issue 19, point 5: a geo-targeted campaign's audience is a segment on `near` (or on a
 * territory), and its mail goes to those people only — "everyone within 50 km of Berlin".
 */
describe('geo-targeted campaigns', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let admin: SignedUp;
  let api: HttpClient;
  const people: Record<string, string> = {};

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ smtpUrl: smtp.url, mailDomain: 'mail.example.test' });
    admin = await signUp(t.app, { workspaceName: 'Geo Campaign Co', name: 'Ada Admin' });
    api = client(t, admin.cookie);
    const places: [string, string, string][] = [
      ['Mitte', 'Berlin', 'DE'],
      ['Potsdam', 'Potsdam', 'DE'], // about 27 km from Berlin
      ['Hamburg', 'Hamburg', 'DE'], // about 255 km
      ['Lyon', 'Lyon', 'FR'],
    ];
    for (const [lastName, city, country] of places) {
      const c = await buildContact(api, {
        firstName: lastName,
        lastName,
        email: `${lastName.toLowerCase()}@example.org`,
        address: { city, country },
      });
      people[lastName] = c.id;
      const consent = await api.post(`/api/v1/contacts/${c.id}/consents`, {
        purpose: 'marketing_email',
        status: 'granted',
      });
      expect(consent.statusCode, consent.body).toBe(201);
    }
    await t.events.drain(60_000); // the gazetteer places them
  });
  afterAll(async () => {
    await t.stop();
    await smtp.close();
  });

  it('sends a geo-targeted campaign to everyone within 50 km of Berlin, and to nobody else', async () => {
    const segment = await api.post('/api/v1/segments', {
      name: 'Within 50 km of Berlin',
      object: 'contacts',
      filter: { field: 'address', op: 'near', value: { place: 'Berlin, DE', radiusKm: 50 } },
    });
    expect(segment.statusCode, segment.body).toBe(201);
    const members = (await api.get(`/api/v1/segments/${segment.json().data.id}/members?sort=distance`)).json().data;
    expect(members.map((m: { lastName: string }) => m.lastName)).toEqual(['Mitte', 'Potsdam']);
    expect(members[1].distanceKm).toBeGreaterThan(20);

    const campaign = await api.post('/api/v1/campaigns', { name: 'Berlin customer evening', type: 'geo_targeted' });
    expect(campaign.statusCode, campaign.body).toBe(201);
    const id = campaign.json().data.id;
    const added = await api.post(`/api/v1/campaigns/${id}/members`, { segmentId: segment.json().data.id });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().data).toEqual({ added: 2, alreadyMembers: 0 });

    const sender = await api.post('/api/v1/mail/senders', { fromName: 'Events', fromAddress: 'events@geo.example' });
    expect(sender.statusCode, sender.body).toBe(201);
    const template = await api.post('/api/v1/mail/templates', {
      name: 'Evening invitation',
      subject: 'Join us in Berlin, {{ contact.firstName }}',
      html: '<p>Hello {{ contact.firstName }}, you are close by: come to our customer evening.</p>',
      text: '',
    });
    expect(template.statusCode, template.body).toBe(201);
    const send = await api.post(`/api/v1/campaigns/${id}/send`, { templateId: template.json().data.id });
    expect(send.statusCode, send.body).toBe(202);
    for (let i = 0; i < 50; i++) {
      await t.jobs.runDue({ queues: ['campaigns.send'] });
      const sends = (await api.get(`/api/v1/campaigns/${id}/sends`)).json().data as { state: string }[];
      if (sends.every((s) => s.state === 'completed')) break;
    }
    while ((await t.mail.runOnce(100)) > 0) {}
    const invited = smtp.messages.filter((m) => m.subject?.startsWith('Join us in Berlin'));
    expect(invited.map((m) => (m.to && 'text' in m.to ? m.to.text : '')).sort()).toEqual([
      'mitte@example.org',
      'potsdam@example.org',
    ]);
  });

  it('takes a territory as the audience: a segment on territoryId', async () => {
    const territory = await api.post('/api/v1/territories', {
      name: 'North',
      area: {
        polygon: {
          type: 'Polygon',
          coordinates: [
            [
              [8, 53],
              [11, 53],
              [11, 54.5],
              [8, 54.5],
              [8, 53],
            ],
          ],
        },
      },
    });
    expect(territory.statusCode, territory.body).toBe(201);
    await t.events.drain(60_000);
    await t.jobs.runDue();
    await t.events.drain(60_000);
    const segment = await api.post('/api/v1/segments', {
      name: 'North territory',
      object: 'contacts',
      filter: { field: 'territoryId', op: 'eq', value: territory.json().data.id },
    });
    expect(segment.statusCode, segment.body).toBe(201);
    const members = (await api.get(`/api/v1/segments/${segment.json().data.id}/members`)).json().data;
    expect(members.map((m: { id: string }) => m.id)).toEqual([people.Hamburg]);
  });
});
