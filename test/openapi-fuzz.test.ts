import net from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NON_TENANT_TABLES } from '../server/platform/db/reference-tables';
import { PLATFORM_WORKSPACE } from '../server/platform/jobs/job-queue';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { buildAccount, buildContact } from './helpers/factories';
import { client } from './helpers/http';
import { memberWithRole } from './helpers/members';

/*
 * Fuzzing from the OpenAPI document (issue 24, point 7). The generator walks every
 * operation of /api/openapi.json and sends requests built from its schemas: valid bodies,
 * boundary values (lengths and numbers at their limits, empty lists) and invalid ones (wrong
 * types, missing required fields, unknown fields, hostile strings), with path parameters that
 * exist, do not exist, are malformed or belong to another workspace, as three callers: an
 * administrator, a sales rep and nobody. The rules:
 *
 * - no answer is 5xx; every 4xx is application/problem+json with a code, and a validation
 *   failure names its fields (`errors[].path`);
 * - an operation the document marks public (`security: []`) does not answer 401 for want of
 *   credentials, and one it does not mark public never succeeds for nobody;
 * - an operation that promises Idempotency-Key (record POSTs; any whose description says
 *   so) answers a retry with the same key and body with the first answer (status and body);
 * - the other workspace's data never shows up in an answer and is never changed;
 * - afterwards no tenant row points at a workspace that does not exist.
 *
 * And, over a real socket, a URL past the header limit gets a 431 problem+json with
 * Connection: close. RAPPORT_FUZZ_PER_OPERATION (default 2) is how many bodies each
 * operation gets per caller; RAPPORT_FUZZ_SEED replays a run (the seed is printed).
 */

const PER_OPERATION = Number(process.env.RAPPORT_FUZZ_PER_OPERATION ?? 2);
const SEED = Number(process.env.RAPPORT_FUZZ_SEED ?? Date.now() % 2 ** 31);
const LEAK_MARKER = 'Zqxleakmarkerb';

/**
 * Operations left out, each with its reason: they end the fuzzing callers' own sessions or
 * change how they sign in, after which every later request would only meet 401.
 */
const SKIPPED: [RegExp, string][] = [
  [/^POST \/api\/v1\/auth\/sign-out/, 'ends the caller’s session'],
  [/^(PUT|POST) \/api\/v1\/auth\/password$/, 'changes the password and ends the other sessions'],
  [/^DELETE \/api\/v1\/auth\/sessions/, 'ends sessions'],
  [/two-factor/, 'turns two-factor sign-in on or off for the caller'],
  [/^(PUT|PATCH) \/api\/v1\/workspace\/settings$/, 'may require two-factor sign-in of every member (403 from then on)'],
];

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  op: Schema;
}

let t: TestApp;
let admin: SignedUp;
let other: SignedUp;
let rep: { cookie: string };
let doc: Schema;
const idsByCollection = new Map<string, string>();
const trashedByCollection = new Map<string, string>();
const otherIds: string[] = [];

function resolve(s: Schema | undefined): Schema {
  let cur = s ?? {};
  for (let i = 0; i < 10 && typeof cur.$ref === 'string'; i++) {
    const name = cur.$ref.replace('#/components/schemas/', '');
    cur = doc.components?.schemas?.[name] ?? {};
  }
  return cur;
}

const hostileString = fc.constantFrom(
  '',
  ' ',
  'x'.repeat(10_001),
  "'; drop table contacts; --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00',
  '\u202e\u0301',
  '😀'.repeat(50),
  '{{trigger.secret}}',
  '1e309',
  'null',
);
const wrongValue = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  hostileString,
  fc.constant([]),
  fc.constant({}),
  fc.constant([[[[null]]]]),
  fc.constant({ __nested: { deeper: [1, 'a', null] } }),
);

