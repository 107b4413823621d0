import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Tx } from '../../platform/db/database';
import { transactionTime } from '../../platform/db/transaction-time';
import { emitEvent } from '../../platform/events/events';
import type { FieldError } from '../../platform/http/errors';
import type { AfterWrite, BeforeWrite } from '../../platform/records/types';
import { defaultPipelineId, findStage, stagesOf } from '../pipelines';

/**
 * Keeps an opportunity consistent on every write (single, PATCH, batch):
 * the stage belongs to the pipeline (default pipeline and its first open stage when
 * absent); status follows the stage's kind; a stage change sets the stage's
 * probability (unless one is sent), the time in stage, the close time (won/lost; cleared
 * when reopened) and the forecast category (closed / omitted; back to pipeline when
 * reopened); a lost opportunity needs a lost reason, which is cleared when reopened.
 */
export async function beforeOpportunityWrite(
  tx: Tx,
  w: BeforeWrite,
): Promise<{ errors?: FieldError[]; set?: Record<string, unknown> }> {
  const { changes, before, pathPrefix: p } = w;
  const has = (k: string) => k in changes;
  const errors: FieldError[] = [];
  const set: Record<string, unknown> = {};
  let pipelineId = (has('pipelineId') ? changes.pipelineId : before?.pipelineId) as string | null | undefined;
  if (!pipelineId) {
    if (has('pipelineId') && before) {
      return { errors: [{ path: `${p}pipelineId`, message: 'is required and cannot be empty' }] };
    }
    // A stage alone names its pipeline; otherwise the default pipeline.
    const sent = typeof changes.stageId === 'string' ? await findStage(tx, changes.stageId) : undefined;
    pipelineId = sent?.pipelineId ?? (await defaultPipelineId(tx));
    if (!pipelineId) return { errors: [{ path: `${p}pipelineId`, message: 'this workspace has no pipeline' }] };
    set.pipelineId = pipelineId;
  }
  let stageId = (has('stageId') ? changes.stageId : before?.stageId) as string | null | undefined;
  let stage = stageId ? await findStage(tx, stageId) : undefined;
  if (!stageId || (stage && stage.pipelineId !== pipelineId && !has('stageId'))) {
    if (has('stageId') && !stageId)
      return { errors: [{ path: `${p}stageId`, message: 'is required and cannot be empty' }] };
    // New opportunity, or a pipeline change without a stage: the pipeline's first open stage.
    stage = (await stagesOf(tx, pipelineId)).find((s) => s.kind === 'open');
    stageId = stage?.id;
    set.stageId = stageId;
  }
  if (!stage || stage.pipelineId !== pipelineId) {
    return { errors: [{ path: `${p}stageId`, message: 'is not a stage of the opportunity’s pipeline' }] };
  }
  const stageChanged = !before || before.stageId !== stage.id;
  const now = await transactionTime(tx);
  const closed = stage.kind !== 'open';
  if (stageChanged) {
    set.status = stage.kind;
    set.stageChangedAt = now;
    if (!has('probability')) set.probability = stage.probability;
    const wasClosed = before ? before.status !== 'open' : false;
    if (closed && (!wasClosed || before?.status !== stage.kind)) set.closedAt = now;
    if (!closed) set.closedAt = null;
    if (!has('forecastCategory')) {
      if (stage.kind === 'won') set.forecastCategory = 'closed';
      else if (stage.kind === 'lost') set.forecastCategory = 'omitted';
      else if (!before || ['closed', 'omitted', null].includes(before.forecastCategory as string | null))
        set.forecastCategory = 'pipeline';
    }
  }
  const lostReason = has('lostReason') ? changes.lostReason : before?.lostReason;
  if (stage.kind === 'lost' && !lostReason) {
    errors.push({ path: `${p}lostReason`, message: 'is required when the opportunity is lost' });
  }
  if (stage.kind !== 'lost' && stageChanged && before?.lostReason) {
    set.lostReason = null;
    set.lostReasonDetail = null;
  }
  return { errors, set };
}

/**
 * Stage history (one row per stay in a stage: entered, left) and the
 * `opportunity.stage_changed` event, written with the change.
 */
export async function afterOpportunityWrite(tx: Tx, w: AfterWrite): Promise<void> {
  const { before, after, actor } = w;
  if (before && before.stageId === after.stageId) return;
  if (before) {
    await emitEvent(tx, actor, {
      type: 'opportunity.stage_changed',
      object: 'opportunities',
      recordId: after.id as string,
      data: {
        from: { pipelineId: before.pipelineId, stageId: before.stageId, status: before.status },
        to: { pipelineId: after.pipelineId, stageId: after.stageId, status: after.status },
      },
    });
  }
  await sql`update opportunity_stage_history set left_at = now()
    where opportunity_id = ${after.id as string}::uuid and left_at is null`.execute(tx);
  await sql`insert into opportunity_stage_history
    (workspace_id, id, opportunity_id, pipeline_id, from_stage_id, to_stage_id, entered_at, changed_by)
    values (${actor.workspaceId}, ${uuidv7()}, ${after.id as string}, ${after.pipelineId as string},
      ${(before?.stageId as string | undefined) ?? null}, ${after.stageId as string}, now(), ${actor.userId})`.execute(
    tx,
  );
}
