import type { FastifyBaseLogger as Logger } from 'fastify';
import { type RawBuilder, sql } from 'kysely';
import type { Database, Tx } from '../db/database';
import { Poller } from '../jobs/poller';
import { EVENTS_CHANNEL, type StoredEvent } from './events';

/**
 * Something that reacts to events: the timeline, webhooks, workflows, notifications.
 * `handle` runs in a system transaction (no workspace scoping: events of every
 * workspace, each carrying its workspaceId) together with the advance of the
 * consumer's cursor, so whatever it writes in `tx` happens exactly once per event.
 * Work that leaves the database (HTTP, SMTP) must not run here: write a row (a job,
 * a delivery) and let a worker do it. Throwing retries the batch.
 */
export interface EventConsumer {
  name: string;
  /** Event types to receive: exact (`contact.created`) or by prefix (`contact.*`); all when absent. */
  types?: string[];
  batchSize?: number;
  /**
   * Returns 'nothing-written' when it wrote nothing for these events (e.g. no webhook
   * subscribes to them): the cursor then advances without waiting for a WAL flush.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: a consumer that always writes just returns
  handle(tx: Tx, events: StoredEvent[]): Promise<void | 'nothing-written'>;
}

export interface EventDispatcherOptions {
  database: Database;
  log: Logger;
  /** How often to look for new events without a NOTIFY (embedded mode has none across connections). */
  pollMs?: number;
  /** After this many consecutive failures of one event, it is dead-lettered and the consumer moves on. */
  maxFailures?: number;
}

interface Cursor {
  last_tx: string;
  last_seq: string;
  failures: number;
}

/**
 * `value` for events of the consumer's types, else null: a consumer reads every
 * event to move its cursor, but only the bodies (records, changes) it handles.
 */
function typeFilter(types: string[] | undefined, value: RawBuilder<unknown>): RawBuilder<unknown> {
  if (!types) return value;
  const exact = types.filter((t) => !t.endsWith('.*'));
  const prefixes = types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
  return sql`case when e.type = any(${exact}::text[])
    or exists (select 1 from unnest(${prefixes}::text[]) p where starts_with(e.type, p)) then ${value} end`;
}

const matches = (types: string[] | undefined, type: string) =>
  !types || types.some((t) => (t.endsWith('.*') ? type.startsWith(t.slice(0, -1)) : t === type));

/**
 * Delivers committed events to consumers, at least once and in commit-safe order.
 *
 * Order is (tx, seq): the writing transaction's id and a sequence. A consumer only
 * reads events of transactions older than the oldest transaction still running
 * (`pg_snapshot_xmin`), so no event can later commit behind its cursor — the flaw
 * of a plain sequence cursor, where a slow transaction's lower number appears after
 * a faster one's higher number was consumed. Each consumer's cursor row is locked
 * while it works (`for update skip locked`), so with several app servers one of them
 * serves a consumer at a time and the others skip it.
 */
export class EventDispatcher {
  private readonly consumers = new Map<string, EventConsumer>();
  private readonly ready = new Set<string>();
  private readonly loop: Poller;

  constructor(private readonly opts: EventDispatcherOptions) {
    // Moves on at once while batches move cursors; a NOTIFY on commit wakes it early.
    this.loop = new Poller({
      name: 'event dispatch',
      intervalMs: opts.pollMs ?? (opts.database.kind === 'embedded' ? 200 : 1000),
      // An idle round is one cheap query, not a transaction per consumer.
      run: async () => (await this.behind()) && (await this.runOnce()) > 0,
      log: opts.log,
    });
  }

  /** Adds a consumer (before start). Its cursor starts at the events committed from now on. */
  register(consumer: EventConsumer): void {
    if (this.consumers.has(consumer.name)) throw new Error(`event consumer ${consumer.name} registered twice`);
    this.consumers.set(consumer.name, consumer);
  }

  get consumerNames(): string[] {
    return [...this.consumers.keys()];
  }

  /**
   * Creates the cursors of consumers seen for the first time (starting after the events
   * committed so far). startRuntime calls it once every module has registered, so a
   * consumer misses nothing written after the process started, even before `start()`.
   */
  async prepare(): Promise<void> {
    for (const name of this.consumers.keys()) await this.ensureCursor(name);
  }

  async start(): Promise<void> {
    await this.prepare();
    await this.opts.database.listen(EVENTS_CHANNEL, () => this.loop.wake());
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One batch for every consumer; returns how many events the cursors moved past. */
  async runOnce(): Promise<number> {
    let moved = 0;
    for (const consumer of this.consumers.values()) moved += await this.runConsumer(consumer);
    return moved;
  }

  /**
   * Delivers everything committed so far to every consumer (for tests and shutdown
   * paths). Waits while events exist that a running transaction elsewhere keeps
   * behind the horizon, up to `timeoutMs`: a safety net, not an expectation. The horizon is
   * the server's, so a long transaction in any database of a shared (test) server holds it
   * back; on a loaded machine that has taken over 15 s.
   */
  async drain(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.runOnce()) > 0) continue;
      if (!(await this.pending())) return;
      if (Date.now() > until) throw new Error('events still pending after drain timeout');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Whether a round could deliver anything: some consumer has an event after its cursor
   * below the horizon, or no cursor yet. The background loop asks it before a round, so an
   * idle process runs one statement a tick (an index probe per consumer) instead of a
   * transaction locking each consumer's cursor. A consumer retrying a failed event stays
   * behind, so its retries go on.
   */
  behind(): Promise<boolean> {
    return this.consumersBehind(true);
  }

