import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { Poller } from '../../platform/jobs/poller';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { workflowStepHandlers } from '../../platform/workflow-steps';
import { SendError, type WebhookRequest, type WebhookSender } from './outbound-webhook';
import { settleEnrolment } from './sequence-enrolment';
import { renderValue, type TemplateContext } from './templates';
import { runAction, type StepEnv } from './workflow-actions';
import { type Definition, nextAfter, parsePath, pathKey, type StepPath, stepAt, waitMs } from './workflow-definition';
import { recordMatches, runAsActor } from './workflow-runs';

export interface RunnerOptions {
  database: Database;
  records: RecordService;
  log: Logger;
  webhooks: WebhookSender;
  now?: () => Date;
  pollMs?: number;
  /** How long a webhook attempt holds its step before another attempt may take it over. */
  leaseSeconds?: number;
  /** Links and Message-IDs of the campaign emails steps send (config.baseUrl, config.mailDomain). */
  mail?: { baseUrl: string; mailDomain: string };
}

interface StepRow {
  id: string;
  run_id: string;
  path: string;
  step_id: string;
  type: string;
  status: 'pending' | 'running' | 'waiting';
  attempts: number;
}

interface RunRow {
  id: string;
  workflow_id: string;
  name: string;
  object: string | null;
  record_id: string | null;
  trigger_data: Record<string, unknown>;
  status: string;
  depth: number;
  run_as_user_id: string | null;
  definition: Definition;
}

/** Internal steps retry unexpected (non-domain) errors this many times; webhooks this many attempts. */
const MAX_INTERNAL_ATTEMPTS = 3;
const MAX_WEBHOOK_ATTEMPTS = 6;

const describe = (err: unknown): string => {
  if (err instanceof AppError) {
    const detail = err.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    return (detail ? `${err.message} (${detail})` : err.message).slice(0, 2000);
  }
  return String((err as Error)?.message ?? err).slice(0, 2000);
};

/**
 * Executes workflow steps, each exactly once. A run's state is its step rows
 * (status, wake time, attempts): the runner finds due rows, locks one
 * (`for update skip locked`, so app servers never run a step twice at the same
 * time) and, in that one tenant transaction, does the step's database effects
 * (record changes, notifications, the queued mail) and writes the next step. A
 * crash before commit undoes everything; the step runs again from scratch.
 *
 * The one effect outside the database, a webhook, is split: the attempt is
 * claimed with a lease and committed, the request sent with a delivery id derived
 * from the step, then the outcome committed. A crash in between resends the same
 * delivery id after the lease, so the receiver sees one delivery.
 */
export class WorkflowRunner {
  readonly now: () => Date;
  private readonly deliveries = new Set<Promise<void>>();
  private prepared: Promise<void> | undefined;
  // The step rows are the work and its log (status, wake time, attempts): a loop, not a job.
  private readonly loop: Poller;

