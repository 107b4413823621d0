import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChatSocket } from '../helpers/chat-sockets';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import { choose, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Two agents on one ticket, each in their own browser: presence ("is replying"), a macro
// filled in from the ticket, a knowledge article linked into the reply, an attachment,
// and the collision prompt when the conversation moved on while writing. Then the
// queues, the SLA policies page and the contact's service side.
let rapport: RunningRapport;
let smtp: SmtpSink;
let adaBrowser: BrowserSession;
let ritaBrowser: BrowserSession;
let ada: Page;
let rita: Page;
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82]);
let ticket: { id: string; number: number };
let contact: { id: string };

const text = async (p: Page, label: string) => (await p.getByLabel(label, { exact: true }).textContent()) ?? '';

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  adaBrowser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  ritaBrowser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  ada = adaBrowser.page;
  rita = ritaBrowser.page;

  await signUpViaApi(ada, rapport.url, { name: 'Ada Admin', email: uniqueEmail('ada'), workspace: 'Desk Ltd' });
  const ritaEmail = uniqueEmail('rita');
  const invite = await ada.request.post(`${rapport.url}/api/v1/invitations`, {
    data: { email: ritaEmail, role: 'service_rep' },
  });
  expect(invite.status(), await invite.text()).toBe(201);
  const mail = await smtp.waitForMail(
    (x) => mailTo(x, ritaEmail) && /accept-invite\?token=/.test(x.text ?? ''),
    60_000,
  );
  const token = /accept-invite\?token=([\w%.-]+)/.exec(mail?.text ?? '')?.[1];
  const accepted = await rita.request.post(`${rapport.url}/api/v1/invitations/accept`, {
    data: { token: decodeURIComponent(String(token)), name: 'Rita Rep', password: PASSWORD },
  });
  expect(accepted.status(), await accepted.text()).toBe(200);

  const post = async (url: string, data: unknown) => {
    const res = await ada.request.post(`${rapport.url}${url}`, { data });
    expect(res.status(), await res.text()).toBe(201);
    return (await res.json()).data;
  };
  await post('/api/v1/sla-policies', {
    name: 'Standard',
    targets: { urgent: { firstResponseMinutes: 30, resolutionMinutes: 240 } },
  });
  await ada.request.get(`${rapport.url}/api/v1/service/settings`); // the help centre gets its address
  await post('/api/v1/articles', {
    title: 'Resetting your router',
    body: 'Hold the reset button for ten seconds.',
    visibility: 'public',
    status: 'published',
  });
  await post('/api/v1/ticket-macros', {
    name: 'Greeting',
    body: 'Hi {{ contact.firstName }}, thanks for ticket #{{ ticket.number }}.',
  });
  contact = await post('/api/v1/contacts', { firstName: 'Zoë', lastName: 'Client', email: 'zoe@client.test' });
  ticket = await post('/api/v1/tickets', {
    subject: 'Router reset does not work',
    contactId: contact.id,
    priority: 'urgent',
    assigneeId: (await (await ada.request.get(`${rapport.url}/api/v1/me`)).json()).data.user.id,
  });
});

afterAll(async () => {
  await adaBrowser?.close();
  await ritaBrowser?.close();
  await rapport?.stop();
  await smtp?.close();
});

