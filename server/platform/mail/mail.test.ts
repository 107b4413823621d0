import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';

describe('mail templates, preview, send and the outbox', () => {
  let t: TestApp;
  let admin: SignedUp;

  beforeAll(async () => {
    t = await createTestApp(); // no SMTP: mail is held in the outbox
    admin = await signUp(t.app, { name: 'Sam Sender', workspaceName: 'Mail & Co' });
  });
  afterAll(() => t.stop());

  it('creates a template, refuses broken syntax naming the field, and previews with sample data', async () => {
    const bad = await client(t, admin).post('/api/v1/mail/templates', {
      name: 'Broken',
      subject: 'Hi {{ contact.firstName',
      html: '<p>{{ 1 + 1 }}</p>',
      text: 'ok',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual(['subject', 'html']);

    const created = await client(t, admin).post('/api/v1/mail/templates', {
      name: 'Welcome',
      subject: 'Welcome, {{ contact.firstName | default: "there" }}',
      html: '<p>Hello {{contact.firstName}} {{ contact.lastName }},</p><p>{{ user.name }} at {{ workspace.name }}</p>',
      text: 'Hello {{contact.firstName | default: "there"}} — {{ user.name }}',
    });
    expect(created.statusCode, created.body).toBe(201);
    const tpl = created.json().data;
    expect(tpl.variables).toEqual(['contact.firstName', 'contact.lastName', 'user.name', 'workspace.name']);
    const dup = await client(t, admin).post('/api/v1/mail/templates', {
      name: 'Welcome',
      subject: 'x',
      html: '',
      text: 'x',
    });
    expect(dup.statusCode).toBe(409);

    const sample = (await client(t, admin).post(`/api/v1/mail/templates/${tpl.id}/preview`, {})).json().data;
    expect(sample).toMatchObject({
      sample: true,
      subject: 'Welcome, Ada',
      html: '<p>Hello Ada Lovelace,</p><p>Sam Sender at Mail &amp; Co</p>',
      text: 'Hello Ada — Sam Sender',
    });
  });

  it('previews a draft live with a chosen contact, escaping its values in HTML', async () => {
    const c = await buildContact(client(t, admin), {
      firstName: '<b>Eve</b>',
      lastName: 'O’Hara',
      email: 'eve@ex.com',
    });
    const res = await client(t, admin).post('/api/v1/mail/templates/preview', {
      subject: 'For {{contact.firstName}}',
      html: '<h1>{{contact.firstName}}</h1>{{contact.nickname | default: "friend"}}',
      text: '{{contact.firstName}}',
      contactId: c.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject({
      sample: false,
      subject: 'For <b>Eve</b>',
      html: '<h1>&lt;b&gt;Eve&lt;/b&gt;</h1>friend',
      text: '<b>Eve</b>',
    });
    const missing = await client(t, admin).post('/api/v1/mail/templates/preview', {
      subject: 'x',
      html: '',
      text: 'x',
      contactId: '00000000-0000-7000-8000-00000000abcd',
    });
    expect(missing.statusCode).toBe(404);
  });

  it('sends to a contact through the outbox (held without SMTP), honours do-not-contact, and lists the outbox', async () => {
    const tpl = (
      await client(t, admin).post('/api/v1/mail/templates', {
        name: 'Follow-up',
        subject: 'Following up, {{contact.firstName}}',
        html: '<p>Dear {{contact.firstName}}</p>',
        text: 'Dear {{contact.firstName}}',
      })
    ).json().data;
    const c = await buildContact(client(t, admin), { firstName: 'Lin', lastName: 'Wu', email: 'lin@ex.com' });
    const sent = await client(t, admin).post(`/api/v1/mail/templates/${tpl.id}/send`, { contactId: c.id });
    expect(sent.statusCode, sent.body).toBe(202);
    expect(sent.json().data).toMatchObject({ to: 'lin@ex.com', subject: 'Following up, Lin' });
    await t.mail.runOnce(); // no SMTP configured: queued → held

    const outbox = (await client(t, admin).get('/api/v1/mail/outbox')).json();
    const mail = outbox.data.find((m: { id: string }) => m.id === sent.json().data.mailId);
    expect(mail).toMatchObject({ to: 'lin@ex.com', status: 'held', subject: 'Following up, Lin' });
    expect(outbox.counts.held).toBeGreaterThanOrEqual(1);
    const detail = (await client(t, admin).get(`/api/v1/mail/outbox/${mail.id}`)).json().data;
    expect(detail).toMatchObject({ html: '<p>Dear Lin</p>', text: 'Dear Lin' });

    const quiet = await buildContact(client(t, admin), {
      firstName: 'Quiet',
      lastName: 'Q',
      email: 'q@ex.com',
      doNotContact: true,
    });
    const refused = await client(t, admin).post(`/api/v1/mail/templates/${tpl.id}/send`, { contactId: quiet.id });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/asked not to be contacted/);
    const noEmail = await buildContact(client(t, admin), { firstName: 'No', lastName: 'Mail' });
    const missing = await client(t, admin).post(`/api/v1/mail/templates/${tpl.id}/send`, { contactId: noEmail.id });
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0].path).toBe('contactId');
    const after = (await client(t, admin).get('/api/v1/mail/outbox')).json().data;
    expect(after.some((m: { to: string }) => m.to === 'q@ex.com')).toBe(false);
  });

  it('templates and the outbox are for administrators', async () => {
    const key = await createApiKeyVia(t.app, admin.cookie, { name: 'rep', role: 'sales_rep' });
    for (const url of ['/api/v1/mail/templates', '/api/v1/mail/outbox']) {
      const res = await t.app.inject({ url, headers: { authorization: `Bearer ${key}` } });
      expect(res.statusCode, url).toBe(403);
    }
  });
});
