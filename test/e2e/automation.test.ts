import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { type RunningRapport, startRapport } from './helpers/rapport';
import { createViaApi, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// The automation admin pages (mail, webhooks, jobs) on one real Rapport with no SMTP server.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  // Its own server: no SMTP (the outbox holds mail, which the first test shows), and
  // webhooks to loopback allowed (the receiver).
  rapport = await startRapport({ RAPPORT_WEBHOOKS_ALLOW_PRIVATE: '1' });
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Ada Admin', email: uniqueEmail('auto'), workspace: 'Automata' });
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await receiver?.close();
});

describe('automation admin pages', () => {
  it('edits a mail template with a live preview, sends it, and shows the mail held in the outbox', async () => {
    await page.goto(`${rapport.url}/admin/mail`);
    await page.getByRole('tab', { name: 'Templates' }).click();
    await field(page, 'Name').fill('Welcome');
    await field(page, 'Subject').fill('Welcome aboard, {{ contact.firstName }}');
    await until('live preview renders the subject', async () =>
      ((await page.getByTestId('preview-subject').textContent()) ?? '').includes('Welcome aboard, Ada'),
    );
    await field(page, 'Text body').fill('Hi {{ contact.nickname | default: "friend" }}');
    await until(
      'preview uses the default',
      async () => (await page.getByTestId('preview-text').textContent()) === 'Hi friend',
    );
    await page.getByRole('button', { name: 'Create template' }).click();
    await until('saved', () => page.getByRole('button', { name: 'Save template' }).isVisible());
    await browser.shot('automation-01-mail-template');
    await expectAccessible(page, 'the mail template editor');

    const templates = (await (await page.request.get(`${rapport.url}/api/v1/mail/templates`)).json()) as {
      data: { id: string }[];
    };
    const [contactId] = await createViaApi(page, rapport.url, 'contacts', [
      { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' },
    ]);
    const sent = await page.request.post(`${rapport.url}/api/v1/mail/templates/${templates.data[0]?.id}/send`, {
      data: { contactId },
    });
    expect(sent.status()).toBe(202);

    await page.getByRole('tab', { name: 'Outbox' }).click();
    await until(
      'held mail listed',
      async () =>
        (await page.getByTestId('mail-row').filter({ hasText: 'grace@example.com' }).textContent())?.includes('held') ??
        false,
    );
    await page.getByRole('button', { name: 'Welcome aboard, Grace' }).click();
    await until('mail body shown', () => page.getByText('Hi friend').isVisible());
    await browser.shot('automation-02-outbox');
    await page.keyboard.press('Escape');
  });

  it('adds a webhook, shows its secret once, pings it and lists the delivery', async () => {
    await page.getByRole('link', { name: 'Webhooks' }).click(); // the navigation's automation section
    await page.waitForURL(/\/admin\/webhooks$/);
    await field(page, 'URL').fill(`${receiver.url}/hook`);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    await until('secret shown', async () =>
      /^whsec_/.test((await page.getByTestId('webhook-secret').textContent()) ?? ''),
    );
    await page.getByRole('button', { name: 'Ping' }).click();
    await receiver.waitFor(1, 60_000);
    expect(receiver.received[0]?.json.type).toBe('webhook.ping');
    await until(
      'delivery listed as succeeded',
      async () => (await page.getByTestId('delivery-row').first().textContent())?.includes('succeeded') ?? false,
    );
    await browser.shot('automation-03-webhooks');
    await expectAccessible(page, 'the webhooks page');
  });

  it('lists background jobs by state', async () => {
    await page.goto(`${rapport.url}/admin/jobs`);
    await page.getByText(/^All$/).click();
    await until(
      'the ping delivery job is listed',
      async () => (await page.getByTestId('job-row').filter({ hasText: 'webhooks.deliver' }).count()) > 0,
    );
    await browser.shot('automation-04-jobs');
    await expectAccessible(page, 'the jobs page');
    expect(browser.problems).toEqual([]);
  });
});
