import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type { RunSchema, RunStepSchema, TWorkflow } from '../../../common/contracts/workflows';
import type { FilterNode } from '../../../common/filter';
import type { AccessService } from '../../platform/access/access.service';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { checkDefinition } from './definition-check';
import { settleEnrolment } from './sequence-enrolment';
import { type Definition, objectOf } from './workflow-definition';
import { cancelRunRows, createRun } from './workflow-runs';

export interface WorkflowRow {
  id: string;
  name: string;
  description: string | null;
  latest_version: number;
  active_version: number | null;
  activated_at: Date | null;
  run_as_user_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  definition: Definition;
}

const MAX_MANUAL_RECORDS = 1000;

/** Whether a role may define workflows: administrators and marketing managers by default (the `workflows` permission). */
export async function assertWorkflowManager(tx: Tx, access: AccessService, actor: Actor): Promise<void> {
  const policy = await access.policy(tx, actor);
  if (policy.admin || policy.permissions.workflows) return;
  throw new AppError('forbidden', 'Only administrators and marketing managers may manage workflows');
}

const iso = (d: unknown): string => new Date(d as Date).toISOString();
const isoOrNull = (d: unknown): string | null => (d ? iso(d) : null);

const present = (w: WorkflowRow): TWorkflow => ({
  id: w.id,
  name: w.name,
  description: w.description,
  active: w.active_version !== null,
  activeVersion: w.active_version,
  latestVersion: w.latest_version,
  activatedAt: isoOrNull(w.activated_at),
  runAsUserId: w.run_as_user_id,
  definition: w.definition,
  /** The inbound hook's address: only in the answer that made its secret (see `withHook`), null elsewhere. */
  hookUrl: null as string | null,
  createdBy: w.created_by,
  createdAt: iso(w.created_at),
  updatedAt: iso(w.updated_at),
});

/** A new inbound hook secret and the hash that is all the database keeps (like calendar feed tokens). */
function newHookSecret() {
  const secret = randomBytes(24).toString('base64url');
  return { secret, hash: hashHookSecret(secret) };
}
const hashHookSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');

/** The workflow with its hook address, shown in this answer only (the secret is not kept). */
const withHook = (w: TWorkflow, secret: string | undefined): TWorkflow =>
  secret && w.definition.trigger.type === 'webhook'
    ? { ...w, hookUrl: `/api/v1/workflows/${w.id}/hooks/${secret}` }
    : w;

type RunStep = z.infer<typeof RunStepSchema>;
type Run = z.infer<typeof RunSchema>;

const presentStep = (s: Record<string, unknown>): RunStep => {
  const started = s.started_at ? new Date(s.started_at as string) : null;
  const finished = s.finished_at ? new Date(s.finished_at as string) : null;
  return {
    id: s.id as string,
    path: s.path as string,
    stepId: s.step_id as string,
    type: s.type as string,
    status: s.status as RunStep['status'],
    attempts: s.attempts as number,
    startedAt: started?.toISOString() ?? null,
    finishedAt: finished?.toISOString() ?? null,
    durationMs: started && finished ? finished.getTime() - started.getTime() : null,
    wakeAt: ['pending', 'waiting', 'running'].includes(s.status as string) ? isoOrNull(s.wake_at) : null,
    output: (s.output as RunStep['output']) ?? null,
    error: (s.error as string | null) ?? null,
  };
};

const presentRun = (r: Record<string, unknown>): Run => ({
  id: r.id as string,
  workflowId: r.workflow_id as string,
  version: r.version as number,
  status: r.status as Run['status'],
  triggerType: r.trigger_type as string,
  triggerData: r.trigger_data,
  object: r.object as string | null,
  recordId: r.record_id as string | null,
  depth: r.depth as number,
  error: r.error as string | null,
  createdAt: iso(r.created_at),
  finishedAt: isoOrNull(r.finished_at),
});

