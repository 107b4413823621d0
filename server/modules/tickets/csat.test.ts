import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildTicket } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';

describe('CSAT: a survey when a ticket is solved, answered by a signed link without login', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;

  const surveys = async (to: string) =>
    (
      await sql<{ subject: string; text_body: string }>`select subject, text_body from mail_outbox
        where workspace_id = ${admin.workspaceId} and to_address = ${to} order by created_at`.execute(t.database.db)
    ).rows;
  const solvedTicket = async (email: string, subject: string) => {
    const contact = await buildContact(api, { lastName: 'Rater', email });
    const ticket = await buildTicket(api, { subject, contactId: contact.id });
    await api.patch(`/api/v1/tickets/${ticket.id}`, { status: 'solved' });
    await t.events.drain();
    return ticket;
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Survey Co' });
    api = client(t, admin);
  });
  afterAll(() => t.stop());

  it('mails one survey with links 1–5; a click rates the ticket, a comment follows; csat.received', async () => {
    const ticket = await solvedTicket('happy@example.test', 'Refund please');
    await t.events.drain();
    const mails = await surveys('happy@example.test');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toBe(`How did we do? [#${ticket.number}] Refund please`);
    const links = [...(mails[0]?.text_body ?? '').matchAll(/http:\/\/localhost:3000(\/csat\/[^\s?]+)\?rating=(\d)/g)];
    expect(links.map((l) => l[2])).toEqual(['1', '2', '3', '4', '5']);
    const path = links[3]?.[1] as string;

    const res = await t.app.inject({ method: 'GET', url: `${path}?rating=4` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('rated us 4 of 5');
    let got = (await api.get(`/api/v1/tickets/${ticket.id}?fields=csatRating,csatComment`)).json().data;
    expect(got).toMatchObject({ csatRating: 4, csatComment: null });

    const post = await t.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'comment=Quick+and+kind&rating=5',
    });
    expect(post.statusCode, post.body).toBe(200);
    got = (await api.get(`/api/v1/tickets/${ticket.id}?fields=csatRating,csatComment`)).json().data;
    expect(got).toMatchObject({ csatRating: 5, csatComment: 'Quick and kind' });
    const { rows } = await sql<{ data: { rating: number } }>`select data from events
      where workspace_id = ${admin.workspaceId} and type = 'csat.received' and record_id = ${ticket.id} order by id`.execute(
      t.database.db,
    );
    expect(rows.map((r) => r.data.rating)).toEqual([4, 5]);
  });

  it('refuses a changed token or a bad rating and changes nothing', async () => {
    const ticket = await solvedTicket('picky@example.test', 'Tamper test');
    const body = (await surveys('picky@example.test'))[0]?.text_body ?? '';
    const path = /http:\/\/localhost:3000(\/csat\/[^\s?]+)\?rating=1/.exec(body)?.[1] as string;
    const last = path.at(-1) === 'A' ? 'B' : 'A';
    const tampered = `${path.slice(0, -1)}${last}`;
    let res = await t.app.inject({ method: 'GET', url: `${tampered}?rating=1` });
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('This link is not valid');
    res = await t.app.inject({ method: 'GET', url: '/csat/not-a-token?rating=1' });
    expect(res.statusCode).toBe(404);
    res = await t.app.inject({ method: 'POST', url: tampered, payload: { comment: 'sneaky' } });
    expect(res.statusCode).toBe(404);
    res = await t.app.inject({ method: 'GET', url: `${path}?rating=9` });
    expect(res.statusCode).toBe(422);
    const got = (await api.get(`/api/v1/tickets/${ticket.id}?fields=csatRating,csatComment`)).json().data;
    expect(got).toMatchObject({ csatRating: null, csatComment: null });
  });

  it('sends no survey when the workspace turned surveys off', async () => {
    const res = await api.patch('/api/v1/service/ticket-settings', { csatEnabled: false });
    expect(res.statusCode, res.body).toBe(200);
    await solvedTicket('quiet@example.test', 'No survey');
    expect(await surveys('quiet@example.test')).toEqual([]);
  });
});