/** Values valid (or at the edge of valid) for `schema`; `depth` keeps nesting bounded. */
function valid(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const alts = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alts?.length) return fc.oneof(...alts.map((a) => valid(a, depth + 1)));
  if (s.allOf?.length) return valid(s.allOf[0], depth + 1);
  if (s.const !== undefined) return fc.constant(s.const);
  if (Array.isArray(s.enum) && s.enum.length) return fc.constantFrom(...s.enum);
  const type = Array.isArray(s.type) ? s.type.find((x: string) => x !== 'null') : s.type;
  switch (type) {
    case 'string': {
      if (s.format === 'uuid') return fc.oneof(fc.uuid(), fc.constantFrom(...allIds()));
      if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === 'date') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (s.format === 'email') return fc.emailAddress();
      if (s.format === 'uri') return fc.webUrl();
      const min = s.minLength ?? 0;
      const max = Math.min(s.maxLength ?? 40, min + 40);
      return fc.oneof(
        fc.string({ minLength: min, maxLength: max }),
        fc.constant('x'.repeat(s.maxLength ?? min)), // at the limit
      );
    }
    case 'integer':
    case 'number': {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000);
      return fc.oneof(fc.integer({ min: Math.ceil(min), max: Math.floor(max) }), fc.constantFrom(min, max));
    }
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      if (depth > 4) return fc.constant([]);
      const maxLength = Math.min(s.maxItems ?? 3, 3);
      return fc.array(valid(s.items, depth + 1), { minLength: Math.min(s.minItems ?? 0, maxLength), maxLength });
    }
    case 'object': {
      if (depth > 4) return fc.constant({});
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const keys = Object.keys(props);
      if (keys.length === 0)
        return fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 });
      const required = ((s.required ?? []) as string[]).filter((k) => keys.includes(k));
      return fc.record(Object.fromEntries(keys.map((k) => [k, valid(props[k], depth + 1)])), {
        requiredKeys: required,
      });
    }
    default:
      return fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean());
  }
}

/** A valid body with one thing made wrong: a field of the wrong type, a required field gone, an unknown field. */
function invalid(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const props = Object.keys((s.properties ?? {}) as object);
  const whole = fc.oneof(wrongValue, fc.constant(undefined));
  if (props.length === 0) return whole;
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.tuple(valid(s), fc.constantFrom(...props), wrongValue) },
      { weight: 1, arbitrary: fc.tuple(valid(s), fc.constantFrom(...props), fc.constant('__drop__')) },
      { weight: 1, arbitrary: fc.tuple(valid(s), fc.constant('unknownField'), hostileString) },
      { weight: 1, arbitrary: whole.map((w) => [w, '', '__whole__'] as const) },
    )
    .map((x) => {
      const [body, key, value] = x as [unknown, string, unknown];
      if (value === '__whole__') return body;
      const copy = { ...(body as object) } as Record<string, unknown>;
      if (value === '__drop__') delete copy[key];
      else copy[key] = value;
      return copy;
    });
}

function allIds(): string[] {
  return [...idsByCollection.values(), ...otherIds];
}

/**
 * Path parameter values: one that exists (when known; for a restore, one in the trash) first,
 * then one that does not, malformed ones, another workspace's.
 */
function pathValues(path: string): string[] {
  const collection = path.split('/{')[0] ?? path;
  const known = path.endsWith('/restore') ? trashedByCollection.get(collection) : idsByCollection.get(collection);
  return [
    ...(known ? [known] : []),
    '0190aaaa-0000-7000-8000-000000000000',
    'not-a-uuid',
    encodeURIComponent('x'.repeat(300)),
    ...(otherIds[0] ? [otherIds[0]] : []),
  ];
}

function queryValue(rng: fc.Arbitrary<unknown>): string {
  const [v] = fc.sample(rng, { numRuns: 1, seed: SEED });
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const label = `${method.toUpperCase()} ${path}`;
      if (SKIPPED.some(([re]) => re.test(label))) continue;
      out.push({ method: method.toUpperCase(), path, op });
    }
  }
  return out;
}

const bodySchema = (op: Schema): Schema | undefined => op.requestBody?.content?.['application/json']?.schema;
/** Public operations whose work is checking the credentials in their body (401 for wrong ones). */
const CHECKS_CREDENTIALS = new Set(['/api/v1/auth/sign-in']);
const isPublic = (op: Schema) => Array.isArray(op.security) && op.security.length === 0;
const promisesIdempotency = (op: Operation) =>
  op.method === 'POST' &&
  (/Idempotency-Key/.test(`${op.op.description ?? ''} ${op.op.summary ?? ''}`) ||
    /^\/api\/v1\/[a-z_]+\/\{id\}\/(restore|comments)$/.test(op.path));

const parse = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
};

interface Failure {
  label: string;
  why: string;
}

