/**
 * Inbound mail benchmark (`npm run bench:inbound`): messages per second through the inbound
 * SMTP receiver into stored and processed `inbound_mail` rows, on the PostgreSQL server.
 * A Rapport runtime in this process (background work on, the per-sender limit raised), real
 * SMTP over loopback, one connection per message. The support handler is a no-op, or with
 * RAPPORT_BENCH_INBOUND_HANDLER=tickets the real email-to-ticket handler (every message a new
 * ticket: a contact matched or created, the ticket, its message, the acknowledgement queued):
 *
 * 1. baseline: the same rows inserted with raw SQL, one statement each (the store's floor);
 * 2. sequential: one SMTP client, message after message;
 * 3. concurrent: 16 SMTP clients at once.
 *
 * Each figure runs from the first message sent to the last row processed.
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB), RAPPORT_BENCH_INBOUND_MESSAGES (default 1000),
 * RAPPORT_BENCH_INBOUND_HANDLER (`noop`, the default, or `tickets`).
 */
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { loadConfig } from '../server/platform/config';
import { startRuntime } from '../server/runtime';
import { signUp } from '../test/helpers/app';
import { buildMessage, newMessageId, sendRawMail } from '../test/helpers/inbound-smtp';
import { ADMIN_URL, addResults, databaseUrl } from './bench-db';

const MESSAGES = Number(process.env.RAPPORT_BENCH_INBOUND_MESSAGES ?? 1000);
const CLIENTS = 16;
const INTO_TICKETS = process.env.RAPPORT_BENCH_INBOUND_HANDLER === 'tickets';
const DB_NAME = 'rapport_bench_inbound';

async function admin(text: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** A typical support mail: a few headers and about 2 KB of text. */
const mailTo = (address: string, i: number) =>
  buildMessage({
    from: `customer${i % 50}@example.com`,
    to: address,
    subject: `Order ${i} has not arrived`,
    messageId: newMessageId(),
    text: `Hello,\r\n\r\n${'My order has not arrived yet, could you look into it? '.repeat(36)}\r\n\r\nThanks`,
  });

async function main() {
  const loadAtStart = os.loadavg()[0]?.toFixed(1);
  await admin(`drop database if exists ${DB_NAME} with (force)`);
  await admin(`create database ${DB_NAME}`);
  const config = loadConfig(
    {
      databaseUrl: databaseUrl(DB_NAME),
      baseUrl: 'http://localhost:3000',
      logLevel: 'warn',
      seedDemo: false,
      poolSize: 20,
      publicRateLimits: false,
      smtpInboundPort: 0,
      mailDomain: 'bench.test',
    },
    {},
  );
  const runtime = await startRuntime(config, {
    backgroundWork: true,
    inboundLimits: { messagesPerSenderPerMinute: 1e9, connectionsPerIpPerMinute: 1e9, maxClients: 200 },
  });
  let handled = 0;
  const real = runtime.inbound.processor.handlers.get('support');
  if (INTO_TICKETS && !real) throw new Error('no support handler registered');
  runtime.inbound.processor.handlers.set('support', {
    kind: 'support',
    async handle(tx, mail, deps) {
      if (INTO_TICKETS) await real?.handle(tx, mail, deps);
      handled++;
    },
  });
  const results: string[] = [];
  try {
    const owner = await signUp(runtime.app, { workspaceName: 'Bench' });
    const res = await runtime.app.inject({
      method: 'GET',
      url: '/api/v1/service/mailboxes',
      headers: { cookie: owner.cookie },
    });
    const mailbox = (res.json() as { data: { id: string; address: string }[] }).data[0] as {
      id: string;
      address: string;
    };
    const port = runtime.inbound.receiver?.port ?? 0;
    const processed = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from inbound_mail where status = 'processed'`.execute(
            runtime.database.db,
          )
        ).rows[0]?.n,
      );

    // 1. Raw SQL baseline: the rows the receiver writes, without SMTP or processing.
    const raws = Array.from({ length: MESSAGES }, (_, i) => Buffer.from(mailTo(mailbox.address, i)));
    let started = performance.now();
    for (const raw of raws) {
      await sql`insert into inbound_mail (workspace_id, id, mailbox_id, recipient, envelope_from, message_id, raw, size, status)
        values (${owner.workspaceId}::uuid, ${uuidv7()}::uuid, ${mailbox.id}::uuid, ${mailbox.address}, 'a@example.com',
          ${newMessageId()}, ${raw}, ${raw.length}, 'processed')`.execute(runtime.database.db);
    }
    const baseline = MESSAGES / ((performance.now() - started) / 1000);
    await sql`delete from inbound_mail`.execute(runtime.database.db);

    const run = async (clients: number) => {
      const before = handled;
      started = performance.now();
      let next = 0;
      let refused = 0;
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < MESSAGES) {
            const i = next++;
            const sent = await sendRawMail(port, {
              from: `customer${i % 50}@example.com`,
              to: [mailbox.address],
              raw: mailTo(mailbox.address, i),
            });
            if (sent.message?.code !== 250) refused++;
          }
        }),
      );
      const accepted = (performance.now() - started) / 1000;
      // Processed = the handler ran and its transaction committed the row's status.
      while (handled - before < MESSAGES - refused || (await processed()) < MESSAGES - refused) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const done = (performance.now() - started) / 1000;
      const rows = await processed();
      const tickets = Number(
        (await sql<{ n: string }>`select count(*) as n from tickets`.execute(runtime.database.db)).rows[0]?.n,
      );
      await sql`delete from inbound_mail`.execute(runtime.database.db);
      return { accepted: MESSAGES / accepted, processed: (MESSAGES - refused) / done, refused, rows, tickets };
    };
    const sequential = await run(1);
    const concurrent = await run(CLIENTS);

    const f = (n: number) => Math.round(n).toLocaleString('en-US');
    results.push(
      `## ${new Date().toISOString().slice(0, 10)} — inbound mail: messages per second through the SMTP receiver${INTO_TICKETS ? ' into tickets' : ''}`,
      `Machine: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, PostgreSQL (${runtime.database.version.split(' ').slice(0, 2).join(' ')}), load average ${loadAtStart} at the start, ${os.loadavg()[0]?.toFixed(1)} at the end (a shared machine: compare the rows with each other, not with other runs). A runtime in the benchmark process (pool 20, background work on, ${INTO_TICKETS ? 'the email-to-ticket handler: each message a new ticket, its sender (one of 50) matched or created as a contact, its acknowledgement queued' : 'a no-op support handler'}), ${f(MESSAGES)} messages of about 2 KB each, one SMTP connection per message over loopback; \`bench/inbound-mail.ts\`.`,
      [
        '| workload | accepted (250) per second | stored and processed per second | refused |',
        '| --- | --- | --- | --- |',
        `| raw SQL insert baseline (one statement per row, no SMTP) | ${f(baseline)} | – | – |`,
        `| 1 SMTP client, sequential | ${f(sequential.accepted)} | **${f(sequential.processed)}** | ${sequential.refused} |`,
        `| ${CLIENTS} SMTP clients at once | ${f(concurrent.accepted)} | **${f(concurrent.processed)}** | ${concurrent.refused} |`,
      ].join('\n'),
      `Every accepted message was handled once (${sequential.rows} and ${concurrent.rows} processed rows${INTO_TICKETS ? `; ${sequential.tickets} tickets after the sequential run, ${concurrent.tickets} after both` : ''}).`,
    );
    addResults(results.join('\n\n'));
    process.stdout.write(`${results.join('\n\n')}\n`);
  } finally {
    await runtime.close();
    await admin(`drop database if exists ${DB_NAME} with (force)`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
