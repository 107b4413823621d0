import { randomBytes } from 'node:crypto';
import net from 'node:net';

/** One SMTP reply: its code and its (joined) text. */
export interface SmtpReply {
  code: number;
  text: string;
}

/** Every reply of one SMTP transaction (null where the client stopped before the command). */
export interface SmtpTransaction {
  greeting: SmtpReply;
  mailFrom: SmtpReply | null;
  rcptTo: SmtpReply[];
  /** The reply to DATA (354 expected). */
  data: SmtpReply | null;
  /** The reply after the message's final dot: 250 means stored. */
  message: SmtpReply | null;
}

/** A client of one SMTP connection that reads each (multi-line) reply. */
class SmtpConnection {
  private buffer = '';
  private lines: string[] = [];
  private waiting: (() => void) | null = null;
  private closed = false;

  constructor(readonly socket: net.Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i = this.buffer.indexOf('\r\n');
      while (i !== -1) {
        this.lines.push(this.buffer.slice(0, i));
        this.buffer = this.buffer.slice(i + 2);
        i = this.buffer.indexOf('\r\n');
      }
      this.waiting?.();
    });
    const end = () => {
      this.closed = true;
      this.waiting?.();
    };
    socket.on('close', end);
    socket.on('error', end);
  }

  async reply(): Promise<SmtpReply> {
    const parts: string[] = [];
    for (;;) {
      while (this.lines.length === 0) {
        if (this.closed) return { code: 0, text: `connection closed ${parts.join(' ')}`.trim() };
        await new Promise<void>((resolve) => {
          this.waiting = resolve;
        });
        this.waiting = null;
      }
      const line = this.lines.shift() as string;
      parts.push(line.slice(4));
      if (line[3] !== '-') return { code: Number(line.slice(0, 3)), text: parts.join('\n') };
    }
  }

  async command(line: string): Promise<SmtpReply> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }
}

const ok = (r: SmtpReply | null) => !!r && r.code >= 200 && r.code < 300;

/**
 * Sends a raw RFC 5322 message over a real SMTP connection (EHLO, MAIL FROM, RCPT TO …,
 * DATA) and returns every reply, so tests see the receiver's 250, 550, 552 or 451.
 * `size` declares the message size in MAIL FROM (the SIZE extension).
 */
export async function sendRawMail(
  port: number,
  input: { from: string; to: string[]; raw: string | Buffer; size?: number; host?: string },
): Promise<SmtpTransaction> {
  const socket = net.connect(port, input.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const conn = new SmtpConnection(socket);
  const result: SmtpTransaction = {
    greeting: await conn.reply(),
    mailFrom: null,
    rcptTo: [],
    data: null,
    message: null,
  };
  try {
    if (!ok(result.greeting)) return result;
    await conn.command('EHLO client.test');
    result.mailFrom = await conn.command(`MAIL FROM:<${input.from}>${input.size ? ` SIZE=${input.size}` : ''}`);
    if (!ok(result.mailFrom)) return result;
    for (const to of input.to) result.rcptTo.push(await conn.command(`RCPT TO:<${to}>`));
    if (!result.rcptTo.some(ok)) return result;
    result.data = await conn.command('DATA');
    if (result.data.code !== 354) return result;
    const raw = Buffer.isBuffer(input.raw) ? input.raw : Buffer.from(input.raw, 'utf8');
    // CRLF line ends, and a leading dot doubled (RFC 5321 4.5.2).
    const body = raw.toString('latin1').replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    socket.write(Buffer.from(body, 'latin1'));
    socket.write(body.endsWith('\r\n') ? '.\r\n' : '\r\n.\r\n');
    result.message = await conn.reply();
    return result;
  } finally {
    if (!socket.destroyed) {
      socket.write('QUIT\r\n');
      socket.end();
    }
  }
}

/** A fresh Message-ID (without angle brackets). */
export const newMessageId = () => `${randomBytes(8).toString('hex')}@client.test`;

/** A simple RFC 5322 message; `headers` are added as given (In-Reply-To, Auto-Submitted …). */
export function buildMessage(input: {
  from: string;
  to: string;
  subject: string;
  text?: string;
  messageId?: string;
  headers?: Record<string, string>;
}): string {
  const lines = [
    `From: ${input.from}`,
    `To: ${input.to}`,
    `Subject: ${input.subject}`,
    `Message-ID: <${input.messageId ?? newMessageId()}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    ...Object.entries(input.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    'Content-Type: text/plain; charset=utf-8',
    '',
    input.text ?? 'Hello',
    '',
  ];
  return lines.join('\r\n');
}