  constructor(private readonly opts: RunnerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.loop = new Poller({
      name: 'workflow runner',
      intervalMs: opts.pollMs ?? 500,
      run: async () => {
        await this.runDue();
      },
      log: opts.log,
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled([...this.deliveries]);
  }

  /** Executes every step due now (repeatedly, as steps make further steps due); returns how many ran. */
  async runDue(maxRounds = 50): Promise<number> {
    let total = 0;
    for (let round = 0; round < maxRounds; round++) {
      const { rows } = await sql<{ workspace_id: string; id: string }>`
        select workspace_id, id from workflow_run_steps
        where status in ('pending', 'running', 'waiting') and wake_at <= ${this.now()}
        order by wake_at limit 50`.execute(this.opts.database.db);
      if (rows.length === 0) break;
      let ran = 0;
      for (const r of rows) if (await this.executeStep(r.workspace_id, r.id)) ran++;
      total += ran;
      if (ran === 0) break;
    }
    return total;
  }

  /** Runs due steps until none is due and no webhook is in flight (tests; waits are not skipped). */
  async drain(): Promise<void> {
    for (;;) {
      await this.runDue();
      if (this.deliveries.size === 0) {
        if ((await this.runDue()) === 0 && this.deliveries.size === 0) return;
        continue;
      }
      await Promise.allSettled([...this.deliveries]);
    }
  }

  /** Executes one step if it is still due and nobody else holds it; false when there was nothing to do. */
  async executeStep(workspaceId: string, stepId: string): Promise<boolean> {
    let send: { request: WebhookRequest; attempt: number } | undefined;
    // Steps other modules carry out may need something read outside the step's transaction
    // (e.g. the instance's link-signing key: not the tenant's to read, and embedded PGlite has
    // a single connection): once, before the first step.
    this.prepared ??= Promise.all(workflowStepHandlers().map((h) => h.prepare?.(this.opts.database))).then(
      () => undefined,
      (err) => {
        this.prepared = undefined;
        throw err;
      },
    );
    await this.prepared;
    const did = await this.opts.database.tenant(workspaceId, async (tx) => {
      const now = this.now();
      const { rows } = await sql<StepRow>`
        select id, run_id, path, step_id, type, status, attempts from workflow_run_steps
        where workspace_id = ${workspaceId} and id = ${stepId} and status in ('pending', 'running', 'waiting')
          and wake_at <= ${now}
        for update skip locked`.execute(tx);
      const step = rows[0];
      if (!step) return false;
      const run = await this.loadRun(tx, workspaceId, step.run_id);
      if (!run) return false;
      if (!['running', 'waiting'].includes(run.status)) {
        await this.finishStep(tx, workspaceId, step, 'skipped', { reason: `the run is ${run.status}` }, now);
        return true;
      }
      const actor = await runAsActor(tx, workspaceId, run.run_as_user_id);
      if (!actor) {
        await this.failStep(
          tx,
          workspaceId,
          step,
          run,
          'The user this workflow runs as is no longer a member',
          now,
          false,
        );
        return true;
      }
      // Changes made in this transaction are this run's: the trigger consumer will not let them re-trigger it.
      await sql`insert into workflow_tx_marks (workspace_id, run_id, workflow_id, depth)
        values (${workspaceId}, ${run.id}, ${run.workflow_id}, ${run.depth}) on conflict do nothing`.execute(tx);
      const record = await this.loadRecord(tx, actor, run);
      const template: TemplateContext = {
        record,
        trigger: run.trigger_data,
        workflow: { id: run.workflow_id, name: run.name },
        run: { id: run.id },
      };
      const def = run.definition;

      if (step.type === 'conditions') {
        if (run.object && run.record_id && !record) {
          await this.finishStep(tx, workspaceId, step, 'skipped', { reason: 'the record is gone or not visible' }, now);
          await this.finishRun(tx, workspaceId, run.id, 'skipped', now);
          return true;
        }
        const met =
          !def.conditions || !run.object || !run.record_id
            ? true
            : await recordMatches(tx, this.opts.records, actor, run.object, run.record_id, def.conditions);
        await this.finishStep(tx, workspaceId, step, 'completed', { conditionsMet: met }, now, true);
        if (!met) await this.finishRun(tx, workspaceId, run.id, 'skipped', now);
        else await this.advance(tx, workspaceId, run, def.steps.length > 0 ? [0] : undefined, now);
        return true;
      }

      const path = parsePath(step.path);
      const s = stepAt(def.steps, path);
      if (!s) {
        await this.failStep(tx, workspaceId, step, run, `No step at ${step.path} in this version`, now, false);
        return true;
      }
      if (s.type === 'wait') {
        if (step.status === 'pending') {
          const until = new Date(now.getTime() + waitMs(s));
          await sql`update workflow_run_steps set status = 'waiting', attempts = attempts + 1,
              started_at = coalesce(started_at, ${now}), wake_at = ${until}, output = ${JSON.stringify({ until })}::jsonb
            where workspace_id = ${workspaceId} and id = ${step.id}`.execute(tx);
          await sql`update workflow_runs set status = 'waiting' where workspace_id = ${workspaceId} and id = ${run.id}`.execute(
            tx,
          );
        } else {
          await this.finishStep(tx, workspaceId, step, 'completed', undefined, now);
          await this.advance(tx, workspaceId, run, nextAfter(def.steps, path), now);
        }
        return true;
      }
      if (s.type === 'webhook') {
        const attempt = step.attempts + 1;
        const lease = new Date(now.getTime() + (this.opts.leaseSeconds ?? 60) * 1000);
        const deliveryId = `whd_${step.id}`;
        await sql`update workflow_run_steps set status = 'running', attempts = ${attempt},
            started_at = coalesce(started_at, ${now}), wake_at = ${lease},
            output = ${JSON.stringify({ deliveryId })}::jsonb
          where workspace_id = ${workspaceId} and id = ${step.id}`.execute(tx);
        const body =
          s.body === undefined
            ? {
                id: deliveryId,
                type: 'workflow.webhook',
                createdAt: now.toISOString(),
                workspaceId,
                data: { workflow: template.workflow, run: template.run, record, trigger: run.trigger_data },
              }
            : renderValue(s.body, template);
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.headers ?? {}))
          headers[k.toLowerCase()] = String(renderValue(v, template));
        send = {
          attempt,
          request: {
            url: s.url,
            method: s.method,
            headers: {
              ...headers,
              'content-type': 'application/json',
              'user-agent': 'Rapport-Workflows/1',
              'rapport-delivery': deliveryId,
              'idempotency-key': deliveryId,
            },
            body: JSON.stringify(body),
          },
        };
        return true;
      }

      const env: StepEnv = {
        tx,
        database: this.opts.database,
        mail: this.opts.mail ?? { baseUrl: 'http://localhost:3000', mailDomain: 'rapport.local' },
        records: this.opts.records,
        actor,
        workspaceId,
        workflow: { id: run.workflow_id, name: run.name },
        run: { id: run.id, object: run.object, recordId: run.record_id, triggerData: run.trigger_data },
        stepRowId: step.id,
        now,
        record,
        template,
      };
      await sql`savepoint workflow_step`.execute(tx);
      try {
        const result = await runAction(env, s);
        await sql`release savepoint workflow_step`.execute(tx);
        await this.finishStep(tx, workspaceId, step, result.status, result.output, now, true);
        let next: StepPath | undefined;
        if (result.stop) next = undefined;
        else if (s.type === 'branch' && result.arm) {
          next = s[result.arm].length > 0 ? [...path, result.arm, 0] : nextAfter(def.steps, path);
        } else next = nextAfter(def.steps, path);
        await this.advance(tx, workspaceId, run, next, now);
      } catch (err) {
        await sql`rollback to savepoint workflow_step`.execute(tx);
        const retry = !(err instanceof AppError) && step.attempts + 1 < MAX_INTERNAL_ATTEMPTS;
        if (!(err instanceof AppError)) this.opts.log.warn({ err, stepId: step.id }, 'workflow step failed');
        await this.failStep(tx, workspaceId, step, run, describe(err), now, retry);
      }
      return true;
    });
    if (send) this.track(this.deliver(workspaceId, stepId, send.attempt, send.request));
    return did;
  }

