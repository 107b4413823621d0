import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver';
import { readMigrations } from '../db/migrate';

type Json = Record<string, any>;

const NATIONAL_ID = 'QX314159K';
const CHANGED_ID = 'QX271828K';
const BATCH_ID = 'QX161803K';

/** Every text and JSON column of every table that holds `needle` (direct SQL, as the owner). */
async function columnsHolding(t: TestApp, needle: string): Promise<string[]> {
  const { rows: cols } = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'jsonb', 'json', 'tsvector', 'character varying', 'ARRAY')`.execute(t.database.db);
  const hits: string[] = [];
  for (const c of cols) {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from ${sql.table(c.table_name)}
      where strpos(${sql.ref(c.column_name)}::text, ${needle}) > 0`.execute(t.database.db);
    if (Number(rows[0]?.n) > 0) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

/** For each needle, the text and JSON columns of every table that hold it: one pass over the columns. */
async function columnsHoldingEach(t: TestApp, needles: string[]): Promise<string[][]> {
  const { rows: cols } = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'jsonb', 'json', 'tsvector', 'character varying', 'ARRAY')`.execute(t.database.db);
  const hits: string[][] = needles.map(() => []);
  for (const c of cols) {
    const { rows } = await sql<Record<string, boolean>>`
      select ${sql.join(
        needles.map(
          (n, i) =>
            sql`coalesce(bool_or(strpos(${sql.ref(c.column_name)}::text, ${n}) > 0), false) as ${sql.ref(`n${i}`)}`,
        ),
      )} from ${sql.table(c.table_name)}`.execute(t.database.db);
    needles.forEach((_, i) => {
      if (rows[0]?.[`n${i}`]) hits[i]?.push(`${c.table_name}.${c.column_name}`);
    });
  }
  return hits;
}

describe('sensitive fields in events and webhooks: the value is never kept or sent, only that it was set', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let receiver: WebhookReceiver;
  let contact: Json;

  beforeAll(async () => {
    t = await createTestApp({
      encryptionKeys: [{ version: 'v1', key: randomBytes(32).toString('base64') }],
      // The receiver is on loopback: this instance's operator allows private networks.
      webhooksAllowPrivate: true,
    });
    admin = await signUp(t.app, { name: 'Ada Admin', workspaceName: 'Sealed Events Co' });
    api = client(t, admin);
    receiver = await startWebhookReceiver();
    const field = await api.post('/api/v1/objects/contacts/fields', {
      name: 'nationalId',
      type: 'text',
      label: 'National ID',
      sensitive: true,
    });
    expect(field.statusCode, field.body).toBe(201);
    const role = await api.post('/api/v1/roles', {
      key: 'no_national_id',
      name: 'No national ID',
      permissions: { objects: { '*': { read: true, scope: 'all' }, contacts: { fields: { nationalId: 'hidden' } } } },
    });
    expect(role.statusCode, role.body).toBe(201);
    for (const [path, extra] of [
      ['/full', {}],
      ['/limited', { role: 'no_national_id' }],
    ] as const) {
      const sub = await api.post('/api/v1/webhooks', {
        url: `${receiver.url}${path}`,
        eventTypes: ['contact.created', 'contact.updated'],
        ...extra,
      });
      expect(sub.statusCode, sub.body).toBe(201);
    }
    await t.events.drain(); // the fan-out starts after the set-up

    contact = await buildContact(api, { firstName: 'Alan', lastName: 'Turing', nationalId: NATIONAL_ID });
    const changed = await api.patch(`/api/v1/contacts/${contact.id}`, { nationalId: CHANGED_ID, title: 'Dr' });
    expect(changed.statusCode, changed.body).toBe(200);
    const batch = await api.post('/api/v1/contacts/batch', {
      mode: 'create',
      records: [{ firstName: 'Grace', lastName: 'Hopper', nationalId: BATCH_ID }],
    });
    expect(batch.statusCode, batch.body).toBeLessThan(300);
    await t.events.drain();
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });
    await receiver.waitFor(6);
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
  });

  it('the events table keeps "[encrypted]" (or null) for the value, and the change itself', async () => {
    const { rows } = await sql<{ type: string; data: Json; raw: string }>`
      select type, data, data::text as raw from events where object = 'contacts' order by id`.execute(t.database.db);
    const created = rows.filter((r) => r.type === 'contact.created');
    expect(created).toHaveLength(2);
    for (const r of rows) {
      for (const value of [NATIONAL_ID, CHANGED_ID, BATCH_ID]) expect(r.raw).not.toContain(value);
    }
    expect(created.map((r) => r.data.record.nationalId)).toEqual(['[encrypted]', '[encrypted]']);
    const updated = rows.find((r) => r.type === 'contact.updated');
    expect(updated?.data.changes).toEqual({ nationalId: ['[encrypted]', '[encrypted]'], title: [null, 'Dr'] });
    expect(updated?.data.record).toMatchObject({ nationalId: '[encrypted]', title: 'Dr', firstName: 'Alan' });

    // A value cleared is recorded as cleared.
    await api.patch(`/api/v1/contacts/${contact.id}`, { nationalId: null });
    const { rows: last } = await sql<{ data: Json }>`
      select data from events where record_id = ${contact.id} order by id desc limit 1`.execute(t.database.db);
    expect(last[0]?.data.changes.nationalId).toEqual(['[encrypted]', null]);
    expect(last[0]?.data.record.nationalId).toBeNull();
    await api.patch(`/api/v1/contacts/${contact.id}`, { nationalId: CHANGED_ID });
  });

  it('webhook deliveries carry the marker, never the value; a role that may not read the field does not get it at all', async () => {
    const full = receiver.received.filter((r) => r.path === '/full');
    const limited = receiver.received.filter((r) => r.path === '/limited');
    expect(full.map((r) => r.json.type).sort()).toEqual(['contact.created', 'contact.created', 'contact.updated']);
    expect(limited).toHaveLength(3);
    for (const r of receiver.received) {
      for (const value of [NATIONAL_ID, CHANGED_ID, BATCH_ID]) expect(r.body).not.toContain(value);
    }
    for (const r of full) expect((r.json.data.record as Json).nationalId).toBe('[encrypted]');
    expect(full.find((r) => r.json.type === 'contact.updated')?.json.data.changes).toMatchObject({
      nationalId: ['[encrypted]', '[encrypted]'],
    });
    for (const r of limited) {
      expect(r.json.data.record).not.toHaveProperty('nationalId');
      expect(r.json.data.record).toHaveProperty('lastName');
    }
    expect(limited.find((r) => r.json.type === 'contact.updated')?.json.data.changes).toEqual({ title: [null, 'Dr'] });
  });

  it('no column of any table holds a sensitive value in plain text: events, deliveries, runs, audit included', async () => {
    await t.events.drain();
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });
    for (const value of [NATIONAL_ID, CHANGED_ID, BATCH_ID]) expect(await columnsHolding(t, value)).toEqual([]);
    // The record itself still reads in the clear for a role that may read it.
    expect((await api.get(`/api/v1/contacts/${contact.id}`)).json().data.nationalId).toBe(CHANGED_ID);
  });

  it('migration 0054 redacts events and delivery bodies written before events were redacted', async () => {
    const OLD = 'QX000001K';
    const id = uuidv7();
    const data = {
      record: { id: contact.id, firstName: 'Alan', nationalId: OLD },
      changes: { nationalId: [null, OLD], title: [null, 'Dr'] },
    };
    const ws = admin.workspaceId;
    await sql`insert into events (workspace_id, id, type, object, record_id, data)
      values (${ws}, ${id}, 'contact.updated', 'contacts', ${contact.id}, ${JSON.stringify(data)}::jsonb)`.execute(
      t.database.db,
    );
    const { rows: subs } = await sql<{ id: string }>`select id from webhook_subscriptions limit 1`.execute(
      t.database.db,
    );
    const body = JSON.stringify({ id: `evt_${id}`, type: 'contact.updated', data });
    await sql`insert into webhook_deliveries (workspace_id, id, subscription_id, event_id, event_type, body, status)
      values (${ws}, ${uuidv7()}, ${subs[0]?.id}, ${`evt_${id}`}, 'contact.updated', ${body}, 'succeeded')`.execute(
      t.database.db,
    );
    expect(await columnsHolding(t, OLD)).toEqual(['events.data', 'webhook_deliveries.body']);

    const migration = readMigrations().find((m) => m.version === '0054');
    await t.database.pool.query(migration?.sql as string);
    expect(await columnsHolding(t, OLD)).toEqual([]);
    const { rows } = await sql<{ data: Json }>`select data from events where id = ${id}`.execute(t.database.db);
    expect(rows[0]?.data).toEqual({
      record: { id: contact.id, firstName: 'Alan', nationalId: '[encrypted]' },
      changes: { nationalId: [null, '[encrypted]'], title: [null, 'Dr'] },
    });
  });

  it('built-in sensitive fields kept in the clear at rest (birthday, social profiles, home address) never reach events, webhooks, workflow runs or the timeline', async () => {
    const BIRTHDAY = '1912-06-23';
    const NEW_BIRTHDAY = '1912-06-24';
    const HANDLE = 'enigma-hut8-handle';
    const STREET = '7 Bletchley Private Lane';
    // A workflow that starts on the change (it may: no value in the trigger) and runs.
    const wf = await api.post('/api/v1/workflows', {
      name: 'Birthday changed',
      active: true,
      definition: {
        trigger: { type: 'field_changed', object: 'contacts', field: 'birthday' },
        steps: [{ id: 'tag', type: 'add_tag', tags: ['birthday-changed'] }],
      },
    });
    expect(wf.statusCode, wf.body).toBe(201);
    const byValue = await api.post('/api/v1/workflows', {
      name: 'Birthday is',
      active: false,
      definition: {
        trigger: { type: 'field_changed', object: 'contacts', field: 'birthday', to: BIRTHDAY },
        steps: [{ id: 'tag', type: 'add_tag', tags: ['x'] }],
      },
    });
    expect(byValue.statusCode).toBe(422);
    expect(byValue.json().errors).toEqual([expect.objectContaining({ path: 'definition.trigger.to' })]);

    const before = receiver.received.length;
    const person = await buildContact(api, {
      lastName: 'Welchman',
      birthday: BIRTHDAY,
      socialProfiles: { x: HANDLE },
    });
    const patched = await api.patch(`/api/v1/contacts/${person.id}`, { birthday: NEW_BIRTHDAY });
    expect(patched.statusCode, patched.body).toBe(200);
    const staff = (await api.get('/api/v1/staff')).json().data[0];
    const home = await api.patch(`/api/v1/staff/${staff.id}`, { homeAddress: { street: STREET, city: 'Bletchley' } });
    expect(home.statusCode, home.body).toBe(200);
    await t.events.drain();
    await t.modules.workflows.runner.drain();
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });
    await receiver.waitFor(before + 2);
    await t.events.drain();

    // The events say that the values were set or changed, never what they are.
    const { rows } = await sql<{ type: string; data: Json }>`
      select type, data from events where record_id in (${person.id}, ${staff.id}) order by id`.execute(t.database.db);
    const created = rows.find((r) => r.type === 'contact.created');
    expect(created?.data.record).toMatchObject({ birthday: '[encrypted]', socialProfiles: '[encrypted]' });
    const changed = rows.find((r) => r.type === 'contact.updated' && r.data.changes?.birthday);
    expect(changed?.data.changes.birthday).toEqual(['[encrypted]', '[encrypted]']);
    const staffEvent = rows.find((r) => r.type.startsWith('staff') && r.data.changes?.homeAddress);
    expect(staffEvent?.data.changes.homeAddress).toEqual([null, '[encrypted]']);
    // The webhook bodies of this contact carry the marker.
    const bodies = receiver.received
      .slice(before)
      .filter((r) => (r.json.data.record as Json | undefined)?.id === person.id);
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    for (const r of bodies.filter((b) => b.path === '/full'))
      expect(r.json.data.record).toMatchObject({ birthday: '[encrypted]', socialProfiles: '[encrypted]' });
    // The workflow ran on the change, and its run keeps no value either.
    const tagged = (await api.get(`/api/v1/contacts/${person.id}`)).json().data;
    expect(tagged.tags).toContain('birthday-changed');
    expect(tagged).toMatchObject({ birthday: NEW_BIRTHDAY, socialProfiles: { x: HANDLE } }); // the record reads as it is
    // The timeline (built from events) shows the change without the value.
    const timeline = await api.get(`/api/v1/contacts/${person.id}/timeline`);
    expect(timeline.statusCode, timeline.body).toBe(200);
    expect(timeline.body).toContain('[encrypted]');
    for (const v of [BIRTHDAY, NEW_BIRTHDAY, HANDLE]) expect(timeline.body).not.toContain(v);
    // Nowhere in the database but the record's own columns (birthday: a date column, not text).
    expect(await columnsHoldingEach(t, [BIRTHDAY, NEW_BIRTHDAY, HANDLE, STREET])).toEqual([
      [],
      [],
      ['contacts.social_profiles'],
      ['staff.home_address_street'],
    ]);
  }, 600_000);

  it('migration 0060 redacts the built-in sensitive values events and deliveries kept before', async () => {
    const OLD = '1901-01-01';
    const id = uuidv7();
    const data = {
      record: { id: contact.id, firstName: 'Alan', birthday: OLD, socialProfiles: null },
      changes: { birthday: [null, OLD], title: [null, 'Dr'] },
    };
    const ws = admin.workspaceId;
    await sql`insert into events (workspace_id, id, type, object, record_id, data)
      values (${ws}, ${id}, 'contact.updated', 'contacts', ${contact.id}, ${JSON.stringify(data)}::jsonb)`.execute(
      t.database.db,
    );
    const { rows: subs } = await sql<{ id: string }>`select id from webhook_subscriptions limit 1`.execute(
      t.database.db,
    );
    const body = JSON.stringify({ id: `evt_${id}`, type: 'contact.updated', data });
    await sql`insert into webhook_deliveries (workspace_id, id, subscription_id, event_id, event_type, body, status)
      values (${ws}, ${uuidv7()}, ${subs[0]?.id}, ${`evt_${id}`}, 'contact.updated', ${body}, 'succeeded')`.execute(
      t.database.db,
    );
    expect(await columnsHolding(t, OLD)).toEqual(['events.data', 'webhook_deliveries.body']);
    const migration = readMigrations().find((m) => m.version === '0060');
    await t.database.pool.query(migration?.sql as string);
    expect(await columnsHolding(t, OLD)).toEqual([]);
    const { rows } = await sql<{ data: Json }>`select data from events where id = ${id}`.execute(t.database.db);
    expect(rows[0]?.data).toEqual({
      record: { id: contact.id, firstName: 'Alan', birthday: '[encrypted]', socialProfiles: null },
      changes: { birthday: [null, '[encrypted]'], title: [null, 'Dr'] },
    });
  });

  it('a workflow cannot trigger on a sensitive value (events do not keep it), but on its change and a condition', async () => {
    const steps = [{ id: 'tag', type: 'add_tag', tags: ['id-changed'] }];
    const byValue = await api.post('/api/v1/workflows', {
      name: 'National ID set',
      active: false,
      definition: {
        trigger: { type: 'field_changed', object: 'contacts', field: 'nationalId', to: NATIONAL_ID },
        steps,
      },
    });
    expect(byValue.statusCode).toBe(422);
    expect(byValue.headers['content-type']).toContain('application/problem+json');
    expect(byValue.json().errors).toEqual([
      expect.objectContaining({ path: 'definition.trigger.to', message: expect.stringMatching(/sensitive field/) }),
    ]);
    const byChange = await api.post('/api/v1/workflows', {
      name: 'National ID changed',
      active: false,
      definition: {
        trigger: { type: 'field_changed', object: 'contacts', field: 'nationalId' },
        conditions: { field: 'nationalId', op: 'eq', value: NATIONAL_ID },
        steps,
      },
    });
    expect(byChange.statusCode, byChange.body).toBe(201);
  });
});
