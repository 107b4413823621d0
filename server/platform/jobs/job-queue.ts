import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Database, Tx } from '../db/database';
import { coalesce } from './coalesce';
import { type Schedule, ScheduleRunner } from './schedules';

/** A claimed job as a handler sees it. */
export interface Job<P = Record<string, unknown>> {
  id: string;
  workspaceId: string | null;
  queue: string;
  payload: P;
  key: string | null;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  createdAt: Date;
}

export interface JobContext {
  database: Database;
  /** The queue's clock (injectable in tests). */
  now: () => Date;
}

export type JobHandler<P = Record<string, unknown>> = (job: Job<P>, ctx: JobContext) => Promise<unknown>;

/** Retry and concurrency policy of one queue. */
export interface QueueOptions {
  /** Jobs of this queue run at the same time in one process (default 4). */
  concurrency?: number;
  /** Default for jobs enqueued without their own (default 5). */
  maxAttempts?: number;
  /** Delay before the 2nd attempt; doubles each attempt (default 10 s). */
  backoffSeconds?: number;
  /** Ceiling of the delay (default 1 h). */
  maxBackoffSeconds?: number;
  /** Retry no longer than this after the job was created (default: no limit beyond maxAttempts). */
  retryForSeconds?: number;
  /** A claimed job not finished within this time is taken back and retried (default 300 s). */
  leaseSeconds?: number;
  /** Called after a job of this queue went to the dead letter (best effort: not in the same transaction). */
  onFailed?: (job: Job<never>, error: string, ctx: JobContext) => Promise<void>;
}

export interface EnqueueSpec<P = Record<string, unknown>> {
  queue: string;
  payload?: P;
  /** The tenant this job acts for (required inside a tenant transaction; NULL for platform jobs). */
  workspaceId?: string | null;
  /** Idempotency: a second enqueue with the same (workspace, queue, key) is a no-op returning the first job. */
  key?: string;
  runAt?: Date;
  priority?: number;
  maxAttempts?: number;
}

/** Thrown by a handler for a failure that no retry can fix: the job goes straight to the dead letter. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Thrown by a handler to be retried at a given time (e.g. a receiver's Retry-After). */
export class RetryJobError extends Error {
  override name = 'RetryJobError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export const JOBS_CHANNEL = 'rapport_jobs';

/** workspace_id of a platform job (no workspace): the nil UUID, so the key (workspace_id, id) has no NULL (0040). */
export const PLATFORM_WORKSPACE = '00000000-0000-0000-0000-000000000000';

/** Where the queue reports failures (the app's pino logger). */
export interface QueueLog {
  warn(obj: object, msg: string): void;
}

interface Definition {
  handler: JobHandler<never>;
  opts: Required<Omit<QueueOptions, 'retryForSeconds' | 'onFailed'>> &
    Pick<QueueOptions, 'retryForSeconds' | 'onFailed'>;
  inflight: number;
  /** The last claim found fewer due jobs than it asked for (cleared by a notification or the poll). */
  empty: boolean;
  /** Counts wake-ups, so a claim that started before one cannot mark the queue empty after it. */
  wakes: number;
}

interface ClaimedRow {
  id: string;
  workspace_id: string | null;
  queue: string;
  payload: Record<string, unknown>;
  key: string | null;
  attempts: number;
  max_attempts: number;
  created_at: Date;
  retry_until: Date | null;
}

export interface RunSummary {
  completed: number;
  retried: number;
  failed: number;
}

/** Exponential back-off: base, 2×base, 4×base … capped. attempt = the attempt that just failed (1-based). */
export function backoffSeconds(attempt: number, base: number, cap: number): number {
  return Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
}

/**
 * The job queue on PostgreSQL. `enqueue(tx, …)` writes a job in the caller's
 * transaction, so it exists if and only if the change commits. Workers claim due
 * jobs with FOR UPDATE SKIP LOCKED and a lease, committed before the handler runs
 * (no transaction is held while it works — embedded mode has one connection);
 * completion and failure are fenced by the attempt number, so a run whose lease
 * expired cannot overwrite the outcome of the run that took over. Delivery is at
 * least once: handlers must be idempotent (the job id and key are stable).
 */
/**
 * The queue may have due jobs: the next round claims from it. Counting the wake-up keeps a
 * claim that started before it from marking the queue empty after it.
 */
function markDue(def: Definition | undefined): void {
  if (!def) return;
  def.empty = false;
  def.wakes++;
}

export class JobQueue {
  readonly now: () => Date;
  private readonly defs = new Map<string, Definition>();
  private readonly schedules: ScheduleRunner;
  private readonly workerId = `w-${uuidv7().slice(-12)}`;
  private readonly running = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private stopped = true;
  private pumping = false;
  private pumpAgain = false;
  private lastMaintenance = 0;
  /**
   * Marks a job completed. Completions that arrive together are written in one
   * statement, fenced by attempt like single ones.
   */
  private readonly complete = coalesce(async (done: { id: string; attempts: number; result: string | null }[]) => {
    await sql`
      update jobs j set state = 'completed', finished_at = ${this.now()}, locked_until = null, last_error = null,
        result = v.result::jsonb
      from jsonb_to_recordset(${JSON.stringify(done)}::jsonb) as v(id uuid, attempts int, result text)
      where j.id = v.id and j.state = 'running' and j.attempts = v.attempts`.execute(this.opts.database.db);
    return done.map(() => undefined);
  });