  private track(p: Promise<void>): void {
    const tracked = p.catch((err) => this.opts.log.warn({ err }, 'workflow webhook bookkeeping failed'));
    this.deliveries.add(tracked);
    void tracked.finally(() => this.deliveries.delete(tracked));
  }

  /** Sends one webhook attempt, then records its outcome, fenced by the attempt number. */
  private async deliver(workspaceId: string, stepId: string, attempt: number, request: WebhookRequest): Promise<void> {
    let ok = false;
    let retry = false;
    let message = '';
    let output: Record<string, unknown> = { deliveryId: request.headers['rapport-delivery'] };
    try {
      const res = await this.opts.webhooks.send(request);
      output = { ...output, status: res.status, response: res.excerpt };
      ok = res.status >= 200 && res.status < 300;
      retry = res.status >= 500 || res.status === 408 || res.status === 429;
      message = `the receiver answered HTTP ${res.status}`;
    } catch (err) {
      // A SendError's message is written for the workspace (no detail of the network behind it).
      retry = !(err instanceof SendError && err.blocked);
      message = err instanceof SendError ? err.message : 'the webhook could not be sent';
    }
    await this.opts.database.tenant(workspaceId, async (tx) => {
      const now = this.now();
      const { rows } = await sql<StepRow>`
        select id, run_id, path, step_id, type, status, attempts from workflow_run_steps
        where workspace_id = ${workspaceId} and id = ${stepId} and status = 'running' and attempts = ${attempt}
        for update`.execute(tx);
      const step = rows[0];
      if (!step) return; // the lease expired and another attempt took over
      const run = await this.loadRun(tx, workspaceId, step.run_id);
      if (!run) return;
      if (ok) {
        await this.finishStep(tx, workspaceId, step, 'completed', output, now);
        await this.advance(tx, workspaceId, run, nextAfter(run.definition.steps, parsePath(step.path)), now);
        return;
      }
      if (retry && attempt < MAX_WEBHOOK_ATTEMPTS) {
        const backoff = Math.min(3600, 10 * 2 ** (attempt - 1));
        await sql`update workflow_run_steps set status = 'pending', error = ${message},
            wake_at = ${new Date(now.getTime() + backoff * 1000)}, output = ${JSON.stringify(output)}::jsonb
          where workspace_id = ${workspaceId} and id = ${step.id}`.execute(tx);
        return;
      }
      await sql`update workflow_run_steps set output = ${JSON.stringify(output)}::jsonb
        where workspace_id = ${workspaceId} and id = ${step.id}`.execute(tx);
      await this.failStep(tx, workspaceId, { ...step, attempts: attempt - 1 }, run, message, now, false);
    });
  }