describe('the service desk in the browser', () => {
  it('two agents on one ticket: presence, a macro, an article link, an attachment and the collision prompt', async () => {
    const url = `${rapport.url}/tickets/${ticket.id}`;
    await rita.goto(url);
    await ada.goto(url);
    for (const p of [rita, ada])
      await until('the conversation shown', () => p.getByRole('heading', { name: 'Conversation' }).isVisible());

    // Ada starts writing: Rita is told.
    await field(ada, 'Reply (emailed to the contact)').fill('Have you tried turning it off and on?');
    await until(
      'Rita sees Ada replying',
      async () =>
        (
          await rita
            .getByTestId('ticket-presence')
            .textContent()
            .catch(() => '')
        )?.includes('Ada Admin is replying') ?? false,
    );

    // Rita answers first, from a macro and a suggested article, with a screenshot.
    await choose(rita, 'Macro', 'Greeting');
    const reply = field(rita, 'Reply (emailed to the contact)');
    await until('the macro filled in', async () =>
      (await reply.inputValue()).startsWith('Hi Zoë, thanks for ticket #'),
    );
    const suggestion = rita.getByTestId('article-suggestion').filter({ hasText: 'Resetting your router' });
    await until('the article suggested', () => suggestion.isVisible());
    await suggestion.getByRole('button', { name: 'Insert link to Resetting your router' }).click();
    await until('the link inserted', async () => (await reply.inputValue()).includes('[Resetting your router](http'));
    await rita.locator('input[type="file"]').setInputFiles({ name: 'shot.png', mimeType: 'image/png', buffer: PNG });
    await rita.getByRole('button', { name: 'Send reply' }).click();
    await until('Rita’s reply shown', async () =>
      (await text(rita, 'Conversation')).includes(`Hi Zoë, thanks for ticket #${ticket.number}`),
    );
    const file = rita.getByRole('link', { name: /shot\.png/ });
    await until('the attachment listed', () => file.isVisible());
    const download = await rita.request.get(`${rapport.url}${await file.getAttribute('href')}`);
    expect(download.headers()['content-type']).toBe('image/png');
    const mail = await smtp.waitForMail((m) => (m.text ?? '').includes('Hi Zoë, thanks for ticket'), 60_000);
    expect(mail.attachments.map((a) => a.filename)).toEqual(['shot.png']);
    expect(mail.text).toContain('/articles/resetting-your-router');

    // Ada, who started before Rita's reply, is stopped, and may send anyway.
    await ada.getByRole('button', { name: 'Send reply' }).click();
    const prompt = ada.getByRole('alert').filter({ hasText: 'The conversation moved on' });
    await until('the collision prompt', () => prompt.isVisible());
    expect(await prompt.textContent()).toContain('Rita Rep');
    expect(await text(ada, 'Conversation')).not.toContain('turning it off and on');
    await ritaBrowser.shot('service-desk-01-rita');
    await adaBrowser.shot('service-desk-02-collision');
    await expectAccessible(ada, 'a ticket with the collision prompt');
    await prompt.getByRole('button', { name: 'Send anyway' }).click();
    await until('Ada’s reply shown', async () => (await text(ada, 'Conversation')).includes('turning it off and on'));
    expect(await text(ada, 'Conversation')).toContain('Hi Zoë');
    expect(adaBrowser.problems).toEqual([]);
    expect(ritaBrowser.problems).toEqual([]);
  });

  it('queues, SLA policies and the contact’s service side', async () => {
    await ada.goto(`${rapport.url}/service/queues`);
    await until('the queues shown', () => ada.getByRole('heading', { name: 'Ticket queues' }).isVisible());
    const table = ada.getByLabel('Tickets in the queue');
    await until('my ticket listed', async () =>
      ((await table.textContent().catch(() => '')) ?? '').includes('Router reset'),
    );
    await ada.getByText(/^Breaching soon/).click();
    await until('breaching soon listed', async () =>
      ((await table.textContent().catch(() => '')) ?? '').includes('Router reset'),
    );
    await expectAccessible(ada, 'the ticket queues');

    await ada.goto(`${rapport.url}/service/sla-policies`);
    await until('the policies shown', () => ada.getByLabel('SLA policies').isVisible());
    expect(await ada.getByLabel('SLA policies').textContent()).toContain('Standard');
    await ada.getByRole('button', { name: 'New calendar' }).click();
    await field(ada, 'Holidays').fill('2026-12-25');
    await ada.getByRole('button', { name: 'Save business hours' }).click();
    const hours = ada.getByRole('region', { name: 'Business hours' });
    await until('the calendar listed', async () => ((await hours.textContent()) ?? '').includes('Office hours (UTC)'));
    expect(await hours.textContent()).toContain('mon 09:00–17:00');
    await ada.getByRole('button', { name: 'New policy' }).click();
    await field(ada, 'Name').fill('VIP customers');
    await choose(ada, 'Business hours', 'Office hours (UTC)');
    await ada.getByRole('button', { name: 'Save policy' }).click();
    await until('the new policy listed', async () =>
      ((await ada.getByLabel('SLA policies').textContent()) ?? '').includes('VIP customers'),
    );
    const vip = ada.getByRole('row').filter({ hasText: 'VIP customers' });
    expect(await vip.textContent()).toContain('Office hours');
    await adaBrowser.shot('service-desk-03-sla-policies');

    // Zoë chats from the company's site (her address passed as the identity), Ada answers and ends it; Zoë rates it.
    const chat = await ada.request.post(`${rapport.url}/api/v1/chat/settings`, { data: { enabled: true } });
    expect(chat.status(), await chat.text()).toBe(200);
    const widgetKey = (await chat.json()).data.widgetKey as string;
    expect(
      (await ada.request.put(`${rapport.url}/api/v1/chat/presence`, { data: { status: 'online' } })).status(),
    ).toBe(200);
    const zoe = await openChatSocket(`${rapport.url.replace('http', 'ws')}/chat/socket?key=${widgetKey}`);
    zoe.send({ type: 'start', identity: { email: 'zoe@client.test', name: 'Zoë Client' } });
    const started = await zoe.next('started');
    const chatId = started.messages[0].conversationId as string;
    zoe.send({ type: 'message', body: 'Is my router under warranty?' });
    await zoe.next('message', (f) => f.message.author === 'visitor');
    const answered = await ada.request.post(`${rapport.url}/api/v1/chats/${chatId}/messages`, {
      data: { body: 'Yes, for two years.' },
    });
    expect(answered.status(), await answered.text()).toBe(201);
    expect((await ada.request.post(`${rapport.url}/api/v1/chats/${chatId}/end`)).status()).toBe(200);
    zoe.send({ type: 'csat', rating: 4 });
    await zoe.next('thanks');
    zoe.close();

    await ada.goto(`${rapport.url}/contacts/${contact.id}`);
    const service = ada.getByRole('region', { name: 'Service' });
    await until('the service card', () => service.isVisible());
    expect(await service.textContent()).toContain('Router reset does not work');
    expect(await service.getByTestId('service-open-ticket').textContent()).toMatch(/On track|At risk|Breached/);
    // Her chat among the recent chats: who answered, ended, her rating; its transcript opens in a dialog.
    const recent = service.getByTestId('service-recent-chat');
    await until('the recent chat', () => recent.isVisible());
    expect(await recent.textContent()).toContain('Answered by Ada Admin · Ended');
    expect(await recent.getByRole('img', { name: '4 of 5' }).isVisible()).toBe(true);
    await recent.getByRole('button', { name: /^Transcript/ }).click();
    const transcript = ada.getByRole('dialog', { name: 'Chat transcript' });
    await until('the transcript', async () =>
      ((await transcript.textContent().catch(() => '')) ?? '').includes('Yes, for two years.'),
    );
    expect(await transcript.textContent()).toContain('Is my router under warranty?');
    await expectAccessible(ada, 'the contact’s service card with a chat transcript');
    await ada.keyboard.press('Escape');
    await adaBrowser.shot('service-desk-04-contact');
    expect(adaBrowser.problems).toEqual([]);
  });
});