/** Workflow definitions, versions, activation, runs and their logs, manual and inbound-webhook starts. */
export class WorkflowService {
  constructor(
    private readonly deps: {
      database: Database;
      records: RecordService;
      now?: () => Date;
      /** The operator's RAPPORT_WEBHOOKS_ALLOW_PRIVATE, for webhook step URLs. */
      webhooksAllowPrivate?: boolean;
      /** Which workflows this service sees: the workspace's own, or nurture sequences' (sequences module). */
      kind?: 'workflow' | 'sequence';
    },
  ) {}

  private get kind() {
    return this.deps.kind ?? 'workflow';
  }

  private get network() {
    return { allowPrivateNetwork: this.deps.webhooksAllowPrivate ?? false };
  }

  private get now() {
    return this.deps.now?.() ?? new Date();
  }

  /** Runs `fn` as a workflow manager in the actor's workspace. */
  private manage<T>(actor: Actor, fn: (tx: Tx) => Promise<T>, within?: Tx): Promise<T> {
    const run = async (tx: Tx) => {
      await assertWorkflowManager(tx, this.deps.records.access, actor);
      return fn(tx);
    };
    // Inside a caller's transaction (the sequences module writes its own rows with the workflow's).
    return within ? run(within) : this.deps.database.tenant(actor.workspaceId, run);
  }

  private async load(tx: Tx, id: string, version?: number): Promise<WorkflowRow> {
    const { rows } = await sql<WorkflowRow>`
      select w.id, w.name, w.description, w.latest_version, w.active_version, w.activated_at, w.run_as_user_id,
        w.created_by, w.created_at, w.updated_at, v.definition
      from workflows w
      join workflow_versions v on v.workspace_id = w.workspace_id and v.workflow_id = w.id
        and v.version = ${version ?? sql`w.latest_version`}
      where w.id = ${id}::uuid and w.deleted_at is null and w.kind = ${this.kind}`.execute(tx);
    if (!rows[0]) throw notFound('Workflow');
    return rows[0];
  }

  async list(actor: Actor) {
    return this.manage(actor, async (tx) => {
      const { rows } = await sql<WorkflowRow & { last_run_at: Date | null; runs_failed: number }>`
        select w.id, w.name, w.description, w.latest_version, w.active_version, w.activated_at, w.run_as_user_id,
          w.created_by, w.created_at, w.updated_at, v.definition,
          (select max(r.created_at) from workflow_runs r where r.workspace_id = w.workspace_id and r.workflow_id = w.id) as last_run_at
        from workflows w
        join workflow_versions v on v.workspace_id = w.workspace_id and v.workflow_id = w.id and v.version = w.latest_version
        where w.deleted_at is null and w.kind = ${this.kind} order by w.name, w.id`.execute(tx);
      return rows.map((r) => ({ ...present(r), lastRunAt: isoOrNull(r.last_run_at) }));
    });
  }

  async get(actor: Actor, id: string) {
    return this.manage(actor, async (tx) => present(await this.load(tx, id)));
  }

  async create(
    actor: Actor,
    input: { name: string; description?: string | null; definition: unknown; active?: boolean },
    within?: Tx,
  ) {
    return this.manage(
      actor,
      async (tx) => {
        const definition = await checkDefinition(tx, this.deps.records, actor, input.definition, this.network);
        const id = uuidv7();
        const now = this.now;
        const hook = newHookSecret();
        await sql`insert into workflows (workspace_id, id, kind, name, description, latest_version, hook_secret_hash,
          created_by, created_at, updated_at)
        values (${actor.workspaceId}, ${id}, ${this.kind}, ${input.name}, ${input.description ?? null}, 1,
          ${hook.hash}, ${actor.userId}, ${now}, ${now})`.execute(tx);
        await this.addVersion(tx, actor, id, 1, definition);
        if (input.active) await this.setActive(tx, actor, id, 1);
        return withHook(present(await this.load(tx, id)), hook.secret);
      },
      within,
    );
  }

  private async addVersion(tx: Tx, actor: Actor, id: string, version: number, def: Definition) {
    await sql`insert into workflow_versions (workspace_id, workflow_id, version, trigger_type, object, definition, created_by, created_at)
      values (${actor.workspaceId}, ${id}, ${version}, ${def.trigger.type}, ${objectOf(def.trigger) ?? null},
        ${JSON.stringify(def)}::jsonb, ${actor.userId}, ${this.now})`.execute(tx);
  }