  private async loadRun(tx: Tx, workspaceId: string, runId: string): Promise<RunRow | undefined> {
    const { rows } = await sql<RunRow>`
      select r.id, r.workflow_id, w.name, r.object, r.record_id, r.trigger_data, r.status, r.depth, r.run_as_user_id,
        v.definition
      from workflow_runs r
      join workflows w on w.workspace_id = r.workspace_id and w.id = r.workflow_id
      join workflow_versions v on v.workspace_id = r.workspace_id and v.workflow_id = r.workflow_id and v.version = r.version
      where r.workspace_id = ${workspaceId} and r.id = ${runId}
      for update of r`.execute(tx);
    return rows[0];
  }

  private async loadRecord(tx: Tx, actor: Actor, run: RunRow): Promise<RecordData | null> {
    if (!run.object || !run.record_id) return null;
    await sql`savepoint workflow_record`.execute(tx);
    try {
      const record = await this.opts.records.get(tx, actor, run.object, run.record_id);
      await sql`release savepoint workflow_record`.execute(tx);
      return record;
    } catch (err) {
      await sql`rollback to savepoint workflow_record`.execute(tx);
      if (err instanceof AppError) return null;
      throw err;
    }
  }

  private async finishStep(
    tx: Tx,
    workspaceId: string,
    step: StepRow,
    status: 'completed' | 'skipped',
    output: Record<string, unknown> | undefined,
    now: Date,
    countAttempt = false,
  ): Promise<void> {
    await sql`update workflow_run_steps set status = ${status}, finished_at = ${now},
        started_at = coalesce(started_at, ${now}), error = null,
        attempts = attempts + ${countAttempt ? 1 : 0},
        output = coalesce(output, '{}'::jsonb) || ${JSON.stringify(output ?? {})}::jsonb
      where workspace_id = ${workspaceId} and id = ${step.id}`.execute(tx);
  }

  private async failStep(
    tx: Tx,
    workspaceId: string,
    step: StepRow,
    run: RunRow,
    message: string,
    now: Date,
    retry: boolean,
  ): Promise<void> {
    const attempts = step.attempts + 1;
    if (retry) {
      const backoff = Math.min(600, 5 * 2 ** (attempts - 1));
      await sql`update workflow_run_steps set status = 'pending', attempts = ${attempts}, error = ${message},
          started_at = coalesce(started_at, ${now}), wake_at = ${new Date(now.getTime() + backoff * 1000)}
        where workspace_id = ${workspaceId} and id = ${step.id}`.execute(tx);
      return;
    }
    await sql`update workflow_run_steps set status = 'failed', attempts = ${attempts}, error = ${message},
        started_at = coalesce(started_at, ${now}), finished_at = ${now}
      where workspace_id = ${workspaceId} and id = ${step.id}`.execute(tx);
    await sql`update workflow_runs set status = 'failed', finished_at = ${now},
        error = ${`Step "${step.step_id}" failed: ${message}`.slice(0, 2000)}
      where workspace_id = ${workspaceId} and id = ${run.id}`.execute(tx);
  }

  private async finishRun(tx: Tx, workspaceId: string, runId: string, status: string, now: Date): Promise<void> {
    // A run cancelled meanwhile (by hand, or a person leaving a sequence) stays cancelled.
    await sql`update workflow_runs set status = ${status}, finished_at = ${now}
      where workspace_id = ${workspaceId} and id = ${runId} and status in ('running', 'waiting')`.execute(tx);
    if (status === 'completed') await settleEnrolment(tx, workspaceId, runId, 'completed', null, now);
    else if (status === 'skipped') {
      await settleEnrolment(tx, workspaceId, runId, 'exited', 'the record is gone or did not meet the conditions', now);
    }
  }

  /** Writes the next step's row (due now), or completes the run when there is none. */
  private async advance(tx: Tx, workspaceId: string, run: RunRow, next: StepPath | undefined, now: Date) {
    const s = next ? stepAt(run.definition.steps, next) : undefined;
    if (!next || !s) {
      await this.finishRun(tx, workspaceId, run.id, 'completed', now);
      return;
    }
    await sql`insert into workflow_run_steps (workspace_id, id, run_id, path, step_id, type, wake_at)
      values (${workspaceId}, ${uuidv7()}, ${run.id}, ${pathKey(next)}, ${s.id}, ${s.type}, ${now})
      on conflict (workspace_id, run_id, path) do nothing`.execute(tx);
    await sql`update workflow_runs set status = 'running'
      where workspace_id = ${workspaceId} and id = ${run.id} and status in ('running', 'waiting')`.execute(tx);
  }
}
