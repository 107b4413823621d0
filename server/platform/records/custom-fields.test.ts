import { Validator } from '@seriousme/openapi-schema-validator';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client, type Auth as HttpAuth } from '../../../test/helpers/http';
import { STANDARD_OBJECTS } from '../../modules';

type Auth = Exclude<HttpAuth, string | null>;
type Json = Record<string, any>;

const ALL_OPS = [
  'eq',
  'ne',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'startsWith',
  'endsWith',
  'isEmpty',
  'isNotEmpty',
];
const NUMBER_OPS = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'isEmpty', 'isNotEmpty'];
const BOOLEAN_OPS = ['eq', 'ne', 'isEmpty', 'isNotEmpty'];
const UUID_OPS = ['eq', 'ne', 'in', 'nin', 'isEmpty', 'isNotEmpty'];
const ARRAY_OPS = ['eq', 'ne', 'contains', 'in', 'nin', 'isEmpty', 'isNotEmpty'];

/** The custom fields the administrator adds to contacts, one of each kind. */
const FIELDS: Json[] = [
  { name: 'nickname', type: 'text', label: 'Nickname', maxLength: 20 },
  { name: 'rating', type: 'integer', label: 'Rating', min: 0, max: 100 },
  { name: 'ratio', type: 'decimal', label: 'Ratio' },
  { name: 'budget', type: 'money', label: 'Budget' },
  { name: 'renewalDate', type: 'date', label: 'Renewal date' },
  { name: 'vip', type: 'boolean', label: 'VIP' },
  {
    name: 'tier',
    type: 'select',
    label: 'Tier',
    options: [
      { value: 'gold', label: 'Gold' },
      { value: 'silver', label: 'Silver' },
      { value: 'bronze', label: 'Bronze' },
    ],
  },
  {
    name: 'channels',
    type: 'multiSelect',
    label: 'Channels',
    options: [
      { value: 'email', label: 'Email' },
      { value: 'phone', label: 'Phone' },
      { value: 'sms', label: 'SMS' },
    ],
  },
  { name: 'skills', type: 'tags', label: 'Skills' },
  { name: 'employer', type: 'relation', label: 'Employer', relation: { object: 'accounts', cardinality: 'one' } },
  { name: 'accountManager', type: 'user', label: 'Account manager' },
];
const CUSTOM_NAMES = FIELDS.map((f) => f.name);

const OPS_OF: Record<string, string[]> = {
  nickname: ALL_OPS,
  rating: NUMBER_OPS,
  ratio: NUMBER_OPS,
  budget: NUMBER_OPS,
  renewalDate: NUMBER_OPS,
  vip: BOOLEAN_OPS,
  tier: ALL_OPS,
  channels: ARRAY_OPS,
  skills: ARRAY_OPS,
  employer: UUID_OPS,
  accountManager: UUID_OPS,
};