  /** Whether any consumer has committed events after its cursor, the horizon ignored (drain waits for those). */
  private pending(): Promise<boolean> {
    return this.consumersBehind(false);
  }

  private async consumersBehind(belowHorizon: boolean): Promise<boolean> {
    const names = [...this.consumers.keys()];
    if (names.length === 0) return false;
    const horizon = belowHorizon ? sql`and e.tx < pg_snapshot_xmin(pg_current_snapshot())` : sql``;
    const { rows } = await sql<{ cursors: number; behind: boolean }>`
      select (select count(*)::int from event_consumers where name = any(${names}::text[])) as cursors,
        exists (
          select 1 from event_consumers c
          where c.name = any(${names}::text[])
            and exists (select 1 from events e where (e.tx, e.seq) > (c.last_tx, c.last_seq) ${horizon})) as behind`.execute(
      this.opts.database.db,
    );
    const row = rows[0];
    return !row || row.cursors < names.length || row.behind;
  }

  /** A new consumer starts after the events already committed: it reacts to what happens from now on. */
  private async ensureCursor(name: string): Promise<void> {
    if (this.ready.has(name)) return;
    await sql`insert into event_consumers (name, last_tx, last_seq)
      select ${name}, coalesce(max(tx), '0'::xid8), coalesce(max(seq), 0) from events
      on conflict (name) do nothing`.execute(this.opts.database.db);
    this.ready.add(name);
  }

  private async runConsumer(consumer: EventConsumer): Promise<number> {
    await this.ensureCursor(consumer.name);
    const { database, log } = this.opts;
    const maxFailures = this.opts.maxFailures ?? 5;
    return database.system(async (tx) => {
      const { rows: cursors } = await sql<Cursor>`
        select last_tx::text as last_tx, last_seq::text as last_seq, failures from event_consumers
        where name = ${consumer.name} for update skip locked`.execute(tx);
      const cursor = cursors[0];
      if (!cursor) return 0; // another app server is serving this consumer right now
      // After a failure, go one event at a time to find the one that fails.
      const limit = cursor.failures > 0 ? 1 : (consumer.batchSize ?? 500);
      const { rows } = await sql<{
        id: string;
        workspace_id: string;
        tx: string;
        seq: string;
        type: string;
        object: string | null;
        record_id: string | null;
        actor_user_id: string | null;
        actor_api_key_id: string | null;
        data: Record<string, unknown>;
        created_at: Date;
      }>`
        with page as materialized (
          -- The page's keys first, by an index-only scan in (tx, seq) order: asked for the
          -- wide rows at once, the planner sorts every event after the cursor instead.
          select tx, seq from events
          where (tx, seq) > (${cursor.last_tx}::xid8, ${cursor.last_seq}::bigint)
            and tx < pg_snapshot_xmin(pg_current_snapshot())
          order by tx, seq
          limit ${limit})
        select e.id, e.workspace_id, e.tx::text as tx, e.seq::text as seq, e.type, e.object, e.record_id,
          e.actor_user_id, e.actor_api_key_id, ${typeFilter(consumer.types, sql`e.data`)} as data, e.created_at
        from page join events e on e.tx = page.tx and e.seq = page.seq
        order by page.tx, page.seq`.execute(tx);
      const last = rows[rows.length - 1];
      if (!last) return 0;
      const events: StoredEvent[] = rows
        .filter((r) => matches(consumer.types, r.type))
        .map((r) => ({
          id: r.id,
          workspaceId: r.workspace_id,
          type: r.type,
          object: r.object,
          recordId: r.record_id,
          actorUserId: r.actor_user_id,
          actorApiKeyId: r.actor_api_key_id,
          data: r.data,
          createdAt: r.created_at,
        }));
      let wrote = false;
      if (events.length > 0) {
        await sql`savepoint consumer_batch`.execute(tx);
        try {
          wrote = (await consumer.handle(tx, events)) !== 'nothing-written';
        } catch (err) {
          wrote = true;
          await sql`rollback to savepoint consumer_batch`.execute(tx);
          const message = String((err as Error)?.message ?? err).slice(0, 1000);
          if (rows.length === 1 && cursor.failures + 1 >= maxFailures) {
            log.error({ err, consumer: consumer.name, eventId: last.id }, 'event dead-lettered');
            await sql`insert into event_dead_letters (consumer, workspace_id, event_id, error)
              values (${consumer.name}, ${last.workspace_id}, ${last.id}, ${message})
              on conflict do nothing`.execute(tx);
          } else {
            log.warn(
              { err, consumer: consumer.name, failures: cursor.failures + 1 },
              'event consumer failed; retrying',
            );
            await sql`update event_consumers set failures = failures + 1, last_error = ${message}, updated_at = now()
              where name = ${consumer.name}`.execute(tx);
            return 0;
          }
        }
      }
      // A cursor-only advance (past events this consumer ignores or wrote nothing for)
      // need not be durable at once: lost in a crash, those events are read and skipped
      // again. It saves a WAL flush per consumer after every write burst.
      if (!wrote) await sql`set local synchronous_commit = off`.execute(tx);
      await sql`update event_consumers
        set last_tx = ${last.tx}::xid8, last_seq = ${last.seq}::bigint, failures = 0, last_error = null, updated_at = now()
        where name = ${consumer.name}`.execute(tx);
      return rows.length;
    });
  }
}
