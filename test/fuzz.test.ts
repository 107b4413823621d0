import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILTER_OPERATORS } from '../common/filter';
import { STANDARD_OBJECTS } from '../server/modules';
import { ADDRESS_PARTS, MONEY_PARTS } from '../server/platform/records/field-types';
import { type FieldDef, type ObjectDef, SYSTEM_FIELDS } from '../server/platform/records/types';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';

/*
 * Property-based fuzzing of the record API through the real HTTP stack (inject)
 * and a real database. Whatever a client sends, the API must answer with a 2xx or
 * a 4xx problem document, never a 5xx ("Never 5xx for anything a client sent",
 * API.md), and a request that fails must write nothing.
 *
 * Most generated requests are well-formed envelopes carrying random or hostile
 * values (so they get past request validation and reach the record engine and the
 * database); a minority are hostile at every level. fast-check picks a new seed
 * on every run and prints it with the shrunk counterexample on failure; replay a
 * failure by passing that `seed` and `path` to fc.assert.
 */

const NUM_RUNS = 250;
const PROPERTY_TIMEOUT = 120_000;

let t: TestApp;
let user: SignedUp;
let headers: Record<string, string>;
const accountIds: string[] = [];
const contactIds: string[] = [];
/** The contact every PATCH run targets. */
let target: string;
/** Real nextCursor values, by the sort that produced them. */
const realCursors = new Map<string, string>();
/** Status codes seen per property, printed once at the end (coverage at a glance). */
const seen = new Map<string, Map<number, number>>();

const contactsDef = STANDARD_OBJECTS.find((o) => o.name === 'contacts') as ObjectDef;
const accountsDef = STANDARD_OBJECTS.find((o) => o.name === 'accounts') as ObjectDef;
const allFields = (def: ObjectDef) => [...SYSTEM_FIELDS, ...def.fields];

// ---------------------------------------------------------------------------
// Plumbing

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD). */
const enc = (s: string) =>
  Array.from(Buffer.from(s, 'utf8'))
    .map((b) =>
      /[A-Za-z0-9._~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');

/** Shortens runs of a repeated unit ("[[[[…" → "[…×8000") so huge counterexamples stay readable. */
const compress = (s: string, max = 3000) => {
  const short = s.replace(/(.{1,8}?)\1{15,}/gs, (run, unit: string) => `${unit}…×${run.length / unit.length}`);
  return short.length > max ? `${short.slice(0, max)}… (${short.length} chars)` : short;
};

const preview = (v: unknown) => compress((typeof v === 'string' ? v : JSON.stringify(v)) ?? 'undefined', 400);

/** Runs a property; on failure reports the seed and the shrunk counterexample, compressed. */
async function check<Ts extends [unknown, ...unknown[]]>(property: fc.IAsyncProperty<Ts>): Promise<void> {
  await fc.assert(property, {
    numRuns: NUM_RUNS,
    reporter(out) {
      if (!out.failed) return;
      throw new Error(compress(fc.defaultReportMessage(out) ?? 'property failed', 6000), { cause: out.errorInstance });
    },
  });
}

/** A 2xx, or a 4xx problem+json document with a code; never a 5xx. */
function expectWellFormed(res: LightMyRequestResponse, label: string): void {
  const where = `${label}\n→ ${res.statusCode} ${res.body.slice(0, 400)}`;
  expect(res.statusCode, where).toBeLessThan(500);
  expect(res.statusCode, where).toBeGreaterThanOrEqual(200);
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type']), where).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(res.body);
    expect(typeof problem.code, where).toBe('string');
    expect(problem.code.length, where).toBeGreaterThan(0);
    expect(problem.status, where).toBe(res.statusCode);
  }
}

function tally(property: string, status: number): void {
  const m = seen.get(property) ?? new Map<number, number>();
  m.set(status, (m.get(status) ?? 0) + 1);
  seen.set(property, m);
}

/** A JSON body, or raw text (broken JSON, deep nesting) named for readable reports. */
type Payload = { json: unknown } | { raw: keyof typeof RAW_BODIES };

function send(
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  payload?: Payload,
  extra: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const body =
    payload === undefined ? undefined : 'raw' in payload ? RAW_BODIES[payload.raw] : JSON.stringify(payload.json);
  return t.app.inject({
    method,
    url,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
    ...(body !== undefined ? { payload: body } : {}),
  });
}

async function count(table: 'contacts' | 'accounts'): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(t.database.db);
  return rows[0]?.n ?? -1;
}

/** The stored row of a contact, as JSON text (to prove a failed request changed nothing). */
async function snapshot(id: string): Promise<string> {
  const { rows } = await sql<{ r: unknown }>`select to_jsonb(c) as r from contacts c where id = ${id}::uuid`.execute(
    t.database.db,
  );
  return JSON.stringify(rows[0]?.r ?? null);
}

const deep = (open: string, close: string, n: number, inner = '') => `${open.repeat(n)}${inner}${close.repeat(n)}`;
const LEAF = '{"field":"firstName","op":"eq","value":"x"}';

