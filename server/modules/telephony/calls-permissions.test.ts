import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { ACTIONS, type Action, checkMatrixCell } from '../../../test/helpers/permission-matrix';

const row = (create: boolean, read: boolean, update: boolean, del: boolean, exp: boolean): Record<Action, boolean> => ({
  create,
  read,
  update,
  delete: del,
  export: exp,
});

/** The standard roles on calls, written out by hand: the server must match every cell. */
const EXPECTED: Record<string, Record<Action, boolean>> = {
  administrator: row(true, true, true, true, true),
  // Agents take and note calls; a call is a log, so they do not delete it (nor export, as elsewhere).
  sales_rep: row(true, true, true, false, false),
  service_rep: row(true, true, true, false, false),
  // Marketing reads and exports calls for its reports, as analysts do.
  marketing_manager: row(false, true, false, false, true),
  data_analyst: row(false, true, false, false, true),
};

let seq = 0;
const callBody = (tag: string) => ({
  direction: 'inbound',
  from: `+1202555${String(1000 + seq++).slice(-4)}`,
  to: '+14155550100',
  callerName: `Caller ${tag}`,
  startedAt: '2026-12-01T10:00:00.000Z',
});

describe('calls: roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Call Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(EXPECTED))('%s', (role) => {
    it.each(ACTIONS)('calls: %s', async (action) => {
      await checkMatrixCell({
        t,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object: 'calls',
        action,
        allowed: EXPECTED[role]?.[action] ?? false,
        createBody: callBody,
        updateBody: { disposition: 'resolved', notes: 'Sorted out' },
      });
    });
  });

  it('sales reps see their own calls only; service reps every call; numbers and flows are for administrators', async () => {
    const api = client(t, admin);
    const other = (await api.post('/api/v1/calls', callBody('not yours'))).json().data;
    const sales = client(t, users.sales_rep as { cookie: string });
    expect((await sales.get(`/api/v1/calls/${other.id}`)).statusCode).toBe(404);
    const service = client(t, users.service_rep as { cookie: string });
    expect((await service.get(`/api/v1/calls/${other.id}`)).statusCode).toBe(200);
    for (const role of ['sales_rep', 'service_rep', 'marketing_manager', 'data_analyst']) {
      const as = client(t, users[role] as { cookie: string });
      expect((await as.get('/api/v1/telephony/numbers')).statusCode, role).toBe(403);
      expect((await as.get('/api/v1/telephony/flows')).statusCode, role).toBe(403);
    }
    // Click-to-call needs calls: create (checked before any provider is asked).
    const analyst = client(t, users.data_analyst as { cookie: string });
    await api.post('/api/v1/telephony/numbers', {
      provider: 'twilio',
      phoneNumber: '+14155550199',
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: 'a'.repeat(32),
    });
    const dial = await analyst.post('/api/v1/calls/dial', { to: '+12025550123', agentPhone: '+12025550124' });
    expect(dial.statusCode).toBe(403);
  });
});
