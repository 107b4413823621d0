import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import {
  SEQUENCE_EXIT_REASONS,
  type TEnrolment,
  type TSequence,
  type TSequenceRequest,
  type TUpdateSequenceRequest,
} from '../../../common/contracts/sequences';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { AppError, type FieldError, invalidField, notFound } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { assertWorkflowManager, enrolInSequence, exitSequences, WorkflowService } from '../workflows';

interface SequenceRow {
  id: string;
  name: string;
  description: string | null;
  object: 'leads' | 'contacts';
  workflow_id: string;
  campaign_id: string;
  enrol_new: boolean;
  enrol_segment_id: string | null;
  exit_on: string[];
  active_version: number | null;
  latest_version: number;
  steps: unknown[];
  active: number;
  completed: number;
  exited: number;
  created_at: Date;
  updated_at: Date;
}

const iso = (d: Date) => new Date(d).toISOString();

const present = (r: SequenceRow): TSequence => ({
  id: r.id,
  name: r.name,
  description: r.description,
  object: r.object,
  campaignId: r.campaign_id,
  workflowId: r.workflow_id,
  active: r.active_version !== null,
  version: r.latest_version,
  enrolment: { newRecords: r.enrol_new, segmentId: r.enrol_segment_id },
  exitOn: r.exit_on.filter((x): x is TSequence['exitOn'][number] =>
    (SEQUENCE_EXIT_REASONS as readonly string[]).includes(x),
  ),
  steps: r.steps,
  counts: { active: Number(r.active), completed: Number(r.completed), exited: Number(r.exited) },
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

/** A `campaign_email` step without a campaign sends as the sequence's campaign (also inside branches). */
function withCampaign(steps: unknown[], campaignId: string): unknown[] {
  return steps.map((step) => {
    if (!step || typeof step !== 'object') return step;
    const s = { ...(step as Record<string, unknown>) };
    if (s.type === 'campaign_email' && s.campaignId === undefined) s.campaignId = campaignId;
    if (s.type === 'branch') {
      if (Array.isArray(s.yes)) s.yes = withCampaign(s.yes, campaignId);
      if (Array.isArray(s.no)) s.no = withCampaign(s.no, campaignId);
    }
    return s;
  });
}

/** The workflow engine's errors name `definition.steps…`; a sequence's caller sent `steps…`. */
function asSequenceError(err: unknown): unknown {
  if (!(err instanceof AppError) || err.errors.length === 0) return err;
  const errors: FieldError[] = err.errors.map((e) => ({ ...e, path: e.path.replace(/^definition\./, '') }));
  return new AppError(err.code, `Invalid sequence: ${errors.map((e) => e.path).join(', ')}`, { errors });
}

/**
 * Nurture sequences: a workflow of kind `sequence` (its steps, versions and durable runs are
 * the workflow engine's), the campaign its emails are messages of, who it enrols (new
 * records, a segment's entrants, by hand, by a workflow step) and when people leave it.
 * Managed by those who manage workflows (administrators and marketing managers).
 */
export class SequenceService {
  private readonly workflows: WorkflowService;

  constructor(
    private readonly deps: {
      database: Database;
      records: RecordService;
      webhooksAllowPrivate?: boolean;
      now?: () => Date;
    },
  ) {
    this.workflows = new WorkflowService({ ...deps, kind: 'sequence' });
  }

  private get now() {
    return this.deps.now?.() ?? new Date();
  }

  private manage<T>(actor: Actor, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await assertWorkflowManager(tx, this.deps.records.access, actor);
      return fn(tx);
    });
  }

  private async rows(tx: Tx, id?: string): Promise<SequenceRow[]> {
    const { rows } = await sql<SequenceRow>`
      select s.id, s.name, w.description, s.object, s.workflow_id, s.campaign_id, s.enrol_new, s.enrol_segment_id,
        s.exit_on, w.active_version, w.latest_version, v.definition -> 'steps' as steps, s.created_at, s.updated_at,
        (select count(*) from sequence_enrolments e where e.workspace_id = s.workspace_id and e.sequence_id = s.id
          and e.status = 'active') as active,
        (select count(*) from sequence_enrolments e where e.workspace_id = s.workspace_id and e.sequence_id = s.id
          and e.status = 'completed') as completed,
        (select count(*) from sequence_enrolments e where e.workspace_id = s.workspace_id and e.sequence_id = s.id
          and e.status = 'exited') as exited
      from sequences s
      join workflows w on w.workspace_id = s.workspace_id and w.id = s.workflow_id
      join workflow_versions v on v.workspace_id = w.workspace_id and v.workflow_id = w.id and v.version = w.latest_version
      where s.deleted_at is null ${id ? sql`and s.id = ${id}::uuid` : sql``}
      order by s.name, s.id`.execute(tx);
    return rows;
  }

  private async load(tx: Tx, id: string): Promise<SequenceRow> {
    const row = (await this.rows(tx, id))[0];
    if (!row) throw notFound('Sequence');
    return row;
  }

  async list(actor: Actor): Promise<TSequence[]> {
    return this.manage(actor, async (tx) => (await this.rows(tx)).map(present));
  }

  async get(actor: Actor, id: string): Promise<TSequence> {
    return this.manage(actor, async (tx) => present(await this.load(tx, id)));
  }

  /** The segment people enter to be enrolled: readable by the caller and of the sequence's object. */
  private async checkSegment(tx: Tx, actor: Actor, segmentId: string | null, object: string) {
    if (!segmentId) return;
    const segment = await this.deps.records
      .get(tx, actor, 'segments', segmentId, { fields: 'object' })
      .catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'not_found') {
          throw invalidField('enrolment.segmentId', 'no segment with this id');
        }
        throw err;
      });
    if (segment.object !== object) {
      throw invalidField('enrolment.segmentId', `the segment holds ${String(segment.object)}, not ${object}`);
    }
  }

  async create(actor: Actor, body: TSequenceRequest): Promise<TSequence> {
    return this.manage(actor, async (tx) => {
      const { records } = this.deps;
      let campaignId = body.campaignId;
      if (campaignId) {
        const campaign = await records
          .get(tx, actor, 'campaigns', campaignId, { fields: 'type' })
          .catch((err: unknown) => {
            if (err instanceof AppError && err.code === 'not_found') {
              throw invalidField('campaignId', 'no campaign with this id');
            }
            throw err;
          });
        if (campaign.type !== 'email') throw invalidField('campaignId', 'must be an email campaign');
      } else {
        const created = await records.create(tx, actor, 'campaigns', {
          name: `${body.name} (nurture)`.slice(0, 200),
          type: 'email',
          status: 'active',
          notes: `The emails of the nurture sequence “${body.name}”.`,
        });
        campaignId = created.id as string;
      }
      await this.checkSegment(tx, actor, body.enrolment.segmentId, body.object);
      const workflow = await this.workflows
        .create(
          actor,
          {
            name: body.name,
            description: body.description ?? null,
            definition: {
              trigger: { type: 'manual', object: body.object },
              steps: withCampaign(body.steps, campaignId),
            },
            active: body.active,
          },
          tx,
        )
        .catch((err: unknown) => {
          throw asSequenceError(err);
        });
      const id = uuidv7();
      await sql`insert into sequences (workspace_id, id, name, object, workflow_id, campaign_id, enrol_new,
          enrol_segment_id, exit_on, enrol_from, created_by, created_at, updated_at)
        values (${actor.workspaceId}::uuid, ${id}::uuid, ${body.name}, ${body.object}, ${workflow.id}::uuid,
          ${campaignId}::uuid, ${body.enrolment.newRecords}, ${body.enrolment.segmentId}::uuid, ${body.exitOn}::text[],
          ${body.active ? sql`now()` : null}, ${actor.userId}::uuid, ${this.now}, ${this.now})`.execute(tx);
      return present(await this.load(tx, id));
    });
  }

  /** Every change of steps, name or description is a new version of its workflow; people in it finish on theirs. */
  async update(actor: Actor, id: string, body: TUpdateSequenceRequest): Promise<TSequence> {
    return this.manage(actor, async (tx) => {
      const current = await this.load(tx, id);
      if (body.enrolment) await this.checkSegment(tx, actor, body.enrolment.segmentId, current.object);
      if (body.steps || body.name || body.description !== undefined) {
        await this.workflows
          .update(
            actor,
            current.workflow_id,
            {
              name: body.name,
              description: body.description,
              definition: body.steps
                ? {
                    trigger: { type: 'manual', object: current.object },
                    steps: withCampaign(body.steps, current.campaign_id),
                  }
                : undefined,
            },
            undefined,
            tx,
          )
          .catch((err: unknown) => {
            throw asSequenceError(err);
          });
      }
      if (body.active === true && current.active_version === null) {
        await this.workflows.activate(actor, current.workflow_id, undefined, tx);
      } else if (body.active === false && current.active_version !== null) {
        await this.workflows.deactivate(actor, current.workflow_id, tx);
      }
      await sql`update sequences set name = ${body.name ?? current.name},
          enrol_new = ${body.enrolment?.newRecords ?? current.enrol_new},
          enrol_segment_id = ${body.enrolment ? body.enrolment.segmentId : current.enrol_segment_id}::uuid,
          exit_on = ${body.exitOn ?? current.exit_on}::text[], updated_at = ${this.now},
          enrol_from = ${body.active === true && current.active_version === null ? sql`now()` : sql`enrol_from`}
        where workspace_id = ${actor.workspaceId}::uuid and id = ${id}::uuid`.execute(tx);
      return present(await this.load(tx, id));
    });
  }

  /** Deletes a sequence: nobody new is enrolled, and everyone in it leaves (their runs cancelled). */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.manage(actor, async (tx) => {
      const current = await this.load(tx, id);
      await this.workflows.remove(actor, current.workflow_id, tx);
      await sql`update sequences set deleted_at = ${this.now}
        where workspace_id = ${actor.workspaceId}::uuid and id = ${id}::uuid`.execute(tx);
      const { rows } = await sql<{ record_id: string }>`select record_id from sequence_enrolments
        where workspace_id = ${actor.workspaceId}::uuid and sequence_id = ${id}::uuid and status = 'active'`.execute(
        tx,
      );
      for (const r of rows) {
        await exitSequences(tx, {
          workspaceId: actor.workspaceId,
          recordId: r.record_id,
          now: this.now,
          reason: { kind: 'manual', text: 'the sequence was deleted' },
          sequenceIds: [id],
        });
      }
    });
  }

  /** Enrols records the caller can see, by hand; each person once per sequence. */
  async enrol(actor: Actor, id: string, recordIds: string[]) {
    return this.manage(actor, async (tx) => {
      const seq = await this.load(tx, id);
      if (seq.active_version === null) {
        throw new AppError('conflict', 'Activate the sequence before enrolling people in it');
      }
      const { records } = this.deps;
      const ctx = await records.context(tx, actor, seq.object, 'read');
      const unique = [...new Set(recordIds)];
      const visible = await records.visibleIds(tx, ctx, seq.object, unique);
      const missing = recordIds.map((v, i) => ({ v, i })).filter(({ v }) => !visible.has(v));
      if (missing.length) {
        throw new AppError('validation_failed', `No such ${ctx.schema.def.singular}: recordIds.${missing[0]?.i}`, {
          errors: missing
            .slice(0, 20)
            .map((m) => ({ path: `recordIds.${m.i}`, message: `no ${ctx.schema.def.singular} with this id` })),
        });
      }
      let enrolled = 0;
      for (const recordId of unique) {
        const r = await enrolInSequence(tx, {
          workspaceId: actor.workspaceId,
          sequenceId: id,
          object: seq.object,
          recordId,
          via: 'manual',
          enrolledBy: actor.userId,
          now: this.now,
        });
        if (r.enrolled) enrolled++;
      }
      return { enrolled, alreadyEnrolled: unique.length - enrolled };
    });
  }

  async enrolments(
    actor: Actor,
    id: string,
    query: { status?: TEnrolment['status']; limit: number; after?: string },
  ): Promise<{ data: TEnrolment[]; page: { hasMore: boolean; nextCursor: string | null } }> {
    return this.manage(actor, async (tx) => {
      const seq = await this.load(tx, id);
      const rows = await this.enrolmentRows(tx, actor, id, query);
      const hasMore = rows.length > query.limit;
      const page = rows.slice(0, query.limit);
      const data = await this.presentEnrolments(tx, actor, seq.object, page);
      return { data, page: { hasMore, nextCursor: hasMore ? (page.at(-1)?.id ?? null) : null } };
    });
  }

  private async enrolmentRows(
    tx: Tx,
    actor: Actor,
    sequenceId: string,
    query: { status?: string; limit: number; after?: string; enrolmentId?: string },
  ) {
    const { rows } = await sql<EnrolmentRow>`
      select e.id, e.object, e.record_id, e.status, e.via, e.exit_reason, e.run_id, e.enrolled_at, e.finished_at,
        st.step_id, st.type as step_type, st.wake_at
      from sequence_enrolments e
      left join lateral (select s.step_id, s.type, s.wake_at from workflow_run_steps s
        where s.workspace_id = e.workspace_id and s.run_id = e.run_id and s.status in ('pending', 'waiting', 'running')
        order by s.created_at desc limit 1) st on e.status = 'active'
      where e.workspace_id = ${actor.workspaceId}::uuid and e.sequence_id = ${sequenceId}::uuid
        ${query.status ? sql`and e.status = ${query.status}` : sql``}
        ${query.after ? sql`and e.id < ${query.after}::uuid` : sql``}
        ${query.enrolmentId ? sql`and e.id = ${query.enrolmentId}::uuid` : sql``}
      order by e.id desc limit ${query.limit + 1}`.execute(tx);
    return rows;
  }

  /** Names come from the record engine as the caller reads them (a record they may not see has none). */
  private async presentEnrolments(tx: Tx, actor: Actor, object: string, rows: EnrolmentRow[]): Promise<TEnrolment[]> {
    const ids = rows.map((r) => r.record_id);
    const names = new Map<string, string>();
    if (ids.length) {
      const page = await this.deps.records.list(tx, actor, object, {
        limit: ids.length,
        fields: 'id,firstName,lastName,email',
        within: sql`select unnest(${ids}::uuid[])`,
      });
      for (const r of page.data) {
        const name = [r.firstName, r.lastName].filter((x) => typeof x === 'string' && x).join(' ');
        names.set(r.id as string, name || String(r.email ?? ''));
      }
    }
    return rows.map((r) => ({
      id: r.id,
      object: r.object,
      recordId: r.record_id,
      title: names.get(r.record_id) ?? null,
      status: r.status,
      via: r.via,
      exitReason: r.exit_reason,
      runId: r.run_id,
      currentStep: r.step_id ? { stepId: r.step_id, type: r.step_type ?? '', wakeAt: iso(r.wake_at as Date) } : null,
      enrolledAt: iso(r.enrolled_at),
      finishedAt: r.finished_at ? iso(r.finished_at) : null,
    }));
  }

  /** Takes one person out of the sequence by hand (their run is cancelled; they are not enrolled again). */
  async exit(actor: Actor, id: string, enrolmentId: string): Promise<TEnrolment> {
    return this.manage(actor, async (tx) => {
      const seq = await this.load(tx, id);
      const [row] = await this.enrolmentRows(tx, actor, id, { limit: 1, enrolmentId });
      if (!row) throw notFound('Enrolment');
      if (row.status !== 'active')
        throw new AppError('conflict', `This person has already left the sequence (${row.status})`);
      await exitSequences(tx, {
        workspaceId: actor.workspaceId,
        recordId: row.record_id,
        now: this.now,
        reason: { kind: 'manual', text: 'removed by hand' },
        sequenceIds: [id],
      });
      const [after] = await this.enrolmentRows(tx, actor, id, { limit: 1, enrolmentId });
      return (await this.presentEnrolments(tx, actor, seq.object, after ? [after] : []))[0] as TEnrolment;
    });
  }
}

interface EnrolmentRow {
  id: string;
  object: 'leads' | 'contacts';
  record_id: string;
  status: TEnrolment['status'];
  via: TEnrolment['via'];
  exit_reason: string | null;
  run_id: string | null;
  enrolled_at: Date;
  finished_at: Date | null;
  step_id: string | null;
  step_type: string | null;
  wake_at: Date | null;
}
