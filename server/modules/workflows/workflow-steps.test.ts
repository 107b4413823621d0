import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAccount, buildContact } from '../../../test/helpers/factories';
import { workflowTestbed } from '../../../test/helpers/workflow-testbed';
import { httpWebhookSender, isPrivateAddress } from './outbound-webhook';
import { WorkflowRunner } from './workflow-runner';
import { WorkflowScheduler } from './workflow-triggers';

type Bed = Awaited<ReturnType<typeof workflowTestbed>>;
const silent = pino({ level: 'silent' });

/** A local webhook receiver that answers with the statuses given, in turn (then 200). */
async function receiver(statuses: number[] = []) {
  const hits: { id: string; body: unknown; headers: IncomingMessage['headers'] }[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => {
      raw += d;
    });
    req.on('end', () => {
      hits.push({ id: String(req.headers['rapport-delivery']), body: JSON.parse(raw || 'null'), headers: req.headers });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, hits, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('workflow steps: email with "don’t contact twice", wait, webhooks', () => {
  let b: Bed;
  let runner: WorkflowRunner;
  let offset = 0; // how far our clock is ahead of the real one
  beforeAll(async () => {
    b = await workflowTestbed('Workflow Steps Co');
    // A runner with our own clock (waits elapse when we say) and a webhook client allowed to reach loopback.
    runner = new WorkflowRunner({
      database: b.t.database,
      records: b.t.records,
      log: silent,
      webhooks: httpWebhookSender({ allowPrivate: true }),
      now: () => new Date(Date.now() + offset),
    });
  });
  afterAll(() => b.t.stop());
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await b.t.events.drain();
      await runner.drain();
    }
  };

  it('emails the contact once, then skips it for suppression, do-not-contact and the cool-down, logging why', async () => {
    const w = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Welcome',
        active: true,
        definition: {
          trigger: { type: 'manual', object: 'contacts' },
          steps: [
            {
              id: 'mail',
              type: 'send_email',
              to: 'record',
              subject: 'Welcome {{record.firstName}}',
              body: 'Hello {{record.firstName}} from {{workflow.name}}',
            },
            { id: 'after', type: 'add_tag', tags: ['welcomed'] },
          ],
        },
      })
    ).json().data;
    const mk = async (firstName: string, email: string, extra = {}) =>
      await buildContact(b.adminApi, { firstName, lastName: 'Test', email, ...extra });
    const ok = await mk('Olga', 'olga@example.com');
    const dnc = await mk('Dina', 'dina@example.com', { doNotContact: true });
    const sup = await mk('Sam', 'sam@example.com');
    expect(
      (await b.adminApi.post('/api/v1/email-suppressions', { email: 'SAM@example.com', reason: 'unsubscribed' }))
        .statusCode,
    ).toBe(201);

    await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { recordIds: [ok.id, dnc.id, sup.id] });
    await settle();
    const mails = (await b.outbox()).filter(
      (m) => m.to_address.endsWith('@example.com') && m.subject.startsWith('Welcome'),
    );
    expect(mails.map((m) => m.to_address)).toEqual(['olga@example.com']);
    expect(mails[0]).toMatchObject({ subject: 'Welcome Olga', text_body: 'Hello Olga from Welcome' });

    const runs = await b.runsOf(w.id);
    const stepOf = async (recordId: string) =>
      (await b.runDetail(w.id, runs.find((r) => r.recordId === recordId)?.id as string)).steps.find(
        (s) => s.stepId === 'mail',
      );
    expect(await stepOf(ok.id)).toMatchObject({
      status: 'completed',
      output: { to: 'olga@example.com', mailId: mails[0]?.id },
    });
    expect(await stepOf(dnc.id)).toMatchObject({
      status: 'skipped',
      output: { reason: 'the contact is marked do not contact' },
    });
    expect((await stepOf(sup.id))?.output.reason).toBe('suppressed (unsubscribed)');
    // A skipped send does not stop the run.
    expect(runs.every((r) => r.status === 'completed')).toBe(true);

    // Within the cool-down (24 h by default), a second automated email to Olga is skipped…
    await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { recordIds: [ok.id] });
    await settle();
    const second = (await b.runsOf(w.id)).find(
      (r) => r.recordId === ok.id && r.id !== runs.find((x) => x.recordId === ok.id)?.id,
    );
    const secondMail = (await b.runDetail(w.id, second?.id as string)).steps.find((s) => s.stepId === 'mail');
    expect(secondMail?.status).toBe('skipped');
    expect(String(secondMail?.output.reason)).toMatch(/^cool-down/);
    // …and with the cool-down off for the workspace, it goes.
    expect((await b.adminApi.patch('/api/v1/automation/settings', { emailCooldownHours: 0 })).json().data).toEqual({
      emailCooldownHours: 0,
    });
    await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { recordIds: [ok.id] });
    await settle();
    const olga = (await b.outbox()).filter((m) => m.to_address === 'olga@example.com');
    expect(olga).toHaveLength(2);
    await b.adminApi.patch('/api/v1/automation/settings', { emailCooldownHours: 24 });
  });

  it('skips an automated email to a contact a colleague emailed within the email cool-down (not after a call)', async () => {
    const w = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Nurture',
        active: true,
        definition: {
          trigger: { type: 'manual', object: 'contacts' },
          steps: [
            { id: 'mail', type: 'send_email', to: 'record', subject: 'News for {{record.firstName}}', body: 'Hi' },
          ],
        },
      })
    ).json().data;
    const mk = async (firstName: string, email: string) =>
      await buildContact(b.adminApi, { firstName, lastName: 'Guarded', email });
    const emailed = await mk('Hugo', 'hugo@example.com');
    const called = await mk('Cleo', 'cleo@example.com');
    const log = async (contactId: string, channel: string) =>
      (
        await b.adminApi.post('/api/v1/interactions', {
          topic: 'Renewal terms',
          channel,
          direction: 'outbound',
          occurredAt: new Date().toISOString(),
          contactId,
        })
      ).statusCode;
    expect(await log(emailed.id, 'email')).toBe(201);
    expect(await log(called.id, 'call')).toBe(201);

    await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { recordIds: [emailed.id, called.id] });
    await settle();
    const sent = (await b.outbox()).filter((m) => m.subject.startsWith('News for')).map((m) => m.to_address);
    expect(sent).toEqual(['cleo@example.com']);
    const runs = await b.runsOf(w.id);
    const hugoRun = runs.find((r) => r.recordId === emailed.id);
    const step = (await b.runDetail(w.id, hugoRun?.id as string)).steps.find((x) => x.stepId === 'mail');
    expect(step?.status).toBe('skipped');
    expect(String(step?.output.reason)).toMatch(/^contacted recently: .* emailed this contact at /);
  });

  it('sends from a saved mail template, escaping values in its HTML; an unknown template is a 422', async () => {
    const tpl = await b.adminApi.post('/api/v1/mail/templates', {
      name: 'Workflow welcome',
      subject: 'Welcome, {{contact.firstName}}',
      html: '<p>Hello {{contact.firstName}} from {{workflow.name}}</p>',
      text: 'Hello {{contact.firstName}} from {{workflow.name}}',
    });
    expect(tpl.statusCode, tpl.body).toBe(201);
    const bad = await b.adminApi.post('/api/v1/workflows', {
      name: 'Broken template',
      definition: {
        trigger: { type: 'manual', object: 'contacts' },
        steps: [{ id: 'mail', type: 'send_email', to: 'record', templateId: '01a23122-0000-7000-8000-000000000000' }],
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors).toEqual([{ path: 'definition.steps.0.templateId', message: 'no such mail template' }]);
    const w = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Templated',
        active: true,
        definition: {
          trigger: { type: 'manual', object: 'contacts' },
          steps: [{ id: 'mail', type: 'send_email', to: 'record', templateId: tpl.json().data.id }],
        },
      })
    ).json().data;
    const c = await buildContact(b.adminApi, { firstName: '<b>Zoe</b>', lastName: 'Tpl', email: 'zoe@example.com' });
    await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { recordIds: [c.id] });
    await settle();
    const { rows } = await sql<{ subject: string; text_body: string; html_body: string }>`
      select subject, text_body, html_body from mail_outbox where to_address = 'zoe@example.com'`.execute(
      b.t.database.db,
    );
    expect(rows).toEqual([
      {
        subject: 'Welcome, <b>Zoe</b>',
        text_body: 'Hello <b>Zoe</b> from Templated',
        html_body: '<p>Hello &lt;b&gt;Zoe&lt;/b&gt; from Templated</p>',
      },
    ]);
  });

  it('waits durably: the step after a wait is not run before its time, then exactly once', async () => {
    const w = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Nurture',
        active: true,
        definition: {
          trigger: { type: 'manual', object: 'accounts' },
          steps: [
            { id: 'first', type: 'add_tag', tags: ['day0'] },
            { id: 'pause', type: 'wait', amount: 2, unit: 'days' },
            { id: 'then', type: 'add_tag', tags: ['day2'] },
          ],
        },
      })
    ).json().data;
    const acc = await buildAccount(b.adminApi, { name: 'Patience plc' });
    await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { recordIds: [acc.id] });
    await settle();
    const tags = async () => (await b.adminApi.get(`/api/v1/accounts/${acc.id}`)).json().data.tags;
    expect(await tags()).toEqual(['day0']);
    const [run] = await b.runsOf(w.id);
    expect(run?.status).toBe('waiting');
    offset += 86_400_000; // one day: still waiting
    await settle();
    expect(await tags()).toEqual(['day0']);
    offset += 86_400_000 + 1000;
    await settle();
    await settle();
    expect(await tags()).toEqual(['day0', 'day2']);
    const detail = await b.runDetail(w.id, run?.id as string);
    expect(detail.status).toBe('completed');
    const pause = detail.steps.find((s) => s.stepId === 'pause') as { status: string; durationMs?: number };
    expect(pause.status).toBe('completed');
    expect(pause.durationMs).toBeGreaterThanOrEqual(2 * 86_400_000);
  });

  it('calls a webhook with a stable delivery id, retries 5xx with back-off, fails on 4xx, and a retried step succeeds', async () => {
    const rx = await receiver([503, 400]);
    try {
      const w = (
        await b.adminApi.post('/api/v1/workflows', {
          name: 'Tell ERP',
          active: true,
          definition: {
            trigger: { type: 'manual', object: 'accounts' },
            steps: [{ id: 'erp', type: 'webhook', url: rx.url, headers: { 'X-Account': '{{record.name}}' } }],
          },
        })
      ).json().data;
      const acc = await buildAccount(b.adminApi, { name: 'Hooky AG' });
      await b.adminApi.post(`/api/v1/workflows/${w.id}/run`, { recordIds: [acc.id] });
      await settle();
      expect(rx.hits).toHaveLength(1); // 503: retried later, not now
      offset += 11_000;
      await settle();
      expect(rx.hits).toHaveLength(2); // 400: a permanent failure
      const [run] = await b.runsOf(w.id);
      expect(run?.status).toBe('failed');
      let step = (await b.runDetail(w.id, run?.id as string)).steps.find((s) => s.stepId === 'erp');
      expect(step).toMatchObject({ status: 'failed', attempts: 2, error: 'the receiver answered HTTP 400' });

      await b.adminApi.post(`/api/v1/workflows/${w.id}/runs/${run?.id}/steps/${step?.id}/retry`);
      await settle();
      step = (await b.runDetail(w.id, run?.id as string)).steps.find((s) => s.stepId === 'erp');
      expect(step).toMatchObject({ status: 'completed', output: { status: 200 } });
      // A private (loopback) receiver: status only, never its answer (the same rule as subscription webhooks).
      expect(step?.output).toMatchObject({ response: null });
      expect((await b.runDetail(w.id, run?.id as string)).status).toBe('completed');
      // Every attempt carried the same delivery id: the receiver can drop repeats.
      expect(new Set(rx.hits.map((h) => h.id)).size).toBe(1);
      expect(rx.hits[0]?.id).toBe(`whd_${step?.id}`);
      expect(rx.hits[0]?.headers['x-account']).toBe('Hooky AG');
      expect(rx.hits[0]?.body).toMatchObject({
        id: `whd_${step?.id}`,
        type: 'workflow.webhook',
        data: { record: { name: 'Hooky AG' } },
      });
    } finally {
      await rx.close();
    }
  });

  it('refuses webhooks to private and loopback addresses by default', async () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '169.254.169.254', '192.168.1.1', '::1', 'fd00::1', '::ffff:127.0.0.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    expect(isPrivateAddress('93.184.215.14')).toBe(false);
    const rx = await receiver();
    try {
      await expect(httpWebhookSender().send({ url: rx.url, method: 'POST', headers: {}, body: '{}' })).rejects.toThrow(
        /not a public address/,
      );
      // A name is checked on the address the connection really uses (DNS rebinding).
      await expect(
        httpWebhookSender().send({
          url: rx.url.replace('127.0.0.1', 'localhost'),
          method: 'POST',
          headers: {},
          body: '{}',
        }),
      ).rejects.toMatchObject({ blocked: true });
      expect(rx.hits).toHaveLength(0);
    } finally {
      await rx.close();
    }
  });
});