  private async setActive(tx: Tx, actor: Actor, id: string, version: number | null) {
    if (version !== null && !actor.userId) {
      throw new AppError('forbidden', 'A workflow runs as a user: activate it as one (this API key has no user)');
    }
    // Whoever activates a workflow is who it runs as (their role, at the time each step runs).
    await sql`update workflows set active_version = ${version}, activated_at = ${version ? this.now : null},
        run_as_user_id = ${version ? actor.userId : sql`run_as_user_id`}, updated_at = ${this.now}
      where workspace_id = ${actor.workspaceId} and id = ${id}`.execute(tx);
  }

  /**
   * Every change is a new version (the definition given, or the latest one again).
   * An active workflow moves to the new version at once; runs in flight finish on theirs.
   */
  async update(
    actor: Actor,
    id: string,
    input: { name?: string; description?: string | null; definition?: unknown },
    ifMatch?: number,
    within?: Tx,
  ) {
    return this.manage(
      actor,
      async (tx) => {
        const current = await this.load(tx, id);
        await sql`select 1 from workflows where workspace_id = ${actor.workspaceId} and id = ${id} for update`.execute(
          tx,
        );
        if (ifMatch !== undefined && ifMatch !== current.latest_version) {
          throw new AppError(
            'precondition_failed',
            `This workflow was changed by someone else (now version ${current.latest_version}); reload it and retry`,
          );
        }
        const definition =
          input.definition === undefined
            ? current.definition
            : await checkDefinition(tx, this.deps.records, actor, input.definition, this.network);
        const version = current.latest_version + 1;
        await this.addVersion(tx, actor, id, version, definition);
        await sql`update workflows set latest_version = ${version}, name = ${input.name ?? current.name},
          description = ${input.description === undefined ? current.description : input.description},
          updated_at = ${this.now}
        where workspace_id = ${actor.workspaceId} and id = ${id}`.execute(tx);
        if (current.active_version !== null) await this.setActive(tx, actor, id, version);
        // Becoming a webhook workflow: a new hook secret, shown in this answer (the old one was never shown).
        const hook =
          definition.trigger.type === 'webhook' && current.definition.trigger.type !== 'webhook'
            ? await this.replaceHookSecret(tx, actor, id)
            : undefined;
        return withHook(present(await this.load(tx, id)), hook);
      },
      within,
    );
  }

  private async replaceHookSecret(tx: Tx, actor: Actor, id: string): Promise<string> {
    const hook = newHookSecret();
    await sql`update workflows set hook_secret_hash = ${hook.hash}, updated_at = ${this.now}
      where workspace_id = ${actor.workspaceId} and id = ${id}`.execute(tx);
    return hook.secret;
  }

  /** A new inbound hook address (the old one stops working at once), shown in this answer only. */
  async rotateHookSecret(actor: Actor, id: string) {
    return this.manage(actor, async (tx) => {
      const current = await this.load(tx, id);
      if (current.definition.trigger.type !== 'webhook') {
        throw new AppError('conflict', 'This workflow is not started by a webhook; it has no hook address');
      }
      const secret = await this.replaceHookSecret(tx, actor, id);
      return withHook(present(await this.load(tx, id)), secret);
    });
  }

  async remove(actor: Actor, id: string, within?: Tx): Promise<void> {
    await this.manage(
      actor,
      async (tx) => {
        await this.load(tx, id);
        await sql`update workflows set deleted_at = ${this.now}, active_version = null
        where workspace_id = ${actor.workspaceId} and id = ${id}`.execute(tx);
      },
      within,
    );
  }

  async activate(actor: Actor, id: string, version?: number, within?: Tx) {
    return this.manage(
      actor,
      async (tx) => {
        const w = await this.load(tx, id);
        const v = version ?? w.latest_version;
        if (v < 1 || v > w.latest_version)
          throw invalidField('version', `no version ${v} (latest is ${w.latest_version})`);
        // Re-check the version for the activating user: they become its run-as identity.
        await checkDefinition(tx, this.deps.records, actor, (await this.load(tx, id, v)).definition, this.network);
        await this.setActive(tx, actor, id, v);
        return present(await this.load(tx, id));
      },
      within,
    );
  }

