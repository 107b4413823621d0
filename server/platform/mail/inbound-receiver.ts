import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../db/database';
import { CONTROL_CHARS, rawMessageId } from './inbound-parse';
import { findMailbox } from './mailboxes.service';

export interface InboundReceiverLimits {
  /** Largest message accepted (advertised as SIZE; larger ones get 552). */
  maxMessageBytes: number;
  /** Messages one envelope sender may send per minute (then 451, try later). */
  messagesPerSenderPerMinute: number;
  /** Connections one IP address may open per minute (then 421). */
  connectionsPerIpPerMinute: number;
  /** Refused recipients one IP address may try per minute (then 421: no guessing addresses). */
  unknownRecipientsPerIpPerMinute: number;
  /** Simultaneous connections. */
  maxClients: number;
  /** Mailboxes one message may be addressed to (then 452 for the rest). */
  maxRecipients: number;
}

export const DEFAULT_RECEIVER_LIMITS: InboundReceiverLimits = {
  maxMessageBytes: 25 * 1024 * 1024,
  messagesPerSenderPerMinute: 60,
  connectionsPerIpPerMinute: 300,
  unknownRecipientsPerIpPerMinute: 30,
  maxClients: 100,
  maxRecipients: 50,
};

export interface InboundReceiverOptions {
  database: Database;
  host: string;
  /** 0: any free port (tests; read `port` after start). */
  port: number;
  /** The installation's mail domain (default support addresses). */
  mailDomain: string;
  log: Logger;
  limits?: Partial<InboundReceiverLimits>;
  /** Called after messages were stored (the processor wakes up). */
  onStored?: () => void;
}

/** An SMTP reply the client sees. */
const reply = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

/** Counts events per key in one-minute windows (per process: a backstop, not an accounting). */
class WindowCounter {
  private readonly counts = new Map<string, { start: number; n: number }>();
  constructor(private readonly limit: number) {}
  /** Counts one more for `key`; false when over the limit. */
  hit(key: string, now = Date.now()): boolean {
    let c = this.counts.get(key);
    if (!c || now - c.start >= 60_000) {
      if (this.counts.size > 10_000) this.counts.clear();
      c = { start: now, n: 0 };
      this.counts.set(key, c);
    }
    c.n++;
    return c.n <= this.limit;
  }
  /** Whether `key` is already over the limit (counts nothing). */
  over(key: string, now = Date.now()): boolean {
    const c = this.counts.get(key);
    return !!c && now - c.start < 60_000 && c.n >= this.limit;
  }
}

interface Mailbox {
  id: string;
  workspaceId: string;
  address: string;
  kind: string;
}

/** Per connection: the mailboxes its RCPT commands resolved, by lower-case address. */
const sessionMailboxes = new WeakMap<SMTPServerSession, Map<string, Mailbox>>();

/**
 * The inbound SMTP receiver: accepts mail for the workspaces' active mailboxes only (550
 * for any other recipient, the same answer whatever the reason), stores each message once
 * per mailbox in `inbound_mail` BEFORE answering 250, and leaves the handling to the
 * inbound processor. No AUTH (it is a mail exchanger, not a submission server), no
 * STARTTLS (put a TLS-terminating MTA in front when mail crosses the internet).
 */
export class InboundReceiver {
  private readonly server: SMTPServer;
  private readonly limits: InboundReceiverLimits;
  private readonly perSender: WindowCounter;
  private readonly perIp: WindowCounter;
  private readonly refusals: WindowCounter;
  private listening = false;

  constructor(private readonly opts: InboundReceiverOptions) {
    this.limits = { ...DEFAULT_RECEIVER_LIMITS, ...opts.limits };
    this.perSender = new WindowCounter(this.limits.messagesPerSenderPerMinute);
    this.perIp = new WindowCounter(this.limits.connectionsPerIpPerMinute);
    this.refusals = new WindowCounter(this.limits.unknownRecipientsPerIpPerMinute);
    this.server = new SMTPServer({
      name: opts.mailDomain,
      banner: 'Rapport inbound mail',
      disabledCommands: ['AUTH', 'STARTTLS'],
      authOptional: true,
      hideSTARTTLS: true,
      // A reverse DNS lookup per connection only slows every delivery (and stalls without DNS).
      disableReverseLookup: true,
      size: this.limits.maxMessageBytes,
      maxClients: this.limits.maxClients,
      socketTimeout: 60_000,
      closeTimeout: 5_000,
      logger: false,
      onConnect: (session, cb) => {
        if (!this.perIp.hit(session.remoteAddress)) {
          return cb(reply(421, 'Too many connections from your address, try again later'));
        }
        cb();
      },
      onMailFrom: (address, session, cb) => {
        const sender = (address.address || '<>').toLowerCase();
        if (!this.perSender.hit(`${session.remoteAddress}|${sender}`)) {
          return cb(reply(451, '4.7.1 Too many messages from this sender, try again later'));
        }
        sessionMailboxes.set(session, new Map());
        cb();
      },
      onRcptTo: (address, session, cb) => {
        this.recipient(address, session).then(
          () => cb(),
          (err) => cb(err),
        );
      },
      onData: (stream, session, cb) => {
        this.data(stream, session).then(
          () => cb(),
          (err) => cb(err),
        );
      },
    });
    this.server.on('error', (err) => opts.log.warn({ err }, 'inbound SMTP connection error'));
  }

