import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { buildTicket } from './helpers/factories';
import { client } from './helpers/http';
import { memberWithRole } from './helpers/members';
import { ACTIONS, type Action, checkMatrixCell } from './helpers/permission-matrix';

const all = (v: boolean): Record<Action, boolean> => ({ create: v, read: v, update: v, delete: v, export: v });

/** The standard roles on tickets, written out by hand: the server must match every cell. */
const EXPECTED: Record<string, Record<Action, boolean>> = {
  administrator: all(true),
  // Customer service representatives work tickets (all of them), without deleting or exporting.
  service_rep: { create: true, read: true, update: true, delete: false, export: false },
  // Sales reps read their customers' tickets; they do not work them.
  sales_rep: { ...all(false), read: true },
  marketing_manager: { ...all(false), read: true, export: true },
  // Analysts read (and export, as everything they read) only.
  data_analyst: { ...all(false), read: true, export: true },
};

describe('tickets: roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Ticket Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(EXPECTED))('%s', (role) => {
    it.each(ACTIONS)('tickets: %s', async (action) => {
      await checkMatrixCell({
        t,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object: 'tickets',
        action,
        allowed: EXPECTED[role]?.[action] ?? false,
        createBody: (tag) => ({ subject: `Ticket ${role}-${tag}` }),
        updateBody: { priority: 'high' },
      });
    });
  });

  it('service reps work every ticket (scope all) and write to its conversation; read-only roles cannot', async () => {
    const ticket = await buildTicket(client(t, admin), { subject: 'Someone else’s' });
    const rep = client(t, users.service_rep as { cookie: string });
    expect((await rep.patch(`/api/v1/tickets/${ticket.id}`, { status: 'open' })).statusCode).toBe(200);
    expect((await rep.post(`/api/v1/tickets/${ticket.id}/messages`, { kind: 'note', body: 'On it' })).statusCode).toBe(
      201,
    );
    for (const role of ['sales_rep', 'data_analyst', 'marketing_manager']) {
      const as = client(t, users[role] as { cookie: string });
      const res = await as.post(`/api/v1/tickets/${ticket.id}/messages`, { kind: 'note', body: 'Me too' });
      expect(res.statusCode, role).toBe(403);
      expect((await as.get(`/api/v1/tickets/${ticket.id}/messages`)).json().data).toHaveLength(1);
      expect((await as.post(`/api/v1/tickets/${ticket.id}/merge`, { intoId: ticket.id })).statusCode).not.toBe(200);
    }
  });
});
