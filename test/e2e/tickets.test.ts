import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport, startRapport } from './helpers/rapport';
import { field, until } from './helpers/ui';

// A service agent on a ticket page: the SLA due times are shown, an internal note is
// added (not mailed), and a reply is sent to the customer (mailed, threaded, [#n] subject).
let rapport: RunningRapport;
let smtp: SmtpSink;
let agent: BrowserSession;
let p: Page;

beforeAll(async () => {
  smtp = await startSmtpSink();
  rapport = await startRapport({ SMTP_URL: smtp.url });
  agent = await openBrowser({ viewport: { width: 1280, height: 900 } });
  p = agent.page;
});

afterAll(async () => {
  await agent?.close();
  await rapport?.stop();
  await smtp?.close();
});

describe('a ticket in the browser', () => {
  it('shows its SLA and conversation; a note stays inside, a reply is emailed', async () => {
    const signUp = await p.request.post(`${rapport.url}/api/v1/auth/sign-up`, {
      data: {
        name: 'Sue Service',
        email: `sue-${Date.now()}@example.com`,
        password: PASSWORD,
        workspaceName: 'Help Ltd',
      },
    });
    expect(signUp.status(), await signUp.text()).toBe(201);
    const post = async (url: string, data: unknown) => {
      const res = await p.request.post(`${rapport.url}${url}`, { data });
      expect(res.status(), await res.text()).toBe(201);
      return (await res.json()).data;
    };
    await post('/api/v1/sla-policies', {
      name: 'Standard',
      targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 480 } },
    });
    const contact = await post('/api/v1/contacts', { lastName: 'Customer', email: 'customer@example.test' });
    const ticket = await post('/api/v1/tickets', { subject: 'Router keeps rebooting', contactId: contact.id });

    await p.goto(`${rapport.url}/tickets/${ticket.id}`);
    await until('the conversation shown', () => p.getByRole('heading', { name: 'Conversation' }).isVisible());
    const sla = p.getByLabel('SLA');
    await until('the SLA shown', () => sla.isVisible());
    expect(await sla.textContent()).toMatch(/First response.*in (\d+ h )?\d+ min/);

    await p.getByText('Internal note', { exact: true }).click();
    await field(p, 'Note (never sent)').fill('Checked the firmware version: 2.1');
    await p.getByRole('button', { name: 'Add internal note' }).click();
    const convo = p.getByLabel('Conversation', { exact: true });
    await until('the note in the conversation', async () =>
      ((await convo.textContent()) ?? '').includes('Checked the firmware version'),
    );

    await p.getByText('Reply to customer', { exact: true }).click();
    await field(p, 'Reply (emailed to the contact)').fill('Please update to firmware 2.2 and tell us.');
    await p.getByRole('button', { name: 'Send reply' }).click();
    await until('the reply in the conversation', async () =>
      ((await convo.textContent()) ?? '').includes('Please update to firmware 2.2'),
    );
    const mail = await smtp.waitForMail((m) => m.subject === `[#${ticket.number}] Router keeps rebooting`, 60_000);
    expect(mail.text).toContain('Please update to firmware 2.2');
    expect(smtp.messages.some((m) => (m.text ?? '').includes('Checked the firmware version'))).toBe(false);
    await until('first response done', async () => /First response.*done/.test((await sla.textContent()) ?? ''));
    await agent.shot('tickets-01-conversation');
    await expectAccessible(p, 'a ticket with its conversation');
    expect(agent.problems).toEqual([]);
  });
});
