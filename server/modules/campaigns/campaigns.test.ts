import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildInteraction, buildLead } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { sendRawMail } from '../../../test/helpers/inbound-smtp';
import { memberWithRole } from '../../../test/helpers/members';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';
import { emitEvent } from '../../platform/events/events';

describe('campaigns: members, sending exactly once with skips, unsubscribe, tracking, results', () => {
  let t: TestApp;
  let admin: SignedUp;
  let api: HttpClient;
  let smtp: SmtpSink;
  // The runtime's clock: tests move it on (opens long after delivery are a person's).
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);

  beforeAll(async () => {
    smtp = await startSmtpSink();
    t = await createTestApp({ smtpUrl: smtp.url, mailDomain: 'mail.example.test', smtpInboundPort: 0 }, { clock });
    await t.inbound.receiver?.start();
    admin = await signUp(t.app, { workspaceName: 'Campaign Co', name: 'Ada Admin' });
    api = client(t, admin.cookie);
  });
  afterAll(async () => {
    await t.stop();
    await smtp.close();
  });

  const grant = async (object: 'contacts' | 'leads', id: string, status: 'granted' | 'withdrawn' = 'granted') => {
    const res = await api.post(`/api/v1/${object}/${id}/consents`, { purpose: 'marketing_email', status });
    expect(res.statusCode, res.body).toBe(201);
  };

  /** Runs the send jobs until the campaign's sends are finished (or paused). */
  const runSends = async (campaignId: string) => {
    for (let i = 0; i < 50; i++) {
      await t.jobs.runDue({ queues: ['campaigns.send'] });
      const sends = (await api.get(`/api/v1/campaigns/${campaignId}/sends`)).json().data as { state: string }[];
      if (sends.every((s) => s.state === 'completed' || s.state === 'paused')) return sends;
    }
    throw new Error('the send did not finish');
  };
  /** Delivers the outbox to the SMTP sink. */
  const deliver = async () => {
    while ((await t.mail.runOnce(100)) > 0) {}
  };
  const campaignMail = () => smtp.messages.filter((m) => m.subject?.startsWith('Spring news'));
  /** A header as sent (mailparser turns List-* headers into objects). */
  const header = (m: ParsedMail, name: string) => {
    const line = m.headerLines.find((h) => h.key === name)?.line ?? '';
    return line
      .slice(line.indexOf(':') + 1)
      .replace(/\r?\n\s+/g, ' ')
      .trim();
  };

  let campaignId = '';
  let templateId = '';
  const people: Record<string, string> = {};

  it('creates a campaign ({ name, type: "email" } → 201 { data: { id } }), planned; bad input is a 422 naming the field', async () => {
    const res = await api.post('/api/v1/campaigns', {
      name: 'Spring launch',
      type: 'email',
      budget: { amount: '1500', currency: 'EUR' },
      actualCost: { amount: '1000', currency: 'EUR' },
    });
    expect(res.statusCode, res.body).toBe(201);
    campaignId = res.json().data.id;
    expect(res.json().data).toMatchObject({ status: 'planned', type: 'email', actualCost: { amount: '1000' } });
    const bad = await api.post('/api/v1/campaigns', { name: 'X', type: 'carrier_pigeon' });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors[0].path).toBe('type');
    const dates = await api.post('/api/v1/campaigns', {
      name: 'Y',
      type: 'event',
      startDate: '2026-05-02',
      endDate: '2026-05-01',
    });
    expect(dates.statusCode).toBe(422);
    expect(dates.json().errors[0].path).toBe('endDate');
  });

  it('adds contacts by hand and leads from a segment (a snapshot); members list with status and counts', async () => {
    const mk = async (key: string, fields: Record<string, unknown>) => {
      people[key] = (await buildContact(api, { lastName: key, ...fields })).id;
    };
    await mk('Anna', { firstName: 'Anna', email: 'anna@example.org' });
    await mk('Ben', { email: 'ben@example.org' }); // no first name: the fallback
    await mk('Cleo', { firstName: 'Cleo', email: 'cleo@example.org' }); // never asked: no consent
    await mk('Dan', { firstName: 'Dan', email: 'dan@example.org' }); // withdrew
    await mk('Eve', { firstName: 'Eve', email: 'eve@example.org', doNotContact: true });
    await mk('Finn', { firstName: 'Finn' }); // no email
    await mk('Gus', { firstName: 'Gus', email: 'gus@example.org' }); // emailed yesterday: cool-down
    for (const k of ['Anna', 'Ben', 'Dan', 'Eve', 'Finn', 'Gus']) await grant('contacts', people[k] as string);
    await grant('contacts', people.Dan as string, 'withdrawn');
    await buildInteraction(api, {
      channel: 'email',
      topic: 'Follow-up',
      contactId: people.Gus,
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
    const lead = await buildLead(api, { firstName: 'Lena', lastName: 'Lead', email: 'lena@example.org' });
    people.Lena = lead.id;
    await grant('leads', lead.id);

    const contactIds = ['Anna', 'Ben', 'Cleo', 'Dan', 'Eve', 'Finn', 'Gus'].map((k) => people[k] as string);
    const add = await api.post(`/api/v1/campaigns/${campaignId}/members`, { contactIds });
    expect(add.statusCode, add.body).toBe(200);
    expect(add.json().data).toEqual({ added: 7, alreadyMembers: 0 });
    const again = await api.post(`/api/v1/campaigns/${campaignId}/members`, { contactIds: contactIds.slice(0, 2) });
    expect(again.json().data).toEqual({ added: 0, alreadyMembers: 2 });

    const seg = await api.post('/api/v1/segments', { name: 'Spring leads', object: 'leads', type: 'static' });
    expect(seg.statusCode, seg.body).toBe(201);
    const segmentId = seg.json().data.id;
    expect((await api.post(`/api/v1/segments/${segmentId}/members`, { ids: [lead.id] })).statusCode).toBe(200);
    const fromSegment = await api.post(`/api/v1/campaigns/${campaignId}/members`, { segmentId });
    expect(fromSegment.json().data).toEqual({ added: 1, alreadyMembers: 0 });

    const list = await api.get(`/api/v1/campaigns/${campaignId}/members?limit=3`);
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().counts.targeted).toBe(8);
    expect(list.json().data).toHaveLength(3);
    expect(list.json().data[0]).toMatchObject({ object: 'contacts', status: 'targeted', name: 'Anna Anna' });
    const rest = await api.get(`/api/v1/campaigns/${campaignId}/members?limit=10&after=${list.json().next}`);
    expect(rest.json().data).toHaveLength(5);
    expect(rest.json().data.at(-1)).toMatchObject({ object: 'leads', email: 'lena@example.org' });
  });

  it('refuses bad members with a 422 naming the field, adding nothing', async () => {
    const unknown = await api.post(`/api/v1/campaigns/${campaignId}/members`, {
      contactIds: [people.Anna, '00000000-0000-7000-8000-000000000001'],
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0].path).toBe('contactIds.1');
    const both = await api.post(`/api/v1/campaigns/${campaignId}/members`, {
      contactIds: [people.Anna],
      segmentId: '00000000-0000-7000-8000-000000000001',
    });
    expect(both.statusCode).toBe(422);
    const noSegment = await api.post(`/api/v1/campaigns/${campaignId}/members`, {
      segmentId: '00000000-0000-7000-8000-000000000001',
    });
    expect(noSegment.statusCode).toBe(422);
    expect(noSegment.json().errors[0].path).toBe('segmentId');
    expect((await api.get(`/api/v1/campaigns/${campaignId}/members`)).json().counts.targeted).toBe(8);
  });

  it('MJML templates compile to responsive HTML with a text part; invalid MJML is a 422 naming html', async () => {
    const bad = await api.post('/api/v1/mail/templates', {
      name: 'Broken',
      subject: 'x',
      format: 'mjml',
      html: '<mjml><mj-body><mj-nonsense/></mj-body></mjml>',
      text: '',
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('html');
    const res = await api.post('/api/v1/mail/templates', {
      name: 'Spring news',
      subject: 'Spring news for {{ contact.firstName | default: "you" }}',
      format: 'mjml',
      html: `<mjml><mj-body><mj-section><mj-column>
        <mj-text>Hello {{ contact.firstName | default: "there" }},</mj-text>
        <mj-text>See <a href="https://shop.example.com/pricing?a=1&amp;b=2">our prices</a>.</mj-text>
        <mj-button href="https://shop.example.com/spring">Spring offers</mj-button>
      </mj-column></mj-section></mj-body></mjml>`,
      text: '',
    });
    expect(res.statusCode, res.body).toBe(201);
    templateId = res.json().data.id;
    expect(res.json().data.format).toBe('mjml');
    const preview = await api.post(`/api/v1/mail/templates/${templateId}/preview`, { contactId: people.Ben });
    expect(preview.statusCode, preview.body).toBe(200);
    const p = preview.json().data;
    expect(p.subject).toBe('Spring news for you');
    expect(p.html).toContain('@media'); // responsive CSS from MJML
    expect(p.html).toContain('Hello there,');
    expect(p.text).toContain('Hello there,');
    expect(p.text).toContain('our prices (https://shop.example.com/pricing?a=1&b=2)');

    const test = await api.post(`/api/v1/mail/templates/${templateId}/test-send`, { contactId: people.Anna });
    expect(test.statusCode, test.body).toBe(202);
    expect(test.json().data).toMatchObject({ to: admin.email, subject: '[Test] Spring news for Anna' });
  });

  it('the send dialog counts who will be skipped and why', async () => {
    const res = await api.get(`/api/v1/campaigns/${campaignId}/send/preview`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual({
      members: 8,
      willSend: 3,
      skipped: 5,
      skippedByReason: { no_consent: 1, unsubscribed: 1, do_not_contact: 1, no_email: 1, cooldown: 1 },
    });
  });

  it('sends in the background (202) from the workspace sender, exactly once per recipient, with RFC 8058 headers', async () => {
    const sender = await api.post('/api/v1/mail/senders', {
      fromName: 'Campaign Co News',
      fromAddress: 'news@campaign.example',
      replyTo: 'hello@campaign.example',
    });
    expect(sender.statusCode, sender.body).toBe(201);
    expect(sender.json().data.isDefault).toBe(true);

    const noTemplate = await api.post(`/api/v1/campaigns/${campaignId}/send`, {
      templateId: '00000000-0000-7000-8000-000000000001',
    });
    expect(noTemplate.statusCode).toBe(422);
    expect(noTemplate.json().errors[0].path).toBe('templateId');

    const res = await api.post(`/api/v1/campaigns/${campaignId}/send`, { templateId });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json().data).toMatchObject({ state: 'sending', queued: 0 });
    const busy = await api.post(`/api/v1/campaigns/${campaignId}/send`, { templateId });
    expect(busy.statusCode).toBe(409);
    const sends = await runSends(campaignId);
    expect(sends[0]).toMatchObject({ state: 'completed', queued: 3, skipped: 5 });
    expect((await api.get(`/api/v1/campaigns/${campaignId}`)).json().data.status).toBe('active');
    await deliver();

    const mails = campaignMail();
    expect(mails.map((m) => m.to && 'text' in m.to && m.to.text).sort()).toEqual([
      'anna@example.org',
      'ben@example.org',
      'lena@example.org',
    ]);
    const anna = mails.find((m) => m.subject === 'Spring news for Anna') as ParsedMail;
    expect(anna.from?.text).toBe('"Campaign Co News" <news@campaign.example>');
    expect(anna.replyTo?.text).toBe('hello@campaign.example');
    expect(anna.messageId).toMatch(/^<[0-9a-f-]{36}@mail\.example\.test>$/);
    expect(header(anna, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(header(anna, 'precedence')).toBe('bulk');
    const lu = header(anna, 'list-unsubscribe');
    expect(lu).toMatch(/^<http:\/\/localhost:3000\/e\/u\/[0-9a-f]{64}\.[\w-]{22}>, <mailto:[^>]+>$/);
    expect(anna.text).toContain('Hello Anna,');
    expect(anna.text).toContain('Unsubscribe: http://localhost:3000/e/u/');
    // Links are tracked: they point at /e/c/ bound to the original URL; an open pixel is added.
    const html = String(anna.html);
    expect(html).not.toContain('href="https://shop.example.com');
    expect(html).toMatch(/href="http:\/\/localhost:3000\/e\/c\/[0-9a-f]{64}\.[\w-]{22}\?u=https%3A%2F%2Fshop/);
    expect(html).toMatch(/<img src="http:\/\/localhost:3000\/e\/o\/[0-9a-f]{64}\.[\w-]{22}\.gif"/);

    // A second send mails nobody twice.
    const second = await api.post(`/api/v1/campaigns/${campaignId}/send`, { templateId });
    expect(second.statusCode).toBe(202);
    const after = await runSends(campaignId);
    expect(after[0]).toMatchObject({ state: 'completed', queued: 0, skipped: 5 });
    await deliver();
    expect(campaignMail()).toHaveLength(3);

    const members = (await api.get(`/api/v1/campaigns/${campaignId}/members?limit=20`)).json();
    expect(members.counts).toMatchObject({ delivered: 3, skipped: 5, targeted: 0 });
    const ben = members.data.find((m: { recordId: string }) => m.recordId === people.Ben);
    expect(ben).toMatchObject({ status: 'delivered', skipReason: null });
    expect(ben.sentAt).not.toBeNull();
    expect(ben.deliveredAt).not.toBeNull();
    const gus = members.data.find((m: { recordId: string }) => m.recordId === people.Gus);
    expect(gus).toMatchObject({ status: 'skipped', skipReason: 'cooldown' });
  });

  const tokenIn = (html: string, kind: 'o' | 'c') => {
    const m = html.match(new RegExp(`/e/${kind}/([0-9a-f]{64}\\.[\\w-]{22})`));
    return m?.[1] as string;
  };
  const annaMail = () => campaignMail().find((m) => m.subject === 'Spring news for Anna') as ParsedMail;

  it('opens and clicks: a machine’s (seconds after delivery, Apple’s proxy) is flagged, a person’s counts', async () => {
    // Engagement scoring counts people's opens and clicks, not machines'.
    for (const [event, points] of [
      ['email.opened', 5],
      ['email.clicked', 10],
    ] as const) {
      const rule = await api.post('/api/v1/scoring/rules', {
        name: event,
        kind: 'engagement',
        object: 'contacts',
        event,
        points,
      });
      expect(rule.statusCode, rule.body).toBe(201);
    }
    const html = String(annaMail().html);
    const open = tokenIn(html, 'o');
    const ua = { 'user-agent': 'Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 (KHTML, like Gecko)' };
    // Right after delivery: a prefetch, not a person.
    const early = await t.app.inject({ method: 'GET', url: `/e/o/${open}.gif`, headers: ua });
    expect(early.statusCode).toBe(200);
    expect(early.headers['content-type']).toBe('image/gif');
    offsetMs = 5 * 60_000;
    const proxy = await t.app.inject({
      method: 'GET',
      url: `/e/o/${open}.gif`,
      headers: ua,
      remoteAddress: '17.58.1.2',
    });
    expect(proxy.statusCode).toBe(200);
    let r = (await api.get(`/api/v1/campaigns/${campaignId}/results`)).json().data;
    expect(r).toMatchObject({ opened: 0, machineOpens: 2 });

    const person = await t.app.inject({ method: 'GET', url: `/e/o/${open}.gif`, headers: ua });
    expect(person.statusCode).toBe(200);
    // A forged token answers the same pixel and records nothing.
    const forged = await t.app.inject({ method: 'GET', url: `/e/o/${'0'.repeat(64)}.${'A'.repeat(22)}.gif` });
    expect(forged.statusCode).toBe(200);
    r = (await api.get(`/api/v1/campaigns/${campaignId}/results`)).json().data;
    expect(r).toMatchObject({ opened: 1, machineOpens: 2 });

    // Clicks redirect only to the URL the token was minted for.
    const href = html.match(/href="(http:\/\/localhost:3000\/e\/c\/[^"]+)"/)?.[1] as string;
    const path = href.replace('http://localhost:3000', '').replace(/&amp;/g, '&');
    const click = await t.app.inject({ method: 'GET', url: path, headers: ua });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.com/pricing?a=1&b=2');
    const token = tokenIn(html, 'c');
    const redirected = await t.app.inject({
      method: 'GET',
      url: `/e/c/${token}?u=${encodeURIComponent('https://evil.example/phish')}`,
    });
    expect(redirected.statusCode).toBe(404);
    expect(redirected.headers.location).toBeUndefined();

    r = (await api.get(`/api/v1/campaigns/${campaignId}/results`)).json().data;
    expect(r).toMatchObject({ opened: 1, clicked: 1 });
    const members = (await api.get(`/api/v1/campaigns/${campaignId}/members?status=clicked`)).json();
    expect(members.data.map((m: { recordId: string }) => m.recordId)).toEqual([people.Anna]);
    expect(members.data[0].openedAt).not.toBeNull();
    // The contact's events: the engagement scoring and the timeline read them.
    const { rows } = await sql<{ type: string; record_id: string }>`
      select type, record_id from events where type like 'email.%' order by tx, seq`.execute(t.database.db);
    expect(rows).toEqual([
      { type: 'email.opened', record_id: people.Anna },
      { type: 'email.clicked', record_id: people.Anna },
    ]);
    await t.events.drain();
    const score = (await api.get(`/api/v1/contacts/${people.Anna}/score`)).json().data;
    expect(score.engagement).toBeCloseTo(15, 1);
  });

  it('a click on a link to a tracked site ties the website visitor to the contact', async () => {
    const settings = await api.post('/api/v1/tracking/settings', { allowedOrigins: ['https://shop.example.com'] });
    expect(settings.statusCode, settings.body).toBe(200);
    const ben = campaignMail().find((m) => m.subject === 'Spring news for you') as ParsedMail;
    const href = String(ben.html).match(/href="(http:\/\/localhost:3000\/e\/c\/[^"]+spring)"/)?.[1] as string;
    const click = await t.app.inject({
      method: 'GET',
      url: href.replace('http://localhost:3000', ''),
      headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0) Firefox/130.0' },
    });
    expect(click.statusCode).toBe(302);
    const location = new URL(String(click.headers.location));
    expect(location.origin + location.pathname).toBe('https://shop.example.com/spring');
    const vid = location.searchParams.get('rapport_vid') as string;
    expect(vid).toMatch(/^[0-9a-f]{32}$/);
    const { rows } = await sql<{ object: string; record_id: string }>`
      select object, record_id from web_visitors where id = ${vid}`.execute(t.database.db);
    expect(rows).toEqual([{ object: 'contacts', record_id: people.Ben }]);
  });

  it('one-click unsubscribe: POST List-Unsubscribe=One-Click (form body, no cookie) → 2xx, consent withdrawn', async () => {
    const lu = header(annaMail(), 'list-unsubscribe');
    const url = new URL(lu.match(/<(http[^>]+)>/)?.[1] as string);
    // GET shows the preferences page and changes nothing.
    const page = await t.app.inject({ method: 'GET', url: url.pathname });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Unsubscribe from marketing email');
    expect(page.body).toMatch(/<input type="checkbox" name="purpose" value="marketing_email" checked>/);
    const res = await t.app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You are unsubscribed');
    const ledger = (await api.get(`/api/v1/contacts/${people.Anna}/consents`)).json();
    expect(ledger.current.find((c: { purpose: string }) => c.purpose === 'marketing_email').status).toBe('withdrawn');
    expect(ledger.data[0]).toMatchObject({ purpose: 'marketing_email', status: 'withdrawn', source: 'form' });
    // RFC 8058 also allows the same field as multipart/form-data.
    const multipart = await t.app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'multipart/form-data; boundary=XyZ' },
      payload: '--XyZ\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--XyZ--\r\n',
    });
    expect(multipart.statusCode).toBe(200);
    expect(multipart.body).toContain('You are unsubscribed');
    const forged = await t.app.inject({
      method: 'POST',
      url: `/e/u/${'1'.repeat(64)}.${'B'.repeat(22)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(forged.statusCode).toBe(404);
    // The preferences form grants again what the person ticks.
    const save = await t.app.inject({
      method: 'POST',
      url: url.pathname,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'preferences=1&purpose=marketing_email',
    });
    expect(save.statusCode).toBe(200);
    expect(save.body).toContain('Your preferences are saved');
    const after = (await api.get(`/api/v1/contacts/${people.Anna}/consents`)).json();
    expect(after.current.find((c: { purpose: string }) => c.purpose === 'marketing_email').status).toBe('granted');
  });

  it('the preferences link opened with Global Privacy Control (Sec-GPC: 1) opts the person out of sale/sharing', async () => {
    const url = new URL(header(annaMail(), 'list-unsubscribe').match(/<(http[^>]+)>/)?.[1] as string);
    const doNotSell = async () =>
      (await api.get(`/api/v1/contacts/${people.Anna}?fields=doNotSell`)).json().data.doNotSell;
    expect(await doNotSell()).toBe(false);
    const page = await t.app.inject({ method: 'GET', url: url.pathname, headers: { 'sec-gpc': '1' } });
    expect(page.statusCode).toBe(200);
    expect(await doNotSell()).toBe(true);
    const ledger = (await api.get(`/api/v1/contacts/${people.Anna}/consents`)).json();
    expect(ledger.current.find((c: { purpose: string }) => c.purpose === 'sale_sharing').status).toBe('withdrawn');
    expect(ledger.data.find((c: { purpose: string }) => c.purpose === 'sale_sharing')).toMatchObject({
      status: 'withdrawn',
      source: 'gpc',
    });
    // Browsers send the signal on every request: a second visit adds nothing.
    const entries = ledger.data.length;
    await t.app.inject({ method: 'GET', url: url.pathname, headers: { 'sec-gpc': '1' } });
    expect((await api.get(`/api/v1/contacts/${people.Anna}/consents`)).json().data).toHaveLength(entries);
  });

  it('the List-Unsubscribe mailto: works: mail to it with its subject, over SMTP, unsubscribes; forged or automatic mail does nothing', async () => {
    const benMail = campaignMail().find((m) => m.to && 'text' in m.to && m.to.text === 'ben@example.org') as ParsedMail;
    const mailto = new URL(header(benMail, 'list-unsubscribe').match(/<(mailto:[^>]+)>/)?.[1] as string);
    const address = decodeURIComponent(mailto.pathname);
    expect(address).toMatch(/^unsubscribe-[0-9a-f]{12}@mail\.example\.test$/);
    const subject = mailto.searchParams.get('subject') as string;
    expect(subject).toMatch(/^unsubscribe [0-9a-f]{64}\.[\w-]{22}$/);
    const status = async () =>
      (await api.get(`/api/v1/contacts/${people.Ben}/consents`))
        .json()
        .current.find((c: { purpose: string }) => c.purpose === 'marketing_email').status;
    const mailIt = async (subj: string, extra = '') => {
      const sent = await sendRawMail(t.inbound.receiver?.port ?? 0, {
        from: 'ben@example.org',
        to: [address],
        raw: `From: ben@example.org\r\nTo: ${address}\r\nSubject: ${subj}\r\nMessage-ID: <${Math.random()}@example.org>\r\n${extra}\r\nunsubscribe\r\n`,
      });
      expect(sent.rcptTo[0]?.code).toBe(250);
      expect(sent.message?.code).toBe(250);
      while ((await t.inbound.processor.runOnce()).length > 0) {}
    };
    expect(await status()).toBe('granted');
    // A forged token (right shape, wrong signature) and an auto-reply quoting the real one: nothing.
    await mailIt(subject.replace(/\.[\w-]{22}$/, `.${'A'.repeat(22)}`));
    await mailIt(`Out of office: ${subject}`, 'Auto-Submitted: auto-replied\r\n');
    expect(await status()).toBe('granted');
    await mailIt(subject);
    expect(await status()).toBe('withdrawn');
    const ledger = (await api.get(`/api/v1/contacts/${people.Ben}/consents`)).json();
    expect(ledger.data[0]).toMatchObject({ purpose: 'marketing_email', status: 'withdrawn', source: 'form' });
    const members = (await api.get(`/api/v1/campaigns/${campaignId}/members?limit=100`)).json();
    expect(members.data.find((m: { recordId: string }) => m.recordId === people.Ben).status).toBe('unsubscribed');
    // The mailbox was made on first use and is listed among the workspace's mailboxes.
    const boxes = (await api.get('/api/v1/service/mailboxes')).json().data as { address: string; kind: string }[];
    expect(boxes.find((b) => b.kind === 'unsubscribe')?.address).toBe(address);
  });

  it('a bounce (the bounces module’s mail.bounced event) marks the member bounced and later sends skip the address', async () => {
    const { rows } = await sql<{ outbox_id: string }>`select cm.outbox_id from campaign_messages cm
      join campaign_members m on m.workspace_id = cm.workspace_id and m.id = cm.member_id
      where m.record_id = ${people.Lena} and cm.outbox_id is not null`.execute(t.database.db);
    const bounce = (kind: 'hard' | 'soft', suppressed: boolean) =>
      t.database.tenant(admin.workspaceId, (tx) =>
        emitEvent(
          tx,
          { workspaceId: admin.workspaceId, userId: null },
          {
            type: 'mail.bounced',
            object: 'leads',
            recordId: people.Lena,
            data: { outboxId: rows[0]?.outbox_id, email: 'lena@example.org', kind, status: '5.1.1', suppressed },
          },
        ),
      );
    const lena = async () =>
      ((await api.get(`/api/v1/campaigns/${campaignId}/members?limit=100`)).json().data as any[]).find(
        (m) => m.recordId === people.Lena,
      );
    // A soft bounce below the limit is a delay: the member stays as they were.
    const before = (await lena()).status;
    await bounce('soft', false);
    await t.events.drain();
    expect((await lena()).status).toBe(before);
    await bounce('hard', true);
    await t.events.drain();
    expect((await lena()).status).toBe('bounced');
    const other = await api.post('/api/v1/campaigns', { name: 'Follow-up', type: 'email' });
    const otherId = other.json().data.id;
    const dup = await buildContact(api, { lastName: 'Again', email: 'LENA@example.org' });
    await grant('contacts', dup.id);
    await api.post(`/api/v1/campaigns/${otherId}/members`, { contactIds: [dup.id] });
    expect((await api.get(`/api/v1/campaigns/${otherId}/send/preview`)).json().data.skippedByReason).toEqual({
      bounced: 1,
    });
  });

  it('pauses and resumes a send; nobody is mailed twice', async () => {
    const c = (await api.post('/api/v1/campaigns', { name: 'Paused', type: 'email' })).json().data.id;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await buildContact(api, { firstName: `P${i}`, lastName: 'Pause', email: `p${i}@example.org` });
      await grant('contacts', p.id);
      ids.push(p.id);
    }
    await api.post(`/api/v1/campaigns/${c}/members`, { contactIds: ids });
    expect((await api.post(`/api/v1/campaigns/${c}/send`, { templateId, perMinute: 60 })).statusCode).toBe(202);
    const paused = await api.post(`/api/v1/campaigns/${c}/send/pause`);
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json().data.state).toBe('paused');
    await runSends(c);
    expect((await api.get(`/api/v1/campaigns/${c}/sends`)).json().data[0]).toMatchObject({
      state: 'paused',
      queued: 0,
    });
    const resumed = await api.post(`/api/v1/campaigns/${c}/send/resume`);
    expect(resumed.json().data.state).toBe('sending');
    const done = await runSends(c);
    expect(done[0]).toMatchObject({ state: 'completed', queued: 3 });
    expect((await api.post(`/api/v1/campaigns/${c}/send/resume`)).statusCode).toBe(404);
  });

  it('results: members, sends, skips by reason, leads, won revenue, ROI, cost per lead and CAC (hand-computed)', async () => {
    // Three leads and three opportunities name the campaign; two opportunities (two accounts) are won.
    for (const n of ['L1', 'L2']) await buildLead(api, { lastName: n, sourceCampaignId: campaignId });
    await api.patch(`/api/v1/leads/${people.Lena}`, { sourceCampaignId: campaignId });
    const pipeline = (await api.get('/api/v1/pipelines')).json().data[0];
    const won = pipeline.stages.find((s: { kind: string }) => s.kind === 'won').id;
    const acc1 = (await api.post('/api/v1/accounts', { name: 'Acme' })).json().data.id;
    const acc2 = (await api.post('/api/v1/accounts', { name: 'Globex' })).json().data.id;
    const opp = async (name: string, amount: string, accountId: string, stageId?: string) => {
      const res = await api.post('/api/v1/opportunities', {
        name,
        accountId,
        amount: { amount, currency: 'EUR' },
        sourceCampaignId: campaignId,
        ...(stageId ? { stageId } : {}),
      });
      expect(res.statusCode, res.body).toBe(201);
    };
    await opp('Won 1', '3000.50', acc1, won);
    await opp('Won 2', '1499.50', acc2, won);
    await opp('Open', '9999', acc1);

    const res = await api.get(`/api/v1/campaigns/${campaignId}/results`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual({
      members: 8,
      targeted: 0,
      sent: 3,
      delivered: 3,
      // Ben's click counts as his open too.
      opened: 2,
      clicked: 2,
      machineOpens: 2,
      machineClicks: 0,
      responded: 0,
      // Anna (one click) and Ben (the mailto: address).
      unsubscribed: 2,
      bounced: 1,
      skipped: 5,
      skippedByReason: { no_consent: 1, unsubscribed: 1, do_not_contact: 1, no_email: 1, cooldown: 1 },
      leads: 3,
      opportunities: 3,
      customers: 2,
      currency: 'EUR',
      wonRevenue: '4500',
      cost: '1000',
      budget: '1500',
      // (4500 − 1000) / 1000; 1000 / 3 leads; 1000 / 2 customers.
      roi: 3.5,
      costPerLead: '333.3333',
      cac: '500',
      openRate: 0.6667,
      clickRate: 0.6667,
      posts: 0,
      conversations: 0,
    });

    // With cost entries, the campaign's cost is their sum (every date), not its actual cost;
    // an entry on another campaign or in another currency does not count; a trashed one neither.
    const entry = async (amount: string, currency: string, forCampaign: string | null, incurredOn = '2026-02-01') => {
      const r = await api.post('/api/v1/campaign_costs', {
        incurredOn,
        amount: { amount, currency },
        ...(forCampaign ? { campaignId: forCampaign } : {}),
      });
      expect(r.statusCode, r.body).toBe(201);
      return r.json().data.id as string;
    };
    await entry('700', 'EUR', campaignId);
    await entry('500.40', 'EUR', campaignId, '2025-11-30');
    await entry('99', 'USD', campaignId);
    await entry('5000', 'EUR', null);
    const trashed = await entry('10000', 'EUR', campaignId);
    expect((await api.del(`/api/v1/campaign_costs/${trashed}`)).statusCode).toBeLessThan(300);
    expect((await api.get(`/api/v1/campaigns/${campaignId}/results`)).json().data).toMatchObject({
      currency: 'EUR',
      cost: '1200.4',
      // (4500 − 1200.40) / 1200.40; 1200.40 / 3 leads; 1200.40 / 2 customers.
      roi: 2.7488,
      costPerLead: '400.1333',
      cac: '600.2',
    });
  });

  it('first touch: a lead’s source campaign carries over to the opportunity it converts into', async () => {
    const fair = (await api.post('/api/v1/campaigns', { name: 'Fair', type: 'event' })).json().data.id;
    const lead = await buildLead(api, { lastName: 'Visitor', company: 'Fairgoer Ltd', sourceCampaignId: fair });
    const res = await api.post(`/api/v1/leads/${lead.id}/convert`, {
      opportunity: { name: 'Fair deal', amount: { amount: '800', currency: 'EUR' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const opportunity = (await api.get(`/api/v1/opportunities/${res.json().data.opportunity.id}`)).json().data;
    expect(opportunity.sourceCampaignId).toBe(fair);
    expect((await api.get(`/api/v1/campaigns/${fair}/results`)).json().data).toMatchObject({
      leads: 1,
      opportunities: 1,
    });
  });

  it('only people who may change the campaign add members or send; others may read results', async () => {
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
    const asRep = client(t, rep.cookie);
    expect((await asRep.get(`/api/v1/campaigns/${campaignId}/results`)).statusCode).toBe(200);
    expect(
      (await asRep.post(`/api/v1/campaigns/${campaignId}/members`, { contactIds: [people.Anna] })).statusCode,
    ).toBe(403);
    expect((await asRep.post(`/api/v1/campaigns/${campaignId}/send`, { templateId })).statusCode).toBe(403);
    expect((await asRep.get('/api/v1/mail/senders')).statusCode).toBe(403);
  });
});
