/**
 * Campaign send throughput benchmark (npm run bench:campaigns), issue 16 point 9: "a campaign
 * to 100,000 recipients, personalised, delivered to a local SMTP sink at ≥ 500 emails/s
 * sustained on the PostgreSQL server, with memory flat; record the figures and the SMTP
 * sink's count".
 *
 * The shared bench database (bench/bench-db.ts); the first N contacts of the workspace
 * 'Bench' get `marketing_email` consent granted and become members of a new email campaign
 * (set-based SQL, not the API). A real `rapport serve` process (background work on,
 * SMTP_URL at a counting SMTP sink in this process) is asked to send a personalised
 * template (`POST /api/v1/campaigns/{id}/send`, throttle at the API's maximum, 100,000 a
 * minute); the benchmark samples the sink's count, the outbox and the server's RSS every
 * second until every mail has arrived. The baselines, in the same process and against the
 * same sink: the raw SQL of the queueing work (one INSERT … SELECT of the N personalised
 * mails into a scratch copy of the outbox), and raw SMTP delivery of pre-rendered mails of
 * the same size with nodemailer, over one connection and over 16.
 *
 * Environment: RAPPORT_BENCH_RECIPIENTS (default 100000), RAPPORT_BENCH_CONTACTS (the shared
 * database, default 1000000), RAPPORT_BENCH_REUSE=1, RAPPORT_BENCH_SEND_TIMEOUT (s, default 1800),
 * RAPPORT_SMTP_CONNECTIONS (the server's, default 4).
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { createApiKey } from '../server/platform/auth/api-keys.service';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import {
  addResults,
  BENCH_CONTACTS,
  closeBench,
  keepAlive,
  loadAverage,
  machine,
  openBench,
  request,
} from './bench-db';

const RECIPIENTS = Number(process.env.RAPPORT_BENCH_RECIPIENTS ?? 100_000);
const TIMEOUT_S = Number(process.env.RAPPORT_BENCH_SEND_TIMEOUT ?? 1800);
const TARGET = 500;
/** Raw SMTP baseline: mails per run (sequential, then 16 connections). */
const RAW_SMTP = Math.min(RECIPIENTS, 5000);
const CLIENTS = 16;

const HTML = `<html><body><h1>Hello {{ contact.firstName }},</h1>
<p>Our autumn update for {{ contact.title | default: "you" }} — what is new this quarter, in five minutes.</p>
<p><a href="https://example.com/autumn?ref=campaign">Read the update</a> or
<a href="https://example.com/pricing">see the new prices</a>.</p>
<p>{{ workspace.name }}</p></body></html>`;
const TEXT = 'Hello {{ contact.firstName }},\n\nOur autumn update: https://example.com/autumn\n\n{{ workspace.name }}';

