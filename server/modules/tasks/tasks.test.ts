import ICAL from 'ical.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildMeeting, buildTask } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

describe('tasks, meetings, my day and the iCalendar feed', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: ReturnType<typeof client>;
  let rep: Member;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Alice Admin', workspaceName: 'Tasks Co' });
    as = client(t, admin.cookie);
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rob Rep');
    await t.events.drain(); // consumers start from here
  });
  afterAll(() => t.stop());

  const notifications = async (userId: string, kind: string) =>
    (
      await sql<{ title: string; record_id: string; dedupe_key: string }>`
        select title, record_id, dedupe_key from notifications where user_id = ${userId} and kind = ${kind}
        order by created_at`.execute(t.database.db)
    ).rows;

  it('tasks start open, follow their status, and belong to their assignee', async () => {
    const task = await buildTask(as, { title: 'Call back', dueAt: '2030-05-01T09:00:00Z' });
    expect(task).toMatchObject({ status: 'open', priority: 'normal', assigneeId: admin.userId, ownerId: admin.userId });
    const done = (await as.patch(`/api/v1/tasks/${task.id}`, { status: 'done' })).json().data;
    expect(done.completedAt).toEqual(expect.any(String));
    const reopened = (await as.patch(`/api/v1/tasks/${task.id}`, { status: 'open' })).json().data;
    expect(reopened.completedAt).toBeNull();
    // Assigning moves ownership, so the rep (scope "own") sees the task assigned to them.
    const assigned = (await as.patch(`/api/v1/tasks/${task.id}`, { assigneeId: rep.userId })).json().data;
    expect(assigned).toMatchObject({ assigneeId: rep.userId, ownerId: rep.userId });
    expect((await client(t, rep.cookie).get(`/api/v1/tasks/${task.id}`)).statusCode).toBe(200);
    const bad = await as.post('/api/v1/tasks', {
      title: 'x',
      priority: 'asap',
      assigneeId: '0190b4d1-0000-7000-8000-000000000000',
    });
    expect(bad.statusCode).toBe(422);
    expect(
      bad
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['priority']);
    const stranger = await as.post('/api/v1/tasks', { title: 'x', assigneeId: '0190b4d1-0000-7000-8000-000000000000' });
    expect(stranger.json().errors).toEqual([{ path: 'assigneeId', message: 'is not a member of this workspace' }]);
  });

  it('notifies the assignee once per assignment of an open task by someone else', async () => {
    await t.events.drain(); // the earlier test's reassignment
    const before = (await notifications(rep.userId, 'assignment')).length;
    expect(before).toBe(1);
    const task = await buildTask(as, { title: 'Prepare demo', assigneeId: rep.userId });
    await buildTask(client(t, rep.cookie), { title: 'My own' }); // self: no notification
    await buildTask(as, { title: 'Done already', assigneeId: rep.userId, status: 'done' }); // closed: nothing to do
    await as.patch(`/api/v1/tasks/${task.id}`, { priority: 'high' }); // not a reassignment
    await t.events.drain();
    await t.events.drain();
    const got = await notifications(rep.userId, 'assignment');
    expect(got.length - before).toBe(1);
    expect(got.at(-1)).toMatchObject({ record_id: task.id, title: 'Alice Admin assigned you a task: Prepare demo' });
  });

  it('fires each reminder once, when due, and again only when moved', async () => {
    const remindAt = new Date('2031-03-01T08:00:00Z');
    const task = await buildTask(as, {
      title: 'Renewal reminder',
      assigneeId: rep.userId,
      dueAt: '2031-03-01T09:00:00Z',
      remindAt: remindAt.toISOString(),
    });
    const closed = await buildTask(as, {
      title: 'Done already',
      status: 'done',
      remindAt: remindAt.toISOString(),
    });
    const sweeper = t.modules.tasks.reminders;
    expect(await sweeper.sweep(new Date(remindAt.getTime() - 60_000))).toBe(0);
    expect(await sweeper.sweep(new Date(remindAt.getTime() + 1_000))).toBe(1);
    expect(await sweeper.sweep(new Date(remindAt.getTime() + 60_000))).toBe(0);
    let got = (await notifications(rep.userId, 'reminder')).filter((n) => n.record_id === task.id);
    expect(got).toEqual([
      {
        title: 'Reminder: Renewal reminder',
        record_id: task.id,
        dedupe_key: `reminder:${task.id}:${remindAt.toISOString()}`,
      },
    ]);
    expect((await notifications(admin.userId, 'reminder')).some((n) => n.record_id === closed.id)).toBe(false);
    const later = new Date('2031-03-02T08:00:00Z');
    await as.patch(`/api/v1/tasks/${task.id}`, { remindAt: later.toISOString() });
    expect(await sweeper.sweep(new Date(later.getTime() + 1_000))).toBe(1);
    got = (await notifications(rep.userId, 'reminder')).filter((n) => n.record_id === task.id);
    expect(got).toHaveLength(2);
  });

  it('my day: open tasks due today or overdue, and today’s meetings I own or attend', async () => {
    const now = Date.now();
    const soon = new Date(now + 60_000).toISOString();
    const iso = (ms: number) => new Date(ms).toISOString();
    const r = client(t, rep.cookie);
    const overdue = await buildTask(r, { title: 'Overdue', dueAt: iso(now - 3 * 86_400_000) });
    const today = await buildTask(r, { title: 'Today', dueAt: soon });
    await buildTask(r, { title: 'Next week', dueAt: iso(now + 7 * 86_400_000) });
    await buildTask(r, { title: 'Finished', dueAt: soon, status: 'done' });
    const meeting = await buildMeeting(as, {
      title: 'Standup',
      startAt: soon,
      attendeeUserIds: [rep.userId],
    });
    await buildMeeting(as, { title: 'Not mine', startAt: soon });
    // Ask in the time zone where "today" is surely the day of `soon` (Kiritimati is UTC+14; use UTC unless near midnight).
    const res = await r.get('/api/v1/me/day?tz=UTC');
    expect(res.statusCode, res.body).toBe(200);
    const day = res.json().data;
    const titles = day.tasks.map((x: { title: string }) => x.title);
    expect(titles).toContain('Overdue');
    expect(titles).not.toContain('Next week');
    expect(titles).not.toContain('Finished');
    if (new Date(soon).getUTCDate() === new Date(now).getUTCDate()) {
      expect(titles).toContain('Today');
      expect(day.meetings.map((m: { id: string }) => m.id)).toEqual([meeting.id]);
    }
    expect(day.tasks[0].id).toBe(overdue.id);
    expect(day.overdue).toBeGreaterThanOrEqual(1);
    expect(today.assigneeId).toBe(rep.userId);
    const bad = await r.get('/api/v1/me/day?tz=Mars/Olympus');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('tz');
    const range = await r.get(`/api/v1/calendar?from=${iso(now - 86_400_000)}&to=${iso(now + 86_400_000)}`);
    expect(range.statusCode).toBe(200);
    expect(range.json().data.meetings.map((m: { title: string }) => m.title)).toEqual(['Standup']);
    const wide = await r.get(`/api/v1/calendar?from=${iso(now)}&to=${iso(now + 90 * 86_400_000)}`);
    expect(wide.statusCode).toBe(422);
  });

  it('serves a secret iCalendar feed that a real parser reads, with stable UIDs and SEQUENCE bumps', async () => {
    const r = client(t, rep.cookie);
    const start = new Date(Date.now() + 2 * 86_400_000);
    start.setUTCMinutes(30, 0, 0);
    const meeting = await buildMeeting(as, {
      title: 'Quarterly review',
      startAt: start.toISOString(),
      endAt: new Date(start.getTime() + 3_600_000).toISOString(),
      location: 'Room 4, Lyon',
      attendeeUserIds: [rep.userId],
    });
    const task = await buildTask(r, { title: 'Send minutes', dueAt: start.toISOString() });
    const created = await r.post('/api/v1/calendar/feed', {});
    expect(created.statusCode).toBe(201);
    const url = new URL(created.json().data.url);
    expect(url.pathname).toMatch(/^\/api\/v1\/calendar\/rcf_[A-Za-z0-9_-]{32}\.ics$/);

    const fetchFeed = async () => {
      const res = await t.app.inject({ method: 'GET', url: url.pathname }); // no credentials: the token is the key
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/calendar/);
      const cal = new ICAL.Component(ICAL.parse(res.body));
      return cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
    };
    let events = await fetchFeed();
    const m = events.find((e) => e.uid === `meetings-${meeting.id}@rapport`);
    expect(m).toBeDefined();
    expect(m?.summary).toBe('Quarterly review');
    expect(m?.location).toBe('Room 4, Lyon');
    expect(m?.startDate.toJSDate().toISOString()).toBe(start.toISOString());
    expect(m?.startDate.zone?.tzid).toBe('UTC');
    expect(m?.endDate.toJSDate().getTime()).toBe(start.getTime() + 3_600_000);
    const firstSequence = m?.sequence;
    const tk = events.find((e) => e.uid === `tasks-${task.id}@rapport`);
    expect(tk?.summary).toBe('Task: Send minutes');
    expect(tk?.startDate.toJSDate().toISOString()).toBe(start.toISOString());

    await as.patch(`/api/v1/meetings/${meeting.id}`, { location: 'Room 5' });
    events = await fetchFeed();
    const moved = events.find((e) => e.uid === `meetings-${meeting.id}@rapport`);
    expect(moved?.location).toBe('Room 5');
    expect(moved?.sequence).toBe((firstSequence ?? 0) + 1);

    expect((await r.get('/api/v1/calendar/feed')).json().data).toMatchObject({
      active: true,
      lastUsedAt: expect.any(String),
    });
    // Regenerating revokes the old URL; deleting revokes the new one.
    const again = new URL((await r.post('/api/v1/calendar/feed', {})).json().data.url);
    expect((await t.app.inject({ method: 'GET', url: url.pathname })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: again.pathname })).statusCode).toBe(200);
    expect((await r.call('DELETE', '/api/v1/calendar/feed')).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: again.pathname })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/calendar/rcf_guess.ics' })).statusCode).toBe(404);
    expect((await r.get('/api/v1/calendar/feed')).json().data.active).toBe(false);
  });
});
