import { Readable } from 'node:stream';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

/**
 * Outgoing SMTP over several kept connections ("lanes") without widening the crash window.
 *
 * A mail's fate is unknown to the sender only between the end of its data (the final
 * "." that makes the server accept it) and the moment its acceptance is recorded (the
 * outbox row marked sent): a crash in between sends it again after the lease. Each lane
 * connects, sends MAIL FROM, RCPT TO and DATA and streams the whole message in parallel
 * with the others, then waits for the **commit lock**: one lane at a time ends its data,
 * reads the server's answer and runs `accepted` (the caller's durable mark), then passes
 * the lock on. So however many connections there are, at most one mail per process is
 * ever in that window — the same guarantee as one connection — while the round trips and
 * the transfer of the others overlap with it.
 *
 * Messages are composed by nodemailer exactly as its own transports compose them (this is
 * a nodemailer transport); only the connection handling is ours.
 */
export class SmtpLanes {
  private readonly options: ReturnType<typeof parseConnectionUrl>;
  private readonly lanes: Lane[];
  private readonly idle: Lane[];
  private readonly waiting: ((lane: Lane) => void)[] = [];
  /** The commit lock: a chain of promises, each lane's turn after the one before it. */
  private lockTail: Promise<void> = Promise.resolve();
  readonly mailer: Transporter;
  /** Keep each connection for the next mail (`?pool=false` in the URL: a new connection per mail). */
  private readonly keep: boolean;

  constructor(smtpUrl: string, connections: number) {
    this.options = parseConnectionUrl(smtpUrl);
    // The URL's own maxConnections wins (as it did with nodemailer's pool).
    const n = Math.max(1, Math.floor(Number(this.options.maxConnections ?? connections) || 1));
    this.keep = this.options.pool !== false;
    this.lanes = Array.from({ length: n }, () => new Lane(this.options));
    this.idle = [...this.lanes];
    this.mailer = nodemailer.createTransport({
      name: 'rapport-smtp-lanes',
      version: '1',
      send: (mail, callback) => {
        const accepted = (mail.data as { [ACCEPTED]?: () => Promise<void> })[ACCEPTED];
        mail.message.build((err, raw) => {
          if (err) {
            callback(err, undefined as never);
            return;
          }
          this.deliver(mail.message.getEnvelope(), raw, accepted ?? (async () => {})).then(
            (info) => callback(null, info as never),
            (e: Error) => callback(e, undefined as never),
          );
        });
      },
    });
  }

  /** How many connections mails go over at once. */
  get size(): number {
    return this.lanes.length;
  }

  /**
   * Sends one mail (nodemailer's options); `accepted` runs once the server accepted it,
   * before the next mail of any lane may end its data. Rejects when it was not accepted
   * (then `accepted` did not run).
   */
  async send(mail: SendMailOptions, accepted: () => Promise<void>): Promise<void> {
    await this.mailer.sendMail({ ...mail, [ACCEPTED]: accepted } as SendMailOptions);
  }

  close(): void {
    for (const lane of this.lanes) lane.close();
    this.mailer.close();
  }

  private async deliver(envelope: Envelope, raw: Buffer, accepted: () => Promise<void>): Promise<unknown> {
    const lane = this.idle.pop() ?? (await new Promise<Lane>((resolve) => this.waiting.push(resolve)));
    try {
      return await lane.send(envelope, raw, () => this.takeLock(), accepted);
    } finally {
      if (!this.keep) lane.close();
      const next = this.waiting.shift();
      if (next) next(lane);
      else this.idle.push(lane);
    }
  }

  /** Waits for the commit lock; resolves with its release. */
  private takeLock(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const turn = this.lockTail.then(() => release);
    this.lockTail = this.lockTail.then(() => held);
    return turn;
  }
}

/** nodemailer's options key carrying a mail's `accepted` callback to the transport. */
const ACCEPTED = '__rapportAccepted';

type Envelope = { from: string | false; to: string[] };

/** One kept SMTP connection, (re)opened when needed. */
class Lane {
  private connection: SMTPConnection | null = null;
  private sent = 0;

  constructor(private readonly options: ReturnType<typeof parseConnectionUrl>) {}

  private async open(): Promise<SMTPConnection> {
    if (this.connection) return this.connection;
    const connection = new SMTPConnection(this.options);
    const forget = () => {
      if (this.connection === connection) this.connection = null;
    };
    // An error or the server closing the connection: the next mail opens a new one (a mail
    // in flight gets the error from its send callback).
    connection.on('error', forget);
    connection.once('end', forget);
    await new Promise<void>((resolve, reject) => {
      // A refused connection is reported as an 'error' event, not always to connect's callback.
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        connection.close();
        reject(err);
      };
      connection.once('error', fail);
      connection.once('end', () => fail(new Error('the SMTP server closed the connection')));
      connection.connect((err) => {
        if (err) fail(err);
        else if (!settled) {
          settled = true;
          resolve();
        }
      });
    });
    const auth = this.options.auth as { user?: string; pass?: string } | undefined;
    if (auth && (auth.user || auth.pass) && connection.allowsAuth) {
      await new Promise<void>((resolve, reject) =>
        connection.login({ credentials: { user: auth.user ?? '', pass: auth.pass ?? '' } } as never, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    }
    this.connection = connection;
    this.sent = 0;
    return connection;
  }

  close(): void {
    const c = this.connection;
    this.connection = null;
    c?.close();
  }

  async send(
    envelope: Envelope,
    raw: Buffer,
    lock: () => Promise<() => void>,
    accepted: () => Promise<void>,
  ): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const reused = this.connection !== null && this.sent > 0;
      const connection = await this.open();
      let started = false;
      let finished = false;
      let release: (() => void) | undefined;
      // The message: streamed as soon as the server said 354 (the connection reads it only
      // then), ended — the final dot — only while holding the commit lock.
      const body = new Readable({
        read() {
          if (started) return;
          started = true;
          this.push(raw);
          lock().then((r) => {
            if (finished) {
              r();
              return;
            }
            release = r;
            this.push(null);
          });
        },
      });
      try {
        return await new Promise<unknown>((resolve, reject) => {
          connection.send(envelope as never, body, (err, info) => {
            if (err) {
              reject(err);
              return;
            }
            this.sent++;
            // Accepted: recorded before the lock passes on.
            accepted().then(() => resolve(info), reject);
          });
        });
      } catch (err) {
        const e = err as { code?: string; responseCode?: number };
        if ((e.code === 'EENVELOPE' || e.code === 'EMESSAGE') && e.responseCode !== 421 && this.connection) {
          // The server refused this mail; the connection is fine for the next after a RSET.
          await new Promise<void>((resolve) =>
            connection.reset((resetErr) => {
              if (resetErr) this.close();
              resolve();
            }),
          );
        } else {
          this.close();
        }
        // A kept connection the server closed while idle: not a byte of the mail went, so it
        // goes over a new connection at once.
        if (reused && !started && attempt === 0 && e.code !== 'EENVELOPE' && e.code !== 'EMESSAGE') continue;
        throw err;
      } finally {
        finished = true;
        release?.();
        body.destroy();
      }
    }
  }
}
