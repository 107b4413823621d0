import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Tx } from '../../platform/db/database';
import { cancelRunRows, createRun } from './workflow-runs';

/** How a person came into a sequence. */
export type EnrolVia = 'new_record' | 'segment' | 'manual' | 'workflow' | 'sequence';

/** Why a person leaves a sequence early (a sequence's `exitOn` names which apply). */
export const EXIT_REASONS = ['replied', 'unsubscribed', 'meeting_booked', 'converted', 'left_segment'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export type EnrolResult =
  | { enrolled: true; enrolmentId: string; runId: string }
  | { enrolled: false; reason: 'inactive' | 'already_enrolled' | 'wrong_object' | 'not_started' };

/**
 * Puts a contact or lead into a nurture sequence, in the caller's transaction: one
 * enrolment per person and sequence (a welcome sequence never runs twice for one lead),
 * carried by a run of the sequence's workflow (its steps, waits and retries are the
 * workflow runner's, so a restart loses no step and sends nothing twice). Works in tenant
 * and system transactions (every statement names the workspace).
 */
export async function enrolInSequence(
  tx: Tx,
  input: {
    workspaceId: string;
    sequenceId: string;
    object: string;
    recordId: string;
    via: EnrolVia;
    enrolledBy: string | null;
    now: Date;
    depth?: number;
  },
): Promise<EnrolResult> {
  const { rows } = await sql<{
    object: string;
    workflow_id: string;
    campaign_id: string;
    active_version: number | null;
    run_as_user_id: string | null;
  }>`
    select s.object, s.workflow_id, s.campaign_id, w.active_version, w.run_as_user_id
    from sequences s join workflows w on w.workspace_id = s.workspace_id and w.id = s.workflow_id
    where s.workspace_id = ${input.workspaceId}::uuid and s.id = ${input.sequenceId}::uuid
      and s.deleted_at is null and w.deleted_at is null`.execute(tx);
  const seq = rows[0];
  if (!seq || seq.active_version === null) return { enrolled: false, reason: 'inactive' };
  if (seq.object !== input.object) return { enrolled: false, reason: 'wrong_object' };
  const enrolmentId = uuidv7();
  const { rows: inserted } = await sql<{ id: string }>`
    insert into sequence_enrolments (workspace_id, id, sequence_id, object, record_id, via, enrolled_by, enrolled_at)
    values (${input.workspaceId}::uuid, ${enrolmentId}::uuid, ${input.sequenceId}::uuid, ${input.object},
      ${input.recordId}::uuid, ${input.via}, ${input.enrolledBy}::uuid, ${input.now})
    on conflict (workspace_id, sequence_id, record_id) do nothing returning id`.execute(tx);
  if (!inserted[0]) return { enrolled: false, reason: 'already_enrolled' };
  const run = await createRun(tx, {
    workspaceId: input.workspaceId,
    workflowId: seq.workflow_id,
    version: seq.active_version,
    triggerKey: `sequence:${enrolmentId}`,
    triggerType: 'sequence',
    triggerData: { sequenceId: input.sequenceId, campaignId: seq.campaign_id, via: input.via, enrolmentId },
    object: input.object,
    recordId: input.recordId,
    depth: input.depth ?? 0,
    runAsUserId: seq.run_as_user_id,
    now: input.now,
  });
  if (!('id' in run)) {
    await sql`update sequence_enrolments set status = 'exited', exit_reason = ${`not started: ${run.skipped}`},
        finished_at = ${input.now}
      where workspace_id = ${input.workspaceId}::uuid and id = ${enrolmentId}::uuid`.execute(tx);
    return { enrolled: false, reason: 'not_started' };
  }
  await sql`update sequence_enrolments set run_id = ${run.id}::uuid
    where workspace_id = ${input.workspaceId}::uuid and id = ${enrolmentId}::uuid`.execute(tx);
  return { enrolled: true, enrolmentId, runId: run.id };
}

/**
 * Takes a person out of their active sequences early: those listed (or every one whose
 * `exitOn` names `reason`), each enrolment `exited` with the reason and its run cancelled.
 * Returns how many enrolments ended.
 */
export async function exitSequences(
  tx: Tx,
  input: {
    workspaceId: string;
    recordId: string;
    now: Date;
    /** An exit reason the sequence must list in `exitOn`, with the words kept on the enrolment. */
    reason: { kind: ExitReason; text: string } | { kind: 'manual' | 'moved'; text: string };
    sequenceIds?: string[];
  },
): Promise<number> {
  const { kind, text } = input.reason;
  const byExitOn = kind === 'manual' || kind === 'moved' ? sql`true` : sql`${kind} = any(s.exit_on)`;
  const only = input.sequenceIds ? sql`and s.id = any(${input.sequenceIds}::uuid[])` : sql``;
  const { rows } = await sql<{ id: string; run_id: string | null }>`
    update sequence_enrolments e set status = 'exited', exit_reason = ${text.slice(0, 300)}, finished_at = ${input.now}
    from sequences s
    where e.workspace_id = ${input.workspaceId}::uuid and e.record_id = ${input.recordId}::uuid and e.status = 'active'
      and s.workspace_id = e.workspace_id and s.id = e.sequence_id and ${byExitOn} ${only}
    returning e.id, e.run_id`.execute(tx);
  for (const r of rows) {
    if (r.run_id) await cancelRunRows(tx, input.workspaceId, r.run_id, `left the sequence: ${text}`, input.now);
  }
  return rows.length;
}

/** A sequence run ended (the runner, or a cancel): its enrolment says so, if it is still active. */
export async function settleEnrolment(
  tx: Tx,
  workspaceId: string,
  runId: string,
  status: 'completed' | 'exited',
  reason: string | null,
  now: Date,
): Promise<void> {
  await sql`update sequence_enrolments set status = ${status}, exit_reason = ${reason?.slice(0, 300) ?? null},
      finished_at = ${now}
    where workspace_id = ${workspaceId}::uuid and run_id = ${runId}::uuid and status = 'active'`.execute(tx);
}