  constructor(private readonly opts: { database: Database; log: QueueLog; clock?: () => Date; pollMs?: number }) {
    this.now = opts.clock ?? (() => new Date());
    this.schedules = new ScheduleRunner(opts.database, this.now, (tx, spec) => this.enqueue(tx, spec));
  }

  /** Registers the handler of a queue (one per queue per process). */
  define<P = Record<string, unknown>>(queue: string, handler: JobHandler<P>, opts: QueueOptions = {}): void {
    if (this.defs.has(queue)) throw new Error(`queue ${queue} is already defined`);
    this.defs.set(queue, {
      handler: handler as JobHandler<never>,
      opts: {
        concurrency: opts.concurrency ?? 4,
        maxAttempts: opts.maxAttempts ?? 5,
        backoffSeconds: opts.backoffSeconds ?? 10,
        maxBackoffSeconds: opts.maxBackoffSeconds ?? 3600,
        retryForSeconds: opts.retryForSeconds,
        leaseSeconds: opts.leaseSeconds ?? 300,
        onFailed: opts.onFailed as QueueOptions['onFailed'],
      },
      inflight: 0,
      empty: false,
      wakes: 0,
    });
  }

  /** Declares a cron schedule (5 or 6 fields, evaluated in `timezone`, default UTC) that enqueues `queue`. */
  schedule(name: string, cron: string, spec: Omit<Schedule, 'name' | 'cron'>): void {
    this.schedules.add({ name, cron, ...spec });
  }

  /**
   * Writes a job in the caller's transaction. Returns its id and whether it was
   * new (false: a job with the same key already existed and was kept).
   */
  async enqueue<P>(tx: Tx, spec: EnqueueSpec<P>): Promise<{ id: string; created: boolean }> {
    const def = this.defs.get(spec.queue);
    const id = uuidv7();
    const workspaceId = spec.workspaceId ?? PLATFORM_WORKSPACE;
    const runAt = spec.runAt ?? this.now();
    const retryFor = def?.opts.retryForSeconds;
    const { rows } = await sql<{ id: string }>`
      insert into jobs (id, workspace_id, queue, payload, key, priority, max_attempts, run_at, retry_until, created_at)
      values (${id}, ${workspaceId}, ${spec.queue}, ${JSON.stringify(spec.payload ?? {})}::jsonb, ${spec.key ?? null},
              ${spec.priority ?? 0}, ${spec.maxAttempts ?? def?.opts.maxAttempts ?? 5}, ${runAt},
              ${retryFor === undefined ? null : new Date(this.now().getTime() + retryFor * 1000)}, ${this.now()})
      on conflict (workspace_id, queue, key) where key is not null do nothing
      returning id`.execute(tx);
    if (rows[0]) {
      // Delivered at commit (and dropped on rollback): wakes idle workers on every server.
      await sql`select pg_notify(${JOBS_CHANNEL}, ${spec.queue})`.execute(tx);
      return { id: rows[0].id, created: true };
    }
    const existing = await sql<{ id: string }>`
      select id from jobs where workspace_id = ${workspaceId}
        and queue = ${spec.queue} and key = ${spec.key ?? null}`.execute(tx);
    const found = existing.rows[0];
    if (!found) throw new Error(`job with key ${spec.key} conflicted but cannot be read`);
    return { id: found.id, created: false };
  }

