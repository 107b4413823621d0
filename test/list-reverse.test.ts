import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';

// The web app's long lists load their last rows with the same sort reversed
// (web/modules/records/utils/list-window.ts): that must be exactly the list backwards,
// ties, nulls and the id tie-breaker included, page after page.
describe('a list sorted backwards is the same list in reverse', () => {
  let t: TestApp;
  let me: SignedUp;

  beforeAll(async () => {
    t = await createTestApp();
    me = await signUp(t.app, { workspaceName: 'Reverse' });
    const stages = ['lead', 'customer', null];
    const records = Array.from({ length: 45 }, (_, i) => ({
      // Ties on every key, and nulls in titles and stages.
      firstName: ['Ada', 'Alan', 'Grace'][i % 3],
      lastName: ['Lovelace', 'Turing', 'Hopper', 'Liskov'][i % 4],
      title: i % 5 === 0 ? null : `T${i % 7}`,
      lifecycleStage: stages[i % 3],
    }));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contacts/batch',
      headers: { cookie: me.cookie },
      payload: { mode: 'create', atomic: true, records },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(() => t.stop());

  const all = async (sort: string) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const q = new URLSearchParams({ sort, limit: '7', fields: 'id', ...(cursor ? { cursor } : {}) });
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/contacts?${q}`, headers: { cookie: me.cookie } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as { data: { id: string }[]; page: { nextCursor: string | null } };
      ids.push(...body.data.map((r) => r.id));
      cursor = body.page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  };

  for (const [sort, reversed] of [
    ['lastName,firstName', '-lastName,-firstName'],
    ['-createdAt', 'createdAt'],
    ['title', '-title'],
    ['lifecycleStage,-lastName', '-lifecycleStage,lastName'],
  ]) {
    it(`${sort} backwards is ${reversed}`, async () => {
      const forward = await all(sort as string);
      expect(forward).toHaveLength(45);
      expect(await all(reversed as string)).toEqual([...forward].reverse());
    });
  }
});
