import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { freshDatabase } from '../../../test/helpers/db';
import { ENGINE } from '../../../test/helpers/engine';
import { buildAccount, buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { startRuntime } from '../../runtime';
import { loadConfig } from '../config';
import { type EventConsumer, EventDispatcher } from './dispatcher';
import type { StoredEvent } from './events';

const silent = pino({ level: 'silent' });

/** A consumer that records what it saw (in memory) and, like a real one, writes a row per event in its transaction. */
function recorder(name: string, opts: Partial<EventConsumer> = {}) {
  const seen: StoredEvent[] = [];
  const consumer: EventConsumer = {
    name,
    ...opts,
    async handle(tx, events) {
      if (opts.handle) await opts.handle(tx, events);
      for (const e of events) {
        await sql`insert into consumer_effects (consumer, event_id) values (${name}, ${e.id})`.execute(tx);
      }
      seen.push(...events);
    },
  };
  return { consumer, seen };
}

async function effects(t: TestApp, consumer: string): Promise<string[]> {
  const { rows } = await sql<{ event_id: string }>`select event_id from consumer_effects where consumer = ${consumer}
    order by n`.execute(t.database.db);
  return rows.map((r) => r.event_id);
}

describe('events: the transactional outbox and its dispatcher', () => {
  let t: TestApp;
  let admin: SignedUp;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Events Co' });
    // A table for consumers' effects: proves what they write commits with their cursor, once.
    await sql`create table consumer_effects (n bigint generated always as identity, consumer text, event_id uuid,
      unique (consumer, event_id))`.execute(t.database.db);
  });
  afterAll(() => t.stop());

  const eventsOf = async (recordId: string) =>
    (
      await sql<{ type: string; data: Record<string, unknown>; actor_user_id: string; workspace_id: string }>`
        select type, data, actor_user_id, workspace_id from events where record_id = ${recordId} order by seq`.execute(
        t.database.db,
      )
    ).rows;

  it('writes one event per record change, with the whole record and what changed', async () => {
    const created = await buildContact(client(t, admin), { firstName: 'Ada', lastName: 'Lovelace', title: 'Analyst' });
    const id = created.id as string;
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/contacts/${id}`,
      headers: { cookie: admin.cookie },
      payload: { title: 'Countess' },
    });
    expect(patch.statusCode).toBe(200);
    // A PATCH that changes nothing reports nothing.
    await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/contacts/${id}`,
      headers: { cookie: admin.cookie },
      payload: { title: 'Countess' },
    });
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${id}`, headers: { cookie: admin.cookie } }))
        .statusCode,
    ).toBe(204);
    expect((await client(t, admin).post(`/api/v1/contacts/${id}/restore`, {})).statusCode).toBe(200);

    const events = await eventsOf(id);
    expect(events.map((e) => e.type)).toEqual([
      'contact.created',
      'contact.updated',
      'contact.deleted',
      'contact.restored',
    ]);
    expect(events.every((e) => e.workspace_id === admin.workspaceId && e.actor_user_id === admin.userId)).toBe(true);
    expect(events[0]?.data.record).toMatchObject({ id, firstName: 'Ada', lastName: 'Lovelace', title: 'Analyst' });
    expect(events[1]?.data.changes).toEqual({ title: ['Analyst', 'Countess'] });
    expect(events[1]?.data.record).toMatchObject({ id, title: 'Countess', version: 2 });
  });

  it('writes no event when the change fails, and one per record written by a batch', async () => {
    const before = Number(
      (await sql<{ n: string }>`select count(*) as n from events`.execute(t.database.db)).rows[0]?.n,
    );
    expect(
      (await client(t, admin).post('/api/v1/contacts', { firstName: 'X', email: 'not-an-email' })).statusCode,
    ).toBe(422);
    // An atomic batch with one bad item writes nothing, so reports nothing.
    const atomic = await client(t, admin).post('/api/v1/contacts/batch', {
      mode: 'create',
      atomic: true,
      records: [{ firstName: 'Good' }, { firstName: 'Bad', email: 'nope' }],
    });
    expect(atomic.statusCode).toBe(422);
    const after = Number(
      (await sql<{ n: string }>`select count(*) as n from events`.execute(t.database.db)).rows[0]?.n,
    );
    expect(after).toBe(before);

    const batch = await client(t, admin).post('/api/v1/contacts/batch', {
      mode: 'upsert',
      matchOn: 'email',
      records: [
        { firstName: 'Bea', email: 'bea@example.com' },
        { firstName: 'Cy', email: 'cy@example.com' },
      ],
    });
    expect(batch.statusCode).toBe(200);
    const again = await client(t, admin).post('/api/v1/contacts/batch', {
      mode: 'upsert',
      matchOn: 'email',
      records: [
        { firstName: 'Bea', email: 'bea@example.com' }, // unchanged: no event
        { firstName: 'Cyrus', email: 'cy@example.com' },
      ],
    });
    expect(again.statusCode).toBe(200);
    const [bea, cy] = again.json().data as { id: string }[];
    expect((await eventsOf(bea?.id as string)).map((e) => e.type)).toEqual(['contact.created']);
    const cyEvents = await eventsOf(cy?.id as string);
    expect(cyEvents.map((e) => e.type)).toEqual(['contact.created', 'contact.updated']);
    expect(cyEvents[1]?.data.changes).toEqual({ firstName: ['Cy', 'Cyrus'] });
    expect(cyEvents[1]?.data.record).toMatchObject({ firstName: 'Cyrus', email: 'cy@example.com' });
  });

  it('delivers committed events to each consumer once, in order, with the consumer’s writes', async () => {
    const a = recorder('test-a');
    const b = recorder('test-b', { types: ['account.*'] });
    const dispatcher = new EventDispatcher({ database: t.database, log: silent });
    dispatcher.register(a.consumer);
    dispatcher.register(b.consumer);
    await dispatcher.drain(); // cursors start here: earlier events are not replayed to new consumers
    expect(a.seen).toHaveLength(0);
    // The background loop's idle check: nothing to deliver, so no round (no cursor locked).
    expect(await dispatcher.behind()).toBe(false);

    const acct = await buildAccount(client(t, admin), { name: 'Initech' });
    const ct = await buildContact(client(t, admin), { firstName: 'Peter', accountId: acct.id });
    // Behind once the writes are below the horizon: on a shared PostgreSQL server another
    // file's open transaction can hold the horizon back for a while (drain waits the same way).
    await expect.poll(() => dispatcher.behind(), { timeout: 60_000 }).toBe(true);
    await dispatcher.drain();
    expect(await dispatcher.behind()).toBe(false);
    await dispatcher.drain(); // nothing new: nothing handled twice
    expect(a.seen.map((e) => [e.type, e.recordId])).toEqual([
      ['account.created', acct.id],
      ['contact.created', ct.id],
    ]);
    expect(b.seen.map((e) => e.type)).toEqual(['account.created']);
    expect(a.seen[1]).toMatchObject({ workspaceId: admin.workspaceId, actorUserId: admin.userId, object: 'contacts' });
    expect(await effects(t, 'test-a')).toEqual(a.seen.map((e) => e.id));
  });

  it('retries a failing batch and dead-letters an event that keeps failing, then moves on', async () => {
    let failFor: string | undefined;
    const c = recorder('test-flaky', {
      async handle(_tx, events) {
        if (events.some((e) => e.recordId === failFor)) throw new Error('handler broke');
      },
    });
    const dispatcher = new EventDispatcher({ database: t.database, log: silent, maxFailures: 3 });
    dispatcher.register(c.consumer);
    await dispatcher.drain();
    const bad = await buildAccount(client(t, admin), { name: 'Poison' });
    const good = await buildAccount(client(t, admin), { name: 'Fine' });
    failFor = bad.id;
    for (let i = 0; i < 2; i++) await dispatcher.runOnce();
    // A failing consumer keeps the loop retrying (once its events are below the horizon).
    await expect.poll(() => dispatcher.behind(), { timeout: 60_000 }).toBe(true);
    await dispatcher.runOnce();
    expect(c.seen).toHaveLength(0);
    // Rolled back with the failed batch: no effect of the failing handler call survives.
    expect(await effects(t, 'test-flaky')).toEqual([]);
    await dispatcher.drain();
    expect(c.seen.map((e) => e.recordId)).toEqual([good.id]);
    const dead = await sql<{ event_id: string; error: string }>`
      select d.event_id, d.error from event_dead_letters d join events e on e.id = d.event_id
      where d.consumer = 'test-flaky'`.execute(t.database.db);
    expect(dead.rows).toHaveLength(1);
    expect(dead.rows[0]?.error).toBe('handler broke');
    const ev = await eventsOf(bad.id);
    expect(ev[0]?.type).toBe('account.created');
  });

  // Concurrent transactions need two sessions: the embedded database is one session by design.
  it.runIf(ENGINE === 'postgres')('never lets a later commit slip behind a consumer’s cursor', async () => {
    const c = recorder('test-order');
    const dispatcher = new EventDispatcher({ database: t.database, log: silent });
    dispatcher.register(c.consumer);
    await dispatcher.drain();
    const slow = await t.database.pool.connect();
    try {
      // The slow transaction writes its event first (lower seq) but commits last.
      await slow.query('begin');
      await slow.query(`insert into events (workspace_id, id, type) values ($1, gen_random_uuid(), 'test.slow')`, [
        admin.workspaceId,
      ]);
      await t.database.db.executeQuery(
        sql`insert into events (workspace_id, id, type) values (${admin.workspaceId}, gen_random_uuid(), 'test.fast')`.compile(
          t.database.db,
        ),
      );
      await dispatcher.runOnce();
      // The fast event is committed but the slow transaction is older: nothing is handed out yet.
      expect(c.seen.map((e) => e.type)).toEqual([]);
      await slow.query('commit');
    } finally {
      slow.release();
    }
    await dispatcher.drain();
    expect(c.seen.map((e) => e.type)).toEqual(['test.slow', 'test.fast']);
  });

  it.runIf(ENGINE === 'postgres')('serves each consumer from one app server at a time: no event twice', async () => {
    const seen: string[] = [];
    const make = () => {
      const d = new EventDispatcher({ database: t.database, log: silent });
      d.register({
        name: 'test-shared',
        async handle(tx, events) {
          for (const e of events) {
            seen.push(e.id);
            await sql`insert into consumer_effects (consumer, event_id) values ('test-shared', ${e.id})`.execute(tx);
          }
        },
      });
      return d;
    };
    const [d1, d2] = [make(), make()];
    await d1.drain();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => client(t, admin).post('/api/v1/accounts', { name: `Concurrent ${i}` })),
    );
    await Promise.all([d1.drain(), d2.drain(), d1.drain(), d2.drain()]);
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);
    expect(await effects(t, 'test-shared')).toHaveLength(40);
  });
});

describe('events survive a crash between commit and delivery', () => {
  it('delivers after a restart what was committed but not yet handled', async () => {
    const target = await freshDatabase();
    const dataDir = ENGINE === 'embedded' ? mkdtempSync(path.join(tmpdir(), 'rapport-events-')) : target.dataDir;
    const config = loadConfig(
      {
        databaseUrl: target.databaseUrl,
        dataDir,
        embeddedTemplate: target.embeddedTemplate, // a migrated copy, not every migration again
        baseUrl: 'http://localhost:3000',
        logLevel: 'silent',
        seedDemo: false,
      },
      {},
    );
    try {
      const first = await startRuntime(config, { backgroundWork: false });
      const c1 = recorder('test-crash');
      first.events.register(c1.consumer);
      await sql`create table consumer_effects (n bigint generated always as identity, consumer text, event_id uuid,
        unique (consumer, event_id))`.execute(first.database.db);
      await first.events.drain(); // the consumer exists and is up to date
      const user = await signUp(first.app);
      const made = await first.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        headers: { cookie: user.cookie },
        payload: { name: 'Committed, not delivered' },
      });
      expect(made.statusCode).toBe(201);
      await first.close(); // stops before any dispatch: the event is only in the outbox
      expect(c1.seen).toHaveLength(0);

      const second = await startRuntime(config, { backgroundWork: false });
      try {
        const c2 = recorder('test-crash');
        second.events.register(c2.consumer);
        await second.events.drain();
        expect(c2.seen.map((e) => [e.type, e.recordId])).toEqual([['account.created', made.json().data.id]]);
      } finally {
        await second.close();
      }
    } finally {
      await target.drop();
      if (ENGINE === 'embedded') rmSync(dataDir, { recursive: true, force: true });
    }
    // Two start-ups of an on-disk database: slow on a busy machine.
  }, 120_000);
});
