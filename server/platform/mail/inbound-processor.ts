import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../db/database';
import { Poller } from '../jobs/poller';
import type { RecordService } from '../records/records.service';
import type { InboundMail, InboundMailHandler } from './inbound-mail';
import { DEFAULT_PARSE_LIMITS, type InboundParseLimits, parseInboundMail } from './inbound-parse';

export interface InboundProcessorOptions {
  database: Database;
  records: RecordService;
  log: Logger;
  /** The modules' handlers (each module's `inboundMail`), by mailbox kind. */
  handlers: readonly InboundMailHandler[];
  pollMs?: number;
  /** Attempts before a message is marked failed. */
  maxAttempts?: number;
  parseLimits?: InboundParseLimits;
  clock?: () => Date;
}

/** What one round did with each message it took. */
export type InboundOutcome = 'processed' | 'retry' | 'failed' | 'refused' | 'unhandled' | 'skipped';

interface StoredRow {
  workspace_id: string;
  id: string;
  mailbox_id: string | null;
  mailbox_address: string | null;
  kind: string | null;
  envelope_from: string;
  recipient: string;
  raw: Buffer | Uint8Array;
  received_at: Date | string;
  attempts: number;
}

/**
 * Hands stored inbound mail (`inbound_mail`, written by the receiver) to the module owning
 * its mailbox's kind, exactly once: the handler runs in the workspace's transaction, which
 * locks the row, re-checks it is pending and marks it processed, so its writes and the
 * status change commit together (another process skips the locked row). A handler error
 * rolls back and the message is retried with back-off (1 min, 2, 4 … capped at 1 h),
 * then marked failed; a message that is not parseable mail is marked refused; one whose
 * kind no module handles, unhandled (logged). A Poller, woken by the receiver.
 */
export class InboundProcessor {
  /** The handlers by mailbox kind (tests may add their own). */
  readonly handlers = new Map<string, InboundMailHandler>();
  private readonly loop: Poller;
  private readonly maxAttempts: number;

  constructor(private readonly opts: InboundProcessorOptions) {
    for (const h of opts.handlers) this.handlers.set(h.kind, h);
    this.maxAttempts = opts.maxAttempts ?? 8;
    this.loop = new Poller({
      name: 'inbound mail',
      intervalMs: opts.pollMs ?? 2000,
      run: () => this.runOnce().then((n) => n.length >= 20),
      log: opts.log,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Runs a round now (new mail was stored). */
  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private now(): Date {
    return (this.opts.clock ?? (() => new Date()))();
  }

  /** Handles the messages due now (at most `limit`); what happened to each. */
  async runOnce(limit = 20): Promise<InboundOutcome[]> {
    const { rows } = await sql<{ workspace_id: string; id: string }>`
      select workspace_id, id from inbound_mail
      where status = 'pending' and next_attempt_at <= greatest(${this.now()}::timestamptz, now())
      order by next_attempt_at, id limit ${limit}`.execute(this.opts.database.db);
    const outcomes: InboundOutcome[] = [];
    for (const row of rows) outcomes.push(await this.processOne(row.workspace_id, row.id));
    return outcomes;
  }

  /** Handles one stored message if it is still pending. */
  async processOne(workspaceId: string, id: string): Promise<InboundOutcome> {
    const { database, log } = this.opts;
    const { rows } = await sql<StoredRow>`
      select i.workspace_id, i.id, i.mailbox_id, m.address as mailbox_address, m.kind, i.envelope_from, i.recipient, i.raw,
        i.received_at, i.attempts
      from inbound_mail i
      left join mailboxes m on m.workspace_id = i.workspace_id and m.id = i.mailbox_id
      where i.workspace_id = ${workspaceId}::uuid and i.id = ${id}::uuid and i.status = 'pending'`.execute(database.db);
    const stored = rows[0];
    if (!stored) return 'skipped';

    const handler = stored.kind ? this.handlers.get(stored.kind) : undefined;
    if (!handler || !stored.mailbox_id || !stored.mailbox_address || !stored.kind) {
      await this.settle(stored, 'unhandled', stored.kind ? `no module handles ${stored.kind} mail` : 'mailbox deleted');
      log.warn({ inboundMailId: id, workspaceId, kind: stored.kind }, 'inbound mail stored but unhandled');
      return 'unhandled';
    }

    let mail: InboundMail;
    try {
      const parsed = await parseInboundMail(
        Buffer.from(stored.raw),
        stored.envelope_from,
        this.opts.parseLimits ?? DEFAULT_PARSE_LIMITS,
      );
      mail = {
        ...parsed,
        id: stored.id,
        workspaceId,
        mailbox: { id: stored.mailbox_id, address: stored.mailbox_address, kind: stored.kind },
        recipient: stored.recipient,
        envelopeFrom: stored.envelope_from,
        raw: Buffer.from(stored.raw),
        receivedAt: new Date(stored.received_at),
      };
    } catch (err) {
      await this.settle(stored, 'refused', `not parseable: ${(err as Error).message}`);
      log.warn({ inboundMailId: id, workspaceId }, 'inbound mail refused: not parseable');
      return 'refused';
    }

    try {
      const done = await database.tenant(workspaceId, async (tx) => {
        const locked = await sql`
          select id from inbound_mail where id = ${id}::uuid and status = 'pending'
          for update skip locked`.execute(tx);
        if (locked.rows.length === 0) return false;
        await handler.handle(tx, mail, { records: this.opts.records, database });
        await sql`
          update inbound_mail set status = 'processed', attempts = attempts + 1, processed_at = ${this.now()},
            error = null
          where id = ${id}::uuid`.execute(tx);
        return true;
      });
      return done ? 'processed' : 'skipped';
    } catch (err) {
      const attempts = stored.attempts + 1;
      const last = attempts >= this.maxAttempts;
      const backoff = Math.min(3600, 60 * 2 ** (attempts - 1));
      await sql`
        update inbound_mail set attempts = ${attempts},
          status = ${last ? 'failed' : 'pending'},
          next_attempt_at = ${this.now()}::timestamptz + make_interval(secs => ${backoff}),
          error = ${String((err as Error).message ?? err).slice(0, 1000)}
        where workspace_id = ${workspaceId}::uuid and id = ${id}::uuid and status = 'pending'`.execute(database.db);
      log.warn({ err, inboundMailId: id, workspaceId, attempts }, 'inbound mail handler failed');
      return last ? 'failed' : 'retry';
    }
  }

  private async settle(stored: StoredRow, status: 'refused' | 'unhandled', error: string): Promise<void> {
    await sql`
      update inbound_mail set status = ${status}, processed_at = ${this.now()}, error = ${error.slice(0, 1000)}
      where workspace_id = ${stored.workspace_id}::uuid and id = ${stored.id}::uuid and status = 'pending'`.execute(
      this.opts.database.db,
    );
  }
}
