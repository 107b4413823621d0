import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import {
  buildAccount,
  buildContact,
  buildInteraction,
  buildMeeting,
  buildNote,
  buildTask,
} from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

interface Item {
  id: string;
  kind: string;
  at: string;
  type?: string;
  actor: { id: string; name: string } | null;
  changes?: Record<string, [unknown, unknown]>;
  data?: { record?: Record<string, unknown> };
  record?: Record<string, unknown>;
  names?: Record<string, string | null>;
  body?: string;
  mentions?: { id: string; name: string }[];
}

describe('timeline: history, activities and comments of a record, through HTTP', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: ReturnType<typeof client>;
  let repA: Member;
  let repB: Member;
  let viewer: Member;
  let manager: Member;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Alice Admin', workspaceName: 'Timeline Co' });
    as = client(t, admin.cookie);
    repA = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
    repB = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Bob Rep');
    manager = await memberWithRole(t, admin.workspaceId, 'marketing_manager', 'Mia Manager');
    // A role that sees contacts but not their job title nor interaction notes.
    const role = await as.post('/api/v1/roles', {
      key: 'title_blind',
      name: 'Title blind',
      permissions: {
        objects: {
          '*': { read: true, create: true, update: true, scope: 'all' },
          contacts: { fields: { title: 'hidden' } },
          interactions: { fields: { body: 'hidden' } },
        },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    viewer = await memberWithRole(t, admin.workspaceId, 'title_blind', 'Vera Viewer');
  });
  afterAll(() => t.stop());

  const timelineOf = async (cookie: string, url: string) => {
    const res = await client(t, cookie).get(url);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { data: Item[]; page: { nextCursor: string | null; hasMore: boolean } };
  };

  it('merges changes, notes, interactions, tasks, meetings and comments, newest first', async () => {
    const c = await buildContact(as, { firstName: 'Tim', lastName: 'Line', title: 'Buyer' });
    await as.patch(`/api/v1/contacts/${c.id}`, { title: 'Head of Buying', firstName: 'Timothy' });
    const note = await buildNote(as, {
      body: 'Prefers mornings',
      relatedObject: 'contacts',
      relatedId: c.id,
    });
    const call = await buildInteraction(as, {
      channel: 'call',
      topic: 'Renewal',
      contactId: c.id,
      durationMinutes: 12,
    });
    expect(call).toMatchObject({ direction: 'outbound', occurredAt: expect.any(String) });
    const task = await buildTask(as, {
      title: 'Send proposal',
      relatedObject: 'contacts',
      relatedId: c.id,
      dueAt: '2030-01-01T10:00:00Z',
    });
    expect(task).toMatchObject({ status: 'open', priority: 'normal', assigneeId: admin.userId });
    const meeting = await buildMeeting(as, {
      title: 'Demo',
      startAt: new Date(Date.now() + 1000).toISOString(),
      attendeeContactIds: [c.id],
    });
    const comment = await as.post(`/api/v1/contacts/${c.id}/comments`, { body: 'Looks promising' });
    expect(comment.statusCode, comment.body).toBe(201);

    const { data } = await timelineOf(admin.cookie, `/api/v1/contacts/${c.id}/timeline`);
    const kinds = data.map((i) => i.kind);
    expect(kinds.sort()).toEqual(['comment', 'event', 'event', 'interaction', 'meeting', 'note', 'task'].sort());
    // Newest first (the meeting starts in the future, so it leads).
    expect(data[0]?.kind).toBe('meeting');
    const ats = data.map((i) => i.at);
    expect([...ats].sort().reverse()).toEqual(ats);
    const updated = data.find((i) => i.type === 'contact.updated');
    expect(updated?.changes).toEqual({ title: ['Buyer', 'Head of Buying'], firstName: ['Tim', 'Timothy'] });
    expect(updated?.actor).toEqual({ id: admin.userId, name: 'Alice Admin' });
    expect(data.find((i) => i.kind === 'note')?.record).toMatchObject({ id: note.id, body: 'Prefers mornings' });
    expect(data.find((i) => i.kind === 'interaction')?.record).toMatchObject({ id: call.id, channel: 'call' });
    expect(data.find((i) => i.kind === 'task')?.record).toMatchObject({ id: task.id });
    expect(data.find((i) => i.kind === 'meeting')?.record).toMatchObject({ id: meeting.id });
    expect(data.find((i) => i.kind === 'comment')).toMatchObject({
      body: 'Looks promising',
      actor: { name: 'Alice Admin' },
    });

    // Filter by kind.
    const only = await timelineOf(admin.cookie, `/api/v1/contacts/${c.id}/timeline?kinds=note,comment`);
    expect(only.data.map((i) => i.kind).sort()).toEqual(['comment', 'note']);
    const bad = await as.get(`/api/v1/contacts/${c.id}/timeline?kinds=gossip`);
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);

    // Cursor paging walks the same items once each.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Item[]; page: { nextCursor: string | null } } = await timelineOf(
        admin.cookie,
        `/api/v1/contacts/${c.id}/timeline?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.data.map((i) => i.id));
      cursor = page.page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(data.map((i) => i.id));
    expect((await as.get(`/api/v1/contacts/${c.id}/timeline?cursor=garbage`)).statusCode).toBe(422);
  });

  it('never shows a hidden field: not in changes, not in the record, not in activities', async () => {
    const c = await buildContact(as, { firstName: 'Hidden', lastName: 'Title', title: 'Secret title' });
    await as.patch(`/api/v1/contacts/${c.id}`, { title: 'Another secret' }); // only a hidden field
    await as.patch(`/api/v1/contacts/${c.id}`, { title: 'Third secret', lastName: 'Titles' }); // mixed
    await buildInteraction(as, {
      channel: 'email',
      topic: 'Hello',
      contactId: c.id,
      body: 'Confidential body',
    });

    const res = await client(t, viewer.cookie).get(`/api/v1/contacts/${c.id}/timeline`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toMatch(/secret/i);
    expect(res.body).not.toContain('Confidential body');
    const data = res.json().data as Item[];
    const updates = data.filter((i) => i.type === 'contact.updated');
    expect(updates).toHaveLength(1); // the title-only change says nothing to this role
    expect(updates[0]?.changes).toEqual({ lastName: ['Title', 'Titles'] });
    const created = data.find((i) => i.type === 'contact.created');
    expect(created?.data?.record).toMatchObject({ firstName: 'Hidden' });
    expect(created?.data?.record).not.toHaveProperty('title');
    const interaction = data.find((i) => i.kind === 'interaction');
    expect(interaction?.record).toMatchObject({ topic: 'Hello' });
    expect(interaction?.record).not.toHaveProperty('body');
    // The administrator sees it all.
    const full = await as.get(`/api/v1/contacts/${c.id}/timeline`);
    expect(full.body).toContain('Third secret');
  });

  it('an out-of-scope record has no timeline, takes no comments and no activities', async () => {
    const mine = await buildContact(client(t, repA.cookie), { lastName: 'Ritas' });
    await buildNote(client(t, repA.cookie), {
      body: 'Rita only',
      relatedObject: 'contacts',
      relatedId: mine.id,
    });
    const b = client(t, repB.cookie);
    const tl = await b.get(`/api/v1/contacts/${mine.id}/timeline`);
    expect(tl.statusCode).toBe(404);
    expect(tl.body).not.toContain('Rita only');
    expect((await b.post(`/api/v1/contacts/${mine.id}/comments`, { body: 'hi' })).statusCode).toBe(404);
    const note = await b.post('/api/v1/notes', { body: 'sneaky', relatedObject: 'contacts', relatedId: mine.id });
    expect(note.statusCode).toBe(422);
    expect(note.json().errors).toEqual([{ path: 'relatedId', message: 'points to a record that does not exist' }]);
    const interaction = await b.post('/api/v1/interactions', { channel: 'call', topic: 'x', contactId: mine.id });
    expect(interaction.statusCode).toBe(422);
    // Another workspace's record is just as absent.
    const other = await signUp(t.app, { workspaceName: 'Elsewhere' });
    expect((await client(t, other.cookie).get(`/api/v1/contacts/${mine.id}/timeline`)).statusCode).toBe(404);
  });

  it('names owners and accounts in changes, and a record the caller may not read as restricted', async () => {
    const ritas = await buildAccount(as, { name: 'Rita Works', ownerId: repA.userId });
    const hidden = await buildAccount(as, { name: 'Hidden Holdings' }); // the administrator's: not Rita's to read
    const c = await buildContact(as, { lastName: 'Named', ownerId: repB.userId, accountId: ritas.id });
    const res = await as.patch(`/api/v1/contacts/${c.id}`, { ownerId: repA.userId, accountId: hidden.id });
    expect(res.statusCode, res.body).toBe(200);

    const changed = (tl: { data: Item[] }) => tl.data.find((i) => i.type === 'contact.updated' && i.changes?.ownerId);
    const rita = changed(await timelineOf(repA.cookie, `/api/v1/contacts/${c.id}/timeline?kinds=event`));
    expect(rita?.changes).toMatchObject({ ownerId: [repB.userId, repA.userId], accountId: [ritas.id, hidden.id] });
    expect(rita?.names).toEqual({
      [repB.userId]: 'Bob Rep',
      [repA.userId]: 'Rita Rep',
      [ritas.id]: 'Rita Works',
      [hidden.id]: null,
    });
    expect(JSON.stringify(rita)).not.toContain('Hidden Holdings');
    const alice = changed(await timelineOf(admin.cookie, `/api/v1/contacts/${c.id}/timeline?kinds=event`));
    expect(alice?.names?.[hidden.id]).toBe('Hidden Holdings');
  });

  it('activities of a visible record show whoever owns them (controlled by the parent record)', async () => {
    const shared = await buildContact(as, { lastName: 'Shared' });
    await client(t, repA.cookie).call('GET', '/api/v1/me'); // (warm)
    const byManager = await buildInteraction(client(t, manager.cookie), {
      channel: 'email',
      topic: 'Newsletter',
      contactId: shared.id,
    });
    const { data } = await timelineOf(admin.cookie, `/api/v1/contacts/${shared.id}/timeline?kinds=interaction`);
    expect(data.map((i) => i.id)).toEqual([byManager.id]);
    expect(data[0]?.actor?.name).toBe('Mia Manager');
  });

  it('checks the related record of an activity', async () => {
    const c = await buildContact(as, { lastName: 'Rel' });
    const cases: [unknown, string][] = [
      [{ body: 'x', relatedObject: 'contacts' }, 'relatedId'],
      [{ body: 'x', relatedObject: 'nope', relatedId: c.id }, 'relatedId'],
      [{ body: 'x', relatedObject: 'contacts', relatedId: 'not-a-uuid' }, 'relatedId'],
      [{ body: 'x', relatedObject: 'accounts', relatedId: c.id }, 'relatedId'],
    ];
    for (const [body, path] of cases) {
      const res = await as.post('/api/v1/notes', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const meeting = await as.post('/api/v1/meetings', {
      title: 'x',
      startAt: '2030-01-01T10:00:00Z',
      endAt: '2030-01-01T09:00:00Z',
      attendeeUserIds: ['0190b4d1-0000-7000-8000-000000000000'],
    });
    expect(meeting.statusCode).toBe(422);
    expect(meeting.json().errors.map((e: { path: string }) => e.path)).toEqual(['endAt']);
    const stranger = await as.post('/api/v1/meetings', {
      title: 'x',
      startAt: '2030-01-01T10:00:00Z',
      attendeeUserIds: ['0190b4d1-0000-7000-8000-000000000000'],
    });
    expect(stranger.json().errors).toEqual([{ path: 'attendeeUserIds', message: 'is not a member of this workspace' }]);
    const needsLink = await as.post('/api/v1/interactions', { channel: 'call', topic: 'x' });
    expect(needsLink.json().errors.map((e: { path: string }) => e.path)).toEqual(['contactId']);
  });

  it('an account timeline can include its contacts’ activities', async () => {
    const acc = await buildAccount(as, { name: 'Rollup Inc' });
    const c = await buildContact(as, { lastName: 'Employee', accountId: acc.id });
    const call = await buildInteraction(as, { channel: 'call', topic: 'Intro', contactId: c.id });
    await as.post(`/api/v1/contacts/${c.id}/comments`, { body: 'on the contact' });
    const plain = await timelineOf(admin.cookie, `/api/v1/accounts/${acc.id}/timeline`);
    expect(plain.data.map((i) => i.kind)).toEqual(['event']);
    const rolled = await timelineOf(admin.cookie, `/api/v1/accounts/${acc.id}/timeline?includeContacts=true`);
    expect(rolled.data.map((i) => i.kind).sort()).toEqual(['comment', 'event', 'interaction']);
    expect(rolled.data.find((i) => i.kind === 'interaction')?.id).toBe(call.id);
  });

  describe('comments with @mentions', () => {
    const notificationsOf = async (userId: string) =>
      (
        await sql<{ kind: string; title: string; body: string; record_id: string; actor_user_id: string }>`
          select kind, title, body, record_id, actor_user_id from notifications where user_id = ${userId}
          and kind = 'mention' order by created_at`.execute(t.database.db)
      ).rows;

    it('notifies each mentioned member once, not the author', async () => {
      const c = await buildContact(as, { lastName: 'Mentioned' });
      const before = (await notificationsOf(manager.userId)).length;
      const body = `Hey @[Mia Manager](user:${manager.userId}), see this. Also @[Mia Manager](user:${manager.userId}) and @[Alice Admin](user:${admin.userId})`;
      const res = await as.post(`/api/v1/contacts/${c.id}/comments`, { body });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().data.mentions).toEqual([
        { id: manager.userId, name: 'Mia Manager' },
        { id: admin.userId, name: 'Alice Admin' },
      ]);
      const got = await notificationsOf(manager.userId);
      expect(got.length - before).toBe(1);
      expect(got.at(-1)).toMatchObject({
        kind: 'mention',
        record_id: c.id,
        actor_user_id: admin.userId,
        title: 'Alice Admin mentioned you in a comment on a contact',
      });
      expect(got.at(-1)?.body).toContain('Hey @Mia Manager, see this');
      const account = await buildAccount(as, { name: 'Articles Ltd' });
      await as.post(`/api/v1/accounts/${account.id}/comments`, { body: `@[Mia Manager](user:${manager.userId})` });
      expect((await notificationsOf(manager.userId)).at(-1)?.title).toBe(
        'Alice Admin mentioned you in a comment on an account',
      );
      expect(await notificationsOf(admin.userId)).toHaveLength(0);
      const tl = await timelineOf(admin.cookie, `/api/v1/contacts/${c.id}/timeline?kinds=comment`);
      expect(tl.data[0]?.mentions?.map((m) => m.name)).toEqual(['Mia Manager', 'Alice Admin']);
    });

    it('a comment can be deleted by its author or an administrator only', async () => {
      const c = await buildContact(as, { lastName: 'Deletable' });
      const mine = (await client(t, manager.cookie).post(`/api/v1/contacts/${c.id}/comments`, { body: 'oops' })).json()
        .data;
      const other = (await as.post(`/api/v1/contacts/${c.id}/comments`, { body: 'keep' })).json().data;
      const del = (cookie: string, id: string) =>
        client(t, cookie).call('DELETE', `/api/v1/contacts/${c.id}/comments/${id}`);
      expect((await del(manager.cookie, other.id)).statusCode).toBe(404);
      expect((await del(manager.cookie, mine.id)).statusCode).toBe(204);
      expect((await del(manager.cookie, mine.id)).statusCode).toBe(404);
      expect((await del(admin.cookie, other.id)).statusCode).toBe(204);
      const tl = await timelineOf(admin.cookie, `/api/v1/contacts/${c.id}/timeline?kinds=comment`);
      expect(tl.data).toEqual([]);
    });

    it('mentioning a non-member is a 422 on body, and writes nothing', async () => {
      const c = await buildContact(as, { lastName: 'Nobody' });
      const outsider = await signUp(t.app, { workspaceName: 'Outside' });
      const res = await as.post(`/api/v1/contacts/${c.id}/comments`, {
        body: `cc @[Out Sider](user:${outsider.userId}) and @[Mia](user:${manager.userId})`,
      });
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toMatch(/problem\+json/);
      expect(res.json().errors[0].path).toBe('body');
      const { rows } = await sql`select 1 from comments where record_id = ${c.id}`.execute(t.database.db);
      expect(rows).toHaveLength(0);
      expect((await as.post(`/api/v1/contacts/${c.id}/comments`, { body: '   ' })).statusCode).toBe(422);
      const missing = await as.post(`/api/v1/contacts/${c.id}/comments`, {});
      expect(missing.statusCode).toBe(422);
      expect(missing.json().errors[0].path).toBe('body');
    });
  });

  it('suggests tags in use, most used first, within what the caller sees', async () => {
    await buildContact(as, { lastName: 'T1', tags: ['enterprise', 'emea'] });
    await buildContact(as, { lastName: 'T2', tags: ['enterprise'] });
    await buildContact(client(t, repA.cookie), { lastName: 'T3', tags: ['envoy'] });
    const res = await as.get('/api/v1/tags?object=contacts&q=E');
    expect(res.statusCode).toBe(200);
    expect(res.json().data.slice(0, 3)).toEqual([
      { tag: 'enterprise', count: 2 },
      { tag: 'emea', count: 1 },
      { tag: 'envoy', count: 1 },
    ]);
    const b = await client(t, repB.cookie).get('/api/v1/tags?object=contacts');
    expect(b.json().data).toEqual([]);
    expect((await as.get('/api/v1/tags?object=nope')).statusCode).toBe(422);
  });
});