  async deactivate(actor: Actor, id: string, within?: Tx) {
    return this.manage(
      actor,
      async (tx) => {
        await this.load(tx, id);
        await this.setActive(tx, actor, id, null);
        return present(await this.load(tx, id));
      },
      within,
    );
  }

  async versions(actor: Actor, id: string) {
    return this.manage(actor, async (tx) => {
      await this.load(tx, id);
      const { rows } = await sql<{
        version: number;
        definition: Definition;
        created_by: string | null;
        created_at: Date;
      }>`
        select version, definition, created_by, created_at from workflow_versions
        where workspace_id = ${actor.workspaceId} and workflow_id = ${id} order by version desc`.execute(tx);
      return rows.map((r) => ({
        version: r.version,
        definition: r.definition,
        createdBy: r.created_by,
        createdAt: iso(r.created_at),
      }));
    });
  }

  async runs(actor: Actor, id: string, opts: { status?: string; limit?: number; cursor?: string }) {
    return this.manage(actor, async (tx) => {
      await this.load(tx, id);
      const limit = opts.limit ?? 50;
      const { rows } = await sql<Record<string, unknown>>`
        select * from workflow_runs
        where workspace_id = ${actor.workspaceId} and workflow_id = ${id}
          and (${opts.status ?? null}::text is null or status = ${opts.status ?? null})
          and (${opts.cursor ?? null}::uuid is null or id < ${opts.cursor ?? null}::uuid)
        order by id desc limit ${limit + 1}`.execute(tx);
      const hasMore = rows.length > limit;
      const page = rows.slice(0, limit);
      return {
        data: page.map(presentRun),
        page: { nextCursor: hasMore ? (page[page.length - 1]?.id as string) : null, hasMore },
      };
    });
  }

  private async loadRun(tx: Tx, actor: Actor, id: string, runId: string) {
    const { rows } = await sql<Record<string, unknown>>`
      select * from workflow_runs where workspace_id = ${actor.workspaceId} and workflow_id = ${id} and id = ${runId}::uuid`.execute(
      tx,
    );
    if (!rows[0]) throw notFound('Run');
    return rows[0];
  }

  async run(actor: Actor, id: string, runId: string) {
    return this.manage(actor, async (tx) => {
      await this.load(tx, id);
      const run = await this.loadRun(tx, actor, id, runId);
      const { rows } = await sql<Record<string, unknown>>`
        select * from workflow_run_steps where workspace_id = ${actor.workspaceId} and run_id = ${runId}::uuid
        order by created_at, id`.execute(tx);
      return { ...presentRun(run), steps: rows.map(presentStep) };
    });
  }

  /** A failed step runs again (same step row: effects keyed on it still happen once). */
  async retryStep(actor: Actor, id: string, runId: string, stepRowId: string) {
    await this.manage(actor, async (tx) => {
      await this.load(tx, id);
      const run = await this.loadRun(tx, actor, id, runId);
      const { rows } = await sql`
        update workflow_run_steps set status = 'pending', attempts = 0, error = null, finished_at = null, wake_at = ${this.now}
        where workspace_id = ${actor.workspaceId} and run_id = ${runId}::uuid and id = ${stepRowId}::uuid and status = 'failed'
        returning id`.execute(tx);
      if (rows.length === 0) throw new AppError('conflict', 'Only a failed step can be retried');
      if (run.status === 'failed') {
        await sql`update workflow_runs set status = 'running', error = null, finished_at = null
          where workspace_id = ${actor.workspaceId} and id = ${runId}::uuid`.execute(tx);
      }
    });
    return this.run(actor, id, runId);
  }

  async cancelRun(actor: Actor, id: string, runId: string) {
    await this.manage(actor, async (tx) => {
      await this.load(tx, id);
      const run = await this.loadRun(tx, actor, id, runId);
      if (!['running', 'waiting', 'failed'].includes(run.status as string)) {
        throw new AppError('conflict', `The run is ${run.status}`);
      }
      await cancelRunRows(tx, actor.workspaceId, runId, 'the run was cancelled', this.now);
      await settleEnrolment(
        tx,
        actor.workspaceId,
        runId,
        'exited',
        'removed by hand (its run was cancelled)',
        this.now,
      );
    });
    return this.run(actor, id, runId);
  }