function judge(res: LightMyRequestResponse, label: string, failures: Failure[], path: string): void {
  const where = `${label} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  const type = String(res.headers['content-type']);
  if (res.statusCode >= 500) failures.push({ label: where, why: '5xx' });
  else if (res.statusCode >= 400) {
    // Pages for people outside the API (unsubscribe, CSAT, help centre, hosted forms) answer in HTML.
    if (!path.startsWith('/api/') && /^text\/html/.test(type)) return;
    if (!/^application\/problem\+json/.test(type)) {
      failures.push({ label: where, why: '4xx that is not problem+json' });
      return;
    }
    const problem = JSON.parse(res.body);
    if (typeof problem.code !== 'string' || problem.status !== res.statusCode)
      failures.push({ label: where, why: 'problem without code or with another status' });
    if (problem.code === 'validation_failed') {
      const named =
        Array.isArray(problem.errors) && problem.errors.every((e: Schema) => typeof e.path === 'string' && e.path);
      if (!named) failures.push({ label: where, why: 'validation failure that names no field' });
    }
  }
  if (res.body.includes(LEAK_MARKER)) failures.push({ label: where, why: 'another workspace’s data in the answer' });
}

async function tenantCounts(workspaceId: string): Promise<Record<string, number>> {
  const { rows } = await sql<{ relname: string }>`
    select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped)
    order by 1`.execute(t.database.db);
  const counts: Record<string, number> = {};
  for (const { relname } of rows) {
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(relname)}
      where workspace_id = ${workspaceId}::uuid`.execute(t.database.db);
    counts[relname] = r.rows[0]?.n ?? 0;
  }
  return counts;
}

