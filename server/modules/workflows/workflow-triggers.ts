import { CronExpressionParser } from 'cron-parser';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import type { FilterNode } from '../../../common/filter';
import type { Database, Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { StoredEvent } from '../../platform/events/events';
import { isTriggerEvent } from '../../platform/events/trigger-events';
import { Poller } from '../../platform/jobs/poller';
import type { RecordService } from '../../platform/records/records.service';
import type { Definition, Trigger } from './workflow-definition';
import { createRun, runAsActor } from './workflow-runs';

interface ActiveFlow {
  workspace_id: string;
  id: string;
  version: number;
  run_as_user_id: string | null;
  activated_at: Date;
  definition: Definition;
}

const RECORD_TRIGGERS = ['record_created', 'field_changed', 'stage_moved'];

const same = (a: unknown, b: unknown): boolean => {
  const norm = (v: unknown) => (v === undefined || v === '' ? null : typeof v === 'string' ? v.toLowerCase() : v);
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
};

/** Whether a record event fires a record trigger. */
export function eventFires(trigger: Trigger, event: StoredEvent): boolean {
  if (trigger.type === 'record_created') return event.type.endsWith('.created');
  if (trigger.type !== 'field_changed' && trigger.type !== 'stage_moved') return false;
  if (!event.type.endsWith('.updated')) return false;
  const changes = (event.data.changes ?? {}) as Record<string, [unknown, unknown]>;
  const change = changes[trigger.field];
  if (!change) return false;
  if (trigger.from !== undefined && !same(change[0], trigger.from)) return false;
  if (trigger.to !== undefined && !same(change[1], trigger.to)) return false;
  return true;
}

/**
 * Record events → runs. Runs in the event dispatcher's system transaction with the
 * cursor advance, and each run is unique per (workflow version, event): a redelivered
 * event starts nothing twice. Changes a workflow's own run made (its transaction is
 * marked in workflow_tx_marks) never trigger that workflow again; chains through other
 * workflows stop at MAX_RUN_DEPTH, and a rate guard caps runs per record and hour.
 */
export function workflowTriggerConsumer(deps: { now: () => Date; log: Logger }): EventConsumer {
  return {
    name: 'workflows',
    async handle(tx, events) {
      const started = await startEventRuns(tx, events, deps);
      const recordEvents = events.filter((e) => e.object && e.recordId && /\.(created|updated)$/.test(e.type));
      if (recordEvents.length === 0) return started ? undefined : 'nothing-written';
      const ws = recordEvents.map((e) => e.workspaceId);
      const objs = recordEvents.map((e) => e.object as string);
      const { rows: flows } = await sql<ActiveFlow & { object: string }>`
        select w.workspace_id, w.id, w.active_version as version, w.run_as_user_id, w.activated_at, v.definition, v.object
        from workflows w
        join workflow_versions v on v.workspace_id = w.workspace_id and v.workflow_id = w.id and v.version = w.active_version
        where w.active_version is not null and w.deleted_at is null
          and v.trigger_type in (${sql.join(RECORD_TRIGGERS)})
          and (w.workspace_id, v.object) in (select * from unnest(${ws}::uuid[], ${objs}::text[]))`.execute(tx);
      if (flows.length === 0) return started ? undefined : 'nothing-written';
      const { rows: marks } = await sql<{ id: string; workflow_id: string; depth: number }>`
        select e.id, m.workflow_id, m.depth from events e
        join workflow_tx_marks m on m.workspace_id = e.workspace_id and m.tx = e.tx
        where (e.workspace_id, e.id) in (select * from unnest(${ws}::uuid[], ${recordEvents.map((e) => e.id)}::uuid[]))`.execute(
        tx,
      );
      const causes = new Map(marks.map((m) => [m.id, m]));
      for (const event of recordEvents) {
        for (const flow of flows) {
          if (flow.workspace_id !== event.workspaceId || flow.object !== event.object) continue;
          if (!eventFires(flow.definition.trigger, event)) continue;
          const cause = causes.get(event.id);
          if (cause?.workflow_id === flow.id) continue; // its own change: loop guard
          const result = await createRun(tx, {
            workspaceId: event.workspaceId,
            workflowId: flow.id,
            version: flow.version,
            triggerKey: `event:${event.id}`,
            triggerType: flow.definition.trigger.type,
            triggerData: { eventId: event.id, type: event.type, changes: event.data.changes ?? null },
            object: event.object,
            recordId: event.recordId,
            depth: cause ? cause.depth + 1 : 0,
            runAsUserId: flow.run_as_user_id,
            now: deps.now(),
          });
          if ('skipped' in result && result.skipped !== 'duplicate') {
            deps.log.warn(
              { workflowId: flow.id, recordId: event.recordId, reason: result.skipped },
              'workflow run not started',
            );
          }
        }
      }
    },
  };
}

/**
 * `{ type: "event", event }` triggers: any event of that exact type about one record
 * (object + recordId, e.g. segment.entered) starts a run on that record, once per
 * (workflow version, event). Whether the run-as user may read the record is checked by
 * the run's first step like every run's. Returns whether a run was written.
 */
async function startEventRuns(tx: Tx, events: StoredEvent[], deps: { now: () => Date; log: Logger }): Promise<boolean> {
  const about = events.filter((e) => e.object && e.recordId && isTriggerEvent(e.type));
  if (about.length === 0) return false;
  const { rows: flows } = await sql<ActiveFlow & { object: string | null }>`
    select w.workspace_id, w.id, w.active_version as version, w.run_as_user_id, w.activated_at, v.definition, v.object
    from workflows w
    join workflow_versions v on v.workspace_id = w.workspace_id and v.workflow_id = w.id and v.version = w.active_version
    where w.active_version is not null and w.deleted_at is null and v.trigger_type = 'event'
      and (w.workspace_id, v.definition -> 'trigger' ->> 'event') in
        (select * from unnest(${about.map((e) => e.workspaceId)}::uuid[], ${about.map((e) => e.type)}::text[]))`.execute(
    tx,
  );
  let wrote = false;
  for (const event of about) {
    for (const flow of flows) {
      const trigger = flow.definition.trigger;
      if (flow.workspace_id !== event.workspaceId || trigger.type !== 'event' || trigger.event !== event.type) continue;
      if (flow.object && flow.object !== event.object) continue;
      const result = await createRun(tx, {
        workspaceId: event.workspaceId,
        workflowId: flow.id,
        version: flow.version,
        triggerKey: `event:${event.id}`,
        triggerType: 'event',
        triggerData: { eventId: event.id, type: event.type, data: event.data },
        object: event.object,
        recordId: event.recordId,
        depth: 0,
        runAsUserId: flow.run_as_user_id,
        now: deps.now(),
      });
      if ('id' in result) wrote = true;
      else if (result.skipped !== 'duplicate') {
        deps.log.warn(
          { workflowId: flow.id, recordId: event.recordId, reason: result.skipped },
          'workflow run not started',
        );
      }
    }
  }
  return wrote;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * Date-relative and scheduled triggers: a periodic, idempotent scan. Each run's
 * trigger key names the record and the due date (or the schedule's tick), so a
 * rescan, a second app server or a restart starts nothing twice. Only moments after
 * the version was activated fire (no flood of past dates), looking back at most 7 days.
 */
export class WorkflowScheduler {
  private readonly loop: Poller;

  constructor(
    private readonly opts: {
      database: Database;
      records: RecordService;
      log: Logger;
      now: () => Date;
      intervalMs?: number;
    },
  ) {
    // A loop rather than a cron job: the scan's tick is not a cron expression but
    // `intervalMs`, which tests and the crash test shorten.
    this.loop = new Poller({
      name: 'workflow schedule scan',
      intervalMs: opts.intervalMs ?? 20_000,
      firstDelayMs: 1000,
      run: async () => {
        await this.scan();
      },
      log: opts.log,
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One scan of every active date and schedule workflow; returns how many runs it started. */
  async scan(): Promise<number> {
    // Loop-guard marks are only needed until their events are consumed (seconds); keep a day.
    await sql`delete from workflow_tx_marks where created_at < ${new Date(this.opts.now().getTime() - 86_400_000)}`.execute(
      this.opts.database.db,
    );
    const { rows } = await sql<ActiveFlow>`
      select w.workspace_id, w.id, w.active_version as version, w.run_as_user_id, w.activated_at, v.definition
      from workflows w
      join workflow_versions v on v.workspace_id = w.workspace_id and v.workflow_id = w.id and v.version = w.active_version
      where w.active_version is not null and w.deleted_at is null
        and v.trigger_type in ('date_reached', 'schedule')`.execute(this.opts.database.db);
    let started = 0;
    for (const flow of rows) {
      try {
        started += await this.opts.database.tenant(flow.workspace_id, (tx) => this.scanOne(tx, flow));
      } catch (err) {
        this.opts.log.warn({ err, workflowId: flow.id }, 'workflow trigger scan failed');
      }
    }
    return started;
  }

  private async scanOne(tx: Tx, flow: ActiveFlow): Promise<number> {
    const now = this.opts.now();
    const actor = await runAsActor(tx, flow.workspace_id, flow.run_as_user_id);
    if (!actor) return 0;
    const trigger = flow.definition.trigger;
    const since = new Date(Math.max(new Date(flow.activated_at).getTime(), now.getTime() - 7 * 86_400_000));
    const base = {
      workspaceId: flow.workspace_id,
      workflowId: flow.id,
      version: flow.version,
      triggerType: trigger.type,
      runAsUserId: flow.run_as_user_id,
      now,
    };
    let started = 0;
    const enrol = async (
      object: string,
      filter: FilterNode | undefined,
      key: (r: Record<string, unknown>) => string,
    ) => {
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const res = await this.opts.records.list(tx, actor, object, { filter, limit: 500, cursor });
        for (const r of res.data) {
          const created = await createRun(tx, {
            ...base,
            triggerKey: key(r),
            object,
            recordId: r.id as string,
            triggerData: {},
          });
          if ('id' in created) started++;
        }
        if (!res.page.nextCursor) break;
        cursor = res.page.nextCursor;
      }
    };
    if (trigger.type === 'date_reached') {
      const ctx = await this.opts.records.context(tx, actor, trigger.object, 'read');
      const type = ctx.schema.field(trigger.field)?.def.type;
      const off = trigger.offsetDays * 86_400_000;
      let range: FilterNode;
      if (type === 'date') {
        const [h, m] = trigger.atTime.split(':').map(Number) as [number, number];
        const shift = off + (h * 60 + m) * 60_000;
        range = {
          and: [
            { field: trigger.field, op: 'gt', value: day(new Date(since.getTime() - shift)) },
            { field: trigger.field, op: 'lte', value: day(new Date(now.getTime() - shift)) },
          ],
        };
      } else {
        range = {
          and: [
            { field: trigger.field, op: 'gt', value: new Date(since.getTime() - off).toISOString() },
            { field: trigger.field, op: 'lte', value: new Date(now.getTime() - off).toISOString() },
          ],
        };
      }
      await enrol(trigger.object, range, (r) => `date:${r.id}:${String(r[trigger.field])}`);
    } else if (trigger.type === 'schedule') {
      const tick = CronExpressionParser.parse(trigger.cron, { currentDate: new Date(now.getTime() + 1), tz: 'UTC' })
        .prev()
        .toDate();
      if (tick.getTime() < since.getTime()) return 0;
      const key = `schedule:${tick.toISOString()}`;
      if (trigger.object) {
        await enrol(trigger.object, flow.definition.conditions, (r) => `${key}:${r.id}`);
      } else {
        const created = await createRun(tx, {
          ...base,
          triggerKey: key,
          triggerData: { scheduledAt: tick.toISOString() },
        });
        if ('id' in created) started++;
      }
    }
    return started;
  }
}
