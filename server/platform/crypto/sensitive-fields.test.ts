import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { loadConfig } from '../config';
import { EncryptionKeyError, loadSecretBox } from './instance-key';
import { countPending, requestRotation, runRotation } from './rotation';
import type { SecretBox } from './secret-box';

type Json = Record<string, any>;

const key = () => randomBytes(32).toString('base64');
const K1 = key();
const K2 = key();
const NATIONAL_ID = 'AB123456C';
const OTHER_ID = 'ZX987654Q';
const PERSONAL_EMAIL = 'quill.private@example.org';

const filter = (f: unknown) => `filter=${encodeURIComponent(JSON.stringify(f))}`;

/** Every text, JSON and tsvector column of every table, with how many rows hold `pattern` (a POSIX regex). */
async function scan(t: TestApp, pattern: string): Promise<string[]> {
  const { rows: cols } = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'jsonb', 'json', 'tsvector', 'character varying', 'ARRAY')`.execute(t.database.db);
  const hits: string[] = [];
  for (const c of cols) {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from ${sql.table(c.table_name)} where ${sql.ref(c.column_name)}::text ~ ${pattern}`.execute(
      t.database.db,
    );
    if (Number(rows[0]?.n) > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

describe('sensitive fields: encrypted at rest, readable through the record engine, rotated to a new key', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let alan: Json;
  let grace: Json;

  beforeAll(async () => {
    t = await createTestApp({ encryptionKeys: [{ version: 'v1', key: K1 }] });
    admin = await signUp(t.app, { name: 'Ada Admin', workspaceName: 'Secrets Co' });
    api = client(t, admin);
    const field = await api.post('/api/v1/objects/contacts/fields', {
      name: 'nationalId',
      type: 'text',
      label: 'National ID',
      sensitive: true,
    });
    expect(field.statusCode).toBe(201);
    expect(field.json().data).toMatchObject({ sensitive: true, encrypted: true, sortable: false });
    expect(field.json().data.filterOperators).toEqual(['eq', 'in', 'isEmpty', 'isNotEmpty']);
    alan = await buildContact(api, { firstName: 'Alan', lastName: 'Turing', nationalId: NATIONAL_ID });
    grace = await buildContact(api, { firstName: 'Grace', lastName: 'Hopper', nationalId: OTHER_ID });
    await buildContact(api, { firstName: 'Nobody', lastName: 'Without' });
  });
  afterAll(() => t?.stop());

  it('keeps no plaintext in the record table (value, search vector, search text) nor in the audit log', async () => {
    const { rows } = await sql<{ custom: Json; search_vector: string; search_text: string | null }>`
      select custom, search_vector::text as search_vector, search_text from contacts where id = ${alan.id}`.execute(
      t.database.db,
    );
    const raw = JSON.stringify(rows[0]);
    expect(raw).not.toContain(NATIONAL_ID);
    expect(raw).not.toContain(NATIONAL_ID.toLowerCase());
    expect(rows[0]?.custom.nationalId.sealed).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(rows[0]?.custom.nationalId.bidx).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Not in any column of any table: the audit log and the event log record that it was set, not the value.
    expect(await scan(t, NATIONAL_ID)).toEqual([]);
    const audit = await sql<{ changes: Json }>`select changes from audit_log where record_id = ${alan.id}`.execute(
      t.database.db,
    );
    expect(audit.rows[0]?.changes.nationalId).toEqual([null, '[encrypted]']);
  });

  it('reads decrypted on get and list, filters by equality through the blind index, refuses other operators', async () => {
    expect((await api.get(`/api/v1/contacts/${alan.id}`)).json().data.nationalId).toBe(NATIONAL_ID);
    const list = (await api.get('/api/v1/contacts?sort=lastName')).json().data as Json[];
    expect(list.map((c) => c.nationalId)).toEqual([OTHER_ID, NATIONAL_ID, null]);

    const eq = await api.get(`/api/v1/contacts?${filter({ field: 'nationalId', op: 'eq', value: NATIONAL_ID })}`);
    expect(eq.statusCode).toBe(200);
    expect(eq.json().data.map((c: Json) => c.id)).toEqual([alan.id]);
    const inList = await api.get(
      `/api/v1/contacts?${filter({ field: 'nationalId', op: 'in', value: [OTHER_ID, 'nope'] })}`,
    );
    expect(inList.json().data.map((c: Json) => c.id)).toEqual([grace.id]);
    const empty = await api.get(`/api/v1/contacts?${filter({ field: 'nationalId', op: 'isEmpty' })}`);
    expect(empty.json().data.map((c: Json) => c.lastName)).toEqual(['Without']);

    for (const op of ['contains', 'startsWith', 'ne', 'gt']) {
      const res = await api.get(`/api/v1/contacts?${filter({ field: 'nationalId', op, value: 'AB' })}`);
      expect(res.statusCode, op).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0]).toMatchObject({ path: 'filter.op' });
      expect(res.json().errors[0].message).toMatch(/sensitive field, encrypted at rest.*eq, in/);
    }
    const sorted = await api.get('/api/v1/contacts?sort=nationalId');
    expect(sorted.statusCode).toBe(422);
    expect(sorted.json().errors[0]).toMatchObject({ path: 'sort' });

    // Search does not find a record by a sensitive value.
    const search = await api.get(`/api/v1/search?q=${NATIONAL_ID}`);
    expect(search.statusCode).toBe(200);
    expect(search.json().data).toEqual([]);

    // An update re-encrypts; the export shows the plain value to whoever may export.
    const changed = await api.patch(`/api/v1/contacts/${alan.id}`, { nationalId: 'CD555555E' });
    expect(changed.json().data.nationalId).toBe('CD555555E');
    const csv = await api.get('/api/v1/contacts/export');
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('CD555555E');
    await api.patch(`/api/v1/contacts/${alan.id}`, { nationalId: NATIONAL_ID });
  });

  it('refuses sensitive on a type that cannot be encrypted, and changing the flag later', async () => {
    const bad = await api.post('/api/v1/objects/contacts/fields', {
      name: 'secretBudget',
      type: 'money',
      label: 'Budget',
      sensitive: true,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('sensitive');
    const flip = await api.patch('/api/v1/objects/contacts/fields/nationalId', { sensitive: false });
    expect(flip.statusCode).toBe(422);
    expect(flip.json().errors[0].path).toBe('sensitive');
  });

  it('encrypts the built-in sensitive fields of staff entries', async () => {
    const entry = (await api.get('/api/v1/staff')).json().data[0] as Json;
    const res = await api.patch(`/api/v1/staff/${entry.id}`, {
      personalEmail: PERSONAL_EMAIL,
      dateOfBirth: '1815-12-10',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ personalEmail: PERSONAL_EMAIL, dateOfBirth: '1815-12-10' });
    const { rows } = await sql<Json>`select personal_email, date_of_birth from staff where id = ${entry.id}`.execute(
      t.database.db,
    );
    expect(JSON.stringify(rows[0])).not.toMatch(/quill|1815/);
    const byEmail = await api.get(
      `/api/v1/staff?${filter({ field: 'personalEmail', op: 'eq', value: 'Quill.Private@Example.org' })}`,
    );
    expect(byEmail.json().data.map((e: Json) => e.id)).toEqual([entry.id]);
    const old = await api.get(`/api/v1/staff?${filter({ field: 'dateOfBirth', op: 'lt', value: '1900-01-01' })}`);
    expect(old.statusCode).toBe(422);
  });

  it('rotation seals every value and secret under the newest key; values still read and filter; a wrong key stops start-up', async () => {
    const hook = await api.post('/api/v1/webhooks', {
      url: 'https://receiver.example/hook',
      eventTypes: ['contact.created'],
    });
    expect(hook.statusCode).toBe(201);

    // The operator adds a new key in front: new writes use it, old values still open.
    const config = loadConfig(
      {
        ...t.config,
        encryptionKeys: [
          { version: 'v2', key: K2 },
          { version: 'v1', key: K1 },
        ],
      },
      {},
    );
    const box: SecretBox = await loadSecretBox(config, t.database);
    const oldIds = box.keyIds.filter((id) => id !== box.currentKeyId);
    expect(oldIds.length).toBeGreaterThan(0);
    const registry = t.records.registry;
    expect(await countPending(t.database.db, box, registry)).toBeGreaterThanOrEqual(5);

    // A run interrupted after its first batch (a crash) leaves the rest; the next run picks up only the rest.
    const pendingBefore = await countPending(t.database.db, box, registry);
    const interrupted = await requestRotation(t.database.db, box);
    let calls = 0;
    await expect(
      runRotation(t.database, box, registry, interrupted.id, () => {
        if (++calls === 2) throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    const left = await countPending(t.database.db, box, registry);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(pendingBefore);

    const run = await requestRotation(t.database.db, box);
    expect(run.id).not.toBe(interrupted.id);
    const progress: number[] = [];
    const done = await runRotation(t.database, box, registry, run.id, (p) => progress.push(p.done));
    expect(done).toMatchObject({ state: 'completed', failed: 0, keyId: box.currentKeyId, total: left });
    expect(done.done).toBe(done.total);
    expect(progress.at(-1)).toBe(done.total);
    expect(await countPending(t.database.db, box, registry)).toBe(0);
    // No value sealed under an older key is left anywhere in the database.
    expect(await scan(t, `v1:(${oldIds.join('|')}):`)).toEqual([]);
    expect(await scan(t, `v1:${box.currentKeyId}:`)).toEqual(
      expect.arrayContaining(['contacts.custom', 'staff.personal_email', 'webhook_subscriptions.secret']),
    );
    // A second run finds nothing to do (resumable: it only picks values not under the newest key).
    const again = await runRotation(t.database, box, registry, (await requestRotation(t.database.db, box)).id);
    expect(again).toMatchObject({ state: 'completed', total: 0 });

    // The values read and filter as before (blind indexes recomputed under the new key).
    expect((await api.get(`/api/v1/contacts/${alan.id}`)).json().data.nationalId).toBe(NATIONAL_ID);
    const eq = await api.get(`/api/v1/contacts?${filter({ field: 'nationalId', op: 'eq', value: NATIONAL_ID })}`);
    expect(eq.json().data.map((c: Json) => c.id)).toEqual([alan.id]);
    const ping = await api.post(`/api/v1/webhooks/${hook.json().data.id}/ping`);
    expect(ping.statusCode).toBe(202);

    // Start-up with a key ring that lacks the newest key: a clear error, not garbage.
    const wrong = loadConfig({ ...t.config, encryptionKeys: [{ version: 'v3', key: key() }] }, {});
    const refused = loadSecretBox(wrong, t.database);
    await expect(refused).rejects.toBeInstanceOf(EncryptionKeyError);
    await expect(refused).rejects.toThrow(new RegExp(`sealed with key ${box.currentKeyId}.*RAPPORT_ENCRYPTION_KEYS`));
    // The old key may now go: the ring of the new key alone opens everything.
    const onlyNew = await loadSecretBox(
      loadConfig({ ...t.config, encryptionKeys: [{ version: 'v2', key: K2 }] }, {}),
      t.database,
    );
    expect(onlyNew.currentKeyId).toBe(box.currentKeyId);
    expect((await api.get(`/api/v1/contacts/${grace.id}`)).json().data.nationalId).toBe(OTHER_ID);

    // A malformed key is a configuration error naming the variable's entry.
    expect(() => loadConfig({}, { RAPPORT_ENCRYPTION_KEYS: 'v1:short' })).toThrow(
      /encryptionKeys\.0\.key: must be at least 32 random bytes/,
    );
    expect(() => loadConfig({}, { RAPPORT_ENCRYPTION_KEYS: K1 })).toThrow(/encryptionKeys\.0\.version/);
  });
});
