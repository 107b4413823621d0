import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport, sharedSmtp } from './helpers/shared';
import { choose, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// A service agent on a ticket page: the SLA due times are shown, an internal note is
// added (not mailed), and a reply is sent to the customer (mailed, threaded, [#n] subject).
let rapport: RunningRapport;
let smtp: SmtpSink;
let agent: BrowserSession;
let p: Page;

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
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
    await signUpViaApi(p, rapport.url, { name: 'Sue Service', email: uniqueEmail('sue'), workspace: 'Help Ltd' });
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

  it('links a related ticket, then merges the ticket into another: the conversation moves and the old one closes', async () => {
    const post = async (url: string, data: unknown) => {
      const res = await p.request.post(`${rapport.url}${url}`, { data });
      expect(res.status(), await res.text()).toBe(201);
      return (await res.json()).data;
    };
    const dup = await post('/api/v1/tickets', { subject: 'Printer jams on page two' });
    const main = await post('/api/v1/tickets', { subject: 'Printer jams since Monday' });
    const other = await post('/api/v1/tickets', { subject: 'Billing address change' });
    await post(`/api/v1/tickets/${dup.id}/messages`, { kind: 'note', body: 'Customer sent the error log.' });

    await p.goto(`${rapport.url}/tickets/${dup.id}`);
    await until('the related tickets card', () => p.getByRole('heading', { name: 'Related tickets' }).isVisible());
    await choose(p, 'Add a related ticket', 'Billing address change');
    await p.getByRole('button', { name: 'Add', exact: true }).click();
    const related = p.getByTestId('related-ticket');
    await until('the related ticket listed', async () =>
      ((await related.allTextContents()).join(' ') ?? '').includes(`#${other.number} Billing address change`),
    );
    const stored = await (
      await p.request.get(`${rapport.url}/api/v1/tickets/${dup.id}?fields=relatedTicketIds`)
    ).json();
    expect(stored.data.relatedTicketIds).toEqual([other.id]);

    await choose(p, 'Merge this ticket into', 'Printer jams since Monday');
    await p.getByRole('button', { name: 'Merge…' }).click();
    await until('the merge explained', () => p.getByText(/moves to the chosen ticket/).isVisible());
    await agent.shot('tickets-02-merge');
    await p.getByRole('button', { name: 'Confirm merge' }).click();
    // The page is now the ticket merged into: the moved note and the merge note, the merged one related.
    await until('on the ticket merged into', () => p.url().endsWith(`/tickets/${main.id}`));
    const convo = p.getByLabel('Conversation', { exact: true });
    await until('the moved conversation', async () => {
      const text = (await convo.textContent()) ?? '';
      return text.includes('Customer sent the error log.') && text.includes(`Ticket #${dup.number}`);
    });
    await until('the merged ticket related', async () =>
      (await related.allTextContents()).join(' ').includes(`#${dup.number} Printer jams on page two`),
    );
    await expectAccessible(p, 'a ticket with related tickets');

    await p.goto(`${rapport.url}/tickets/${dup.id}`);
    await until('the merged ticket says where it went', async () =>
      ((await p.getByTestId('merged-into').textContent()) ?? '').includes(`#${main.number} Printer jams since Monday`),
    );
    expect(await field(p, 'Merge this ticket into').count()).toBe(0);
    const closed = await (
      await p.request.get(`${rapport.url}/api/v1/tickets/${dup.id}?fields=status,mergedIntoId`)
    ).json();
    expect(closed.data).toMatchObject({ status: 'closed', mergedIntoId: main.id });
    expect(agent.problems).toEqual([]);
  });
});
