import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { DEMO_EMAIL } from '../demo';

describe('the demo workspace’s segments', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  it('has a dynamic "Contacts in Germany" and a static "VIP list" with members, once', async () => {
    const password = 'an operator chosen phrase';
    await t.seedDemo({ password });
    await t.seedDemo({ password }); // a later start adds nothing
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: DEMO_EMAIL, password },
    });
    const api = client(t, sessionCookie(res));
    const list = (await api.get('/api/v1/segments?sort=name&fields=name,type')).json().data as {
      id: string;
      name: string;
      type: string;
    }[];
    expect(list.filter((s) => s.name === 'VIP list')).toHaveLength(1);
    const germany = list.find((s) => s.name === 'Contacts in Germany');
    expect(germany?.type).toBe('dynamic');
    const members = (await api.get(`/api/v1/segments/${germany?.id}/members?count=true&include=account`)).json();
    expect(members.total).toBeGreaterThan(0);
    expect(
      members.data.every(
        (c: { address?: { country?: string }; account?: { address?: { country?: string } } }) =>
          c.address?.country === 'DE' || c.account?.address?.country === 'DE',
      ),
    ).toBe(true);
    const vip = list.find((s) => s.name === 'VIP list');
    expect((await api.get(`/api/v1/segments/${vip?.id}/members?count=true`)).json().total).toBe(5);
  }, 120_000); // seeds the whole demo workspace
});