describe('workflow triggers on dates and schedules', () => {
  let b: Bed;
  const runnerAt = (ms: number) =>
    new WorkflowRunner({
      database: b.t.database,
      records: b.t.records,
      log: silent,
      webhooks: httpWebhookSender(),
      now: () => new Date(ms),
    });
  beforeAll(async () => {
    b = await workflowTestbed('Workflow Dates Co');
  });
  afterAll(() => b.t.stop());

  it('fires "3 days before" a date field once per record and date, only for dates after activation', async () => {
    const field = await b.adminApi.post('/api/v1/objects/accounts/fields', {
      name: 'renewalDate',
      type: 'date',
      label: 'Renewal',
    });
    expect(field.statusCode, field.body).toBe(201);
    const w = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Renewal reminder',
        active: true,
        definition: {
          trigger: { type: 'date_reached', object: 'accounts', field: 'renewalDate', offsetDays: -3, atTime: '08:00' },
          steps: [{ id: 'tag', type: 'add_tag', tags: ['renewal-soon'] }],
        },
      })
    ).json().data;
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const now = Date.now();
    const soon = await buildAccount(b.adminApi, { name: 'Renews in 4 days', renewalDate: day(now + 4 * 86_400_000) });
    const later = await buildAccount(b.adminApi, {
      name: 'Renews in 30 days',
      renewalDate: day(now + 30 * 86_400_000),
    });
    const past = await buildAccount(b.adminApi, { name: 'Renewed long ago', renewalDate: day(now - 10 * 86_400_000) });
    // Tomorrow 08:00 UTC + a bit: the "4 days" account is then 3 days before its renewal.
    const tomorrow8 = Date.parse(`${day(now + 86_400_000)}T08:00:30Z`);
    const scanner = new WorkflowScheduler({
      database: b.t.database,
      records: b.t.records,
      log: silent,
      now: () => new Date(tomorrow8),
    });
    expect(await scanner.scan()).toBe(1);
    expect(await scanner.scan()).toBe(0); // idempotent
    await runnerAt(tomorrow8 + 1000).drain();
    const runs = await b.runsOf(w.id);
    expect(runs.map((r) => r.recordId)).toEqual([soon.id]);
    expect((await b.adminApi.get(`/api/v1/accounts/${soon.id}`)).json().data.tags).toEqual(['renewal-soon']);
    expect((await b.adminApi.get(`/api/v1/accounts/${later.id}`)).json().data.tags).toEqual([]);
    expect((await b.adminApi.get(`/api/v1/accounts/${past.id}`)).json().data.tags).toEqual([]);
    // Moving the date makes a new due date: it fires again when that one comes.
    await b.adminApi.patch(`/api/v1/accounts/${soon.id}`, { renewalDate: day(now + 5 * 86_400_000) });
    const dayAfter = new WorkflowScheduler({
      database: b.t.database,
      records: b.t.records,
      log: silent,
      now: () => new Date(tomorrow8 + 86_400_000),
    });
    expect(await dayAfter.scan()).toBe(1);
    await b.adminApi.post(`/api/v1/workflows/${w.id}/deactivate`);
  });

  it('fires a schedule once per tick, for every matching record when it has an object', async () => {
    const hourly = (
      await b.adminApi.post('/api/v1/workflows', {
        name: 'Hourly sweep',
        active: true,
        definition: {
          trigger: { type: 'schedule', cron: '0 * * * *', object: 'accounts' },
          conditions: { field: 'industry', op: 'eq', value: 'banking' },
          steps: [{ id: 'tag', type: 'add_tag', tags: ['swept'] }],
        },
      })
    ).json().data;
    const bank = await buildAccount(b.adminApi, { name: 'Bank', industry: 'banking' });
    const notBank = await buildAccount(b.adminApi, { name: 'Farm', industry: 'agriculture' });
    const inTwoHours = Date.now() + 2 * 3_600_000;
    const scanner = new WorkflowScheduler({
      database: b.t.database,
      records: b.t.records,
      log: silent,
      now: () => new Date(inTwoHours),
    });
    expect(await scanner.scan()).toBe(1);
    expect(await scanner.scan()).toBe(0);
    await runnerAt(inTwoHours + 1000).drain();
    expect((await b.adminApi.get(`/api/v1/accounts/${bank.id}`)).json().data.tags).toEqual(['swept']);
    expect((await b.adminApi.get(`/api/v1/accounts/${notBank.id}`)).json().data.tags).toEqual([]);
    const later = new WorkflowScheduler({
      database: b.t.database,
      records: b.t.records,
      log: silent,
      now: () => new Date(inTwoHours + 3_600_000),
    });
    expect(await later.scan()).toBe(1); // the next tick
    const keys = await sql<{
      trigger_key: string;
    }>`select trigger_key from workflow_runs where workflow_id = ${hourly.id}`.execute(b.t.database.db);
    expect(keys.rows.every((k) => k.trigger_key.startsWith('schedule:'))).toBe(true);
  });
});