  /**
   * Writes many jobs in one statement (fan-out); jobs whose key exists are skipped.
   * Returns how many were created.
   */
  async enqueueMany(tx: Tx, specs: EnqueueSpec[]): Promise<number> {
    if (specs.length === 0) return 0;
    const now = this.now();
    const rows = specs.map((spec) => {
      const def = this.defs.get(spec.queue);
      const retryFor = def?.opts.retryForSeconds;
      return {
        id: uuidv7(),
        workspace_id: spec.workspaceId ?? PLATFORM_WORKSPACE,
        queue: spec.queue,
        payload: spec.payload ?? {},
        key: spec.key ?? null,
        priority: spec.priority ?? 0,
        max_attempts: spec.maxAttempts ?? def?.opts.maxAttempts ?? 5,
        run_at: (spec.runAt ?? now).toISOString(),
        retry_until: retryFor === undefined ? null : new Date(now.getTime() + retryFor * 1000).toISOString(),
      };
    });
    const { rows: created } = await sql<{ n: number }>`
      with ins as (
        insert into jobs (id, workspace_id, queue, payload, key, priority, max_attempts, run_at, retry_until, created_at)
        select v.id, v.workspace_id, v.queue, v.payload, v.key, v.priority, v.max_attempts, v.run_at, v.retry_until, ${now}
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, workspace_id uuid, queue text,
          payload jsonb, key text, priority int, max_attempts int, run_at timestamptz, retry_until timestamptz)
        on conflict (workspace_id, queue, key) where key is not null do nothing
        returning 1)
      select count(*)::int as n from ins`.execute(tx);
    const n = created[0]?.n ?? 0;
    if (n > 0) {
      for (const queue of new Set(specs.map((s) => s.queue))) {
        await sql`select pg_notify(${JOBS_CHANNEL}, ${queue})`.execute(tx);
      }
    }
    return n;
  }

  /**
   * Fires due schedules, takes back expired leases, then claims and runs every
   * due job of the defined queues, awaiting them all. Tests call this with
   * `backgroundWork: false` (and an injected clock) to run jobs deterministically.
   */
  async runDue(opts: { queues?: string[]; limit?: number } = {}): Promise<RunSummary> {
    const summary: RunSummary = { completed: 0, retried: 0, failed: 0 };
    await this.schedules.fireDue();
    await this.reapExpired();
    const queues = opts.queues ?? [...this.defs.keys()];
    for (const queue of queues) {
      const def = this.defs.get(queue);
      if (!def) continue;
      const jobs = await this.claim(queue, opts.limit ?? 100, def.opts.leaseSeconds);
      await runLimited(jobs, def.opts.concurrency, async (row) => {
        const outcome = await this.execute(def, row);
        summary[outcome]++;
      });
    }
    return summary;
  }

  /** Starts polling (and listening for enqueue notifications) in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.opts.database.listen(JOBS_CHANNEL, (queue) => {
      markDue(this.defs.get(queue));
      this.kick();
    });
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Wakes the background loop now and has it look at every queue (e.g. after an enqueue in this process). */
  wake(): void {
    for (const def of this.defs.values()) markDue(def);
    this.kick();
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.pumping = true;
    this.pump()
      .catch((err) => this.opts.log.warn({ err }, 'job queue poll failed'))
      .finally(() => {
        this.pumping = false;
        if (this.stopped) return;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          setImmediate(() => this.kick());
        } else {
          // Without notifications (embedded mode, jobs retried later) the poll finds due jobs.
          const poll = this.opts.pollMs ?? (this.opts.database.kind === 'embedded' ? 250 : 1000);
          this.timer = setTimeout(() => void this.probe(), poll);
        }
      });
  }

  /**
   * The poll: one query for which defined queues have due jobs, and only those are claimed
   * from (a claim is an UPDATE: before, every defined queue was claimed from on every tick
   * of an idle process). If the query fails, every queue is tried, as a wake does.
   */
  private async probe(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    const queues = [...this.defs.keys()];
    try {
      const { rows } = await sql<{ queue: string }>`
        select q as queue from unnest(${queues}::text[]) q
        where exists (select 1 from jobs where state = 'queued' and queue = q and run_at <= ${this.now()})`.execute(
        this.opts.database.db,
      );
      for (const { queue } of rows) markDue(this.defs.get(queue));
    } catch (err) {
      this.opts.log.warn({ err }, 'job queue poll failed');
      this.wake();
      return;
    }
    this.kick();
  }

  /** One background round: schedules, leases, then claim up to each queue's free slots. */
  private async pump(): Promise<void> {
    // Schedules and expired leases at most once a second; claims on every round.
    if (Date.now() - this.lastMaintenance >= 1000) {
      this.lastMaintenance = Date.now();
      const fired = await this.schedules.fireDue();
      const requeued = await this.reapExpired();
      // Jobs this round enqueued or put back are claimed in it, not at the next poll.
      if (fired + requeued > 0) for (const def of this.defs.values()) markDue(def);
    }
    for (const [queue, def] of this.defs) {
      const free = def.opts.concurrency - def.inflight;
      // While jobs run, claim in batches (an eighth of the slots) rather than one by one.
      const worth = def.inflight > 0 ? Math.max(1, Math.floor(def.opts.concurrency / 8)) : 1;
      if (def.empty || free < worth || this.stopped) continue;
      const seen = def.wakes;
      const jobs = await this.claim(queue, free, def.opts.leaseSeconds);
      def.empty = jobs.length < free && def.wakes === seen;
      for (const row of jobs) {
        def.inflight++;
        const p = this.execute(def, row)
          .then(() => undefined)
          .finally(() => {
            def.inflight--;
            this.running.delete(p);
            this.kick();
          });
        this.running.add(p);
      }
      if (jobs.length === free) this.pumpAgain = true; // more may be waiting
    }
  }