describe('custom fields: /api/v1/objects and /api/v1/objects/{object}/fields', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let rep: Auth;
  let admin: Auth;
  const acc: Record<string, string> = {};
  const flt: Record<string, string> = {};
  const ok = (res: LightMyRequestResponse, status = 200): Json => {
    expect(res.statusCode, res.body).toBe(status);
    return res.statusCode === 204 ? {} : res.json();
  };
  /** Expects a 422 problem and returns the paths it names. */
  const invalid = (res: LightMyRequestResponse): string[] => {
    expect(res.statusCode, res.body).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body.code).toBe('validation_failed');
    return (body.errors ?? []).map((e: { path: string }) => e.path);
  };
  const meta = async (object = 'contacts', auth: Auth = admin): Promise<Json> =>
    ok(await client(t, auth).get(`/api/v1/objects/${object}`)).data;
  const fieldOf = (m: Json, name: string): Json | undefined => m.fields.find((f: Json) => f.name === name);
  const customNames = (m: Json) => m.fields.filter((f: Json) => f.custom).map((f: Json) => f.name);
  const createContact = async (body: Json, auth: Auth = admin) =>
    ok(await client(t, auth).post('/api/v1/contacts', body), 201).data;
  const getContact = async (id: string, auth: Auth = admin) =>
    ok(await client(t, auth).get(`/api/v1/contacts/${id}`)).data;
  const contactCount = async () =>
    ok(await client(t, admin).get('/api/v1/contacts?count=true&limit=1')).total as number;
  const addField = (body: Json, object = 'contacts', auth: Auth = admin) =>
    client(t, auth).post(`/api/v1/objects/${object}/fields`, body);

  /** Last names of the "Flt" contacts matching a filter, sorted. */
  const matching = async (filter: Json): Promise<string[]> => {
    const res = await client(t, admin).post('/api/v1/contacts/query', {
      filter: { and: [{ field: 'lastName', op: 'startsWith', value: 'Flt' }, filter] },
      limit: 500,
    });
    return (ok(res).data as Json[]).map((r) => r.lastName).sort();
  };

  beforeAll(async () => {
    t = await createTestApp();
    a = await signUp(t.app, { workspaceName: 'Custom A' });
    b = await signUp(t.app, { workspaceName: 'Custom B' });
    admin = { cookie: a.cookie };
    rep = { authorization: `Bearer ${await createApiKeyVia(t.app, a.cookie, { name: 'rep', role: 'sales_rep' })}` };
    for (const [key, name] of [
      ['one', 'Employer One'],
      ['two', 'Employer Two'],
    ] as const) {
      acc[key] = ok(await client(t, admin).post('/api/v1/accounts', { name }), 201).data.id;
    }
    acc.foreign = ok(
      await client(t, { cookie: b.cookie }).post('/api/v1/accounts', { name: 'Foreign Co' }),
      201,
    ).data.id;
  });
  afterAll(() => t.stop());

  describe('metadata', () => {
    it('requires credentials', async () => {
      expect((await client(t, null).get('/api/v1/objects')).statusCode).toBe(401);
      expect((await client(t, null).post('/api/v1/objects/contacts/fields', FIELDS[0])).statusCode).toBe(401);
    });

    it('GET /objects lists every object with built-in fields, their types, operators and includes', async () => {
      const { data } = ok(await client(t, admin).get('/api/v1/objects'));
      // Every declared standard object, and only those (custom fields add no objects).
      expect(data.map((o: Json) => o.name).sort()).toEqual(STANDARD_OBJECTS.map((o) => o.name).sort());
      expect(data.map((o: Json) => o.name)).toEqual(expect.arrayContaining(['accounts', 'contacts']));
      const contacts = data.find((o: Json) => o.name === 'contacts');
      expect(contacts).toMatchObject({
        name: 'contacts',
        singular: 'contact',
        label: 'Contact',
        labelPlural: 'Contacts',
        titleFields: ['firstName', 'lastName'],
        subtitleFields: ['email'],
        defaultSort: 'lastName',
        includes: ['owner', 'account', 'territory', 'quotes', 'tasks', 'meetings', 'interactions', 'tickets'],
      });
      expect(customNames(contacts)).toEqual([]);
      expect(fieldOf(contacts, 'firstName')).toEqual({
        name: 'firstName',
        type: 'text',
        label: 'First name',
        description: null,
        custom: false,
        required: false,
        unique: false,
        readOnly: false,
        hidden: false,
        options: null,
        relation: null,
        maxLength: 100,
        min: null,
        max: null,
        sortable: true,
        filterOperators: ALL_OPS,
        sensitive: false,
        encrypted: false,
      });
      expect(fieldOf(contacts, 'birthday')).toMatchObject({ sensitive: true, encrypted: false });
      expect(fieldOf(contacts, 'email')).toMatchObject({ type: 'email', unique: true, filterOperators: ALL_OPS });
      expect(fieldOf(contacts, 'lifecycleStage')).toMatchObject({ type: 'select', sortable: true });
      expect(fieldOf(contacts, 'lifecycleStage')?.options).toContainEqual({ value: 'lead', label: 'Lead' });
      expect(fieldOf(contacts, 'accountId')).toMatchObject({
        type: 'relation',
        relation: { object: 'accounts', cardinality: 'one' },
        filterOperators: UUID_OPS,
      });
      expect(fieldOf(contacts, 'birthday')).toMatchObject({ type: 'date', hidden: true, filterOperators: NUMBER_OPS });
      expect(fieldOf(contacts, 'doNotContact')).toMatchObject({ type: 'boolean', filterOperators: BOOLEAN_OPS });
      expect(fieldOf(contacts, 'lastContactedAt')).toMatchObject({ type: 'datetime', readOnly: true });
      expect(fieldOf(contacts, 'lastContactedAt')?.filterOperators).not.toContain('contains');
      expect(fieldOf(contacts, 'address')).toMatchObject({ type: 'address', sortable: false });
      // System fields are part of every object.
      expect(fieldOf(contacts, 'id')).toMatchObject({ readOnly: true, custom: false });
      expect(fieldOf(contacts, 'tags')).toMatchObject({ type: 'tags', sortable: true, filterOperators: ARRAY_OPS });
      expect(fieldOf(contacts, 'ownerId')).toMatchObject({ type: 'user', filterOperators: UUID_OPS });
      expect(fieldOf(contacts, 'createdAt')).toMatchObject({ type: 'datetime', readOnly: true, sortable: true });

      const accounts = data.find((o: Json) => o.name === 'accounts');
      expect(accounts.includes).toEqual([
        'owner',
        'territory',
        'parentAccount',
        'contacts',
        'childAccounts',
        'opportunities',
        'quotes',
        'tasks',
        'meetings',
        'interactions',
        'tickets',
      ]);
      expect(accounts.sections).toEqual([{ name: 'timeline', label: 'Recent activity' }]);
      expect(accounts.titleFields).toEqual(['name']);
      expect(fieldOf(accounts, 'name')).toMatchObject({ type: 'text', required: true, maxLength: 200 });
      expect(fieldOf(accounts, 'employees')).toMatchObject({
        type: 'integer',
        min: 0,
        max: 10_000_000,
        filterOperators: NUMBER_OPS,
      });
      expect(fieldOf(accounts, 'annualRevenue')).toMatchObject({ type: 'money', filterOperators: NUMBER_OPS });
      expect(fieldOf(accounts, 'parentAccountId')?.relation).toEqual({ object: 'accounts', cardinality: 'one' });

      // GET /objects/{object} is the same entry.
      expect(await meta('contacts')).toEqual(contacts);
      const missing = await client(t, admin).get('/api/v1/objects/widgets');
      expect(missing.statusCode).toBe(404);
    });
  });

  describe('adding fields', () => {
    it('an administrator adds custom fields of every kind', async () => {
      for (const f of FIELDS) {
        const res = await addField(f);
        const body = ok(res, 201);
        expect(res.headers.location).toBe(`/api/v1/objects/contacts/fields/${f.name}`);
        expect(body.data).toMatchObject({
          name: f.name,
          type: f.type,
          label: f.label,
          custom: true,
          required: false,
          unique: false,
          readOnly: false,
          options: f.options ?? null,
          relation: f.relation ?? null,
          filterOperators: OPS_OF[f.name],
        });
      }
      const m = await meta();
      expect(customNames(m)).toEqual(CUSTOM_NAMES);
      for (const f of FIELDS) {
        expect(fieldOf(m, f.name), f.name).toMatchObject({
          type: f.type,
          label: f.label,
          custom: true,
          filterOperators: OPS_OF[f.name],
        });
      }
      expect(fieldOf(m, 'nickname')?.maxLength).toBe(20);
      expect(fieldOf(m, 'rating')).toMatchObject({ min: 0, max: 100, sortable: true });
      expect(fieldOf(m, 'channels')?.sortable).toBe(false);
      expect(fieldOf(m, 'skills')?.sortable).toBe(false);
      // A custom to-one relation can be embedded like a built-in one.
      expect(m.includes).toEqual([
        'owner',
        'account',
        'territory',
        'employer',
        'quotes',
        'tasks',
        'meetings',
        'interactions',
        'tickets',
      ]);
      // The list endpoint shows them too; accounts are untouched.
      const all = ok(await client(t, admin).get('/api/v1/objects')).data as Json[];
      expect(customNames(all.find((o) => o.name === 'contacts') ?? {})).toEqual(CUSTOM_NAMES);
      expect(customNames(all.find((o) => o.name === 'accounts') ?? {})).toEqual([]);
    });

    it('an account field is separate from the contact field of the same name', async () => {
      ok(await addField({ name: 'nickname', type: 'integer', label: 'Account number' }, 'accounts'), 201);
      expect(fieldOf(await meta('accounts'), 'nickname')).toMatchObject({ type: 'integer', custom: true });
      expect(fieldOf(await meta('contacts'), 'nickname')).toMatchObject({ type: 'text', custom: true });
      ok(await client(t, admin).del('/api/v1/objects/accounts/fields/nickname'), 204);
      expect(fieldOf(await meta('accounts'), 'nickname')).toBeUndefined();
      expect(fieldOf(await meta('contacts'), 'nickname')).toMatchObject({ type: 'text' });
    });

    it('refuses names of built-in fields, relations and system columns', async () => {
      const before = await meta();
      const contactNames = ['firstName', 'email', 'accountId', 'lifecycleStage', 'tags', 'ownerId', 'rating'];
      const relationNames = ['account', 'owner'];
      const systemNames = ['id', 'custom', 'version', 'createdAt', 'updatedBy', 'deletedAt', 'search'];
      for (const name of [...contactNames, ...relationNames, ...systemNames]) {
        expect(invalid(await addField({ name, type: 'text', label: 'Clash' })), name).toEqual(['name']);
      }
      for (const name of ['name', 'domain', 'parentAccount', 'contacts', 'childAccounts', 'owner', 'id']) {
        expect(invalid(await addField({ name, type: 'text', label: 'Clash' }, 'accounts')), name).toEqual(['name']);
      }
      expect(await meta()).toEqual(before);
      expect(customNames(await meta('accounts'))).toEqual([]);
    });

    it('refuses a relation whose include name would shadow an existing relation', async () => {
      // accounts already embed their `contacts` (inverse relation); a to-one `contactsId` would also be `contacts`.
      const res = await addField(
        { name: 'contactsId', type: 'relation', label: 'Main contact', relation: { object: 'contacts' } },
        'accounts',
      );
      if (res.statusCode === 201) await client(t, admin).del('/api/v1/objects/accounts/fields/contactsId');
      expect(invalid(res)).toEqual(['name']);
      expect(customNames(await meta('accounts'))).toEqual([]);
    });

    it('refuses names that are not camelCase', async () => {
      for (const name of ['Nickname', 'nick_name', 'nick-name', '1st', '', 'prénom', 'nick name', 'a'.repeat(64)]) {
        expect(invalid(await addField({ name, type: 'text', label: 'Bad' })), JSON.stringify(name)).toContain('name');
      }
      // 63 characters is the longest name.
      const longest = `a${'b'.repeat(62)}`;
      ok(await addField({ name: longest, type: 'text', label: 'Long' }), 201);
      ok(await client(t, admin).del(`/api/v1/objects/contacts/fields/${longest}`), 204);
      expect(customNames(await meta())).toEqual(CUSTOM_NAMES);
    });

    it('refuses incoherent definitions', async () => {
      const cases: [Json, string][] = [
        [{ name: 'colour', type: 'colour', label: 'Colour' }, 'type'],
        [{ name: 'colour', type: 'select', label: 'Colour' }, 'options'],
        [{ name: 'colour', type: 'select', label: 'Colour', options: [] }, 'options'],
        [
          {
            name: 'colour',
            type: 'select',
            label: 'Colour',
            options: [
              { value: 'red', label: 'Red' },
              { value: 'red', label: 'Rouge' },
            ],
          },
          'options',
        ],
        [{ name: 'colour', type: 'text', label: 'Colour', options: [{ value: 'red', label: 'Red' }] }, 'options'],
        [{ name: 'colour', type: 'relation', label: 'Colour' }, 'relation.object'],
        [{ name: 'colour', type: 'relation', label: 'Colour', relation: { object: 'widgets' } }, 'relation.object'],
        [{ name: 'colour', type: 'text', label: 'Colour', relation: { object: 'accounts' } }, 'relation'],
        [{ name: 'colour', type: 'text', label: '' }, 'label'],
        [{ name: 'colour', type: 'text' }, 'label'],
        [{ name: 'colour', type: 'text', label: 'Colour', unique: true }, 'unique'],
      ];
      for (const [body, path] of cases) {
        expect(invalid(await addField(body)), JSON.stringify(body)).toContain(path);
      }
      expect(fieldOf(await meta(), 'colour')).toBeUndefined();
      expect((await addField({ name: 'colour', type: 'text', label: 'Colour' }, 'widgets')).statusCode).toBe(404);
    });
  });

  describe('values', () => {
    it('are validated on write by their definition: 422 naming the field, nothing written', async () => {
      const before = await contactCount();
      const cases: [Json, string][] = [
        [{ rating: 'ten' }, 'rating'],
        [{ rating: 1.5 }, 'rating'],
        [{ rating: 101 }, 'rating'],
        [{ rating: -1 }, 'rating'],
        [{ ratio: 'abc' }, 'ratio'],
        [{ ratio: { value: 1 } }, 'ratio'],
        [{ budget: 12 }, 'budget'],
        [{ budget: { amount: 12, currency: 'EUR' } }, 'budget.amount'],
        [{ budget: { amount: '12', currency: 'EURO' } }, 'budget.currency'],
        [{ renewalDate: '2024-13-45' }, 'renewalDate'],
        [{ renewalDate: 'tomorrow' }, 'renewalDate'],
        [{ vip: 'yes' }, 'vip'],
        [{ vip: 1 }, 'vip'],
        [{ tier: 'platinum' }, 'tier'],
        [{ tier: ['gold'] }, 'tier'],
        [{ channels: ['fax'] }, 'channels.0'],
        [{ channels: 'email' }, 'channels'],
        [{ skills: 'sql' }, 'skills'],
        [{ nickname: 'x'.repeat(21) }, 'nickname'],
        [{ nickname: 42 }, 'nickname'],
        [{ employer: 'not-a-uuid' }, 'employer'],
        [{ employer: '01900000-0000-7000-8000-000000000000' }, 'employer'],
        [{ accountManager: 'me' }, 'accountManager'],
        [{ accountManager: '01900000-0000-7000-8000-000000000000' }, 'accountManager'],
        [{ unknownThing: 1 }, 'unknownThing'],
      ];
      for (const [body, path] of cases) {
        const paths = invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'Bad', ...body }));
        expect([...new Set(paths)], JSON.stringify(body)).toEqual([path]);
      }
      // The select's message lists the allowed options.
      const tier = await client(t, admin).post('/api/v1/contacts', { lastName: 'Bad', tier: 'platinum' });
      expect(tier.json().errors[0].message).toMatch(/gold.*silver.*bronze/);
      // Several wrong fields are all named.
      const many = invalid(
        await client(t, admin).post('/api/v1/contacts', { lastName: 'Bad', rating: 'x', vip: 'x', tier: 'x' }),
      );
      expect(many.sort()).toEqual(['rating', 'tier', 'vip']);
      expect(await contactCount()).toBe(before);
    });

    it('a list field given a single value gets one error that makes sense', async () => {
      const res = await client(t, admin).post('/api/v1/contacts', { lastName: 'Bad', channels: 'email' });
      expect(invalid(res)).toEqual(['channels']);
      expect(res.json().errors[0].message).toBe('must be a list');
    });

    it('relation and user values must point into this workspace', async () => {
      const before = await contactCount();
      expect(
        invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'Bad', employer: acc.foreign })),
      ).toEqual(['employer']);
      expect(
        invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'Bad', accountManager: b.userId })),
      ).toEqual(['accountManager']);
      expect(await contactCount()).toBe(before);
    });

    it('are validated on update too, and an invalid update changes nothing', async () => {
      const c = await createContact({ lastName: 'Upd', rating: 5, tier: 'gold' });
      const res = await client(t, admin).patch(`/api/v1/contacts/${c.id}`, { rating: 500, tier: 'gold' });
      expect(invalid(res)).toEqual(['rating']);
      expect(invalid(await client(t, admin).patch(`/api/v1/contacts/${c.id}`, { tier: 'nope' }))).toEqual(['tier']);
      const after = await getContact(c.id);
      expect(after).toMatchObject({ rating: 5, tier: 'gold', version: c.version });
      ok(await client(t, admin).del(`/api/v1/contacts/${c.id}?permanent=true`), 204);
    });

    it('are returned flattened beside built-in fields, normalised, and can be changed and cleared', async () => {
      const created = await createContact({
        firstName: 'Ada',
        lastName: 'Flat',
        nickname: '  Countess  ',
        rating: 42,
        ratio: '012.50',
        budget: { amount: '1200.50', currency: 'eur' },
        renewalDate: '2025-03-31',
        vip: true,
        tier: 'silver',
        channels: ['sms', 'email', 'sms'],
        skills: ['Math', 'math', 'Poetry'],
        employer: acc.one,
        accountManager: a.userId,
      });
      const expected = {
        firstName: 'Ada',
        lastName: 'Flat',
        nickname: 'Countess',
        rating: 42,
        ratio: '12.5',
        budget: { amount: '1200.5', currency: 'EUR' },
        renewalDate: '2025-03-31',
        vip: true,
        tier: 'silver',
        channels: ['sms', 'email'],
        skills: ['math', 'poetry'],
        employer: acc.one,
        accountManager: a.userId,
      };
      expect(created).toMatchObject(expected);
      expect(created).not.toHaveProperty('custom');
      const read = await getContact(created.id);
      expect(read).toMatchObject(expected);
      expect(read).not.toHaveProperty('custom');
      // Listed the same way, and selectable with fields=.
      const listed = ok(
        await client(t, admin).get(
          `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'lastName', op: 'eq', value: 'Flat' }))}`,
        ),
      );
      expect(listed.data).toHaveLength(1);
      expect(listed.data[0]).toMatchObject(expected);
      const some = ok(await client(t, admin).get(`/api/v1/contacts/${created.id}?fields=rating,tier`)).data;
      expect(Object.keys(some).sort()).toEqual(['id', 'rating', 'tier', 'version']);
      expect(some).toMatchObject({ rating: 42, tier: 'silver' });
      // The custom relation embeds like a built-in one.
      const embedded = ok(await client(t, admin).get(`/api/v1/contacts/${created.id}?include=employer`)).data;
      expect(embedded.employer).toMatchObject({ id: acc.one, name: 'Employer One' });

      // A partial update changes only what it names; null clears.
      const patched = ok(
        await client(t, admin).patch(`/api/v1/contacts/${created.id}`, { rating: 43, nickname: null, vip: false }),
      ).data;
      expect(patched).toMatchObject({ ...expected, rating: 43, nickname: null, vip: false });
      expect(await getContact(created.id)).toMatchObject({ ...expected, rating: 43, nickname: null, vip: false });

      // A record without values shows every custom field as null.
      const bare = await createContact({ lastName: 'Bare' });
      for (const name of ['nickname', 'rating', 'ratio', 'budget', 'renewalDate', 'vip', 'tier', 'employer']) {
        expect(bare[name], name).toBeNull();
      }
      for (const id of [created.id, bare.id])
        ok(await client(t, admin).del(`/api/v1/contacts/${id}?permanent=true`), 204);
    });
  });

  describe('filters', () => {
    beforeAll(async () => {
      const rows: Json[] = [
        {
          lastName: 'Flt1',
          nickname: 'Ace',
          rating: 10,
          ratio: '1.5',
          budget: { amount: '100', currency: 'EUR' },
          renewalDate: '2024-01-10',
          vip: true,
          tier: 'gold',
          channels: ['email', 'sms'],
          skills: ['sql', 'go'],
          employer: acc.one,
          accountManager: a.userId,
        },
        {
          lastName: 'Flt2',
          nickname: 'Bee',
          rating: 50,
          ratio: '2.25',
          budget: { amount: '5000', currency: 'USD' },
          renewalDate: '2024-06-30',
          vip: false,
          tier: 'silver',
          channels: ['phone'],
          skills: ['rust'],
          employer: acc.two,
        },
        {
          lastName: 'Flt3',
          nickname: 'acey',
          rating: 90,
          ratio: '10',
          budget: { amount: '250.5', currency: 'EUR' },
          renewalDate: '2025-02-01',
          vip: true,
          tier: 'bronze',
          channels: [],
          skills: ['go'],
        },
        { lastName: 'Flt4' },
      ];
      for (const r of rows) flt[r.lastName] = (await createContact(r)).id;
    });

    const F = (field: string, op: string, value?: unknown) => ({
      field,
      op,
      ...(value === undefined ? {} : { value }),
    });

    it('text: eq, ne, in, nin, contains, startsWith, endsWith, isEmpty, isNotEmpty', async () => {
      expect(await matching(F('nickname', 'eq', 'Ace'))).toEqual(['Flt1']);
      expect(await matching(F('nickname', 'ne', 'Ace'))).toEqual(['Flt2', 'Flt3', 'Flt4']);
      expect(await matching(F('nickname', 'in', ['Ace', 'Bee']))).toEqual(['Flt1', 'Flt2']);
      expect(await matching(F('nickname', 'nin', ['Ace']))).toEqual(['Flt2', 'Flt3', 'Flt4']);
      expect(await matching(F('nickname', 'contains', 'ACE'))).toEqual(['Flt1', 'Flt3']);
      expect(await matching(F('nickname', 'startsWith', 'ac'))).toEqual(['Flt1', 'Flt3']);
      expect(await matching(F('nickname', 'endsWith', 'ey'))).toEqual(['Flt3']);
      expect(await matching(F('nickname', 'contains', '%'))).toEqual([]);
      expect(await matching(F('nickname', 'isEmpty'))).toEqual(['Flt4']);
      expect(await matching(F('nickname', 'isNotEmpty'))).toEqual(['Flt1', 'Flt2', 'Flt3']);
    });

    it('integer: eq, ne, gt, gte, lt, lte, in, nin, isEmpty (numerically)', async () => {
      expect(await matching(F('rating', 'eq', 50))).toEqual(['Flt2']);
      expect(await matching(F('rating', 'eq', '50'))).toEqual(['Flt2']);
      expect(await matching(F('rating', 'ne', 50))).toEqual(['Flt1', 'Flt3', 'Flt4']);
      expect(await matching(F('rating', 'gt', 10))).toEqual(['Flt2', 'Flt3']);
      expect(await matching(F('rating', 'gt', 9))).toEqual(['Flt1', 'Flt2', 'Flt3']);
      expect(await matching(F('rating', 'gte', 50))).toEqual(['Flt2', 'Flt3']);
      expect(await matching(F('rating', 'lt', 50))).toEqual(['Flt1']);
      expect(await matching(F('rating', 'lte', 50))).toEqual(['Flt1', 'Flt2']);
      expect(await matching(F('rating', 'in', [10, 90]))).toEqual(['Flt1', 'Flt3']);
      expect(await matching(F('rating', 'nin', [10]))).toEqual(['Flt2', 'Flt3', 'Flt4']);
      expect(await matching(F('rating', 'isEmpty'))).toEqual(['Flt4']);
      expect(await matching(F('rating', 'isNotEmpty'))).toEqual(['Flt1', 'Flt2', 'Flt3']);
      expect(await matching({ and: [F('rating', 'gte', 10), F('rating', 'lt', 90)] })).toEqual(['Flt1', 'Flt2']);
      expect(await matching({ not: F('rating', 'eq', 10) })).toEqual(['Flt2', 'Flt3', 'Flt4']);
    });

    it('decimal and money compare as numbers, money by amount and currency', async () => {
      // As text, "10" < "2.25"; as numbers it is not.
      expect(await matching(F('ratio', 'gt', 2))).toEqual(['Flt2', 'Flt3']);
      expect(await matching(F('ratio', 'lt', '2.25'))).toEqual(['Flt1']);
      expect(await matching(F('ratio', 'eq', '10.0'))).toEqual(['Flt3']);
      expect(await matching(F('budget', 'gt', 200))).toEqual(['Flt2', 'Flt3']);
      expect(await matching(F('budget.amount', 'lte', '250.5'))).toEqual(['Flt1', 'Flt3']);
      expect(await matching(F('budget.currency', 'eq', 'EUR'))).toEqual(['Flt1', 'Flt3']);
      expect(await matching(F('budget.currency', 'eq', 'usd'))).toEqual(['Flt2']);
      expect(await matching(F('budget', 'isEmpty'))).toEqual(['Flt4']);
    });

    it('date: eq, gt, lt, gte, lte, in, isEmpty', async () => {
      expect(await matching(F('renewalDate', 'eq', '2024-06-30'))).toEqual(['Flt2']);
      expect(await matching(F('renewalDate', 'gt', '2024-03-01'))).toEqual(['Flt2', 'Flt3']);
      expect(await matching(F('renewalDate', 'lt', '2024-06-30'))).toEqual(['Flt1']);
      expect(await matching(F('renewalDate', 'lte', '2024-06-30'))).toEqual(['Flt1', 'Flt2']);
      expect(await matching(F('renewalDate', 'gte', '2025-01-01'))).toEqual(['Flt3']);
      expect(await matching(F('renewalDate', 'in', ['2024-01-10', '2025-02-01']))).toEqual(['Flt1', 'Flt3']);
      expect(await matching(F('renewalDate', 'isEmpty'))).toEqual(['Flt4']);
      expect(
        invalid(await client(t, admin).post('/api/v1/contacts/query', { filter: F('renewalDate', 'gt', 'soon') })),
      ).toEqual(['filter.value']);
    });

    it('boolean: eq, ne, isEmpty', async () => {
      expect(await matching(F('vip', 'eq', true))).toEqual(['Flt1', 'Flt3']);
      expect(await matching(F('vip', 'eq', false))).toEqual(['Flt2']);
      expect(await matching(F('vip', 'ne', true))).toEqual(['Flt2', 'Flt4']);
      expect(await matching(F('vip', 'isEmpty'))).toEqual(['Flt4']);
    });

    it('select: eq, in, nin, isEmpty; values outside the options are refused', async () => {
      expect(await matching(F('tier', 'eq', 'gold'))).toEqual(['Flt1']);
      expect(await matching(F('tier', 'in', ['gold', 'silver']))).toEqual(['Flt1', 'Flt2']);
      expect(await matching(F('tier', 'nin', ['gold']))).toEqual(['Flt2', 'Flt3', 'Flt4']);
      expect(await matching(F('tier', 'isEmpty'))).toEqual(['Flt4']);
      expect(
        invalid(await client(t, admin).post('/api/v1/contacts/query', { filter: F('tier', 'eq', 'platinum') })),
      ).toEqual(['filter.value']);
    });

    it('multiSelect and tags: contains, in, nin, eq (same set), ne, isEmpty', async () => {
      expect(await matching(F('channels', 'contains', 'sms'))).toEqual(['Flt1']);
      expect(await matching(F('channels', 'in', ['phone', 'sms']))).toEqual(['Flt1', 'Flt2']);
      expect(await matching(F('channels', 'nin', ['email']))).toEqual(['Flt2', 'Flt3', 'Flt4']);
      expect(await matching(F('channels', 'eq', ['sms', 'email']))).toEqual(['Flt1']);
      expect(await matching(F('channels', 'eq', ['email']))).toEqual([]);
      expect(await matching(F('channels', 'ne', ['phone']))).toEqual(['Flt1', 'Flt3', 'Flt4']);
      expect(await matching(F('channels', 'isEmpty'))).toEqual(['Flt3', 'Flt4']);
      expect(await matching(F('channels', 'isNotEmpty'))).toEqual(['Flt1', 'Flt2']);
      expect(
        invalid(await client(t, admin).post('/api/v1/contacts/query', { filter: F('channels', 'contains', 'fax') })),
      ).toEqual(['filter.value']);
      expect(await matching(F('skills', 'contains', 'GO'))).toEqual(['Flt1', 'Flt3']);
      expect(await matching(F('skills', 'in', ['rust', 'sql']))).toEqual(['Flt1', 'Flt2']);
      expect(await matching(F('skills', 'isEmpty'))).toEqual(['Flt4']);
    });

    it('relation: isEmpty, and a path through it (employer.name)', async () => {
      expect(await matching(F('employer', 'isEmpty'))).toEqual(['Flt3', 'Flt4']);
      expect(await matching(F('employer', 'isNotEmpty'))).toEqual(['Flt1', 'Flt2']);
      expect(await matching(F('employer.name', 'eq', 'Employer One'))).toEqual(['Flt1']);
      expect(await matching(F('employer.name', 'startsWith', 'Employer'))).toEqual(['Flt1', 'Flt2']);
    });

    it("a path through a relation reaches the target's custom fields (account.segment, employer.segment)", async () => {
      ok(await addField({ name: 'segment', type: 'text', label: 'Segment' }, 'accounts'), 201);
      try {
        ok(await client(t, admin).patch(`/api/v1/accounts/${acc.two}`, { segment: 'enterprise' }));
        expect(await matching(F('employer.segment', 'eq', 'enterprise'))).toEqual(['Flt2']);
        expect(await matching(F('account.segment', 'eq', 'enterprise'))).toEqual([]);
        const linked = await createContact({ lastName: 'FltLinked', accountId: acc.two });
        expect(await matching(F('account.segment', 'eq', 'enterprise'))).toEqual(['FltLinked']);
        ok(await client(t, admin).del(`/api/v1/contacts/${linked.id}?permanent=true`), 204);
      } finally {
        ok(await client(t, admin).del('/api/v1/objects/accounts/fields/segment'), 204);
      }
    });

    it('relation: eq, ne, in, nin by id', async () => {
      expect(await matching(F('employer', 'eq', acc.one))).toEqual(['Flt1']);
      expect(await matching(F('employer', 'ne', acc.one))).toEqual(['Flt2', 'Flt3', 'Flt4']);
      expect(await matching(F('employer', 'in', [acc.one, acc.two]))).toEqual(['Flt1', 'Flt2']);
      expect(await matching(F('employer', 'nin', [acc.one]))).toEqual(['Flt2', 'Flt3', 'Flt4']);
    });

    it('user: eq and in by id', async () => {
      expect(await matching(F('accountManager', 'eq', a.userId))).toEqual(['Flt1']);
      expect(await matching(F('accountManager', 'in', [a.userId]))).toEqual(['Flt1']);
      expect(await matching(F('accountManager', 'isEmpty'))).toEqual(['Flt2', 'Flt3', 'Flt4']);
    });

    it('refuses operators that do not apply to the field type, and unknown fields', async () => {
      const cases: [Json, string][] = [
        [F('rating', 'contains', '1'), 'filter.op'],
        [F('vip', 'gt', true), 'filter.op'],
        [F('channels', 'startsWith', 'e'), 'filter.op'],
        [F('rating', 'gt', 'many'), 'filter.value'],
        [F('nosuchfield', 'eq', 1), 'filter.field'],
      ];
      for (const [filter, path] of cases) {
        expect(
          invalid(await client(t, admin).post('/api/v1/contacts/query', { filter })),
          JSON.stringify(filter),
        ).toEqual([path]);
      }
      // GET with filter= behaves the same.
      const get = await client(t, admin).get(
        `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify(F('rating', 'gt', 49)))}`,
      );
      expect((ok(get).data as Json[]).map((r) => r.lastName).sort()).toEqual(['Flt2', 'Flt3']);
    });
  });

  describe('sorting and pagination', () => {
    const pgIds: Json[] = [];
    beforeAll(async () => {
      const rows: [number | null, string | null, string | null, string | null][] = [
        [5, '2.5', '2024-05-01', 'eve'],
        [5, '10', null, 'bob'],
        [null, '1', '2024-01-01', null],
        [3, null, '2024-05-01', 'alice'],
        [8, '0.5', '2023-12-31', 'dan'],
        [5, '2.5', '2025-01-01', 'carol'],
        [null, null, null, 'frank'],
        [1, '100', '2024-02-29', 'gina'],
      ];
      for (const [i, [rating, ratio, renewalDate, nickname]] of rows.entries()) {
        const c = await createContact({ lastName: `Pg${i}`, rating, ratio, renewalDate, nickname });
        pgIds.push({ id: c.id, rating, ratio: ratio === null ? null : Number(ratio), renewalDate, nickname });
      }
    });

    /** The order PostgreSQL gives: nulls last ascending (first descending), ties by id in the last key's direction. */
    const expectedOrder = (key: string, desc: boolean) => {
      const cmp = (x: any, y: any) => (x < y ? -1 : x > y ? 1 : 0);
      return [...pgIds]
        .sort((p, q) => {
          const [u, v] = [p[key], q[key]];
          let c: number;
          if (u === null && v === null) c = 0;
          else if (u === null) c = 1;
          else if (v === null) c = -1;
          else c = cmp(u, v);
          if (c === 0) c = cmp(p.id, q.id);
          return desc ? -c : c;
        })
        .map((p) => p.id);
    };

    const pages = async (sort: string, limit: number) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const body = ok(
          await client(t, admin).post('/api/v1/contacts/query', {
            filter: { field: 'lastName', op: 'startsWith', value: 'Pg' },
            sort,
            limit,
            ...(cursor ? { cursor } : {}),
          }),
        );
        seen.push(...(body.data as Json[]).map((r) => r.id));
        expect(body.page.hasMore).toBe(body.page.nextCursor !== null);
        if (!body.page.nextCursor) return seen;
        cursor = body.page.nextCursor;
      }
      throw new Error('pagination did not end');
    };

    for (const [sort, key, desc] of [
      ['rating', 'rating', false],
      ['-rating', 'rating', true],
      ['ratio', 'ratio', false],
      ['-ratio', 'ratio', true],
      ['renewalDate', 'renewalDate', false],
      ['-renewalDate', 'renewalDate', true],
      ['nickname', 'nickname', false],
    ] as const) {
      it(`sort=${sort}, page by page with the cursor`, async () => {
        const expected = expectedOrder(key, desc);
        expect(await pages(sort, 100)).toEqual(expected);
        expect(await pages(sort, 3)).toEqual(expected);
        expect(await pages(sort, 1)).toEqual(expected);
      });
    }

    it('sorts by a custom field then a built-in one', async () => {
      const body = ok(
        await client(t, admin).post('/api/v1/contacts/query', {
          filter: { field: 'lastName', op: 'startsWith', value: 'Pg' },
          sort: ['-rating', 'lastName'],
          limit: 4,
        }),
      );
      expect((body.data as Json[]).map((r) => r.lastName)).toEqual(['Pg2', 'Pg6', 'Pg4', 'Pg0']);
      const next = ok(
        await client(t, admin).post('/api/v1/contacts/query', {
          filter: { field: 'lastName', op: 'startsWith', value: 'Pg' },
          sort: ['-rating', 'lastName'],
          limit: 4,
          cursor: body.page.nextCursor,
        }),
      );
      expect((next.data as Json[]).map((r) => r.lastName)).toEqual(['Pg1', 'Pg5', 'Pg3', 'Pg7']);
    });

    it('refuses to sort by multi-valued custom fields', async () => {
      for (const sort of ['channels', 'skills']) {
        expect(invalid(await client(t, admin).post('/api/v1/contacts/query', { sort })), sort).toEqual(['sort']);
      }
    });

    it('sorts by a custom relation field across pages', async () => {
      const ids: string[] = [];
      for (const [i, employer] of [acc.two, acc.one, null, acc.one].entries()) {
        ids.push((await createContact({ lastName: `Rel${i}`, employer })).id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 10; guard++) {
        const body = ok(
          await client(t, admin).post('/api/v1/contacts/query', {
            filter: { field: 'lastName', op: 'startsWith', value: 'Rel' },
            sort: 'employer',
            limit: 1,
            ...(cursor ? { cursor } : {}),
          }),
        );
        seen.push(...(body.data as Json[]).map((r) => r.id));
        cursor = body.page.nextCursor ?? undefined;
        if (!cursor) break;
      }
      expect(seen).toHaveLength(4);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(seen[3]).toBe(ids[2]); // no employer: last, as nulls sort ascending
    });
  });

  it('custom text values are searchable', async () => {
    const c = await createContact({ lastName: 'Searchable', nickname: 'Zanzibar' });
    const res = ok(await client(t, admin).get('/api/v1/search?q=zanzib'));
    expect(res.data.map((h: Json) => h.id)).toEqual([c.id]);
    // Other workspaces do not find it.
    expect(ok(await client(t, { cookie: b.cookie }).get('/api/v1/search?q=zanzibar')).data).toEqual([]);
  });

  it('ids held by custom relation and user fields do not make records match a search', async () => {
    const c = await createContact({ lastName: 'Linked', employer: acc.one, accountManager: a.userId });
    // The first group of an id (uuidv7: the time stamp, shared by every id made within about a minute).
    for (const q of [(acc.one ?? '').slice(0, 8), a.userId.slice(0, 8)]) {
      expect(q).toMatch(/^[0-9a-f]{8}$/);
      const found = ok(await client(t, admin).get(`/api/v1/search?q=${q}&objects=contacts`)).data.map(
        (h: Json) => h.id,
      );
      expect(found, q).not.toContain(c.id);
    }
    ok(await client(t, admin).del(`/api/v1/contacts/${c.id}?permanent=true`), 204);
  });

  describe('changing fields', () => {
    it('PATCH changes the label, description and options', async () => {
      const res = ok(
        await client(t, admin).patch('/api/v1/objects/contacts/fields/tier', {
          label: 'Customer tier',
          description: 'Commercial tier',
          options: [
            { value: 'gold', label: 'Gold' },
            { value: 'silver', label: 'Silver' },
            { value: 'bronze', label: 'Bronze' },
            { value: 'platinum', label: 'Platinum' },
          ],
        }),
      );
      expect(res.data).toMatchObject({
        name: 'tier',
        type: 'select',
        label: 'Customer tier',
        description: 'Commercial tier',
      });
      expect(res.data.options.map((o: Json) => o.value)).toEqual(['gold', 'silver', 'bronze', 'platinum']);
      expect(fieldOf(await meta(), 'tier')).toMatchObject({ label: 'Customer tier', description: 'Commercial tier' });
      // The new option is accepted on write, and filterable.
      const c = await createContact({ lastName: 'Plat', tier: 'platinum' });
      expect(c.tier).toBe('platinum');
      // A label-only change keeps the options.
      ok(await client(t, admin).patch('/api/v1/objects/contacts/fields/tier', { label: 'Tier' }));
      const tier = fieldOf(await meta(), 'tier');
      expect(tier?.label).toBe('Tier');
      expect(tier?.options).toHaveLength(4);
      expect(tier?.description).toBe('Commercial tier');
      ok(await client(t, admin).del(`/api/v1/contacts/${c.id}?permanent=true`), 204);
    });

    it('PATCH can make a field required, which is then enforced on create and update', async () => {
      ok(await client(t, admin).patch('/api/v1/objects/contacts/fields/renewalDate', { required: true }));
      expect(fieldOf(await meta(), 'renewalDate')?.required).toBe(true);
      const before = await contactCount();
      expect(invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'Req' }))).toEqual(['renewalDate']);
      expect(invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'Req', renewalDate: null }))).toEqual([
        'renewalDate',
      ]);
      expect(await contactCount()).toBe(before);
      const c = await createContact({ lastName: 'Req', renewalDate: '2030-01-01' });
      expect(invalid(await client(t, admin).patch(`/api/v1/contacts/${c.id}`, { renewalDate: null }))).toEqual([
        'renewalDate',
      ]);
      expect((await getContact(c.id)).renewalDate).toBe('2030-01-01');
      ok(await client(t, admin).patch('/api/v1/objects/contacts/fields/renewalDate', { required: false }));
      expect(fieldOf(await meta(), 'renewalDate')?.required).toBe(false);
      await createContact({ lastName: 'NotReq' });
    });

    it('a required custom field added with the definition is enforced on create', async () => {
      ok(await addField({ name: 'contractRef', type: 'text', label: 'Contract', required: true }), 201);
      expect(invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'NoRef' }))).toEqual(['contractRef']);
      expect(
        invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'NoRef', contractRef: '   ' })),
      ).toEqual(['contractRef']);
      expect((await createContact({ lastName: 'Ref', contractRef: 'C-1' })).contractRef).toBe('C-1');
      ok(await client(t, admin).del('/api/v1/objects/contacts/fields/contractRef'), 204);
      await createContact({ lastName: 'NoRefAgain' });
    });

    it('PATCH changes the bounds of a number field, which then apply on write', async () => {
      expect(invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'Big', rating: 150 }))).toEqual([
        'rating',
      ]);
      ok(await client(t, admin).patch('/api/v1/objects/contacts/fields/rating', { max: 200 }));
      expect(fieldOf(await meta(), 'rating')).toMatchObject({ min: 0, max: 200 });
      const c = await createContact({ lastName: 'Big', rating: 150 });
      expect(c.rating).toBe(150);
      ok(await client(t, admin).patch('/api/v1/objects/contacts/fields/rating', { max: 100 }));
      expect(invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'Big', rating: 150 }))).toEqual([
        'rating',
      ]);
      ok(await client(t, admin).del(`/api/v1/contacts/${c.id}?permanent=true`), 204);
    });

    it('PATCH refuses to change the type or the name, and changes nothing then', async () => {
      const before = await meta();
      expect(invalid(await client(t, admin).patch('/api/v1/objects/contacts/fields/rating', { type: 'text' }))).toEqual(
        ['type'],
      );
      expect(
        invalid(await client(t, admin).patch('/api/v1/objects/contacts/fields/rating', { name: 'points' })),
      ).toEqual(['name']);
      expect(
        invalid(
          await client(t, admin).patch('/api/v1/objects/contacts/fields/rating', { label: 'Points', type: 'decimal' }),
        ),
      ).toEqual(['type']);
      expect(
        invalid(
          await client(t, admin).patch('/api/v1/objects/contacts/fields/employer', {
            relation: { object: 'contacts' },
          }),
        ),
      ).toEqual(['relation']);
      expect(
        invalid(
          await client(t, admin).patch('/api/v1/objects/contacts/fields/rating', {
            options: [{ value: 'a', label: 'A' }],
          }),
        ),
      ).toEqual(['options']);
      expect(await meta()).toEqual(before);
      // The same name and type are harmless.
      ok(await client(t, admin).patch('/api/v1/objects/contacts/fields/rating', { name: 'rating', type: 'integer' }));
      expect((await client(t, admin).patch('/api/v1/objects/contacts/fields/nope', { label: 'X' })).statusCode).toBe(
        404,
      );
      expect(
        (await client(t, admin).patch('/api/v1/objects/contacts/fields/firstName', { label: 'X' })).statusCode,
      ).toBe(404);
    });
  });

  describe('removing fields', () => {
    it('DELETE removes the definition and every value; re-adding the name does not bring them back', async () => {
      const live = await createContact({ lastName: 'Del', nickname: 'Gizmo', rating: 7 });
      const trashed = await createContact({ lastName: 'DelTrash', nickname: 'Gadget' });
      ok(await client(t, admin).del(`/api/v1/contacts/${trashed.id}`), 204);
      expect(ok(await client(t, admin).get('/api/v1/search?q=gizmo')).data.map((h: Json) => h.id)).toEqual([live.id]);

      ok(await client(t, admin).del('/api/v1/objects/contacts/fields/nickname'), 204);
      expect(fieldOf(await meta(), 'nickname')).toBeUndefined();
      const after = await getContact(live.id);
      expect(after).not.toHaveProperty('nickname');
      expect(after.rating).toBe(7);
      expect(ok(await client(t, admin).get('/api/v1/search?q=gizmo')).data).toEqual([]);
      // The name is no longer a field: writing, filtering or sorting by it is refused.
      expect(invalid(await client(t, admin).post('/api/v1/contacts', { lastName: 'Del2', nickname: 'x' }))).toEqual([
        'nickname',
      ]);
      expect(
        invalid(
          await client(t, admin).post('/api/v1/contacts/query', { filter: { field: 'nickname', op: 'isEmpty' } }),
        ),
      ).toEqual(['filter.field']);
      expect(invalid(await client(t, admin).post('/api/v1/contacts/query', { sort: 'nickname' }))).toEqual(['sort']);
      expect((await client(t, admin).del('/api/v1/objects/contacts/fields/nickname')).statusCode).toBe(404);

      ok(await addField({ name: 'nickname', type: 'text', label: 'Nickname again' }), 201);
      expect((await getContact(live.id)).nickname).toBeNull();
      const restored = ok(await client(t, admin).post(`/api/v1/contacts/${trashed.id}/restore`)).data;
      expect(restored.nickname).toBeNull();
      const withValue = ok(
        await client(t, admin).post('/api/v1/contacts/query', { filter: { field: 'nickname', op: 'isNotEmpty' } }),
      ).data;
      expect(withValue).toEqual([]);
      expect(ok(await client(t, admin).get('/api/v1/search?q=gadget')).data).toEqual([]);
    });

    it('purging the target of a custom relation clears the link, as it does for built-in relations', async () => {
      const target = ok(await client(t, admin).post('/api/v1/accounts', { name: 'Short-lived' }), 201).data;
      const c = await createContact({ lastName: 'Orphan', employer: target.id, accountId: target.id });
      expect(c).toMatchObject({ employer: target.id, accountId: target.id });
      ok(await client(t, admin).del(`/api/v1/accounts/${target.id}?permanent=true`), 204);
      const after = await getContact(c.id);
      expect(after.accountId).toBeNull();
      expect(after.employer).toBeNull();
      ok(await client(t, admin).del(`/api/v1/contacts/${c.id}?permanent=true`), 204);
    });

    it('DELETE of built-in fields or unknown objects is refused', async () => {
      expect((await client(t, admin).del('/api/v1/objects/contacts/fields/firstName')).statusCode).toBe(404);
      expect((await client(t, admin).del('/api/v1/objects/widgets/fields/rating')).statusCode).toBe(404);
      expect(fieldOf(await meta(), 'firstName')).toMatchObject({ custom: false });
    });
  });

  describe('permissions and tenancy', () => {
    it('non-administrators get 403 and nothing changes', async () => {
      const before = await meta();
      // They may read the metadata and use the fields.
      // (their permissions differ from the administrator's; the fields are the same)
      expect((await meta('contacts', rep)).fields).toEqual(before.fields);
      const c = ok(await client(t, rep).post('/api/v1/contacts', { lastName: 'ByRep', rating: 3 }), 201).data;
      expect(c.rating).toBe(3);
      const attempts: [string, string, Json | undefined][] = [
        ['POST', '/api/v1/objects/contacts/fields', { name: 'repField', type: 'text', label: 'Rep' }],
        ['PATCH', '/api/v1/objects/contacts/fields/rating', { label: 'Hijacked' }],
        ['PATCH', '/api/v1/objects/contacts/fields/tier', { required: true }],
        ['DELETE', '/api/v1/objects/contacts/fields/rating', undefined],
      ];
      for (const [method, url, body] of attempts) {
        const res = await client(t, rep).call(method, url, body);
        expect(res.statusCode, `${method} ${url}`).toBe(403);
        expect(res.json().code).toBe('forbidden');
      }
      expect(await meta()).toEqual(before);
      expect((await getContact(c.id)).rating).toBe(3);
    });

    it('another workspace does not see the fields, and may define its own with the same names', async () => {
      const other: Auth = { cookie: b.cookie };
      const bMeta = await meta('contacts', other);
      expect(customNames(bMeta)).toEqual([]);
      const all = ok(await client(t, other).get('/api/v1/objects')).data as Json[];
      expect(all.flatMap(customNames)).toEqual([]);
      expect(invalid(await client(t, other).post('/api/v1/contacts', { lastName: 'B', rating: 1 }))).toEqual([
        'rating',
      ]);
      expect((await client(t, other).patch('/api/v1/objects/contacts/fields/rating', { label: 'X' })).statusCode).toBe(
        404,
      );
      expect((await client(t, other).del('/api/v1/objects/contacts/fields/rating')).statusCode).toBe(404);

      ok(await addField({ name: 'rating', type: 'text', label: 'B rating' }, 'contacts', other), 201);
      const bc = ok(await client(t, other).post('/api/v1/contacts', { lastName: 'B', rating: 'high' }), 201).data;
      expect(bc.rating).toBe('high');
      // A is unaffected: still an integer with its values.
      expect(fieldOf(await meta(), 'rating')).toMatchObject({ type: 'integer', label: 'Rating' });
      expect(await matching({ field: 'rating', op: 'eq', value: 50 })).toEqual(['Flt2']);
      ok(await client(t, other).del('/api/v1/objects/contacts/fields/rating'), 204);
      expect(fieldOf(await meta(), 'rating')).toMatchObject({ type: 'integer' });
      expect((await getContact(flt.Flt2 ?? '')).rating).toBe(50);
    });
  });

  describe('OpenAPI', () => {
    const doc = async (auth: Auth | null) => {
      const res = await client(t, auth).get('/api/openapi.json');
      expect(res.statusCode).toBe(200);
      return res.json();
    };

    it("includes the caller's custom fields in the record schemas, and validates", async () => {
      const d = await doc(admin);
      const { Contact, ContactCreate, ContactUpdate, Account } = d.components.schemas;
      for (const schema of [Contact, ContactCreate, ContactUpdate]) {
        for (const name of CUSTOM_NAMES) expect(schema.properties, name).toHaveProperty(name);
        expect(schema.properties.rating['x-rapport-custom']).toBe(true);
        // Built-in fields are still there.
        expect(schema.properties).toHaveProperty('lastName');
      }
      expect(JSON.stringify(Contact.properties.rating)).toContain('"integer"');
      expect(JSON.stringify(Contact.properties.tier)).toContain('"platinum"');
      expect(Contact.properties.firstName['x-rapport-custom']).toBeUndefined();
      expect(Account.properties).not.toHaveProperty('rating');
      const result = await new Validator().validate(d);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
    });

    it('lists required custom fields as required in the create schema', async () => {
      ok(await addField({ name: 'region', type: 'text', label: 'Region', required: true }), 201);
      try {
        const { ContactCreate, ContactUpdate } = (await doc(admin)).components.schemas;
        expect(ContactCreate.required).toContain('region');
        expect(ContactUpdate.required ?? []).not.toContain('region');
        const result = await new Validator().validate(await doc(admin));
        expect(result.errors ?? []).toEqual([]);
      } finally {
        ok(await client(t, admin).del('/api/v1/objects/contacts/fields/region'), 204);
      }
    });

    it('anonymous callers and other workspaces get the plain document', async () => {
      await doc(admin); // must not leave anything behind in the shared document
      for (const [who, auth] of [
        ['anonymous', null],
        ['workspace B', { cookie: b.cookie }],
      ] as const) {
        const d = await doc(auth);
        for (const s of ['Contact', 'ContactCreate', 'ContactUpdate']) {
          const props = d.components.schemas[s].properties;
          expect(props, `${who} ${s}`).toHaveProperty('lastName');
          for (const name of CUSTOM_NAMES) expect(props, `${who} ${s}`).not.toHaveProperty(name);
        }
      }
      const anonymous = await doc(null);
      const result = await new Validator().validate(anonymous);
      expect(result.valid).toBe(true);
      // An API key of the workspace sees the custom fields too.
      expect((await doc(rep)).components.schemas.Contact.properties).toHaveProperty('rating');
    });
  });
});
