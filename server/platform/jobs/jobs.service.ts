import { sql } from 'kysely';
import { JOB_STATES, type TJob, type TJobState } from '../../../common/contracts/jobs';
import type { Tx } from '../db/database';
import { AppError, notFound } from '../http/errors';
import { JOBS_CHANNEL } from './job-queue';

export { JOB_STATES };
export type JobState = TJobState;
export type JobView = TJob;

interface JobRow {
  id: string;
  queue: string;
  state: JobState;
  key: string | null;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  run_at: Date;
  last_error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const view = (r: JobRow): JobView => ({
  id: r.id,
  queue: r.queue,
  state: r.state,
  key: r.key,
  payload: r.payload,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAt: new Date(r.run_at).toISOString(),
  lastError: r.last_error,
  createdAt: new Date(r.created_at).toISOString(),
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
});

/**
 * The workspace's jobs, newest first, in a tenant transaction (row-level
 * security keeps other workspaces' and platform jobs out). `before` is the id
 * of the last job of the previous page (ids are time-ordered uuidv7).
 */
export async function listJobs(
  tx: Tx,
  filter: { state?: JobState; queue?: string; before?: string; limit: number },
): Promise<{ jobs: JobView[]; counts: Record<JobState, number>; next: string | null }> {
  const { rows } = await sql<JobRow>`
    select id, queue, state, key, payload, attempts, max_attempts, run_at, last_error, created_at, started_at, finished_at
    from jobs
    where workspace_id = rapport_workspace()
      ${filter.state ? sql`and state = ${filter.state}` : sql``}
      ${filter.queue ? sql`and queue = ${filter.queue}` : sql``}
      ${filter.before ? sql`and id < ${filter.before}` : sql``}
    order by id desc limit ${filter.limit + 1}`.execute(tx);
  const counted = await sql<{ state: JobState; n: number }>`
    select state, count(*)::int as n from jobs where workspace_id = rapport_workspace()
      ${filter.queue ? sql`and queue = ${filter.queue}` : sql``}
    group by state`.execute(tx);
  const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
  for (const c of counted.rows) counts[c.state] = c.n;
  const page = rows.slice(0, filter.limit);
  return { jobs: page.map(view), counts, next: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
}

export async function getJob(tx: Tx, id: string): Promise<JobView> {
  const { rows } = await sql<JobRow>`
    select id, queue, state, key, payload, attempts, max_attempts, run_at, last_error, created_at, started_at, finished_at
    from jobs where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  if (!rows[0]) throw notFound('Job');
  return view(rows[0]);
}

/** Puts a failed or cancelled job back in the queue with fresh attempts, due now. */
export async function retryJob(tx: Tx, id: string, now: Date): Promise<JobView> {
  const job = await getJob(tx, id);
  if (job.state !== 'failed' && job.state !== 'cancelled') {
    throw new AppError('conflict', `Only failed or cancelled jobs can be retried; this one is ${job.state}`);
  }
  await sql`update jobs set state = 'queued', attempts = 0, run_at = ${now}, retry_until = null,
              finished_at = null, locked_until = null
            where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  await sql`select pg_notify(${JOBS_CHANNEL}, ${job.queue})`.execute(tx);
  return getJob(tx, id);
}

/** Cancels a job that has not started yet. */
export async function cancelJob(tx: Tx, id: string, now: Date): Promise<JobView> {
  const job = await getJob(tx, id);
  if (job.state !== 'queued')
    throw new AppError('conflict', `Only queued jobs can be cancelled; this one is ${job.state}`);
  await sql`update jobs set state = 'cancelled', finished_at = ${now}
            where workspace_id = rapport_workspace() and id = ${id} and state = 'queued'`.execute(tx);
  return getJob(tx, id);
}