const RAW_BODIES = {
  empty: '',
  unclosed: '{',
  truncated: '{"firstName":',
  trailingComma: '{"firstName":"x",}',
  null: 'null',
  emptyArray: '[]',
  string: '"just a string"',
  number: '123',
  twoDocuments: '{"firstName":"x"}{"lastName":"y"}',
  protoKey: '{"__proto__":{"polluted":1},"firstName":"x"}',
  constructorKey: '{"constructor":{"prototype":{"polluted":1}},"firstName":"x"}',
  nul: '\u0000',
  escapedNul: '{"firstName":"\\u0000"}',
  loneSurrogate: '{"firstName":"\\ud800"}',
  deepJsonField: `{"firstName":"x","socialProfiles":{"a":${deep('[', ']', 8_000)}}}`,
  deepUnknownField: `{"firstName":"x","nope":${deep('{"a":', '}', 8_000, '1')}}`,
  tooLarge: `{"firstName":"${'x'.repeat(1_100_000)}"}`,
  batchDeepRecord: `{"mode":"create","records":[{"firstName":"x","socialProfiles":${deep('[', ']', 8_000)}}]}`,
  batchDeepJunk: `{"mode":"create","records":[${deep('[', ']', 8_000)}]}`,
  queryDeepNot: `{"filter":${deep('{"not":', '}', 5_000, LEAF)}}`,
  queryDeepAnd: `{"filter":${deep('{"and":[', ']}', 5_000, LEAF)}}`,
  queryDeepValue: `{"filter":{"field":"firstName","op":"in","value":${deep('[', ']', 8_000)}}}`,
};
const RAW_NAMES = Object.keys(RAW_BODIES) as (keyof typeof RAW_BODIES)[];
const raw = (...names: (keyof typeof RAW_BODIES)[]) =>
  fc.constantFrom(...(names.length ? names : RAW_NAMES)).map((name): Payload => ({ raw: name }));

// ---------------------------------------------------------------------------
// Generators

const HOSTILE = [
  "'; drop table contacts; --",
  "Robert'); DROP TABLE contacts;--",
  '" or 1=1 --',
  "1' or '1'='1",
  '1; select pg_sleep(5)',
  '$1',
  '%',
  '_',
  '\\',
  '%_\\',
  "'",
  '"',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '😀👩‍👩‍👧',
  'Ω≈ç√∫',
  'ﬁİß',
  '\u202eevil',
  '\n\r\t',
  ' ',
  '',
  'null',
  'NaN',
  'Infinity',
  '-0',
  '1e309',
  '0x10',
  '99999999999999999999999999999999',
  '0000-01-01',
  '2024-02-30',
  '0000-01-01T00:00:00Z',
  '00000000-0000-0000-0000-000000000000',
  '__proto__',
  'constructor',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell-style payload, sent literally
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  'a'.repeat(300),
  'é'.repeat(5_000),
  'x'.repeat(25_000),
];
const hostile = fc.constantFrom(...HOSTILE);

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
  { weight: 3, arbitrary: hostile },
);

const isoDate = fc
  .date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const WEIRD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'a.b', 'custom'];
const FIELD_NAMES = [...new Set([...allFields(contactsDef), ...allFields(accountsDef)].map((f) => f.name))];
const key = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES, ...WEIRD_KEYS) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);

// The arbitraries below close over ids created in beforeAll: build them inside tests.

function scalar(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: text },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() }, // NaN and ±Infinity become null in JSON
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: isoDate },
    { weight: 1, arbitrary: fc.constantFrom(...accountIds, ...contactIds, user.userId) },
  );
}

function anyValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: scalar() },
    { weight: 1, arbitrary: fc.array(scalar(), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(key, scalar(), { maxKeys: 4 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

const phone = fc.oneof(fc.constantFrom('+33 1 23 45 67 89', '+14155552671', '0044 20 7946 0958', '123'), text);
const numberish = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.stringMatching(/^-?\d{1,20}(\.\d{1,10})?$/),
  fc.constantFrom('1e3', 'NaN', '--1', '1.'),
);

/** A value with a fair chance of being valid for the field, often carrying hostile text. */
function plausible(f: FieldDef): fc.Arbitrary<unknown> {
  switch (f.type) {
    case 'text':
    case 'longText':
      return fc.oneof(fc.string({ maxLength: 30 }), text);
    case 'email':
      return fc.oneof(fc.emailAddress(), text);
    case 'emails':
      return fc.array(
        fc.record({ value: fc.oneof(fc.emailAddress(), text), label: text }, { requiredKeys: ['value'] }),
        {
          maxLength: 3,
        },
      );
    case 'phone':
      return phone;
    case 'phones':
      return fc.array(fc.record({ value: phone, label: text }, { requiredKeys: ['value'] }), { maxLength: 3 });
    case 'url':
      return fc.oneof(fc.webUrl(), fc.domain(), text);
    case 'integer':
      return fc.oneof(fc.integer({ min: -5, max: 20_000_000 }), fc.double());
    case 'decimal':
      return fc.oneof(fc.stringMatching(/^-?\d{1,17}(\.\d{1,8})?$/), fc.double());
    case 'money':
      return fc.record(
        {
          amount: fc.oneof(fc.stringMatching(/^-?\d{1,16}(\.\d{1,5})?$/), fc.double(), text),
          currency: fc.oneof(fc.constantFrom('EUR', 'usd', 'jpy', 'XYZ', ''), text),
        },
        { requiredKeys: [] },
      );
    case 'percent':
      return fc.double({ min: -2000, max: 2000 });
    case 'date':
      return fc.oneof(
        isoDate.map((d) => d.slice(0, 10)),
        fc.constantFrom('0000-01-01', '2024-02-30', '2024-02-29'),
      );
    case 'datetime':
      return fc.oneof(
        isoDate,
        isoDate.map((d) => d.replace('Z', '+05:30')),
        hostile,
      );
    case 'boolean':
      return fc.boolean();
    case 'select':
      return fc.oneof(fc.constantFrom(...(f.options ?? []).map((o) => o.value)), text);
    case 'multiSelect':
      return fc.array(fc.constantFrom(...(f.options ?? []).map((o) => o.value)), { maxLength: 4 });
    case 'relation': {
      const one = fc.oneof(fc.constantFrom(...accountIds), fc.uuid(), text);
      return f.relation?.cardinality === 'many' ? fc.array(one, { maxLength: 3 }) : one;
    }
    case 'user':
      return fc.oneof(fc.constant(user.userId), fc.uuid(), text);
    case 'address': {
      const coordinate = fc.oneof(fc.double({ min: -200, max: 200 }), fc.constant(null), text);
      return fc.record(
        {
          street: text,
          city: text,
          region: text,
          postalCode: text,
          country: fc.oneof(fc.constantFrom('FR', 'us', '', 'GBR'), text),
          latitude: coordinate,
          longitude: coordinate,
          zip: text,
        },
        { requiredKeys: [] },
      );
    }
    case 'tags':
      return fc.array(fc.oneof(fc.string({ maxLength: 70 }), hostile), { maxLength: 5 });
    case 'json':
      return fc.oneof(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 20 }), hostile)),
        fc.jsonValue({ maxDepth: 3 }),
      );
  }
}

