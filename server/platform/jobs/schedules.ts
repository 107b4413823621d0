import { CronExpressionParser } from 'cron-parser';
import { sql } from 'kysely';
import type { Database, Tx } from '../db/database';
import type { EnqueueSpec } from './job-queue';

export interface Schedule {
  /** Unique across the installation, e.g. "jobs.purge" or "workflow:<workspace>:<id>". */
  name: string;
  /** Cron expression (5 fields, or 6 with seconds first). */
  cron: string;
  timezone?: string;
  queue: string;
  payload?: Record<string, unknown>;
}

/** The first tick of `cron` strictly after `after`. Throws on an invalid expression. */
export function nextTick(cron: string, after: Date, timezone = 'UTC'): Date {
  return CronExpressionParser.parse(cron, { currentDate: after, tz: timezone }).next().toDate();
}

/**
 * Cron schedules stored in `job_schedules`. Each due schedule is locked
 * (FOR UPDATE SKIP LOCKED), its tick's job enqueued with the key
 * "schedule:<name>@<tick>", and next_run_at moved past now, all in one
 * transaction: a tick fires once however many servers run, and a tick missed
 * while every server was down fires once on restart (no flood of catch-ups).
 */
export class ScheduleRunner {
  private readonly declared = new Map<string, Schedule>();
  private synced = false;

  constructor(
    private readonly database: Database,
    private readonly now: () => Date,
    private readonly enqueue: (tx: Tx, spec: EnqueueSpec) => Promise<{ id: string; created: boolean }>,
  ) {}

  add(schedule: Schedule): void {
    nextTick(schedule.cron, this.now(), schedule.timezone); // validate now, not at the first tick
    this.declared.set(schedule.name, schedule);
    this.synced = false;
  }

  /** Writes declared schedules; a changed expression restarts the schedule from now. */
  private async sync(): Promise<void> {
    const now = this.now();
    for (const s of this.declared.values()) {
      const tz = s.timezone ?? 'UTC';
      await sql`
        insert into job_schedules (name, cron, timezone, queue, payload, next_run_at, updated_at)
        values (${s.name}, ${s.cron}, ${tz}, ${s.queue}, ${JSON.stringify(s.payload ?? {})}::jsonb,
                ${nextTick(s.cron, now, tz)}, ${now})
        on conflict (name) do update set
          next_run_at = case when job_schedules.cron is distinct from excluded.cron
                              or job_schedules.timezone is distinct from excluded.timezone
                             then excluded.next_run_at else job_schedules.next_run_at end,
          cron = excluded.cron, timezone = excluded.timezone, queue = excluded.queue,
          payload = excluded.payload, updated_at = excluded.updated_at`.execute(this.database.db);
    }
    this.synced = true;
  }

  /** Enqueues one job for every schedule whose tick has come; returns how many fired. */
  async fireDue(): Promise<number> {
    if (this.declared.size === 0) return 0;
    if (!this.synced) await this.sync();
    const now = this.now();
    return this.database.system(async (tx) => {
      const { rows } = await sql<{
        name: string;
        cron: string;
        timezone: string;
        queue: string;
        payload: Record<string, unknown>;
        next_run_at: Date;
      }>`
        select name, cron, timezone, queue, payload, next_run_at from job_schedules
        where next_run_at <= ${now} order by next_run_at for update skip locked`.execute(tx);
      for (const s of rows) {
        const tick = new Date(s.next_run_at);
        const { id } = await this.enqueue(tx, {
          queue: s.queue,
          payload: { ...s.payload, scheduledFor: tick.toISOString() },
          key: `schedule:${s.name}@${tick.toISOString()}`,
        });
        await sql`
          update job_schedules set last_fired_at = ${tick}, last_job_id = ${id},
            next_run_at = ${nextTick(s.cron, now, s.timezone)}
          where name = ${s.name}`.execute(tx);
      }
      return rows.length;
    });
  }
}
