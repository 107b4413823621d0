import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDARD_OBJECTS } from '../server/modules';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { buildTask } from './helpers/factories';
import { client } from './helpers/http';
import { memberWithRole } from './helpers/members';
import { ACTIONS, type Action, checkMatrixCell } from './helpers/permission-matrix';

const OBJECTS = ['tasks', 'meetings', 'interactions', 'notes'] as const;
type ActivityObject = (typeof OBJECTS)[number];

/**
 * Which suite holds the permission matrix (every standard role × every action through
 * HTTP) of each standard object. A new object fails this file until it has its matrix.
 */
const MATRIX_OF: Record<string, string> = {
  accounts: 'test/permissions.test.ts',
  contacts: 'test/permissions.test.ts',
  leads: 'test/permissions-sales.test.ts',
  opportunities: 'test/permissions-sales.test.ts',
  products: 'test/permissions-sales.test.ts',
  quotes: 'test/permissions-sales.test.ts',
  staff: 'server/modules/staff/staff.test.ts',
  tasks: 'test/permissions-activities.test.ts',
  meetings: 'test/permissions-activities.test.ts',
  interactions: 'test/permissions-activities.test.ts',
  notes: 'test/permissions-activities.test.ts',
  articles: 'server/modules/knowledge/knowledge-permissions.test.ts',
  article_categories: 'server/modules/knowledge/knowledge-permissions.test.ts',
  segments: 'test/permissions-segments.test.ts',
  campaigns: 'test/permissions-segments.test.ts',
  campaign_costs: 'test/permissions-segments.test.ts',
  tickets: 'test/permissions-tickets.test.ts',
  social_messages: 'test/permissions-social.test.ts',
  calls: 'server/modules/telephony/calls-permissions.test.ts',
  territories: 'test/permissions-territories.test.ts',
};

const row = (create: boolean, read: boolean, update: boolean, del: boolean, exp: boolean) => ({
  create,
  read,
  update,
  delete: del,
  export: exp,
});
const forAll = (r: Record<Action, boolean>) =>
  Object.fromEntries(OBJECTS.map((o) => [o, r])) as Record<ActivityObject, Record<Action, boolean>>;

/** The standard roles on activities, written out by hand: the server must match every cell. */
const EXPECTED: Record<string, Record<ActivityObject, Record<Action, boolean>>> = {
  administrator: forAll(row(true, true, true, true, true)),
  sales_rep: forAll(row(true, true, true, true, false)),
  marketing_manager: forAll(row(true, true, true, false, true)),
  service_rep: forAll(row(true, true, true, false, false)),
  data_analyst: forAll(row(false, true, false, false, true)),
};

/** A contact owned by each role's user: interactions are logged with someone (and must be visible to the caller). */
const contactOf: Record<string, string> = {};

const createBody = (object: ActivityObject, role: string, n: string): Record<string, unknown> => {
  switch (object) {
    case 'tasks':
      return { title: `Task ${n}` };
    case 'meetings':
      return { title: `Meeting ${n}`, startAt: '2030-01-15T09:00:00.000Z', endAt: '2030-01-15T10:00:00.000Z' };
    case 'interactions':
      return {
        topic: `Topic ${n}`,
        channel: 'call',
        direction: 'outbound',
        occurredAt: '2026-11-30T10:00:00.000Z',
        contactId: contactOf[role],
      };
    case 'notes':
      return { body: `Note ${n}` };
  }
};
const updateBody: Record<ActivityObject, Record<string, unknown>> = {
  tasks: { title: 'Renamed task' },
  meetings: { title: 'Renamed meeting' },
  interactions: { topic: 'Renamed topic' },
  notes: { body: 'Rewritten note' },
};

describe('every standard object has a permission matrix', () => {
  it('names the suite for each declared object, and no object that is not declared', () => {
    expect(Object.keys(MATRIX_OF).sort()).toEqual(STANDARD_OBJECTS.map((o) => o.name).sort());
  });
});

describe('activities (tasks, meetings, interactions, notes): roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Activity Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
    }
    for (const [role, u] of Object.entries(users)) {
      const res = await client(t, admin).post('/api/v1/contacts', { lastName: `Of ${role}`, ownerId: u.userId });
      contactOf[role] = res.json().data.id;
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(EXPECTED))('%s', (role) => {
    it.each(OBJECTS.flatMap((o) => ACTIONS.map((a) => [o, a] as const)))('%s: %s', async (object, action) => {
      await checkMatrixCell({
        t,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object,
        action,
        allowed: EXPECTED[role]?.[object][action] ?? false,
        createBody: (tag) => createBody(object, role, `${role}-${tag}`),
        updateBody: updateBody[object],
      });
    });
  });

  it('a sales rep sees only their own tasks; another rep’s task is 404 and absent from lists', async () => {
    const rep = users.sales_rep as { cookie: string; userId: string };
    const other = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Other rep');
    const theirs = await buildTask(client(t, admin), { title: 'Not yours', ownerId: other.userId });
    expect((await client(t, rep).get(`/api/v1/tasks/${theirs.id}`)).statusCode).toBe(404);
    expect((await client(t, rep).patch(`/api/v1/tasks/${theirs.id}`, { title: 'x' })).statusCode).toBe(404);
    const listed = (await client(t, rep).get('/api/v1/tasks?limit=500')).json().data as { ownerId: string }[];
    expect(listed.length).toBeGreaterThan(0);
    for (const task of listed) expect(task.ownerId).toBe(rep.userId);
  });
});