/**
 * A record body for `def`: often a valid minimal record, plus a few of its fields with
 * plausible or random values and now and then a junk key.
 */
function recordBody(def: ObjectDef): fc.Arbitrary<Record<string, unknown>> {
  const entries = allFields(def).map((f) =>
    fc.tuple(
      fc.constant(f.name),
      fc.oneof({ weight: 5, arbitrary: plausible(f) }, { weight: 1, arbitrary: anyValue() }),
    ),
  );
  const entry = fc.oneof(
    { weight: 12, arbitrary: fc.oneof(...entries) },
    { weight: 1, arbitrary: fc.tuple(key, anyValue()) },
  );
  const base = def.name === 'accounts' ? { name: 'Fuzz Inc' } : { lastName: 'Fuzz' };
  return fc
    .tuple(fc.boolean(), fc.array(entry, { maxLength: 5 }))
    .map(([withBase, list]) => ({ ...(withBase ? base : {}), ...Object.fromEntries(list) }));
}

/** A body for a record write: a record, any JSON at all, or raw (often broken) text. */
function writePayload(def: ObjectDef): fc.Arbitrary<Payload> {
  return fc.oneof(
    { weight: 20, arbitrary: recordBody(def).map((json): Payload => ({ json })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((json): Payload => ({ json })) },
    {
      weight: 1,
      arbitrary: raw(
        'empty',
        'unclosed',
        'truncated',
        'trailingComma',
        'null',
        'emptyArray',
        'string',
        'number',
        'twoDocuments',
        'protoKey',
        'constructorKey',
        'nul',
        'escapedNul',
        'loneSurrogate',
        'deepJsonField',
        'deepUnknownField',
        'tooLarge',
      ),
    },
  );
}

const idempotencyKey = fc.oneof(
  { weight: 10, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom('key-1', 'key-2', 'key-3') },
  { weight: 1, arbitrary: fc.constantFrom('has space', '', 'x'.repeat(300), 'ünïcode') },
);

/** Filterable paths of contacts (sub-fields, one relation hop) with the field behind each. */
interface FilterPath {
  path: string;
  field: FieldDef;
  sub?: string;
}
function pathsOf(def: ObjectDef, prefix = ''): FilterPath[] {
  return allFields(def).flatMap((field): FilterPath[] => {
    const subs: readonly string[] =
      field.type === 'address' ? ADDRESS_PARTS : field.type === 'money' ? MONEY_PARTS : [];
    return [
      { path: `${prefix}${field.name}`, field },
      ...subs.map((sub) => ({ path: `${prefix}${field.name}.${sub}`, field, sub })),
    ];
  });
}
const FILTER_PATHS = [...pathsOf(contactsDef), ...pathsOf(accountsDef, 'account.')];
const BOGUS_PATHS = [
  'address.nope',
  'address.street.name',
  'account.nope',
  'account.parentAccount.name',
  'accountId.name',
  'owner.name',
  'contacts.firstName',
  '__proto__',
  'constructor.name',
  '',
];

function filterValueFor(p: FilterPath): fc.Arbitrary<unknown> {
  const single =
    p.sub === 'latitude' || p.sub === 'longitude' || p.sub === 'amount'
      ? numberish
      : p.sub
        ? fc.oneof(fc.constantFrom('FR', 'us', 'EUR', 'Paris'), text)
        : ['integer', 'decimal', 'percent', 'money'].includes(p.field.type)
          ? numberish
          : fc.oneof(plausible(p.field), text);
  return fc.oneof(
    { weight: 5, arbitrary: single },
    { weight: 2, arbitrary: fc.array(single, { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: anyValue() },
  );
}

function filterTree(): fc.Arbitrary<unknown> {
  const op = fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...FILTER_OPERATORS) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom('like', 'within', 'EQ', ''), text) },
  );
  const realLeaf = fc
    .constantFrom(...FILTER_PATHS)
    .chain((p) =>
      fc.record({ field: fc.constant(p.path), op, value: filterValueFor(p) }, { requiredKeys: ['field', 'op'] }),
    );
  const bogusLeaf = fc.record(
    { field: fc.oneof(fc.constantFrom(...BOGUS_PATHS), text), op, value: anyValue() },
    { requiredKeys: ['field', 'op'] },
  );
  const leaf = fc.oneof({ weight: 12, arbitrary: realLeaf }, { weight: 1, arbitrary: bogusLeaf });
  const { node } = fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 12, arbitrary: leaf },
      { weight: 2, arbitrary: fc.record({ and: fc.array(tie('node'), { maxLength: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ or: fc.array(tie('node'), { maxLength: 3 }) }) },
      { weight: 2, arbitrary: fc.record({ not: tie('node') }) },
      { weight: 1, arbitrary: fc.tuple(leaf, key, anyValue()).map(([l, k, v]) => ({ ...(l as object), [k]: v })) },
      { weight: 1, arbitrary: anyValue() },
    ),
  }));
  // Also trees deeper than the 8 levels allowed, and wide ones past the 100-leaf cap.
  const nested = fc
    .tuple(leaf, fc.integer({ min: 6, max: 14 }), fc.constantFrom('not', 'and', 'or'))
    .map(([l, depth, kind]) => {
      let n: unknown = l;
      for (let i = 0; i < depth; i++) n = kind === 'not' ? { not: n } : { [kind]: [n] };
      return n;
    });
  const wide = fc.tuple(leaf, fc.integer({ min: 90, max: 130 })).map(([l, n]) => ({ or: Array(n).fill(l) }));
  return fc.oneof({ weight: 16, arbitrary: node }, { weight: 1, arbitrary: nested }, { weight: 1, arbitrary: wide });
}