  /** Starts listening (resolves once bound). */
  async start(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.server.once('error', onError);
      this.server.listen(this.opts.port, this.opts.host, () => {
        this.server.server.off('error', onError);
        resolve();
      });
    });
    this.listening = true;
    this.opts.log.info({ host: this.opts.host, port: this.port }, 'inbound SMTP receiver listening');
  }

  /** The port it listens on (after start). */
  get port(): number {
    return (this.server.server.address() as AddressInfo | null)?.port ?? this.opts.port;
  }

  /** Stops accepting connections and waits for open ones to end (a message being stored finishes first). */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async recipient(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const mailboxes = sessionMailboxes.get(session) ?? new Map<string, Mailbox>();
    sessionMailboxes.set(session, mailboxes);
    if (mailboxes.size >= this.limits.maxRecipients) throw reply(452, '4.5.3 Too many recipients');
    if (this.refusals.over(session.remoteAddress)) {
      throw reply(421, '4.7.0 Too many unknown recipients from your address, try again later');
    }
    const lower = address.address.trim().toLowerCase();
    let mailbox: Mailbox | null;
    try {
      mailbox = await findMailbox(this.opts.database.db, lower, this.opts.mailDomain);
    } catch (err) {
      this.opts.log.warn({ err }, 'inbound mailbox lookup failed');
      throw reply(451, '4.3.0 Temporary failure, try again later');
    }
    if (!mailbox) {
      this.refusals.hit(session.remoteAddress);
      throw reply(550, '5.1.1 No such mailbox here');
    }
    mailboxes.set(lower, mailbox);
  }

  private async data(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    let size = 0;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        // Past the limit the rest is drained, not kept (smtp-server flags sizeExceeded).
        if (size <= this.limits.maxMessageBytes) chunks.push(chunk);
      });
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    if (stream.sizeExceeded || size > this.limits.maxMessageBytes) {
      throw reply(552, `5.3.4 Message too big (the limit is ${this.limits.maxMessageBytes} bytes)`);
    }
    const raw = Buffer.concat(chunks, size);
    const wanted = sessionMailboxes.get(session) ?? new Map<string, Mailbox>();
    const rcpt = new Set(session.envelope.rcptTo.map((a) => a.address.trim().toLowerCase()));
    // One row per mailbox (two addresses of one mailbox are one delivery).
    // The address as the envelope gave it is kept: a VERP bounce address names the mail that bounced.
    const targets = new Map<string, Mailbox & { recipient: string }>();
    for (const [address, mailbox] of wanted) {
      if (rcpt.has(address) && !targets.has(mailbox.id)) targets.set(mailbox.id, { ...mailbox, recipient: address });
    }
    if (targets.size === 0) throw reply(554, '5.5.1 No valid recipients');
    const messageId = rawMessageId(raw);
    const from = session.envelope.mailFrom
      ? session.envelope.mailFrom.address.toLowerCase().replace(CONTROL_CHARS, '').slice(0, 320)
      : '';
    try {
      await this.opts.database.system(async (tx) => {
        for (const m of targets.values()) {
          await sql`
            insert into inbound_mail (workspace_id, id, mailbox_id, recipient, envelope_from, remote_address,
              message_id, raw, size)
            values (${m.workspaceId}::uuid, ${uuidv7()}::uuid, ${m.id}::uuid, ${m.recipient}, ${from},
              ${session.remoteAddress ?? null}, ${messageId}, ${raw}, ${raw.length})
            on conflict (workspace_id, mailbox_id, message_id) where message_id is not null do nothing`.execute(tx);
        }
      });
    } catch (err) {
      this.opts.log.warn({ err, size: raw.length }, 'inbound mail could not be stored; the sender will retry');
      throw reply(451, '4.3.0 Temporary failure, try again later');
    }
    this.opts.onStored?.();
  }
}