/** A counting SMTP sink: counts every accepted mail and parses one in 1,000 (headers, personalisation). */
async function startCountingSink() {
  let count = 0;
  let bytes = 0;
  const samples: { to: string; subject: string; html: string; oneClick: boolean }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 100,
    onData(stream, _session, callback) {
      const n = ++count;
      if (n % 1000 === 1) {
        simpleParser(stream)
          .then((mail) => {
            samples.push({
              to: mail.to && !Array.isArray(mail.to) ? mail.to.text : '',
              subject: mail.subject ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              oneClick: mail.headerLines.some(
                (h) => h.key === 'list-unsubscribe-post' && h.line.includes('List-Unsubscribe=One-Click'),
              ),
            });
            callback();
          })
          .catch(callback);
        return;
      }
      stream.on('data', (d: Buffer) => {
        bytes += d.length;
      });
      stream.on('end', () => callback());
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    count: () => count,
    reset: () => {
      count = 0;
      bytes = 0;
      samples.length = 0;
    },
    bytes: () => bytes,
    samples,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The resident set size of a process, in MB (Linux). */
function rssMb(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const bench = await openBench({ contacts: BENCH_CONTACTS });
  const { database, workspaceId } = bench;
  const raw = new pg.Pool({ connectionString: bench.url, max: 4 });
  const sink = await startCountingSink();
  let server: ServerProcess | undefined;
  try {
    // The recipients: the first N contacts (by id), marketing consent granted (set-based).
    const t0 = Date.now();
    await raw.query(
      `insert into consents (workspace_id, id, object, record_id, purpose, status, lawful_basis, source, wording)
       select $1, gen_random_uuid(), 'contacts', c.id, 'marketing_email', 'granted', 'consent', 'import', 'Benchmark'
       from (select id from contacts where workspace_id = $1 and deleted_at is null order by id limit $2) c
       where not exists (select 1 from consents k where k.workspace_id = $1 and k.object = 'contacts'
         and k.record_id = c.id and k.purpose = 'marketing_email')`,
      [workspaceId, RECIPIENTS],
    );
    process.stderr.write(`  consents in ${((Date.now() - t0) / 1000).toFixed(0)} s (load ${loadAverage()})\n`);
    const key = (await createApiKey(database, workspaceId, { name: 'bench', role: 'administrator', createdBy: null }))
      .key;

    // Baseline 1: the queueing work as raw SQL, one INSERT … SELECT of the N personalised mails
    // into a scratch copy of the outbox (what the send job writes, without the engine's reads,
    // skip checks, tracking tokens or member rows).
    const rawClient = await raw.connect();
    let rawQueueMs: number;
    let rawQueueLoad: string;
    try {
      await rawClient.query('create temp table bench_outbox (like mail_outbox including defaults)');
      const before = loadAverage();
      const q0 = performance.now();
      await rawClient.query(
        `insert into bench_outbox (workspace_id, id, to_address, subject, text_body, html_body, confidential, message_id, headers)
         select $1, gen_random_uuid(), c.email, 'Autumn update for ' || c.first_name,
           'Hello ' || c.first_name || E',\\n\\nOur autumn update: https://example.com/autumn',
           replace(replace($3, '{{ contact.firstName }}', coalesce(c.first_name, '')), '{{ contact.title | default: "you" }}', coalesce(c.title, 'you')),
           true, gen_random_uuid()::text || '@bench', jsonb_build_object('List-Unsubscribe', '<https://example.com/u/' || c.id || '>')
         from (select id, email, first_name, title from contacts where workspace_id = $1 and deleted_at is null order by id limit $2) c`,
        [workspaceId, RECIPIENTS, HTML],
      );
      rawQueueMs = performance.now() - q0;
      rawQueueLoad = `${before.split(' / ')[0]} → ${loadAverage().split(' / ')[0]}`;
    } finally {
      rawClient.release();
    }
    process.stderr.write(`  raw queue: ${(rawQueueMs / 1000).toFixed(1)} s (load ${loadAverage()})\n`);

    // Baseline 2: raw SMTP delivery of pre-rendered mails of the same shape to the same sink.
    const sample = { subject: 'Autumn update for Ada', text: TEXT.replace(/\{\{[^}]+\}\}/g, 'Ada'), html: HTML };
    const rawSmtp = async (connections: number) => {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: Number(new URL(sink.url).port),
        secure: false,
        ignoreTLS: true,
        pool: true,
        maxConnections: connections,
        maxMessages: Number.POSITIVE_INFINITY,
      });
      sink.reset();
      const before = loadAverage();
      const s0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          while (next < RAW_SMTP) {
            const i = next++;
            await transport.sendMail({
              from: 'bench@rapport.local',
              to: `raw${i}@example.com`,
              ...sample,
              headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click', Precedence: 'bulk' },
            });
          }
        }),
      );
      const ms = performance.now() - s0;
      transport.close();
      if (sink.count() !== RAW_SMTP) throw new Error(`the sink counted ${sink.count()} of ${RAW_SMTP} raw mails`);
      return { rate: RAW_SMTP / (ms / 1000), load: `${before.split(' / ')[0]} → ${loadAverage().split(' / ')[0]}` };
    };
    const rawSeq = await rawSmtp(1);
    const rawMany = await rawSmtp(CLIENTS);
    process.stderr.write(
      `  raw SMTP: ${rawSeq.rate.toFixed(0)}/s on 1 connection, ${rawMany.rate.toFixed(0)}/s on ${CLIENTS} (load ${loadAverage()})\n`,
    );
    sink.reset();

    server = await startServerProcess({
      DATABASE_URL: bench.url,
      RAPPORT_RATE_LIMIT: '0',
      RAPPORT_SEED_DEMO: '0',
      LOG_LEVEL: 'warn',
      SMTP_URL: sink.url,
      MAIL_FROM: 'Bench <news@bench.example>',
    });
    const address = server.url;
    const check = (r: { status: number; body: string }) => {
      if (r.status >= 300) throw new Error(`API error ${r.status}: ${r.body.slice(0, 300)}`);
      return JSON.parse(r.body);
    };
    const campaign = check(
      await request(address, key, 'POST', '/api/v1/campaigns', { name: `Bench ${Date.now()}`, type: 'email' }),
    ).data.id as string;
    const template = check(
      await request(address, key, 'POST', '/api/v1/mail/templates', {
        name: `Autumn update ${Date.now()}`,
        subject: 'Autumn update for {{ contact.firstName }}',
        html: HTML,
        text: TEXT,
      }),
    ).data.id as string;
    const m0 = Date.now();
    await raw.query(
      `insert into campaign_members (workspace_id, id, campaign_id, object, record_id)
       select $1, gen_random_uuid(), $2, 'contacts', c.id
       from (select id from contacts where workspace_id = $1 and deleted_at is null order by id limit $3) c`,
      [workspaceId, campaign, RECIPIENTS],
    );
    await raw.query('analyze campaign_members');
    process.stderr.write(`  members in ${((Date.now() - m0) / 1000).toFixed(0)} s\n`);
    const preview = check(await request(address, key, 'GET', `/api/v1/campaigns/${campaign}/send/preview`)).data;
    process.stderr.write(`  preview: ${JSON.stringify(preview)}\n`);

    // The send, sampled every second: the sink's count, the outbox, the server's RSS.
    const pid = server.child.pid;
    const timeline: { t: number; arrived: number; queued: number; rss: number; load: number }[] = [];
    const sendStart = performance.now();
    check(
      await request(address, key, 'POST', `/api/v1/campaigns/${campaign}/send`, {
        templateId: template,
        perMinute: 100_000,
      }),
    );
    let lastChange = performance.now();
    for (;;) {
      await sleep(1000);
      const { rows } = await raw.query(
        `select s.state, s.queued, s.skipped from campaign_sends s where s.workspace_id = $1 and s.campaign_id = $2`,
        [workspaceId, campaign],
      );
      const send = rows[0] as { state: string; queued: number; skipped: number };
      const arrived = sink.count();
      const prev = timeline[timeline.length - 1];
      if (!prev || prev.arrived !== arrived || prev.queued !== send.queued) lastChange = performance.now();
      timeline.push({
        t: (performance.now() - sendStart) / 1000,
        arrived,
        queued: send.queued,
        rss: rssMb(pid),
        load: os.loadavg()[0] ?? 0,
      });
      if (timeline.length % 10 === 0) {
        process.stderr.write(
          `  ${timeline.length} s: queued ${send.queued}, skipped ${send.skipped}, at the sink ${arrived}, server RSS ${rssMb(pid).toFixed(0)} MB (load ${loadAverage()})\n`,
        );
      }
      if (send.state === 'completed' && arrived >= send.queued) break;
      if (performance.now() - lastChange > 120_000) throw new Error('no progress for 2 minutes');
      if (performance.now() - sendStart > TIMEOUT_S * 1000) {
        process.stderr.write(`  stopped after ${TIMEOUT_S} s (RAPPORT_BENCH_SEND_TIMEOUT)\n`);
        break;
      }
    }
    const totalS = (performance.now() - sendStart) / 1000;
    const { rows: sendRows } = await raw.query(
      `select queued, skipped from campaign_sends where workspace_id = $1 and campaign_id = $2`,
      [workspaceId, campaign],
    );
    const { queued, skipped } = sendRows[0] as { queued: number; skipped: number };
    const arrived = sink.count();
    const { rows: dupes } = await raw.query(
      `select count(*)::int as n from (select member_id from campaign_messages where workspace_id = $1 and campaign_id = $2
         group by member_id having count(*) > 1) d`,
      [workspaceId, campaign],
    );
    // Sustained: the rate between 10 % and 90 % of the mails at the sink, and its slowest 10-second window.
    const at = (share: number) => timeline.find((p) => p.arrived >= share * arrived);
    const a = at(0.1);
    const b = at(0.9);
    const sustained = a && b && b.t > a.t ? (b.arrived - a.arrived) / (b.t - a.t) : Number.NaN;
    let slowest = Number.POSITIVE_INFINITY;
    for (let i = 0; i + 10 < timeline.length; i++) {
      const p = timeline[i];
      const q = timeline[i + 10];
      if (!p || !q || !a || !b || p.t < a.t || q.t > b.t) continue;
      slowest = Math.min(slowest, (q.arrived - p.arrived) / (q.t - p.t));
    }
    const firstMail = timeline.find((p) => p.arrived > 0);
    const rssAt = (share: number) => at(share)?.rss ?? Number.NaN;
    const rssPeak = Math.max(...timeline.map((p) => p.rss).filter((x) => !Number.isNaN(x)));
    const sampleMail = sink.samples[0];
    const personalised = sink.samples.every((m) => !m.subject.includes('{{') && !m.html.includes('{{'));
    const oneClick = sink.samples.every((m) => m.oneClick);
    const loadRange = (from: number, to: number) => {
      const ls = timeline.filter((p) => p.t >= from && p.t <= to).map((p) => p.load);
      return ls.length ? `${Math.min(...ls).toFixed(1)}–${Math.max(...ls).toFixed(1)}` : '–';
    };
    const e2e = arrived / totalS;
    const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : '–');
    const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
    const report = [
      `## Campaign send: ${RECIPIENTS.toLocaleString('en')} recipients to an SMTP sink — ${when} UTC`,
      '',
      `Machine: ${machine()}; PostgreSQL server on 127.0.0.1:5432, \`npm run bench:campaigns\` (database \`${bench.name}\`, ${BENCH_CONTACTS.toLocaleString('en')} contacts, seeded by \`bench/bench-db.ts\`). ` +
        `The first ${RECIPIENTS.toLocaleString('en')} contacts with marketing consent granted, members of a new email campaign (set-based SQL); a personalised HTML template with two tracked links. ` +
        `A \`rapport serve\` process (background work on, \`SMTP_URL\` at a counting SMTP sink in the benchmark process) sends it (\`POST …/send\`, \`perMinute\` 100,000, the API's maximum) over ${process.env.RAPPORT_SMTP_CONNECTIONS ?? '4 (the default)'} SMTP connections (\`RAPPORT_SMTP_CONNECTIONS\`); sampled every second. ` +
        'Baselines in the same process against the same sink: the queueing work as one raw `INSERT … SELECT` of the personalised mails into a scratch copy of the outbox, and raw SMTP delivery of pre-rendered mails with a pooled nodemailer transport.',
      '',
      '| workload | mails | mails/s | target | met | load average (1 min) |',
      '| --- | --- | --- | --- | --- | --- |',
      `| API send, end to end (request → last mail at the sink) | ${arrived.toLocaleString('en')} | ${f0(e2e)} | ≥ ${TARGET}/s | ${e2e >= TARGET ? 'yes' : 'NO'} | ${loadRange(0, totalS)} |`,
      `| API send, sustained (10 % → 90 % of the mails at the sink) | ${a && b ? (b.arrived - a.arrived).toLocaleString('en') : '–'} | ${f0(sustained)} | ≥ ${TARGET}/s | ${sustained >= TARGET ? 'yes' : 'NO'} | ${a && b ? loadRange(a.t, b.t) : '–'} |`,
      `| API send, slowest 10 s window in that span | – | ${f0(slowest)} | – | – | – |`,
      `| raw SQL: the same mails queued in one INSERT … SELECT | ${RECIPIENTS.toLocaleString('en')} | ${f0(RECIPIENTS / (rawQueueMs / 1000))} | – | – | ${rawQueueLoad} |`,
      `| raw SMTP: pre-rendered mails, 1 connection | ${RAW_SMTP.toLocaleString('en')} | ${f0(rawSeq.rate)} | – | – | ${rawSeq.load} |`,
      `| raw SMTP: pre-rendered mails, ${CLIENTS} connections | ${RAW_SMTP.toLocaleString('en')} | ${f0(rawMany.rate)} | – | – | ${rawMany.load} |`,
      '',
      `The sink counted **${arrived.toLocaleString('en')}** mails; the send queued ${queued.toLocaleString('en')} and skipped ${skipped.toLocaleString('en')} (${dupes[0].n} members with more than one message). ` +
        `First mail at the sink after ${firstMail ? firstMail.t.toFixed(1) : '–'} s; the whole send took ${totalS.toFixed(0)} s. ` +
        `Server RSS ${f0(rssAt(0.1))} MB at 10 % of the mails, ${f0(rssAt(0.5))} MB at 50 %, ${f0(rssAt(0.9))} MB at 90 %, peak ${f0(rssPeak)} MB. ` +
        `Sampled mails (one in 1,000) personalised: ${personalised ? 'yes' : 'NO'}; RFC 8058 one-click header on each: ${oneClick ? 'yes' : 'NO'}${sampleMail ? ` (e.g. "${sampleMail.subject}" to ${sampleMail.to})` : ''}.`,
    ].join('\n');
    process.stdout.write(`\n${report}\n`);
    addResults(report);
  } finally {
    keepAlive.destroy();
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await sink.close();
    await raw.end();
    await closeBench(bench);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