const SORTS = [
  '',
  'id',
  '-id',
  'lastName,firstName',
  '-createdAt',
  'firstName,-id',
  'birthday',
  '-address.latitude',
  'doNotContact',
  'version',
  'email,-updatedAt,id',
  'lifecycleStage,-lastContactedAt',
  'tags',
  'address',
  'socialProfiles',
  'account.name',
  'a,b,c,d,e,f',
  '-',
  ',,,',
  ' , ',
  '+lastName',
];

/** The signature a cursor carries for a sort (see query.ts), so forged cursors pass that check. */
const signature = (sort: string) =>
  (sort.trim() ? sort : 'lastName')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('-') ? s : s.replace(/^\+/, '')))
    .join(',');

const base64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A sort with a cursor: none, a real one, a forged one matching the sort, or garbage. */
function sortAndCursor(): fc.Arbitrary<{ sort?: string; cursor?: string }> {
  const sort = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...SORTS) }, { weight: 1, arbitrary: text });
  const forgedKey = fc.oneof(text, fc.constant(null), fc.integer(), isoDate, fc.uuid(), fc.constantFrom('true', '1.5'));
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ sort }, { requiredKeys: [] }) },
    { weight: 2, arbitrary: fc.constantFrom(...[...realCursors].map(([s, cursor]) => ({ sort: s, cursor }))) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(sort, fc.array(forgedKey, { maxLength: 4 }), fc.oneof(fc.uuid(), text))
        .map(([s, k, id]) => ({ sort: s, cursor: base64url({ s: signature(s), k, id }) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.option(sort, { nil: undefined }), fc.oneof(text, fc.base64String(), fc.jsonValue().map(base64url)))
        .map(([s, cursor]) => ({ sort: s, cursor })),
    },
  );
}

const QUERY_JUNK = [
  '',
  '&',
  '=',
  '%',
  '%zz',
  '%E0%A4%A',
  '%00',
  'filter',
  'filter=',
  'limit=1&limit=2',
  'x=1',
  'a[b]=c',
];
const junk = fc.oneof(
  { weight: 6, arbitrary: fc.constant([] as string[]) },
  { weight: 1, arbitrary: fc.array(fc.constantFrom(...QUERY_JUNK), { minLength: 1, maxLength: 2 }) },
);

const queryString = (params: Record<string, string | undefined>, extra: string[]) =>
  [
    ...Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${enc(v as string)}`),
    ...extra,
  ].join('&');

// ---------------------------------------------------------------------------

beforeAll(async () => {
  t = await createTestApp({ rateLimitPerMinute: 0 });
  user = await signUp(t.app, { workspaceName: 'Fuzz Co' });
  headers = { cookie: user.cookie };
  for (const body of [
    { name: 'Acme', domain: 'acme.com', industry: 'software', employees: 50 },
    { name: 'Globex', industry: 'energy', annualRevenue: { amount: '1250000.10', currency: 'USD' } },
  ]) {
    const res = await send('POST', '/api/v1/accounts', { json: body });
    expect(res.statusCode, res.body).toBe(201);
    accountIds.push(res.json().data.id);
  }
  for (const [i, body] of [
    { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', tags: ['vip'] },
    { firstName: 'Alan', lastName: 'Turing', birthday: '1912-06-23', address: { city: 'London', country: 'GB' } },
    { lastName: 'Hopper', address: { latitude: 40.7, longitude: -74 }, doNotContact: true },
    { email: 'kay@example.com', socialProfiles: { x: '@kay' } },
    { firstName: 'Édith', lastName: 'Piaf', phone: '+33 1 23 45 67 89' },
  ].entries()) {
    const res = await send('POST', '/api/v1/contacts', { json: { ...body, accountId: accountIds[i % 2] } });
    expect(res.statusCode, res.body).toBe(201);
    contactIds.push(res.json().data.id);
  }
  target = contactIds[0] as string;
  for (const sort of SORTS) {
    const res = await send('GET', `/api/v1/contacts?limit=1&sort=${enc(sort)}`);
    const next = res.statusCode === 200 ? res.json().page.nextCursor : null;
    if (next) realCursors.set(sort, next);
  }
  expect(realCursors.size).toBeGreaterThan(3);
}, 120_000);

afterAll(async () => {
  const lines = [...seen].map(
    ([name, m]) =>
      `${name}: ${[...m]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
  );
  if (lines.length) console.info(`fuzz status codes\n  ${lines.join('\n  ')}`);
  await t?.stop();
});

