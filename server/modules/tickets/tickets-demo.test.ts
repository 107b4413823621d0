import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { DEMO_EMAIL } from '../demo';

describe('the demo workspace’s tickets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  it('has an SLA policy, tickets with conversations and a rated solved ticket, once', async () => {
    const password = 'an operator chosen phrase';
    await t.seedDemo({ password });
    await t.seedDemo({ password }); // a later start adds nothing
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: DEMO_EMAIL, password },
    });
    expect(res.statusCode, res.body).toBe(200);
    const api = client(t, sessionCookie(res));
    expect((await api.get('/api/v1/sla-policies')).json().data).toHaveLength(1);
    const tickets = (await api.get('/api/v1/tickets?limit=50')).json().data as Record<string, any>[];
    expect(tickets).toHaveLength(3);
    const mailed = tickets.find((x) => x.subject === 'Cannot export invoices to CSV');
    expect(mailed?.firstResponseDueAt).toBeTruthy();
    const convo = (await api.get(`/api/v1/tickets/${mailed?.id}/messages`)).json().data as { kind: string }[];
    expect(convo.map((m) => m.kind)).toEqual(expect.arrayContaining(['inbound', 'reply']));
    const rated = tickets.find((x) => x.status === 'solved');
    const full = (await api.get(`/api/v1/tickets/${rated?.id}?fields=csatRating`)).json().data;
    expect(full.csatRating).toBe(5);
  }, 120_000); // seeds the whole demo workspace
});
