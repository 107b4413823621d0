import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import { Poller } from '../../platform/jobs/poller';
import { notify } from '../../platform/notifications/notify';
import type { RecordService } from '../../platform/records/records.service';
import { systemActor } from './ticket-messages.service';

export interface SlaSweeperOptions {
  database: Database;
  records: RecordService;
  log?: Logger;
  /** Injectable clock (tests). */
  clock?: () => Date;
  intervalMs?: number;
  batchSize?: number;
  /** The share of a target's time after which it warns (default 0.8: at 80%). */
  warnAt?: number;
}

interface Due {
  workspace_id: string;
  id: string;
  number: number;
  subject: string;
  sla_policy_id: string | null;
  assignee_id: string | null;
  target: 'first_response' | 'next_response' | 'resolution';
  due_at: Date;
  kind: 'warning' | 'breached';
}

/**
 * Watches the running SLA clocks: a target (first response, next response, resolution)
 * past `warnAt` of its time emits `sla.warning`, one past its due time `sla.breached` and
 * sets the ticket's slaBreached; each once per ticket, target and due time (sla_events'
 * key), so redone sweeps and several app servers change nothing twice. Paused (pending)
 * and solved tickets are not watched. The time a target runs from is the ticket's
 * creation (the customer's latest mail for a next response).
 */
export class SlaSweeper {
  private readonly clock: () => Date;
  // The sla_events rows are the work's log: a loop, not a job.
  private readonly loop: Poller;

  constructor(private readonly opts: SlaSweeperOptions) {
    this.clock = opts.clock ?? (() => new Date());
    const batch = opts.batchSize ?? 200;
    this.loop = new Poller({
      name: 'sla sweep',
      intervalMs: opts.intervalMs ?? 30_000,
      firstDelayMs: opts.intervalMs ?? 30_000,
      run: async () => (await this.sweep()) >= batch,
      log: opts.log ?? { warn: () => {} },
    });
  }

  /** One sweep at `now`: records and emits what is due; returns how many warnings and breaches. */
  async sweep(now: Date = this.clock()): Promise<number> {
    const batch = this.opts.batchSize ?? 200;
    const lead = 1 - (this.opts.warnAt ?? 0.8);
    const { rows } = await this.opts.database.system((tx) =>
      sql<Due>`
      select t.workspace_id, t.id, t.number, t.subject, t.sla_policy_id, t.assignee_id, x.target, x.due_at,
        case when x.due_at <= ${now} then 'breached' else 'warning' end as kind
      from tickets t
      cross join lateral (values
        ('first_response', case when t.first_responded_at is null then t.first_response_due_at end, t.created_at),
        ('next_response', t.next_response_due_at, coalesce((select max(m.created_at) from ticket_messages m
          where m.workspace_id = t.workspace_id and m.ticket_id = t.id and m.kind = 'inbound'), t.created_at)),
        ('resolution', t.resolution_due_at, t.created_at)
      ) as x(target, due_at, started_at)
      where t.deleted_at is null and t.sla_policy_id is not null and t.status not in ('solved', 'closed')
        and t.sla_paused_at is null and x.due_at is not null
        and x.due_at - greatest(x.due_at - x.started_at, interval '0') * ${lead}::float8 <= ${now}
        and not exists (select 1 from sla_events e
          where e.workspace_id = t.workspace_id and e.ticket_id = t.id and e.target = x.target and e.due_at = x.due_at
            and e.kind = case when x.due_at <= ${now} then 'breached' else 'warning' end)
      order by x.due_at
      limit ${batch}`.execute(tx),
    );
    const byWorkspace = new Map<string, Due[]>();
    for (const r of rows) byWorkspace.set(r.workspace_id, [...(byWorkspace.get(r.workspace_id) ?? []), r]);
    let done = 0;
    for (const [workspaceId, dues] of byWorkspace) {
      done += await this.opts.database.tenant(workspaceId, async (tx) => {
        let n = 0;
        const sys = systemActor(workspaceId);
        for (const d of dues) {
          const { rows: added } =
            await sql`insert into sla_events (workspace_id, ticket_id, target, kind, due_at, at, policy_id)
            values (${workspaceId}, ${d.id}, ${d.target}, ${d.kind}, ${d.due_at}, ${now}, ${d.sla_policy_id}::uuid)
            on conflict do nothing returning 1`.execute(tx);
          if (!added[0]) continue;
          n++;
          const dueAt = new Date(d.due_at).toISOString();
          await emitEvent(tx, sys, {
            type: `sla.${d.kind}`,
            object: 'tickets',
            recordId: d.id,
            data: { ticketId: d.id, number: Number(d.number), target: d.target, dueAt, policyId: d.sla_policy_id },
          });
          if (d.kind === 'breached')
            await this.opts.records.systemWrite(tx, sys, 'tickets', d.id, { slaBreached: true });
          if (d.assignee_id) {
            const what = d.target.replace('_', ' ');
            await notify(tx, {
              workspaceId,
              userId: d.assignee_id,
              kind: 'sla',
              title:
                d.kind === 'breached'
                  ? `SLA breached: ${what} on ticket #${d.number} was due ${dueAt}`
                  : `SLA warning: ${what} on ticket #${d.number} is due ${dueAt}`,
              body: d.subject,
              object: 'tickets',
              recordId: d.id,
              dedupeKey: `sla:${d.id}:${d.target}:${d.kind}:${dueAt}`,
            });
          }
        }
        return n;
      });
    }
    return done;
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }
}
