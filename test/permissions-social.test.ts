import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { buildSocialConnection, buildSocialMessage } from './helpers/factories';
import { client } from './helpers/http';
import { memberWithRole } from './helpers/members';
import { ACTIONS, type Action, checkMatrixCell } from './helpers/permission-matrix';

const all = (v: boolean): Record<Action, boolean> => ({ create: v, read: v, update: v, delete: v, export: v });

/** The standard roles on social messages, written out by hand: the server must match every cell. */
const EXPECTED: Record<string, Record<Action, boolean>> = {
  administrator: all(true),
  // Service and marketing work the social inbox (all of it), without deleting; marketing exports.
  service_rep: { create: true, read: true, update: true, delete: false, export: false },
  marketing_manager: { create: true, read: true, update: true, delete: false, export: true },
  // Sales reps read their customers' conversations; they do not answer them.
  sales_rep: { ...all(false), read: true },
  data_analyst: { ...all(false), read: true, export: true },
};

describe('social messages: roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Social Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(EXPECTED))('%s', (role) => {
    it.each(ACTIONS)('social_messages: %s', async (action) => {
      await checkMatrixCell({
        t,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object: 'social_messages',
        action,
        allowed: EXPECTED[role]?.[action] ?? false,
        createBody: (tag) => ({ network: 'generic', kind: 'mention', text: `Mention ${role}-${tag}` }),
        updateBody: { status: 'closed' },
      });
    });
  });

  it('the inbox list, replies and one-step actions follow the same rights; connections are for administrators', async () => {
    const message = await buildSocialMessage(client(t, admin), { text: 'Where is my parcel?' });
    const analyst = client(t, users.data_analyst as { cookie: string });
    expect((await analyst.get('/api/v1/social/messages')).json().data.map((m: { id: string }) => m.id)).toContain(
      message.id,
    );
    // Read-only roles cannot answer or convert.
    expect((await analyst.post(`/api/v1/social/messages/${message.id}/reply`, { text: 'Hi' })).statusCode).toBe(403);
    expect((await analyst.post(`/api/v1/social/messages/${message.id}/convert`, { to: 'task' })).statusCode).toBe(403);
    const rep = client(t, users.service_rep as { cookie: string });
    expect((await rep.post(`/api/v1/social/messages/${message.id}/convert`, { to: 'task' })).statusCode).toBe(201);
    // A generic message was not received through a connection: there is nowhere to reply (422, naming it).
    const noWhere = await rep.post(`/api/v1/social/messages/${message.id}/reply`, { text: 'Hi' });
    expect(noWhere.statusCode).toBe(422);
    expect(noWhere.json().errors[0].path).toBe('id');
    for (const role of ['service_rep', 'marketing_manager', 'sales_rep', 'data_analyst']) {
      const as = client(t, users[role] as { cookie: string });
      expect((await as.get('/api/v1/social/connections')).statusCode).toBe(403);
      expect((await as.get('/api/v1/social/events')).statusCode).toBe(403);
      expect((await as.put('/api/v1/social/settings', { keywords: ['x'] })).statusCode).toBe(403);
    }
    expect((await buildSocialConnection(client(t, admin))).id).toBeTruthy();
  });
});
