import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { TFeedEntry } from '../../../common/contracts/feed';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildOpportunity, buildQuote } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

type Page = { data: TFeedEntry[]; page: { nextCursor: string | null; hasMore: boolean } };
type Frame = { type: string; entry?: TFeedEntry };

/** A notifications socket as `cookie`, collecting its messages; `until` waits for one that matches. */
function openStream(base: string, cookie: string) {
  const got: Frame[] = [];
  const socket = new WebSocket(`${base.replace('http', 'ws')}/api/v1/notifications/stream`, { headers: { cookie } });
  socket.on('message', (d) => got.push(JSON.parse(String(d))));
  return {
    socket,
    got,
    async until(what: string, match: (f: Frame) => boolean, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (!got.some(match)) {
        if (Date.now() > deadline) throw new Error(`no ${what} within ${ms} ms (got ${JSON.stringify(got)})`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

describe('activity feed and colleague messages, through HTTP', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let noQuotes: Member;
  let titleBlind: Member;
  let rep: Member;
  let outsider: Member;
  let teamId: string;

  const feedOf = async (who: HttpClient, query = '') => {
    const res = await who.get(`/api/v1/feed${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Page;
  };
  const post = async (who: HttpClient, body: unknown) => {
    const res = await who.post('/api/v1/feed', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data as TFeedEntry;
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Alice Admin', workspaceName: 'Feed Co' });
    as = client(t, admin.cookie);
    const role = await as.post('/api/v1/roles', {
      key: 'no_quotes',
      name: 'No quotes',
      permissions: {
        objects: { '*': { read: true, create: true, update: true, scope: 'all' }, quotes: { read: false } },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const blind = await as.post('/api/v1/roles', {
      key: 'title_blind',
      name: 'Title blind',
      permissions: {
        objects: {
          '*': { read: true, create: true, update: true, scope: 'all' },
          contacts: { fields: { title: 'hidden' } },
        },
      },
    });
    expect(blind.statusCode, blind.body).toBe(201);
    noQuotes = await memberWithRole(t, admin.workspaceId, 'no_quotes', 'Nora Noquotes');
    titleBlind = await memberWithRole(t, admin.workspaceId, 'title_blind', 'Tess Titleblind');
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
    outsider = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Otto Outsider');
    const team = await as.create('/api/v1/teams', { name: 'North' });
    teamId = team.id;
    for (const u of [admin.userId, rep.userId]) {
      const res = await as.put(`/api/v1/teams/${teamId}/members/${u}`);
      expect(res.statusCode, res.body).toBe(204);
    }
    await t.events.drain(); // the feed starts from here
  });
  afterAll(() => t.stop());

  it('a posted message is in the feed at once, newest first, and new records follow their events', async () => {
    const c = await buildContact(as, { firstName: 'Carla', lastName: 'Customer' });
    await t.events.drain();
    const msg = await post(as, { body: `Met @[Carla Customer](contacts:${c.id}) today` });
    expect(msg).toMatchObject({
      type: 'message.posted',
      actor: { id: admin.userId, name: 'Alice Admin' },
      summary: 'posted a message',
      replies: 0,
      parentId: null,
      recordMentions: [{ object: 'contacts', id: c.id, title: 'Carla Customer' }],
    });
    const { data } = await feedOf(as);
    expect(data[0]?.id).toBe(msg.id);
    const created = data.find((e) => e.type === 'contact.created' && e.record?.id === c.id);
    expect(created).toMatchObject({
      actor: { name: 'Alice Admin' },
      record: { object: 'contacts', id: c.id, title: 'Carla Customer' },
      summary: 'created a contact',
    });
    const times = data.map((e) => Date.parse(e.createdAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('a person’s edits to a record fold into one entry, and a role sees only the fields it may', async () => {
    const c = await buildContact(as, { firstName: 'Edna', lastName: 'Edit' });
    await as.patch(`/api/v1/contacts/${c.id}`, { title: 'Buyer' });
    await as.patch(`/api/v1/contacts/${c.id}`, { title: 'Head buyer', phone: '+4930123456' });
    await as.patch(`/api/v1/contacts/${c.id}`, { title: 'Chief buyer' });
    await t.events.drain();
    const updates = (await feedOf(as, '?type=contact.updated')).data.filter((e) => e.record?.id === c.id);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.fields?.sort()).toEqual(['phone', 'title']);
    // The title-blind role: only the phone change, and no entry at all for a title-only edit.
    const blind = client(t, titleBlind.cookie);
    const seen = (await feedOf(blind, '?type=contact.updated')).data.filter((e) => e.record?.id === c.id);
    expect(seen.map((e) => e.fields)).toEqual([['phone']]);
    expect(JSON.stringify(seen)).not.toMatch(/Title|buyer/);
    const d = await buildContact(as, { lastName: 'Other' });
    await as.patch(`/api/v1/contacts/${d.id}`, { title: 'Secret title' });
    await t.events.drain();
    const blindFeed = await feedOf(blind);
    expect(blindFeed.data.some((e) => e.type === 'contact.updated' && e.record?.id === d.id)).toBe(false);
    expect(blindFeed.data.some((e) => e.type === 'contact.created' && e.record?.id === d.id)).toBe(true);
  });

  it('a role that cannot read quotes never sees quote entries; wins and comments are in the feed', async () => {
    const pipelines = (await as.get('/api/v1/pipelines')).json().data as {
      stages: { id: string; kind: string }[];
    }[];
    const won = pipelines[0]?.stages.find((s) => s.kind === 'won');
    const o = await buildOpportunity(as, { name: 'Big Deal' });
    const q = await buildQuote(as, { opportunityId: o.id, name: 'Secret Quote', currency: 'EUR' });
    const res = await as.patch(`/api/v1/opportunities/${o.id}`, { stageId: won?.id });
    expect(res.statusCode, res.body).toBe(200);
    const c = await buildContact(as, { lastName: 'Commented' });
    const comment = await as.post(`/api/v1/contacts/${c.id}/comments`, {
      body: `Call back next week @[Rita Rep](user:${rep.userId})`,
    });
    expect(comment.statusCode, comment.body).toBe(201);
    await t.events.drain();

    const all = (await feedOf(as, '?limit=100')).data;
    expect(all.some((e) => e.type === 'quote.created' && e.record?.id === q.id)).toBe(true);
    expect(all.find((e) => e.type === 'opportunity.won')).toMatchObject({
      record: { id: o.id, title: 'Big Deal' },
      summary: 'won an opportunity',
    });
    // Winning makes one entry, not also an "updated Stage" one.
    expect(all.some((e) => e.type === 'opportunity.updated' && e.record?.id === o.id)).toBe(false);
    expect(all.find((e) => e.type === 'comment.created')).toMatchObject({
      record: { object: 'contacts', id: c.id },
      body: `Call back next week @[Rita Rep](user:${rep.userId})`,
      mentions: [{ id: rep.userId, name: 'Rita Rep' }],
      summary: 'commented on a contact and mentioned Rita Rep',
    });

    const theirs = await feedOf(client(t, noQuotes.cookie), '?limit=100');
    expect(theirs.data.some((e) => e.record?.object === 'quotes')).toBe(false);
    expect(JSON.stringify(theirs)).not.toContain('Secret Quote');
    expect(theirs.data.some((e) => e.type === 'opportunity.won')).toBe(true);
    // Asking for quotes by type gives nothing either.
    expect((await feedOf(client(t, noQuotes.cookie), '?type=quote.*')).data).toEqual([]);
  });

  it('an own-scope rep sees entries about their records only', async () => {
    const r = client(t, rep.cookie);
    const mine = await buildContact(r, { lastName: 'Mine' });
    const adminsContact = await buildContact(as, { lastName: 'NotRitas' });
    await t.events.drain();
    const { data } = await feedOf(r, '?type=contact.*&limit=100');
    expect(data.some((e) => e.record?.id === mine.id)).toBe(true);
    expect(data.some((e) => e.record?.id === adminsContact.id)).toBe(false);
    // A thread on an entry about that record is as private as the record.
    const entry = (await feedOf(as, '?type=contact.created&limit=100')).data.find(
      (e) => e.record?.id === adminsContact.id,
    ) as TFeedEntry;
    const answer = await post(as, { body: 'Who owns this one?', parentId: entry.id });
    expect(answer.record).toMatchObject({ id: adminsContact.id });
    expect((await r.get(`/api/v1/feed/${entry.id}/replies`)).statusCode).toBe(404);
    const tell = await as.post('/api/v1/feed', { body: `@[Rita Rep](user:${rep.userId}) look`, parentId: entry.id });
    expect(tell.statusCode, tell.body).toBe(422);
    expect(tell.json().errors[0].message).toContain('cannot see');
  });

  it('team messages reach only the team’s members; replies go to the thread', async () => {
    const r = client(t, rep.cookie);
    const o = client(t, outsider.cookie);
    const msg = await post(r, { body: 'North team: stand-up at 9:30', teamId });
    expect(msg).toMatchObject({ team: { id: teamId, name: 'North' }, summary: 'posted to North' });
    expect((await feedOf(as)).data.some((e) => e.id === msg.id)).toBe(true);
    expect((await feedOf(o, '?limit=100')).data.some((e) => e.id === msg.id)).toBe(false);
    expect((await o.get(`/api/v1/feed/${msg.id}/replies`)).statusCode).toBe(404);
    // An outsider can neither reply in the thread nor post to the team.
    const reply = await o.post('/api/v1/feed', { body: 'me too', parentId: msg.id });
    expect(reply.statusCode).toBe(422);
    expect(reply.json().errors[0].path).toBe('parentId');
    const toTeam = await o.post('/api/v1/feed', { body: 'hi', teamId });
    expect(toTeam.statusCode).toBe(422);
    expect(toTeam.json().errors[0].path).toBe('teamId');
    // Mentioning someone outside the team would tell them nothing: refused.
    const mention = await r.post('/api/v1/feed', {
      body: `@[Otto Outsider](user:${outsider.userId}) see this`,
      teamId,
    });
    expect(mention.statusCode).toBe(422);
    expect(mention.json().errors[0]).toMatchObject({ path: 'body' });

    const answer = await post(as, { body: 'I will be there', parentId: msg.id });
    expect(answer).toMatchObject({ parentId: msg.id, team: { id: teamId }, summary: 'replied' });
    const replies = await r.get(`/api/v1/feed/${msg.id}/replies`);
    expect(replies.statusCode, replies.body).toBe(200);
    expect(replies.json().data.map((e: TFeedEntry) => e.body)).toEqual(['I will be there']);
    const top = (await feedOf(r)).data;
    expect(top.find((e) => e.id === msg.id)?.replies).toBe(1);
    expect(top.some((e) => e.id === answer.id)).toBe(false); // replies live in their thread
  });

  it('pushes new entries live over the notifications socket, to those who may see them only', async () => {
    const base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const member = openStream(base, rep.cookie);
    const stranger = openStream(base, outsider.cookie);
    try {
      await member.until('hello', (f) => f.type === 'hello');
      await stranger.until('hello', (f) => f.type === 'hello');
      const teamOnly = await post(as, { body: 'Live for North only', teamId });
      const everyone = await post(as, { body: 'Live for everyone' });
      const c = await buildContact(as, { lastName: 'LiveContact' }); // an entry the own-scope rep may not see
      const mine = await buildContact(client(t, outsider.cookie), { lastName: 'OttosLive' });
      await t.events.drain();
      const is = (id: string) => (f: Frame) => f.type === 'feed' && f.entry?.id === id;
      await member.until('the team message', is(teamOnly.id));
      await member.until('the public message', is(everyone.id));
      await stranger.until('the public message', is(everyone.id));
      await stranger.until('their own contact', (f) => f.type === 'feed' && f.entry?.record?.id === mine.id);
      expect(stranger.got.some(is(teamOnly.id))).toBe(false);
      expect(stranger.got.some((f) => f.entry?.record?.id === c.id)).toBe(false);
      expect(member.got.some((f) => f.entry?.record?.id === c.id)).toBe(false);
      expect(member.got.find(is(everyone.id))?.entry).toMatchObject({
        body: 'Live for everyone',
        actor: { id: admin.userId },
      });
    } finally {
      member.socket.terminate();
      stranger.socket.terminate();
    }
  });

  it('mentioned colleagues are notified once', async () => {
    const m = await post(as, { body: `@[Rita Rep](user:${rep.userId}) can you call them?` });
    const res = await client(t, rep.cookie).get('/api/v1/notifications');
    const mine = res.json().data.filter((n: { title: string; body: string }) => n.body?.includes('can you call them'));
    expect(mine).toHaveLength(1);
    expect(mine[0].title).toBe('Alice Admin mentioned you in a message in the feed');
    expect(m.mentions).toEqual([{ id: rep.userId, name: 'Rita Rep' }]);
  });

  it('pages newest first without repeats, and filters by type, person and team', async () => {
    const who = client(t, outsider.cookie);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post(who, { body: `page test ${i}` })).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await feedOf(who, `?actorId=${outsider.userId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.page.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);

    const messages = (await feedOf(as, '?type=message.*&limit=100')).data;
    expect(messages.length).toBeGreaterThan(0);
    expect(messages.every((e) => e.type === 'message.posted')).toBe(true);
    const byTeam = (await feedOf(as, `?teamId=${teamId}&limit=100`)).data;
    expect(byTeam.length).toBeGreaterThan(0);
    expect(byTeam.every((e) => e.team?.id === teamId || [admin.userId, rep.userId].includes(e.actor?.id ?? ''))).toBe(
      true,
    );
    expect(byTeam.some((e) => e.actor?.id === outsider.userId)).toBe(false);
  });

  it('refuses bad input with 422 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{ body: '   ' }, 'body'],
      [{}, 'body'],
      [{ body: 'x'.repeat(10_001) }, 'body'],
      [{ body: 'hi', teamId: 'not-a-uuid' }, 'teamId'],
      [{ body: 'hi', teamId: '0190a0b0-0000-7000-8000-000000000000' }, 'teamId'],
      [{ body: 'hi', parentId: '0190a0b0-0000-7000-8000-000000000000' }, 'parentId'],
      [{ body: '@[Ghost](user:0190a0b0-0000-7000-8000-000000000000)' }, 'body'],
      [{ body: '@[Ghost](contacts:0190a0b0-0000-7000-8000-000000000000)' }, 'body'],
      [{ body: 'hi', extra: true }, ''],
    ];
    for (const [payload, path] of cases) {
      const res = await as.post('/api/v1/feed', payload);
      expect(res.statusCode, `${JSON.stringify(payload).slice(0, 80)} ${res.body}`).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      if (path) expect(JSON.stringify(res.json().errors ?? res.json()), res.body).toContain(path);
    }
    expect((await as.get('/api/v1/feed?type=DROP TABLE')).statusCode).toBe(422);
    expect((await as.get('/api/v1/feed?cursor=nonsense')).statusCode).toBe(422);
    expect((await as.get('/api/v1/feed?limit=0')).statusCode).toBe(422);
    expect((await as.get('/api/v1/feed?actorId=x')).statusCode).toBe(422);
    // A record the poster cannot read cannot be mentioned (it would not exist for them).
    const hidden = await buildContact(as, { lastName: 'AdminsOnly' });
    const res = await client(t, rep.cookie).post('/api/v1/feed', {
      body: `@[AdminsOnly](contacts:${hidden.id})`,
    });
    expect(res.statusCode).toBe(422);
  });

  it('a mentioned record the reader may not see is shown as restricted, its title withheld', async () => {
    const hidden = await buildContact(as, { firstName: 'Private', lastName: 'Person' });
    const m = await post(as, { body: `Ask @[Private Person](contacts:${hidden.id}) about it` });
    const theirs = (await feedOf(client(t, rep.cookie), '?limit=100')).data.find((e) => e.id === m.id);
    expect(theirs?.recordMentions).toEqual([{ object: 'contacts', id: hidden.id, title: null }]);
    expect(theirs?.body).toBe(`Ask @[restricted contact](contacts:${hidden.id}) about it`);
    expect(JSON.stringify(theirs)).not.toContain('Private Person');
  });

  it('an author edits and deletes their own messages; others cannot; a thread keeps its replies', async () => {
    const repApi = client(t, rep.cookie);
    const outsiderApi = client(t, outsider.cookie);
    const msg = await post(repApi, { body: 'Pricing call moved to 3pm' });
    // Someone else's message: 403 for a colleague, and nothing changes.
    const stranger = await outsiderApi.patch(`/api/v1/feed/${msg.id}`, { body: 'Hijacked' });
    expect(stranger.statusCode, stranger.body).toBe(403);
    expect((await outsiderApi.del(`/api/v1/feed/${msg.id}`)).statusCode).toBe(403);
    // Bad input names the field; an unknown id is a 404.
    const blank = await repApi.patch(`/api/v1/feed/${msg.id}`, { body: '   ' });
    expect(blank.statusCode).toBe(422);
    expect(blank.json().errors[0]).toMatchObject({ path: 'body', message: 'Write a message' });
    expect((await repApi.patch('/api/v1/feed/01939a8e-0000-7000-8000-000000000000', { body: 'x' })).statusCode).toBe(
      404,
    );
    expect((await feedOf(as)).data.find((e) => e.id === msg.id)?.body).toBe('Pricing call moved to 3pm');

    // The author edits: the text changes, it shows as edited, a newly mentioned colleague is told once.
    const edited = await repApi.patch(`/api/v1/feed/${msg.id}`, {
      body: `Pricing call moved to 4pm, @[Alice Admin](user:${admin.userId})`,
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().data).toMatchObject({ body: expect.stringContaining('4pm'), editedAt: expect.any(String) });
    await repApi.patch(`/api/v1/feed/${msg.id}`, { body: `Pricing call at 4pm, @[Alice Admin](user:${admin.userId})` });
    const told = (await as.get('/api/v1/notifications'))
      .json()
      .data.filter((n: { title: string }) => n.title.startsWith('Rita Rep mentioned you'));
    expect(told).toHaveLength(1);
    // A record event cannot be edited by anyone.
    await buildContact(as, { lastName: 'Eventful' });
    await t.events.drain();
    const event = (await feedOf(as)).data.find((e) => e.type === 'contact.created');
    expect((await as.patch(`/api/v1/feed/${event?.id}`, { body: 'rewritten' })).statusCode).toBe(403);

    // Deleting a message without replies removes it, and its mention notification with it.
    expect((await repApi.del(`/api/v1/feed/${msg.id}`)).statusCode).toBe(204);
    expect((await feedOf(as)).data.some((e) => e.id === msg.id)).toBe(false);
    const after = (await as.get('/api/v1/notifications'))
      .json()
      .data.filter((n: { title: string }) => n.title.startsWith('Rita Rep mentioned you'));
    expect(after).toHaveLength(0);

    // A message with a reply stays as "deleted" so the thread keeps it; the administrator may delete anyone's.
    const root = await post(repApi, { body: 'Who has the Nordlicht contract?' });
    const answer = await post(as, { body: 'I do', parentId: root.id });
    expect((await as.del(`/api/v1/feed/${root.id}`)).statusCode).toBe(204);
    const tomb = (await feedOf(repApi)).data.find((e) => e.id === root.id);
    expect(tomb).toMatchObject({ deleted: true, summary: 'deleted a message', replies: 1 });
    expect(tomb?.body).toBeUndefined();
    expect(JSON.stringify(tomb)).not.toContain('Nordlicht');
    const replies = (await repApi.get(`/api/v1/feed/${root.id}/replies`)).json().data as TFeedEntry[];
    expect(replies.map((r) => r.id)).toEqual([answer.id]);
    // A deleted message cannot be edited or deleted again.
    expect((await repApi.patch(`/api/v1/feed/${root.id}`, { body: 'back' })).statusCode).toBe(404);
    // Deleting the reply lowers the count.
    expect((await as.del(`/api/v1/feed/${answer.id}`)).statusCode).toBe(204);
    expect((await feedOf(repApi)).data.find((e) => e.id === root.id)?.replies).toBe(0);
  });
});
