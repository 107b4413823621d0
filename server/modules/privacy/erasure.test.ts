import { strFromU8, unzipSync } from 'fflate';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { type ChatSocket, openChatSocket } from '../../../test/helpers/chat-sockets';
import { buildNote } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { buildMessage, newMessageId, sendRawMail } from '../../../test/helpers/inbound-smtp';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver';
import { enqueueMail } from '../../platform/mail/outbox';
import { suppressionReasons } from '../../platform/mail/suppressions';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SITE = 'https://shop.example.com';
const JSON_POST = { 'content-type': 'application/json' };

interface Person {
  first: string;
  last: string;
  email: string;
  phone: string;
}

/**
 * Every column of every table of every schema the app uses (read from information_schema, so a
 * table added later is scanned without this test changing) that holds text, JSON, a search
 * vector, an array of text or bytes, searched case-insensitively for each value.
 * Returns `table.column (value)` for every hit.
 */
async function scanEverything(t: TestApp, values: string[]): Promise<string[]> {
  return t.database.system(async (tx) => {
    const { rows: columns } = await sql<{ schema: string; table: string; column: string; type: string }>`
      select c.table_schema as schema, c.table_name as table, c.column_name as column, c.data_type as type
      from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
      where t.table_type = 'BASE TABLE' and c.table_schema not in ('pg_catalog', 'information_schema')
        and (c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'tsvector', 'bytea', 'ARRAY')
          or c.udt_name = 'citext')
      order by 1, 2, 3`.execute(tx);
    expect(columns.length).toBeGreaterThan(200);
    const hits: string[] = [];
    for (const c of columns) {
      const ref = sql.ref(`x.${c.column}`);
      const text = c.type === 'bytea' ? sql`encode(${ref}, 'escape')` : sql`${ref}::text`;
      for (const v of values) {
        const { rows } = await sql<{ n: string }>`
          select count(*) as n from ${sql.table(`${c.schema}.${c.table}`)} x
          where position(lower(${v}) in lower(${text})) > 0`.execute(tx);
        if (Number(rows[0]?.n ?? 0) > 0) hits.push(`${c.table}.${c.column} (${v})`);
      }
    }
    return hits;
  });
}

