import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { memberWithRole } from './helpers/members';
import { ACTIONS, type Action, checkMatrixCell } from './helpers/permission-matrix';

const all = (v: boolean): Record<Action, boolean> => ({ create: v, read: v, update: v, delete: v, export: v });

/** The standard roles on territories, written out by hand: the server must match every cell. */
const EXPECTED: Record<string, Record<Action, boolean>> = {
  // Administrators draw the territories; everyone reads them (assignment and reports use them).
  administrator: all(true),
  sales_rep: { ...all(false), read: true },
  service_rep: { ...all(false), read: true },
  marketing_manager: { ...all(false), read: true, export: true },
  data_analyst: { ...all(false), read: true, export: true },
};

describe('territories: roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Territory Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(EXPECTED))('%s', (role) => {
    it.each(ACTIONS)('territories: %s', async (action) => {
      await checkMatrixCell({
        t,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object: 'territories',
        action,
        allowed: EXPECTED[role]?.[action] ?? false,
        createBody: (tag) => ({ name: `Territory ${role}-${tag}`, area: { regions: [{ country: 'FR' }] } }),
        updateBody: { name: 'Renamed territory' },
      });
    });
  });
});