  private async claim(queue: string, limit: number, leaseSeconds: number): Promise<ClaimedRow[]> {
    const now = this.now();
    const { rows } = await sql<ClaimedRow>`
      update jobs j set state = 'running', attempts = j.attempts + 1, started_at = ${now},
        locked_until = ${now}::timestamptz + make_interval(secs => ${leaseSeconds}), locked_by = ${this.workerId}
      where j.id in (
        select id from jobs
        where state = 'queued' and queue = ${queue} and run_at <= ${now}
        order by priority desc, run_at, id
        limit ${limit}
        for update skip locked)
      returning j.id, j.workspace_id, j.queue, j.payload, j.key, j.attempts, j.max_attempts, j.created_at, j.retry_until`.execute(
      this.opts.database.db,
    );
    return rows;
  }

  /** Jobs whose worker died or overran its lease go back to the queue (or to the dead letter); returns how many. */
  private async reapExpired(): Promise<number> {
    const now = this.now();
    const message = 'lease expired: the worker stopped or overran its lease';
    const { rows } = await sql<ClaimedRow & { state: string }>`
      update jobs set
        state = case when attempts >= max_attempts then 'failed' else 'queued' end,
        finished_at = case when attempts >= max_attempts then ${now}::timestamptz end,
        run_at = ${now}, locked_until = null, locked_by = null, last_error = ${message}
      where state = 'running' and locked_until <= ${now}
      returning id, workspace_id, queue, payload, key, attempts, max_attempts, created_at, retry_until, state`.execute(
      this.opts.database.db,
    );
    for (const row of rows) {
      const onFailed = this.defs.get(row.queue)?.opts.onFailed;
      if (row.state !== 'failed' || !onFailed) continue;
      await onFailed(toJob(row) as never, message, { database: this.opts.database, now: this.now }).catch((e) =>
        this.opts.log.warn({ jobId: row.id, err: String(e) }, 'onFailed hook failed'),
      );
    }
    return rows.length;
  }

  private async execute(def: Definition, row: ClaimedRow): Promise<keyof RunSummary> {
    const job = toJob(row);
    const db = this.opts.database.db;
    try {
      const result = await def.handler(job as never, { database: this.opts.database, now: this.now });
      await this.complete({
        id: row.id,
        attempts: row.attempts,
        result: result === undefined ? null : JSON.stringify(result),
      });
      return 'completed';
    } catch (err) {
      const now = this.now();
      const message = String((err as Error)?.message ?? err).slice(0, 2000);
      const delay =
        err instanceof RetryJobError
          ? err.retryAfterSeconds
          : backoffSeconds(row.attempts, def.opts.backoffSeconds, def.opts.maxBackoffSeconds);
      const next = new Date(now.getTime() + delay * 1000);
      const dead =
        err instanceof PermanentJobError ||
        row.attempts >= row.max_attempts ||
        (row.retry_until !== null && next > new Date(row.retry_until));
      await sql`
        update jobs set state = ${dead ? 'failed' : 'queued'}, run_at = ${dead ? now : next},
          finished_at = ${dead ? now : null}, locked_until = null, locked_by = null, last_error = ${message}
        where id = ${row.id} and state = 'running' and attempts = ${row.attempts}`.execute(db);
      this.opts.log.warn(
        { jobId: row.id, queue: row.queue, attempt: row.attempts, dead, err: message },
        dead ? 'job failed for good' : 'job failed; will retry',
      );
      if (dead && def.opts.onFailed) {
        await def.opts
          .onFailed(job as never, message, { database: this.opts.database, now: this.now })
          .catch((e) => this.opts.log.warn({ jobId: row.id, err: String(e) }, 'onFailed hook failed'));
      }
      return dead ? 'failed' : 'retried';
    }
  }
}

const toJob = (row: ClaimedRow): Job => ({
  id: row.id,
  workspaceId: row.workspace_id === PLATFORM_WORKSPACE ? null : row.workspace_id,
  queue: row.queue,
  payload: row.payload,
  key: row.key,
  attempt: row.attempts,
  maxAttempts: row.max_attempts,
  createdAt: new Date(row.created_at),
});

/** Runs `fn` over `items` with at most `limit` at a time. */
async function runLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}
