import { afterAll, beforeAll, describe, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { memberWithRole } from '../../../test/helpers/members';
import { ACTIONS, type Action, checkMatrixCell } from '../../../test/helpers/permission-matrix';

const OBJECTS = ['articles', 'article_categories'] as const;
type KnowledgeObject = (typeof OBJECTS)[number];

const row = (create: boolean, read: boolean, update: boolean, del: boolean, exp: boolean) => ({
  create,
  read,
  update,
  delete: del,
  export: exp,
});
const forAll = (r: Record<Action, boolean>) =>
  Object.fromEntries(OBJECTS.map((o) => [o, r])) as Record<KnowledgeObject, Record<Action, boolean>>;

/** Service reps and administrators write the knowledge base; everyone else reads it (internal articles too). */
const EXPECTED: Record<string, Record<KnowledgeObject, Record<Action, boolean>>> = {
  administrator: forAll(row(true, true, true, true, true)),
  service_rep: forAll(row(true, true, true, true, false)),
  sales_rep: forAll(row(false, true, false, false, false)),
  marketing_manager: forAll(row(false, true, false, false, true)),
  data_analyst: forAll(row(false, true, false, false, true)),
};

const createBody = (object: KnowledgeObject, n: string): Record<string, unknown> =>
  object === 'articles'
    ? { title: `Article ${n}`, body: 'Text', visibility: 'internal', status: 'published' }
    : { name: `Category ${n}` };
const updateBody: Record<KnowledgeObject, Record<string, unknown>> = {
  articles: { title: 'Renamed article' },
  article_categories: { name: 'Renamed category' },
};

describe('knowledge base (articles, categories): roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Knowledge Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
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
        createBody: (tag) => createBody(object, `${role}-${tag}`),
        updateBody: updateBody[object],
      });
    });
  });
});
