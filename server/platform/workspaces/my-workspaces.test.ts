import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKeyVia,
  createTestApp,
  type SignedUp,
  STRONG_PASSWORD,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';
import { accountsObject } from '../../modules/accounts/accounts.object';
import { contactsObject } from '../../modules/contacts/contacts.object';
import type { InverseRelation } from '../records/types';
import { addMember, createUser } from './identity.service';

// The metadata the web app's shell needs: which workspaces to offer in the switcher, and
// each object's inverse relations (related lists) from the server rather than guessed.
describe('GET /api/v1/me/workspaces and inverse relations in GET /api/v1/objects', () => {
  let t: TestApp;
  let own: SignedUp;
  let other: SignedUp;
  const get = (url: string, headers: Record<string, string>) => t.app.inject({ method: 'GET', url, headers });

  beforeAll(async () => {
    t = await createTestApp();
    own = await signUp(t.app, { workspaceName: 'Own Co', name: 'Olive Own' });
    other = await signUp(t.app, { workspaceName: 'Partner Co' });
    // Olive also joins Partner Co, as a sales rep.
    await addMember(t.database, other.workspaceId, own.userId, 'sales_rep');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('lists every workspace of the signed-in user, default first, marking the current one', async () => {
    const res = await get('/api/v1/me/workspaces', { cookie: own.cookie });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual([
      { id: own.workspaceId, name: 'Own Co', role: 'administrator', current: true, default: true },
      { id: other.workspaceId, name: 'Partner Co', role: 'sales_rep', current: false, default: false },
    ]);
    // Rapport-Workspace picks the other one: the list says so, and /me agrees.
    const switched = await get('/api/v1/me/workspaces', { cookie: own.cookie, 'rapport-workspace': other.workspaceId });
    expect(switched.json().data.map((w: { current: boolean }) => w.current)).toEqual([false, true]);
    const me = await get('/api/v1/me', { cookie: own.cookie, 'rapport-workspace': other.workspaceId });
    expect(me.json().data).toMatchObject({
      workspace: { id: other.workspaceId, name: 'Partner Co' },
      role: 'sales_rep',
    });
  });

  it('never shows workspaces of other people, refuses foreign ones, and needs credentials', async () => {
    const res = await get('/api/v1/me/workspaces', { cookie: other.cookie });
    expect(res.json().data).toEqual([
      { id: other.workspaceId, name: 'Partner Co', role: 'administrator', current: true, default: true },
    ]);
    const foreign = await get('/api/v1/me/workspaces', { cookie: other.cookie, 'rapport-workspace': own.workspaceId });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await get('/api/v1/me/workspaces', {})).statusCode).toBe(401);
  });

  it('gives an API key only the workspace it belongs to', async () => {
    const key = await createApiKeyVia(t.app, own.cookie, { name: 'sync' });
    const res = await get('/api/v1/me/workspaces', { authorization: `Bearer ${key}` });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual([
      { id: own.workspaceId, name: 'Own Co', role: 'administrator', current: true, default: true },
    ]);
  });

  it('describes inverse relations: include name, object, the field that points back, label', async () => {
    const res = await get('/api/v1/objects', { cookie: own.cookie });
    const accounts = res.json().data.find((o: { name: string }) => o.name === 'accounts');
    const presented = (list: InverseRelation[] | undefined) =>
      (list ?? []).map((i) => ({
        name: i.name,
        object: i.object,
        via: i.via ?? null,
        related: !!i.related,
        label: i.label,
      }));
    // Exactly the declared inverse relations (other objects add theirs, e.g. opportunities).
    expect(accounts.inverse).toEqual(presented(accountsObject.inverse));
    expect(accounts.inverse).toEqual(
      expect.arrayContaining([
        { name: 'contacts', object: 'contacts', via: 'accountId', related: false, label: 'Contacts' },
        { name: 'childAccounts', object: 'accounts', via: 'parentAccountId', related: false, label: 'Subsidiaries' },
        { name: 'tasks', object: 'tasks', via: null, related: true, label: 'Tasks' },
        { name: 'interactions', object: 'interactions', via: 'accountId', related: true, label: 'Interactions' },
      ]),
    );
    expect(accounts.includes).toEqual(expect.arrayContaining(['contacts', 'childAccounts', 'tasks', 'interactions']));
    const contacts = res.json().data.find((o: { name: string }) => o.name === 'contacts');
    expect(contacts.inverse).toEqual(presented(contactsObject.inverse));
    const one = await get('/api/v1/objects/accounts', { cookie: own.cookie });
    expect(one.json().data.inverse).toEqual(accounts.inverse);
  });

  it('leaves out inverse relations to objects the role may not read', async () => {
    const role = await t.app.inject({
      method: 'POST',
      url: '/api/v1/roles',
      headers: { cookie: own.cookie },
      payload: {
        key: 'accounts_only',
        name: 'Accounts only',
        permissions: {
          objects: {
            '*': { create: true, read: true, update: true, delete: false, export: false, scope: 'all' },
            contacts: { read: false },
          },
        },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const email = uniqueEmail('accounts-only');
    const { userId } = await createUser(
      { database: t.database, auth: t.auth },
      { name: 'Acc Only', email, password: STRONG_PASSWORD },
      {},
    );
    await addMember(t.database, own.workspaceId, userId, 'accounts_only');
    const signIn = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: STRONG_PASSWORD },
    });
    const cookie = String(signIn.headers['set-cookie']).split(';')[0] ?? '';
    const data = (await get('/api/v1/objects', { cookie })).json().data;
    const names = data.map((o: { name: string }) => o.name);
    expect(names).toContain('accounts');
    expect(names).not.toContain('contacts');
    const accounts = data.find((o: { name: string }) => o.name === 'accounts');
    expect(accounts.inverse.map((i: { name: string }) => i.name)).toEqual(
      (accountsObject.inverse ?? []).filter((i) => i.object !== 'contacts').map((i) => i.name),
    );
    expect(accounts.inverse.map((i: { name: string }) => i.name)).toContain('childAccounts');
  });
});
