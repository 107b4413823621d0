import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { memberWithRole } from './helpers/members';
import { ACTIONS, type Action, checkMatrixCell } from './helpers/permission-matrix';

const all = (v: boolean): Record<Action, boolean> => ({ create: v, read: v, update: v, delete: v, export: v });

/** The standard roles on segments, written out by hand: the server must match every cell. */
const EXPECTED: Record<string, Record<Action, boolean>> = {
  administrator: all(true),
  // Marketing builds the audience.
  marketing_manager: all(true),
  // Everyone else reads segments (their members are still only the records each may see).
  sales_rep: { ...all(false), read: true },
  service_rep: { ...all(false), read: true },
  data_analyst: { ...all(false), read: true, export: true },
};

describe('segments: roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Segment Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(EXPECTED))('%s', (role) => {
    it.each(ACTIONS)('segments: %s', async (action) => {
      await checkMatrixCell({
        t,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object: 'segments',
        action,
        allowed: EXPECTED[role]?.[action] ?? false,
        createBody: (tag) => ({ name: `Segment ${role}-${tag}`, object: 'contacts', type: 'static' }),
        updateBody: { description: 'Renamed' },
      });
    });
  });
});

/** The standard roles on campaigns and their cost entries (the campaigns module's declaration), written out by hand. */
const CAMPAIGNS: Record<string, Record<Action, boolean>> = {
  administrator: all(true),
  // Marketing runs campaigns.
  marketing_manager: all(true),
  // Everyone else reads them and their results; analysts also export.
  sales_rep: { ...all(false), read: true },
  service_rep: { ...all(false), read: true },
  data_analyst: { ...all(false), read: true, export: true },
};

describe('campaigns: roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Campaign Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(CAMPAIGNS).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(CAMPAIGNS))('%s', (role) => {
    it.each(ACTIONS)('campaigns: %s', async (action) => {
      await checkMatrixCell({
        t,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object: 'campaigns',
        action,
        allowed: CAMPAIGNS[role]?.[action] ?? false,
        createBody: (tag) => ({ name: `Campaign ${role}-${tag}`, type: 'email' }),
        updateBody: { name: 'Renamed campaign' },
      });
    });
    // Cost entries (the CAC's cost per period) follow the same matrix as campaigns.
    it.each(ACTIONS)('campaign_costs: %s', async (action) => {
      await checkMatrixCell({
        t,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object: 'campaign_costs',
        action,
        allowed: CAMPAIGNS[role]?.[action] ?? false,
        createBody: (tag) => ({
          incurredOn: '2026-01-10',
          amount: { amount: '100', currency: 'EUR' },
          description: `Cost ${role}-${tag}`,
        }),
        updateBody: { description: 'Renamed cost' },
      });
    });
  });
});