describe('fuzzing every operation of the OpenAPI document', () => {
  let otherBefore: Record<string, number>;

  beforeAll(async () => {
    t = await createTestApp({ rateLimitPerMinute: 0 });
    admin = await signUp(t.app, { workspaceName: 'Fuzzed Co' });
    other = await signUp(t.app, { workspaceName: 'Other Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    const api = client(t, admin.cookie);
    idsByCollection.set('/api/v1/contacts', (await buildContact(api, { lastName: 'Fuzz' })).id);
    idsByCollection.set('/api/v1/accounts', (await buildAccount(api, { name: 'Fuzz account' })).id);
    for (const collection of ['/api/v1/contacts', '/api/v1/accounts']) {
      const made =
        collection === '/api/v1/contacts'
          ? await buildContact(api, { lastName: 'Trashed' })
          : await buildAccount(api, { name: 'Trashed account' });
      expect((await api.del(`${collection}/${made.id}`)).statusCode).toBe(204);
      trashedByCollection.set(collection, made.id);
    }
    const otherApi = client(t, other.cookie);
    otherIds.push((await buildContact(otherApi, { lastName: LEAK_MARKER })).id);
    otherIds.push((await buildAccount(otherApi, { name: `${LEAK_MARKER} Ltd` })).id);
    doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    // A record of every other object, where a plain create works, gives its {id} paths a real one.
    for (const path of Object.keys(doc.paths)) {
      const m = /^\/api\/v1\/([a-z_]+)$/.exec(path);
      if (!m || idsByCollection.has(path) || !doc.paths[`${path}/{id}`]) continue;
      const list = await api.get(`${path}?limit=1`);
      const first = list.statusCode === 200 ? list.json().data?.[0]?.id : undefined;
      if (typeof first === 'string') idsByCollection.set(path, first);
    }
    otherBefore = await tenantCounts(other.workspaceId);
  });
  afterAll(() => t?.stop());

  it('answers every generated request with a 2xx or a problem document, never 5xx, as every caller', {
    timeout: 600_000,
  }, async () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThan(100);
    const failures: Failure[] = [];
    const callers: [string, Record<string, string>][] = [
      ['administrator', { cookie: admin.cookie }],
      ['sales rep', { cookie: rep.cookie }],
      ['nobody', {}],
    ];
    let sent = 0;
    let n = 0;
    for (const operation of ops) {
      const { method, path, op } = operation;
      const schema = bodySchema(op);
      const params = (op.parameters ?? []) as Schema[];
      for (const [who, headers] of callers) {
        const bodies: unknown[] = [];
        for (let i = 0; i < PER_OPERATION; i++) {
          const seed = SEED + n++;
          const arb = i % 2 === 0 ? valid(schema) : invalid(schema);
          bodies.push(schema ? fc.sample(arb, { numRuns: 1, seed })[0] : undefined);
        }
        const values = pathValues(path);
        for (const [i, body] of bodies.entries()) {
          // The first (valid) body goes to the record that exists; the others rotate through the rest.
          const url = path.replace(/\{[^}]+\}/g, () => values[i === 0 ? 0 : (i + sent) % values.length] ?? 'x');
          const query = params
            .filter((p) => p.in === 'query' && (p.required || i % 2 === 1))
            .map((p) => {
              const arb = i % 2 === 0 ? valid(p.schema) : fc.oneof(valid(p.schema), hostileString);
              return `${encodeURIComponent(p.name)}=${encodeURIComponent(queryValue(arb))}`;
            });
          const full = query.length ? `${url}?${query.join('&')}` : url;
          const label = `${who}: ${method} ${full.slice(0, 200)} ${body === undefined ? '' : JSON.stringify(body).slice(0, 300)}`;
          const key = promisesIdempotency(operation) && who !== 'nobody' ? `fuzz-${SEED}-${sent}` : undefined;
          const send = () =>
            t.app.inject({
              method: method as 'GET',
              url: full,
              headers: {
                ...headers,
                ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
                ...(key ? { 'idempotency-key': key } : {}),
              },
              ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
            });
          const res = await send();
          sent++;
          judge(res, label, failures, path);
          if (who === 'nobody') {
            // Signing in is public and answers wrong credentials with 401: that is its job, not a
            // credential it asks of its caller.
            if (
              isPublic(op) &&
              !CHECKS_CREDENTIALS.has(path) &&
              res.statusCode === 401 &&
              res.json().code === 'unauthenticated'
            )
              failures.push({ label, why: 'marked public (security: []) but asks for credentials' });
            // Credentials are checked before anything else: any other answer means the operation is public.
            // (The router refuses a URL it cannot route before that: 414, or 404 route_not_found.)
            const unrouted =
              res.statusCode === 414 || (res.statusCode === 404 && res.body.includes('"code":"route_not_found"'));
            if (!isPublic(op) && res.statusCode !== 401 && !unrouted)
              failures.push({
                label,
                why: `answers ${res.statusCode} to nobody but is not marked public (security: [])`,
              });
          }
          if (key && res.statusCode < 300) {
            const again = await send();
            sent++;
            // (Compared as JSON: the stored answer is jsonb, whose key order is its own.)
            if (again.statusCode !== res.statusCode || !isDeepStrictEqual(parse(again.body), parse(res.body)))
              failures.push({
                label,
                why: `Idempotency-Key not replayed: ${res.statusCode} then ${again.statusCode} ${again.body.slice(0, 200)}`,
              });
          }
        }
      }
    }
    console.log(`openapi fuzz: ${ops.length} operations, ${sent} requests, seed ${SEED}`);
    // One example per operation and kind of failure, so a report stays readable.
    const distinct = new Map<string, Failure>();
    for (const f of failures) {
      const op = f.label.replace(/^[^:]+: (\S+ \S+?)(\?| ).*$/s, '$1').replace(/[0-9a-f-]{36}/g, '{id}');
      if (!distinct.has(`${f.why} ${op}`)) distinct.set(`${f.why} ${op}`, f);
    }
    expect([...distinct.values()], `seed ${SEED}: ${failures.length} failures`).toEqual([]);
  });

  it('a URL past the header limit gets 431 problem+json with Connection: close', async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = new URL(base);
    for (const path of ['/api/v1/contacts', '/api/openapi.json', '/health']) {
      const socket = net.connect(Number(port), '127.0.0.1');
      let received = '';
      socket.on('data', (d) => {
        received += String(d);
      });
      socket.on('error', () => {});
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.write(`GET ${path}?q=${'y'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n`);
      await closed;
      expect(received, path).toMatch(/^HTTP\/1\.1 431 /);
      expect(received, path).toMatch(/content-type: application\/problem\+json/i);
      expect(received, path).toMatch(/connection: close/i);
    }
  });

  it('leaves the database whole: the other workspace unchanged, no row of a workspace that does not exist', async () => {
    expect(await tenantCounts(other.workspaceId)).toEqual(otherBefore);
    const { rows } = await sql<{ relname: string }>`
      select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
        and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped)`.execute(
      t.database.db,
    );
    const orphans: string[] = [];
    for (const { relname } of rows) {
      if (relname in NON_TENANT_TABLES) continue;
      const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(relname)} x
        where x.workspace_id <> ${PLATFORM_WORKSPACE}::uuid
          and not exists (select 1 from workspaces w where w.id = x.workspace_id)`.execute(t.database.db);
      if ((r.rows[0]?.n ?? 0) > 0) orphans.push(relname);
    }
    expect(orphans).toEqual([]);
  });
});
