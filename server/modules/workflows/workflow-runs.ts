import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';

/** Chains of workflows triggering workflows stop at this depth (loop guard across workflows). */
export const MAX_RUN_DEPTH = 5;
/** At most this many runs of one workflow for one record per hour (rate guard). */
export const MAX_RUNS_PER_RECORD_PER_HOUR = 20;

export interface NewRun {
  workspaceId: string;
  workflowId: string;
  version: number;
  triggerKey: string;
  triggerType: string;
  triggerData?: Record<string, unknown>;
  object?: string | null;
  recordId?: string | null;
  depth?: number;
  runAsUserId: string | null;
  now: Date;
}

export type RunCreated = { id: string } | { skipped: 'duplicate' | 'rate_limited' | 'depth' };

/**
 * Starts a run, once per (workflow version, trigger key): a redelivered event, a
 * rescan or a replayed request finds the run already there and starts nothing.
 * The first step row ("conditions") is written with it, so the runner picks it up.
 * Works in tenant and system transactions (every statement names the workspace).
 */
export async function createRun(tx: Tx, run: NewRun): Promise<RunCreated> {
  if ((run.depth ?? 0) > MAX_RUN_DEPTH) return { skipped: 'depth' };
  if (run.recordId) {
    const since = new Date(run.now.getTime() - 3_600_000);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from workflow_runs
      where workspace_id = ${run.workspaceId} and workflow_id = ${run.workflowId} and record_id = ${run.recordId}
        and created_at > ${since}`.execute(tx);
    if ((rows[0]?.n ?? 0) >= MAX_RUNS_PER_RECORD_PER_HOUR) return { skipped: 'rate_limited' };
  }
  const id = uuidv7();
  const { rows } = await sql<{ id: string }>`
    insert into workflow_runs (workspace_id, id, workflow_id, version, trigger_key, trigger_type, trigger_data,
      object, record_id, depth, run_as_user_id, created_at)
    values (${run.workspaceId}, ${id}, ${run.workflowId}, ${run.version}, ${run.triggerKey.slice(0, 300)},
      ${run.triggerType}, ${JSON.stringify(run.triggerData ?? {})}::jsonb, ${run.object ?? null}, ${run.recordId ?? null},
      ${run.depth ?? 0}, ${run.runAsUserId}, ${run.now})
    on conflict (workspace_id, workflow_id, version, trigger_key) do nothing
    returning id`.execute(tx);
  if (!rows[0]) return { skipped: 'duplicate' };
  await sql`insert into workflow_run_steps (workspace_id, id, run_id, path, step_id, type, wake_at)
    values (${run.workspaceId}, ${uuidv7()}, ${id}, 'c', '_conditions', 'conditions', ${run.now})`.execute(tx);
  return { id };
}

/**
 * Cancels a run that has not finished: the run is `cancelled` and its pending and waiting
 * steps `skipped` with the reason. The runner locks the run row before each step and skips
 * the steps of a run that is no longer running, so nothing after this happens.
 */
export async function cancelRunRows(tx: Tx, workspaceId: string, runId: string, reason: string, now: Date) {
  await sql`update workflow_runs set status = 'cancelled', finished_at = ${now}
    where workspace_id = ${workspaceId} and id = ${runId}::uuid and status in ('running', 'waiting', 'failed')`.execute(
    tx,
  );
  await sql`update workflow_run_steps set status = 'skipped', finished_at = ${now},
      output = coalesce(output, '{}'::jsonb) || ${JSON.stringify({ reason })}::jsonb
    where workspace_id = ${workspaceId} and run_id = ${runId}::uuid and status in ('pending', 'waiting')`.execute(tx);
}

/** The run-as user as an actor with their role now (a demoted user's workflows lose power with them). */
export async function runAsActor(tx: Tx, workspaceId: string, userId: string | null): Promise<Actor | null> {
  if (!userId) return null;
  const { rows } = await sql<{ role: string }>`
    select role from workspace_members where workspace_id = ${workspaceId} and user_id = ${userId}`.execute(tx);
  const role = rows[0]?.role;
  return role ? { kind: 'user', userId, workspaceId, role, scopes: [] } : null;
}

/** Whether a record meets a filter, as `actor` sees it (their field and record permissions apply). */
export async function recordMatches(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  object: string,
  recordId: string,
  filter: FilterNode | undefined,
): Promise<boolean> {
  const node: FilterNode = filter
    ? { and: [{ field: 'id', op: 'eq', value: recordId }, filter] }
    : { field: 'id', op: 'eq', value: recordId };
  const res = await records.list(tx, actor, object, { filter: node, limit: 1, fields: 'id' });
  return res.data.length > 0;
}