describe('fuzzing the record API: never a 5xx, never a half-written record', () => {
  for (const def of [contactsDef, accountsDef]) {
    const name = `POST /api/v1/${def.name}`;
    it(
      `${name} with random bodies`,
      async () => {
        const table = def.name as 'contacts' | 'accounts';
        await check(
          fc.asyncProperty(writePayload(def), idempotencyKey, async (payload, key) => {
            const before = await count(table);
            const res = await send(
              'POST',
              `/api/v1/${def.name}`,
              payload,
              key === undefined ? {} : { 'idempotency-key': key },
            );
            tally(name, res.statusCode);
            const label = `${name} idempotency-key=${preview(key)} body=${preview('raw' in payload ? payload.raw : payload.json)}`;
            expectWellFormed(res, label);
            if (res.statusCode === 201) expect(res.json().data.id, label).toMatch(/^[0-9a-f-]{36}$/);
            const created = res.statusCode === 201 && res.headers['idempotent-replayed'] !== 'true' ? 1 : 0;
            expect(await count(table), `${label}: rows written`).toBe(before + created);
          }),
        );
      },
      PROPERTY_TIMEOUT,
    );
  }

  it(
    'PATCH /api/v1/contacts/{id} with random bodies, ids and If-Match headers',
    async () => {
      const name = 'PATCH /api/v1/contacts/{id}';
      const id = fc.oneof(
        { weight: 16, arbitrary: fc.constant('existing') },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 2, arbitrary: text.map(enc) },
        // Sent as they are: malformed percent-encodings, path tricks.
        { weight: 1, arbitrary: fc.constantFrom('%zz', '%', '%E0%A4%A', '%00', '..', '.%2e', 'a/b', 'x?y=1', '#frag') },
      );
      const ifMatch = fc.constantFrom('none', 'none', 'current', 'stale', '*', 'W/"1"', 'garbage', '"99999999999"');
      await check(
        fc.asyncProperty(writePayload(contactsDef), id, ifMatch, async (payload, idChoice, match) => {
          const before = await snapshot(target);
          const version = JSON.parse(before).version as number;
          const path = idChoice === 'existing' ? target : idChoice;
          const extra: Record<string, string> =
            match === 'none'
              ? {}
              : { 'if-match': match === 'current' ? `"${version}"` : match === 'stale' ? `"${version - 1}"` : match };
          const res = await send('PATCH', `/api/v1/contacts/${path}`, payload, extra);
          tally(name, res.statusCode);
          const label = `PATCH /api/v1/contacts/${preview(idChoice)} if-match=${preview(extra['if-match'])} body=${preview('raw' in payload ? payload.raw : payload.json)}`;
          expectWellFormed(res, label);
          const after = await snapshot(target);
          if (res.statusCode === 200) {
            expect(idChoice, label).toBe('existing');
            expect(res.json().data.version, label).toBe(version + 1);
            expect(JSON.parse(after).version, label).toBe(version + 1);
            expect(res.headers.etag, label).toBe(`"${version + 1}"`);
          } else {
            expect(after, `${label}: the record changed although the request failed`).toBe(before);
          }
        }),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'POST /api/v1/contacts/batch with random modes, match keys and records',
    async () => {
      const name = 'POST /api/v1/contacts/batch';
      const item = fc.oneof(
        { weight: 6, arbitrary: recordBody(contactsDef) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(recordBody(contactsDef), fc.oneof(fc.constantFrom(...contactIds), fc.uuid(), text))
            .map(([r, id]) => ({ ...r, id })),
        },
        { weight: 1, arbitrary: anyValue() },
      );
      const wellFormed = fc.record(
        {
          mode: fc.constantFrom('create', 'update', 'upsert'),
          matchOn: fc.constantFrom('id', 'email'),
          atomic: fc.boolean(),
          records: fc.array(item, { minLength: 1, maxLength: 6 }),
        },
        { requiredKeys: ['mode', 'records'] },
      );
      const hostileEnvelope = fc.record(
        {
          mode: fc.oneof(fc.constantFrom('create', 'update', 'upsert'), anyValue()),
          matchOn: fc.oneof(fc.constantFrom('id', 'email', 'firstName', 'domain', 'toString'), text),
          atomic: fc.oneof(fc.boolean(), anyValue()),
          records: fc.oneof(fc.array(item, { maxLength: 3 }), anyValue()),
          extra: anyValue(),
        },
        { requiredKeys: [] },
      );
      const payload = fc.oneof(
        { weight: 12, arbitrary: wellFormed.map((json): Payload => ({ json })) },
        { weight: 3, arbitrary: hostileEnvelope.map((json): Payload => ({ json })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((json): Payload => ({ json })) },
        { weight: 1, arbitrary: raw('batchDeepRecord', 'batchDeepJunk', 'twoDocuments', 'truncated') },
      );
      await check(
        fc.asyncProperty(payload, idempotencyKey, async (p, key) => {
          const before = await count('contacts');
          const existing = await snapshot(target);
          const res = await send(
            'POST',
            '/api/v1/contacts/batch',
            p,
            key === undefined ? {} : { 'idempotency-key': key },
          );
          tally(name, res.statusCode);
          const label = `${name} idempotency-key=${preview(key)} body=${preview('raw' in p ? p.raw : p.json)}`;
          expectWellFormed(res, label);
          const after = await count('contacts');
          if (res.statusCode === 200) {
            const out = res.json();
            const json = (p as { json: { records: unknown[]; atomic?: unknown } }).json;
            expect(
              out.data.map((r: { index: number }) => r.index),
              label,
            ).toEqual(json.records.map((_, i) => i));
            for (const r of out.data) expect(['created', 'updated', 'error'], label).toContain(r.status);
            expect(out.summary.created + out.summary.updated + out.summary.failed, label).toBe(json.records.length);
            if (json.atomic === true) expect(out.summary.failed, label).toBe(0);
            const replayed = res.headers['idempotent-replayed'] === 'true';
            expect(after, `${label}: rows written`).toBe(before + (replayed ? 0 : out.summary.created));
          } else {
            expect(after, `${label}: rows written by a failed batch`).toBe(before);
            expect(await snapshot(target), `${label}: record updated by a failed batch`).toBe(existing);
          }
        }),
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'POST /api/v1/contacts/query with random filter trees, sorts, cursors and options',
    async () => {
      const name = 'POST /api/v1/contacts/query';
      const contactFields = allFields(contactsDef).map((f) => f.name);
      const wellFormed = fc
        .tuple(
          fc.record(
            {
              filter: filterTree(),
              limit: fc.integer({ min: 1, max: 500 }),
              fields: fc.subarray(contactFields, { maxLength: 4 }),
              include: fc.subarray(['account', 'owner']),
              count: fc.boolean(),
            },
            { requiredKeys: ['filter'] },
          ),
          sortAndCursor(),
          fc.boolean(),
        )
        .map(([b, sc, sortAsList]) => ({
          ...b,
          ...(sc.sort !== undefined ? { sort: sortAsList ? sc.sort.split(',').slice(0, 5) : sc.sort } : {}),
          ...(sc.cursor !== undefined ? { cursor: sc.cursor } : {}),
        }));
      const hostileEnvelope = fc.record(
        {
          filter: fc.oneof(filterTree(), anyValue()),
          sort: fc.oneof(text, fc.array(text, { maxLength: 6 }), anyValue()),
          limit: fc.oneof(fc.integer({ min: -5, max: 600 }), anyValue()),
          cursor: fc.oneof(text, anyValue()),
          fields: fc.oneof(fc.array(key, { maxLength: 4 }), anyValue()),
          include: fc.oneof(
            fc.array(fc.constantFrom('account', 'owner', 'contacts', 'account.owner', 'toString')),
            anyValue(),
          ),
          count: anyValue(),
          junk: anyValue(),
        },
        { requiredKeys: [] },
      );
      const payload = fc.oneof(
        { weight: 12, arbitrary: wellFormed.map((json): Payload => ({ json })) },
        { weight: 3, arbitrary: hostileEnvelope.map((json): Payload => ({ json })) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((json): Payload => ({ json })) },
        { weight: 1, arbitrary: raw('queryDeepNot', 'queryDeepAnd', 'queryDeepValue', 'unclosed', 'null') },
      );
      const before = await count('contacts');
      await check(
        fc.asyncProperty(payload, async (p) => {
          const res = await send('POST', '/api/v1/contacts/query', p);
          tally(name, res.statusCode);
          const label = `${name} body=${preview('raw' in p ? p.raw : p.json)}`;
          expectWellFormed(res, label);
          if (res.statusCode === 200) {
            const out = res.json();
            expect(Array.isArray(out.data), label).toBe(true);
            expect(typeof out.page.hasMore, label).toBe('boolean');
          }
        }),
      );
      expect(await count('contacts')).toBe(before);
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'GET /api/v1/contacts with random filter, sort, cursor, limit and junk query strings',
    async () => {
      const name = 'GET /api/v1/contacts';
      const contactFields = allFields(contactsDef).map((f) => f.name);
      const wellFormed = fc.record(
        {
          filter: filterTree().map((f) => JSON.stringify(f) ?? 'null'),
          limit: fc.integer({ min: 1, max: 500 }).map(String),
          fields: fc.subarray(contactFields, { maxLength: 4 }).map((l) => l.join(',')),
          include: fc.constantFrom('account', 'owner', 'account,owner'),
          count: fc.constantFrom('true', 'false'),
        },
        { requiredKeys: ['filter'] },
      );
      const hostileParams = fc.record(
        {
          filter: fc.oneof(
            text,
            fc.constant(JSON.stringify({ field: 'firstName', op: 'eq', value: 'x'.repeat(20_100) })),
            fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
          ),
          limit: fc.oneof(fc.integer({ min: -5, max: 600 }).map(String), text, fc.constantFrom('1e3', '0x10', '1.5')),
          fields: fc.oneof(
            fc.array(key, { maxLength: 4 }).map((l) => l.join(',')),
            text,
          ),
          include: fc.oneof(fc.constantFrom('contacts', ',,', 'account,account', 'toString'), text),
          count: text,
          unknown: text,
        },
        { requiredKeys: [] },
      );
      const params = fc.tuple(
        fc.oneof({ weight: 4, arbitrary: wellFormed }, { weight: 1, arbitrary: hostileParams }),
        sortAndCursor(),
        junk,
      );
      const before = await count('contacts');
      await check(
        fc.asyncProperty(params, async ([p, sc, extra]) => {
          const all: Record<string, string | undefined> = { ...p, ...sc };
          const res = await send('GET', `/api/v1/contacts?${queryString(all, extra)}`);
          tally(name, res.statusCode);
          const label = `${name} params=${preview(all)} junk=${preview(extra)}`;
          expectWellFormed(res, label);
          if (res.statusCode === 200) expect(Array.isArray(res.json().data), label).toBe(true);
        }),
      );
      expect(await count('contacts')).toBe(before);
    },
    PROPERTY_TIMEOUT,
  );

  it(
    'GET /api/v1/search with random queries',
    async () => {
      const name = 'GET /api/v1/search';
      const objects: string[] = (await send('GET', '/api/v1/objects')).json().data.map((o: { name: string }) => o.name);
      const params = fc.record(
        {
          q: fc.oneof(
            text,
            fc.string({ unit: 'binary', minLength: 1, maxLength: 250 }),
            fc.constantFrom('ada', 'lov', 'acme', 'édith', 'turing london'),
          ),
          objects: fc.oneof(fc.constantFrom('contacts', 'accounts', 'contacts,accounts', 'x', ',,', 'toString'), text),
          limit: fc.oneof(
            fc.integer({ min: 1, max: 100 }).map(String),
            fc.integer({ min: -5, max: 200 }).map(String),
            text,
          ),
          other: text,
        },
        { requiredKeys: ['q'] },
      );
      await check(
        fc.asyncProperty(params, junk, async (p, extra) => {
          const res = await send('GET', `/api/v1/search?${queryString(p, extra)}`);
          tally(name, res.statusCode);
          const label = `${name} params=${preview(p)} junk=${preview(extra)}`;
          expectWellFormed(res, label);
          if (res.statusCode === 200) {
            // Hits come only from the objects asked for; without a list, from any declared
            // object (the signed-up user is a staff record whose random email may hold "ada").
            const listed = (p.objects ?? '')
              .split(',')
              .map((o) => o.trim())
              .filter(Boolean);
            const asked = listed.length > 0 ? listed : objects;
            for (const hit of res.json().data) expect(asked, label).toContain(hit.object);
          }
        }),
      );
    },
    PROPERTY_TIMEOUT,
  );
});

/**
 * What the properties above found (5xx, or an error that is not a problem document),
 * pinned as plain examples so that each shows up on its own: a failing property
 * reports only its first counterexample. Each failing case here is a bug to fix in
 * the source, not in the test.
 */
describe('crashes and malformed errors found by fuzzing', () => {
  const f = (filter: unknown) => `/api/v1/contacts?filter=${enc(JSON.stringify(filter))}`;
  const cursor = (s: string, k: unknown[]) => base64url({ s, k, id: '00000000-0000-0000-0000-000000000000' });
  const cases: [string, () => Promise<LightMyRequestResponse>][] = [
    // U+0000 reaches PostgreSQL, which cannot store or compare it (22021 / 22P05): 500.
    ['NUL in a text field on create', () => send('POST', '/api/v1/contacts', { json: { firstName: 'a\u0000b' } })],
    ['NUL in a tag on create', () => send('POST', '/api/v1/contacts', { json: { firstName: 'x', tags: ['a\u0000'] } })],
    [
      'NUL in a JSON field on create',
      () => send('POST', '/api/v1/contacts', { json: { firstName: 'x', socialProfiles: { x: 'a\u0000' } } }),
    ],
    [
      'NUL in an emails label on create',
      () =>
        send('POST', '/api/v1/contacts', { json: { firstName: 'x', emails: [{ value: 'a@b.co', label: '\u0000' }] } }),
    ],
    [
      'NUL in a text field on update',
      () => send('PATCH', `/api/v1/contacts/${target}`, { json: { title: 'a\u0000' } }),
    ],
    ['NUL in an account name', () => send('POST', '/api/v1/accounts', { json: { name: 'a\u0000b' } })],
    ['NUL in a text filter value (eq)', () => send('GET', f({ field: 'firstName', op: 'eq', value: 'a\u0000' }))],
    [
      'NUL in a text filter value (contains)',
      () => send('GET', f({ field: 'lastName', op: 'contains', value: '\u0000' })),
    ],
    ['NUL in a tags filter value', () => send('GET', f({ field: 'tags', op: 'contains', value: 'a\u0000' }))],
    ['NUL in an address filter value', () => send('GET', f({ field: 'address.city', op: 'eq', value: 'a\u0000' }))],
    ['NUL in a search query', () => send('GET', `/api/v1/search?q=${enc('ada\u0000')}`)],
    // The upsert lookup (matchOn id: the raw id is not validated) runs outside the per-item savepoints.
    [
      'NUL in a batch upsert id',
      () =>
        send('POST', '/api/v1/contacts/batch', {
          json: { mode: 'upsert', matchOn: 'id', records: [{ id: 'a\u0000b', lastName: 'X' }] },
        }),
    ],
    // Year 0 passes the ISO date checks, but PostgreSQL has no year 0 (22008).
    ['a date filter in year 0000', () => send('GET', f({ field: 'birthday', op: 'gt', value: '0000-01-01' }))],
    [
      'a datetime filter in year 0000',
      () => send('GET', f({ field: 'createdAt', op: 'lt', value: '0000-01-01T00:00:00Z' })),
    ],
    // Cursor keys are cast in SQL without being checked against the sort field's type.
    [
      'a cursor with a bad datetime key',
      () => send('GET', `/api/v1/contacts?sort=createdAt&cursor=${cursor('createdAt', ['soon'])}`),
    ],
    [
      'a cursor with a bad number key',
      () => send('GET', `/api/v1/contacts?sort=version&cursor=${cursor('version', ['x'])}`),
    ],
    [
      'a cursor with a bad boolean key',
      () => send('GET', `/api/v1/contacts?sort=doNotContact&cursor=${cursor('doNotContact', ['maybe'])}`),
    ],
    // JSON.stringify (idempotency request hash, the 64 KB check of json fields) overflows the stack.
    ['a deeply nested value in a create body', () => send('POST', '/api/v1/contacts', { raw: 'deepUnknownField' })],
    ['a deeply nested JSON field on create', () => send('POST', '/api/v1/contacts', { raw: 'deepJsonField' })],
    [
      'a deeply nested JSON field on update',
      () => send('PATCH', `/api/v1/contacts/${target}`, { raw: 'deepJsonField' }),
    ],
    ['a deeply nested record in a batch', () => send('POST', '/api/v1/contacts/batch', { raw: 'batchDeepRecord' })],
    // A sort made only of separators parses to no keys: the SELECT gets a dangling comma (42601).
  ];
  // Once crashes (uuid compared with text; an empty ORDER BY), now plain successes.
  it.each<[string, () => ReturnType<typeof send>, (body: any) => void]>([
    [
      'filtering by id (eq)',
      () => send('GET', f({ field: 'id', op: 'eq', value: target })),
      (b) => expect(b.data.map((r: any) => r.id)).toEqual([target]),
    ],
    [
      'filtering by id (in)',
      () => send('GET', f({ field: 'id', op: 'in', value: [target] })),
      (b) => expect(b.data.map((r: any) => r.id)).toEqual([target]),
    ],
    [
      'filtering by id (isNotEmpty)',
      () => send('GET', f({ field: 'id', op: 'isNotEmpty' })),
      (b) => expect(b.data.length).toBeGreaterThan(0),
    ],
    [
      'a sort of commas only (GET) falls back to the default sort',
      () => send('GET', '/api/v1/contacts?sort=%2C%2C'),
      (b) => expect(Array.isArray(b.data)).toBe(true),
    ],
    [
      'a sort of commas and spaces (query) falls back to the default sort',
      () => send('POST', '/api/v1/contacts/query', { json: { sort: ' , ' } }),
      (b) => expect(Array.isArray(b.data)).toBe(true),
    ],
    [
      'a sort list of empty keys (query) falls back to the default sort',
      () => send('POST', '/api/v1/contacts/query', { json: { sort: [',', ''] } }),
      (b) => expect(Array.isArray(b.data)).toBe(true),
    ],
  ])('%s answers 200', async (name, request, check) => {
    const res = await request();
    expectWellFormed(res, name);
    expect(res.statusCode).toBe(200);
    check(res.json());
  });

  it.each(cases)('%s answers 4xx, not 5xx', async (name, request) => {
    const before = await snapshot(target);
    const res = await request();
    expectWellFormed(res, name);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(await snapshot(target)).toBe(before);
  });

  // Fastify's router answers these itself, bypassing the problem+json error handler
  // (no frameworkErrors option): {"error":"Bad Request","code":"FST_ERR_BAD_URL",…}.
  it.each([
    ['a malformed percent-encoding in the path', '/api/v1/contacts/%zz'],
    ['a path id longer than the router allows', `/api/v1/contacts/${'a'.repeat(150)}`],
  ])('%s answers a problem document', async (name, url) => {
    const res = await send('PATCH', url, { json: { title: 'x' } });
    expectWellFormed(res, name);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('keyset paging over the fuzzed data', () => {
  // The id sort key is typed text (SYSTEM_FIELDS), so the keyset condition compares
  // uuid > text and the second page of any sort that names id is a 500.
  it.each([
    'lastName,firstName',
    '-createdAt',
    'birthday',
    '-address.latitude',
    'doNotContact,-email',
    'id',
    '-id',
    'firstName,-id',
    'lastName,id',
  ])('sort=%s: following nextCursor visits every record once, in list order', async (sort) => {
    const total = await count('contacts');
    const all = await send('GET', `/api/v1/contacts?limit=500&fields=id&sort=${enc(sort)}`);
    expect(all.statusCode, all.body).toBe(200);
    const ids: string[] = [];
    let next: string | null = null;
    for (let page = 0; page < 1_000; page++) {
      const res = await send(
        'GET',
        `/api/v1/contacts?limit=7&fields=id&sort=${enc(sort)}${next ? `&cursor=${next}` : ''}`,
      );
      expectWellFormed(res, `page ${page} of sort=${sort}`);
      expect(res.statusCode).toBe(200);
      ids.push(...res.json().data.map((r: { id: string }) => r.id));
      next = res.json().page.nextCursor;
      if (!next) break;
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(total);
    if (total <= 500) expect(ids).toEqual(all.json().data.map((r: { id: string }) => r.id));
  });
});

describe('other defects found while fuzzing', () => {
  const create = async (body: Record<string, unknown>) => {
    const res = await send('POST', '/api/v1/contacts', { json: body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data.id as string;
  };

  it("a batch update that takes another record's unique value reports already_exists, like create", async () => {
    await create({ email: 'taken@unique.example' });
    const other = await create({ email: 'free@unique.example' });
    const res = await send('POST', '/api/v1/contacts/batch', {
      json: { mode: 'update', records: [{ id: other, email: 'taken@unique.example' }] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data[0]).toMatchObject({ status: 'error', error: { code: 'already_exists' } });
    expect(res.json().data[0].error.message).not.toMatch(/constraint/);
  });

  it('a batch upsert on id reports a malformed id as a field error', async () => {
    const res = await send('POST', '/api/v1/contacts/batch', {
      json: { mode: 'upsert', matchOn: 'id', records: [{ id: 'not-a-uuid', lastName: 'X' }] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data[0]).toMatchObject({
      status: 'error',
      error: { code: 'validation_failed', errors: [{ path: 'records.0.id' }] },
    });
  });
});

describe('after fuzzing', () => {
  it('the tables still exist and the seeded records are still there', async () => {
    const { rows } = await sql<{
      contacts: string | null;
      accounts: string | null;
    }>`select to_regclass('public.contacts')::text as contacts, to_regclass('public.accounts')::text as accounts`.execute(
      t.database.db,
    );
    expect(rows[0]).toEqual({ contacts: 'contacts', accounts: 'accounts' });
    for (const id of contactIds) {
      const res = await send('GET', `/api/v1/contacts/${id}`);
      expect(res.statusCode, res.body).toBe(200);
    }
    for (const id of accountIds) {
      const res = await send('GET', `/api/v1/accounts/${id}`);
      expect(res.statusCode, res.body).toBe(200);
    }
    const list = await send('GET', '/api/v1/contacts?limit=1&count=true');
    expect(list.statusCode).toBe(200);
    expect(list.json().total).toBe(await count('contacts'));
  });
});