describe('data-subject requests: access export and erasure everywhere (every column of every table scanned)', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let anon: HttpClient;
  let receiver: WebhookReceiver;
  let sink: SmtpSink;
  let base = '';
  let support = '';
  let formId = '';
  let siteKey = '';
  let widgetKey = '';
  const sockets: ChatSocket[] = [];

  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await t.events.drain(60_000);
      await t.modules.workflows.runner.drain();
      await t.jobs.runDue();
    }
  };
  const findContact = async (email: string) =>
    (
      await as.get(
        `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: email }))}`,
      )
    ).json().data[0] as { id: string } | undefined;

  /** A person with data in every place, each through its real path. */
  async function livePerson(p: Person, tag: string) {
    const full = `${p.first} ${p.last}`;
    const visitorId = `v${tag}${'0'.repeat(20)}`.slice(0, 24);
    // A web form (a lead, its consent, the submission, form.submitted) from a tracked browser.
    const submitted = await anon.post(
      `/f/${formId}`,
      { first: p.first, last: p.last, mail: p.email, tel: p.phone, marketing_email: 'on', rapport_vid: visitorId },
      JSON_POST,
    );
    expect(submitted.statusCode, submitted.body).toBe(201);
    await settle();
    // A tracked page view of the identified visitor (its URL carries the address, as some do).
    const view = await t.app.inject({
      method: 'POST',
      url: '/t/collect',
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME },
      payload: JSON.stringify({
        key: siteKey,
        visitorId,
        url: `https://www.example.com/welcome?email=${encodeURIComponent(p.email)}`,
        title: `Welcome ${full}`,
        kind: 'page',
      }),
      remoteAddress: '198.51.100.7',
    });
    expect(view.statusCode).toBe(204);
    // A support mail (the inbound SMTP receiver: a ticket, its message, the contact).
    const sent = await sendRawMail(t.inbound.receiver?.port ?? 0, {
      from: p.email,
      to: [support],
      raw: buildMessage({
        from: `${full} <${p.email}>`,
        to: support,
        subject: `Order question from ${full}`,
        text: `Hello, this is ${full}. Call me on ${p.phone}.`,
        messageId: newMessageId(),
      }),
    });
    expect(sent.message?.code).toBe(250);
    while ((await t.inbound.processor.runOnce()).length > 0) {}
    await settle();
    const contact = await findContact(p.email);
    expect(contact, 'the support mail made a contact').toBeTruthy();
    const contactId = (contact as { id: string }).id;
    // A live chat with the administrator (online): the visitor gives their name, address and phone.
    const v = await openChatSocket(`${base.replace('http', 'ws')}/chat/socket?key=${widgetKey}`, { origin: SITE });
    sockets.push(v);
    v.send({ type: 'start', name: full, pageUrl: `${SITE}/help` });
    expect((await v.next('started')).status).toBe('active');
    v.send({ type: 'message', body: `I am ${full}: write to ${p.email} or call ${p.phone}` });
    await v.next('message');
    v.close();
    // A note naming them, on their contact.
    await buildNote(as, { body: `Spoke with ${full} (${p.phone})`, relatedObject: 'contacts', relatedId: contactId });
    // A campaign sent to them.
    expect(
      (await as.post(`/api/v1/contacts/${contactId}/consents`, { purpose: 'marketing_email', status: 'granted' }))
        .statusCode,
    ).toBe(201);
    const campaign = (await as.post('/api/v1/campaigns', { name: `Spring ${tag}`, type: 'email' })).json().data;
    expect((await as.post(`/api/v1/campaigns/${campaign.id}/members`, { contactIds: [contactId] })).statusCode).toBe(
      200,
    );
    const template = await as.post('/api/v1/mail/templates', {
      name: `News ${tag}`,
      subject: 'News for {{ contact.firstName }} {{ contact.lastName }}',
      html: '<p>Dear {{ contact.firstName }} {{ contact.lastName }}</p>',
      text: 'Dear {{ contact.firstName }} {{ contact.lastName }}',
    });
    expect(template.statusCode, template.body).toBe(201);
    const send = await as.post(`/api/v1/campaigns/${campaign.id}/send`, { templateId: template.json().data.id });
    expect(send.statusCode, send.body).toBe(202);
    for (let i = 0; i < 20; i++) await t.jobs.runDue({ queues: ['campaigns.send'] });
    await settle();
    return { contactId };
  }

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      webhooksAllowPrivate: true,
      smtpInboundPort: 0,
      mailDomain: 'support.test',
      smtpUrl: sink.url,
    });
    await t.inbound.receiver?.start();
    admin = await signUp(t.app, { workspaceName: 'Forgetful Co', name: 'Adam Admin' });
    as = client(t, admin);
    anon = client(t, null);
    base = await t.app.listen({ host: '127.0.0.1', port: 0 });
    receiver = await startWebhookReceiver();
    support = (await as.get('/api/v1/service/mailboxes')).json().data[0].address;
    siteKey = (await as.get('/api/v1/tracking/settings')).json().data.siteKey;
    const chat = await as.post('/api/v1/chat/settings', { enabled: true, allowedOrigins: [SITE] });
    expect(chat.statusCode, chat.body).toBe(200);
    widgetKey = chat.json().data.widgetKey;
    expect((await as.put('/api/v1/chat/presence', { status: 'online', capacity: 10 })).statusCode).toBe(200);
    const console = await openChatSocket(`${base.replace('http', 'ws')}/api/v1/chat/stream`, { cookie: admin.cookie });
    sockets.push(console);
    await console.next('hello');
    const form = await as.post('/api/v1/forms', {
      name: 'Contact us',
      object: 'leads',
      fields: [
        { name: 'first', field: 'firstName' },
        { name: 'last', field: 'lastName', required: true },
        { name: 'mail', field: 'email', required: true },
        { name: 'tel', field: 'phone' },
      ],
      consents: [{ purpose: 'marketing_email', label: 'Email me news.' }],
    });
    expect(form.statusCode, form.body).toBe(201);
    formId = form.json().data.id;
    // A webhook receiving every event, and a workflow that notifies and mails every new contact.
    const hook = await as.post('/api/v1/webhooks', { url: `${receiver.url}/in`, eventTypes: ['*'] });
    expect(hook.statusCode, hook.body).toBe(201);
    const wf = await as.post('/api/v1/workflows', {
      name: 'Welcome new contacts',
      active: true,
      definition: {
        trigger: { type: 'record_created', object: 'contacts' },
        steps: [
          {
            id: 'tell',
            type: 'notify',
            users: [admin.userId],
            title: 'New contact {{record.firstName}} {{record.lastName}} {{record.email}}',
          },
          { id: 'mail', type: 'send_email', to: 'record', subject: 'Welcome {{record.firstName}}', body: 'Hi' },
        ],
      },
    });
    expect(wf.statusCode, wf.body).toBe(201);
    await t.events.drain();
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await receiver?.close();
    await t?.stop();
    await sink?.close();
  });

  const zelda: Person = { first: 'Zelda', last: 'Quixote', email: 'zelda.quixote@example.net', phone: '+14155550199' };
  const values = (p: Person) => [p.email, p.phone, `${p.first} ${p.last}`];

  it('outside check: an access request (verified by the administrator) exports every place as a ZIP of JSON and CSV', async () => {
    await livePerson(zelda, 'z');
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });
    expect(receiver.received.length).toBeGreaterThan(0);

    const before = await scanEverything(t, values(zelda));
    const tables = new Set(before.map((h) => h.split('.')[0]));
    // The scan sees the person where the real paths put them (so its 0 after erasure means something).
    for (const table of [
      'leads',
      'contacts',
      'tickets',
      'ticket_messages',
      'inbound_mail',
      'chat_conversations',
      'chat_messages',
      'form_submissions',
      'page_views',
      'mail_outbox',
      'events',
      'webhook_deliveries',
      'audit_log',
      'notifications',
      'notes',
      'workflow_run_steps',
    ])
      expect(tables, `${table} holds the person before erasure (${before.join(', ')})`).toContain(table);

    const created = await as.post('/api/v1/privacy/requests', { type: 'access', email: zelda.email, verified: true });
    expect(created.statusCode, created.body).toBe(201);
    const { id, dueAt } = created.json().data;
    expect(Date.parse(dueAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect(Date.parse(dueAt) - Date.now()).toBeLessThan(31 * 86_400_000);
    const early = await as.get(`/api/v1/privacy/requests/${id}/export`);
    expect(early.statusCode).toBe(409);
    const done = await as.post(`/api/v1/privacy/requests/${id}/complete`, {});
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().data.status).toBe('completed');
    const zip = await as.get(`/api/v1/privacy/requests/${id}/export`);
    expect(zip.statusCode, zip.body).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(zip.rawPayload));
    const names = Object.keys(files);
    for (const part of [
      'records/contacts',
      'records/leads',
      'records/tickets',
      'records/notes',
      'tables/form_submissions',
      'tables/page_views',
      'tables/ticket_messages',
      'tables/inbound_mail',
      'tables/chat_conversations',
      'tables/chat_messages',
      'tables/mail_outbox',
      'tables/consents',
      'tables/campaign_members',
      'tables/audit_log',
    ]) {
      expect(names, part).toContain(`${part}.json`);
      expect(names, part).toContain(`${part}.csv`);
    }
    const leads = JSON.parse(strFromU8(files['records/leads.json'] as Uint8Array));
    expect(leads[0]).toMatchObject({ firstName: 'Zelda', lastName: 'Quixote', email: zelda.email, phone: zelda.phone });
    expect(strFromU8(files['tables/form_submissions.csv'] as Uint8Array)).toContain(zelda.email);
    expect(strFromU8(files['README.txt'] as Uint8Array)).toContain(zelda.email);
    // No credential leaves in an export.
    expect(names.join(' ')).not.toMatch(/secret|password/);
  }, 300_000);

  it('outside check: after an erasure completes, no column of any table holds their email, phone or full name', async () => {
    const contact = await findContact(zelda.email);
    const created = await as.post('/api/v1/privacy/requests', { type: 'erasure', email: zelda.email, verified: true });
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json().data;
    const done = await as.post(`/api/v1/privacy/requests/${id}/complete`, {});
    expect(done.statusCode, done.body).toBe(200);
    const request = done.json().data;
    expect(request).toMatchObject({ status: 'completed', email: null });
    expect(request.result.failures).toEqual([]);
    // What the consumers do with the purge events (webhooks, feed, workflows…) runs too.
    await settle();
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });

    const after = await scanEverything(t, values(zelda));
    expect(after, `still found in: ${after.join(', ')}`).toEqual([]);

    expect((await as.get(`/api/v1/contacts/${contact?.id}`)).statusCode).toBe(404);
    // Mail queued to them later (an import, a stale list) is settled as suppressed by the dispatcher.
    const late = await t.database.tenant(admin.workspaceId, (tx) =>
      enqueueMail(tx, admin.workspaceId, { to: `Zelda <${zelda.email.toUpperCase()}>`, subject: 'Hi', text: 'Hi' }),
    );
    const delivered = sink.messages.length;
    while ((await t.mail.runOnce(50)) > 0) {}
    const sentSince = sink.messages.slice(delivered).map((m) => JSON.stringify(m.to ?? ''));
    expect(sentSince.filter((to) => /zelda|erased/i.test(to))).toEqual([]);
    const settled = await t.database.tenant(admin.workspaceId, (tx) =>
      sql<{ status: string }>`select status from mail_outbox where id = ${late}::uuid`.execute(tx),
    );
    expect(settled.rows[0]?.status).toBe('suppressed');
    // They stay suppressed (by a salted hash only): not mailed, not re-imported.
    const reasons = await t.database.tenant(admin.workspaceId, (tx) =>
      suppressionReasons(tx, admin.workspaceId, [zelda.email.toUpperCase()]),
    );
    expect(reasons.get(zelda.email)).toBe('erasure');
    const list = (await as.get('/api/v1/mail/suppressions?reason=erasure')).json().data;
    expect(list).toHaveLength(1);
    expect(list[0].address).toMatch(/^erased:[0-9a-f]{64}$/);
    // Every step is in the audit log.
    const audit = await t.database.tenant(admin.workspaceId, (tx) =>
      sql<{ action: string }>`select action from audit_log where record_id = ${id}::uuid order by at, id`.execute(tx),
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['privacy.request.created', 'privacy.request.completed']);
  }, 300_000);

  it('anonymise mode keeps the records (statistics) and still leaves nothing that names the person', async () => {
    const yuri: Person = { first: 'Yuri', last: 'Wolfenden', email: 'yuri.w@example.org', phone: '+442071838750' };
    await livePerson(yuri, 'y');
    const count = async () => (await as.get('/api/v1/contacts?count=true&limit=1')).json().total as number;
    const contacts = await count();
    const created = await as.post('/api/v1/privacy/requests', {
      type: 'erasure',
      email: yuri.email,
      verified: true,
      mode: 'anonymise',
    });
    const done = await as.post(`/api/v1/privacy/requests/${created.json().data.id}/complete`, {});
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().data.result.failures).toEqual([]);
    await settle();
    expect(await count()).toBe(contacts);
    const after = await scanEverything(t, values(yuri));
    expect(after, `still found in: ${after.join(', ')}`).toEqual([]);
  }, 300_000);
});
