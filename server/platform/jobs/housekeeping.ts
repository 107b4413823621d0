import { sql } from 'kysely';
import { purgeAuditLog } from '../access/access.service';
import { purgeRateLimits } from '../http/rate-limits';
import type { JobQueue } from './job-queue';

/** How long finished jobs stay visible (and their keys block re-enqueue). */
export const KEEP_COMPLETED_DAYS = 7;
export const KEEP_FAILED_DAYS = 30;

/** The queue's own cron job: deletes completed and cancelled jobs after 7 days, failed ones after 30. */
export function registerJobHousekeeping(jobs: JobQueue): void {
  jobs.define(
    'jobs.purge',
    async (_job, { database, now }) => {
      const t = now().getTime();
      const { rows } = await sql<{ n: number }>`
        with gone as (
          delete from jobs
          where (state in ('completed', 'cancelled') and finished_at < ${new Date(t - KEEP_COMPLETED_DAYS * 86_400_000)})
             or (state = 'failed' and finished_at < ${new Date(t - KEEP_FAILED_DAYS * 86_400_000)})
          returning 1)
        select count(*)::int as n from gone`.execute(database.db);
      return { deleted: rows[0]?.n ?? 0 };
    },
    { concurrency: 1, maxAttempts: 3 },
  );
  jobs.schedule('jobs.purge', '17 3 * * *', { queue: 'jobs.purge' });
}

/**
 * The platform's hourly clean-up, a cron job like the queue's own: audit entries past
 * their workspace's retention, rate-limit counters whose window ended, idempotency keys
 * past 24 hours.
 */
export function registerPlatformHousekeeping(jobs: JobQueue): void {
  jobs.define(
    'platform.housekeeping',
    async (_job, { database, now }) => {
      const [audit, rateLimitCounters, keys] = await Promise.all([
        purgeAuditLog(database),
        purgeRateLimits(database),
        database.db
          .deleteFrom('idempotency_keys' as never)
          .where('created_at' as never, '<', new Date(now().getTime() - 86_400_000) as never)
          .executeTakeFirst(),
      ]);
      return {
        auditDeleted: audit,
        rateLimitCountersDeleted: rateLimitCounters,
        idempotencyKeysDeleted: Number(keys.numDeletedRows),
      };
    },
    { concurrency: 1, maxAttempts: 3 },
  );
  jobs.schedule('platform.housekeeping', '41 * * * *', { queue: 'platform.housekeeping' });
}
