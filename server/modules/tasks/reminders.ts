import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import type { Database, Tx } from '../../platform/db/database';
import { eventForMemberOfWorkspace } from '../../platform/events/event-visibility';
import { Poller } from '../../platform/jobs/poller';
import { notify } from '../../platform/notifications/notify';
import type { RecordService } from '../../platform/records/records.service';

export interface ReminderSweeperOptions {
  database: Database;
  /** Decides what the person reminded may see of the task (eventForMember). */
  records: RecordService;
  log?: Logger;
  /** Injectable clock (tests). */
  clock?: () => Date;
  intervalMs?: number;
  batchSize?: number;
}

/**
 * Fires task reminders on time and exactly once. Each sweep claims due reminders
 * (`reminded_at` set where it was null, rows locked `skip locked` so several app
 * servers share the work) and writes their notifications in the same transaction:
 * a crash before the commit leaves them unclaimed for the next sweep, and a commit
 * makes both permanent. The notification's dedupe key (`reminder:<task>:<remindAt>`)
 * backs this up. Moving `remindAt` re-arms the reminder (a database trigger).
 */
export class ReminderSweeper {
  private readonly clock: () => Date;
  // The task rows are the work and its log (`reminded_at`): a loop, not a job.
  private readonly loop: Poller;

  constructor(private readonly opts: ReminderSweeperOptions) {
    this.clock = opts.clock ?? (() => new Date());
    const batch = opts.batchSize ?? 200;
    this.loop = new Poller({
      name: 'reminder sweep',
      // Reminders are due to the minute; a sweep every 5 s is one index probe when none is due.
      // The first comes a second after start-up: reminders that fell due while the server
      // was down (or restarting after a crash) go out at once.
      intervalMs: opts.intervalMs ?? 5_000,
      firstDelayMs: opts.intervalMs ?? 1_000,
      // A full batch means more may be due: sweep again at once.
      run: async () => (await this.sweep()) >= batch,
      log: opts.log ?? { warn: () => {} },
    });
  }

  /** One sweep: claims and notifies up to batchSize due reminders; returns how many. */
  async sweep(now: Date = this.clock(), hooks: { beforeCommit?: (tx: Tx) => Promise<void> } = {}): Promise<number> {
    const batch = this.opts.batchSize ?? 200;
    return this.opts.database.system(async (tx) => {
      const { rows } = await sql<{
        workspace_id: string;
        id: string;
        title: string;
        remind_at: Date;
        due_at: Date | null;
        user_id: string | null;
        related_object: string | null;
        related_id: string | null;
      }>`
        update tasks t set reminded_at = ${now}
        from (select workspace_id, id from tasks
              where remind_at <= ${now} and reminded_at is null and deleted_at is null
                and status not in ('done', 'cancelled')
              order by remind_at limit ${batch} for update skip locked) due
        where t.workspace_id = due.workspace_id and t.id = due.id
        returning t.workspace_id, t.id, t.title, t.remind_at, t.due_at, coalesce(t.assignee_id, t.owner_id) as user_id,
          t.related_object, t.related_id`.execute(tx);
      for (const r of rows) {
        if (!r.user_id) continue;
        // Told only if their role lets them see the task (and the record it is about).
        const about = {
          id: `reminder:${r.id}`,
          object: 'tasks',
          recordId: r.id,
          data: { record: { id: r.id, title: r.title, relatedObject: r.related_object, relatedId: r.related_id } },
        };
        const seen = await eventForMemberOfWorkspace(tx, this.opts.records, r.workspace_id, r.user_id, about);
        const title = (seen?.record as { title?: unknown } | undefined)?.title;
        if (!seen) continue;
        await notify(tx, {
          workspaceId: r.workspace_id,
          userId: r.user_id,
          kind: 'reminder',
          title: `Reminder: ${typeof title === 'string' ? title : 'a task'}`,
          body: r.due_at ? `Due ${r.due_at.toISOString()}` : undefined,
          object: 'tasks',
          recordId: r.id,
          dedupeKey: `reminder:${r.id}:${r.remind_at.toISOString()}`,
        });
      }
      await hooks.beforeCommit?.(tx);
      return rows.length;
    });
  }

  /** Sweeps every intervalMs (default 5 s, the first after 1 s), draining full batches at once. */
  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