  /**
   * Enrols records the caller can see (by ids or a filter) in the workflow's active
   * version. One request key per call: replaying it (Idempotency-Key) enrols nobody twice.
   */
  async runManually(
    actor: Actor,
    id: string,
    input: { recordIds?: string[]; filter?: FilterNode },
    requestKey: string = uuidv7(),
  ) {
    return this.manage(actor, async (tx) => {
      const w = await this.load(tx, id);
      if (w.active_version === null) throw new AppError('conflict', 'Activate the workflow before running it');
      const active = await this.load(tx, id, w.active_version);
      const object = objectOf(active.definition.trigger);
      if (!object) throw new AppError('conflict', 'This workflow has no object to run on');
      if (!input.recordIds?.length && !input.filter) throw invalidField('recordIds', 'give record ids or a filter');
      const filter: FilterNode = input.recordIds?.length
        ? input.filter
          ? { and: [{ field: 'id', op: 'in', value: input.recordIds }, input.filter] }
          : { field: 'id', op: 'in', value: input.recordIds }
        : (input.filter as FilterNode);
      const runIds: string[] = [];
      let cursor: string | undefined;
      let seen = 0;
      do {
        const page = await this.deps.records.list(tx, actor, object, { filter, limit: 500, cursor, fields: 'id' });
        for (const r of page.data) {
          if (++seen > MAX_MANUAL_RECORDS)
            throw invalidField('filter', `selects more than ${MAX_MANUAL_RECORDS} records`);
          const created = await createRun(tx, {
            workspaceId: actor.workspaceId,
            workflowId: id,
            version: w.active_version,
            triggerKey: `manual:${requestKey}:${r.id}`,
            triggerType: 'manual',
            triggerData: { startedBy: actor.userId },
            object,
            recordId: r.id as string,
            runAsUserId: w.run_as_user_id,
            now: this.now,
          });
          if ('id' in created) runIds.push(created.id);
        }
        cursor = page.page.nextCursor ?? undefined;
      } while (cursor);
      return { runIds, enrolled: seen };
    });
  }

  /**
   * The inbound webhook trigger (a public route): the hash of the secret from the URL
   * is compared with the stored one in constant time; a wrong one looks like a missing workflow.
   */
  async receiveHook(id: string, secret: string, body: unknown, requestKey: string = uuidv7()) {
    const { rows } = await sql<{ workspace_id: string; hook_secret_hash: string; active_version: number | null }>`
      select workspace_id, hook_secret_hash, active_version from workflows
      where id = ${id}::uuid and deleted_at is null`.execute(this.deps.database.db);
    const w = rows[0];
    const given = Buffer.from(hashHookSecret(secret), 'hex');
    const stored = Buffer.from(w?.hook_secret_hash ?? '', 'hex');
    if (!w || stored.length !== given.length || !timingSafeEqual(stored, given)) throw notFound('Workflow');
    return this.deps.database.tenant(w.workspace_id, async (tx) => {
      const flow = await this.load(tx, id, w.active_version ?? undefined);
      if (w.active_version === null || flow.definition.trigger.type !== 'webhook') {
        throw new AppError('conflict', 'This workflow is not active or is not started by a webhook');
      }
      const data =
        body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : { body };
      const created = await createRun(tx, {
        workspaceId: w.workspace_id,
        workflowId: id,
        version: w.active_version,
        triggerKey: `hook:${requestKey}`,
        triggerType: 'webhook',
        triggerData: data,
        runAsUserId: flow.run_as_user_id,
        now: this.now,
      });
      if ('id' in created) return { runId: created.id, duplicate: false };
      const { rows: existing } = await sql<{ id: string }>`select id from workflow_runs
        where workspace_id = ${w.workspace_id} and workflow_id = ${id} and version = ${w.active_version}
          and trigger_key = ${`hook:${requestKey}`}`.execute(tx);
      return { runId: existing[0]?.id ?? null, duplicate: true };
    });
  }
}
