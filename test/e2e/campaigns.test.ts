import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport, sharedSmtp } from './helpers/shared';
import { choose, createViaApi, field, signUpInBrowser, uniqueEmail, until } from './helpers/ui';

// The campaign page: the send dialog counts who will be skipped and why, a send goes out
// to a real SMTP sink, results follow; the unsubscribe page from the mail's
// List-Unsubscribe URL; the template editor's MJML preview at desktop and phone widths.
let rapport: RunningRapport;
let smtp: SmtpSink;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await smtp?.close();
});

const post = async (path: string, data: unknown) => {
  const res = await page.request.post(`${rapport.url}${path}`, { data });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return ((await res.json()) as { data: { id: string } }).data;
};

describe('campaigns in the browser', () => {
  it('sends from the campaign page after showing who is skipped; the mail’s unsubscribe page works', async () => {
    await signUpInBrowser(page, rapport.url, {
      name: 'Mara Marketing',
      email: uniqueEmail('campaigns'),
      workspace: 'Campaigns Ltd',
    });
    const ids = await createViaApi(page, rapport.url, 'contacts', [
      { firstName: 'Ola', lastName: 'Opted', email: 'ola@example.org' },
      { firstName: 'Pia', lastName: 'Opted', email: 'pia@example.org' },
      { firstName: 'Quinn', lastName: 'Unasked', email: 'quinn@example.org' },
    ]);
    for (const id of ids.slice(0, 2)) {
      await post(`/api/v1/contacts/${id}/consents`, { purpose: 'marketing_email', status: 'granted' });
    }
    const campaign = await post('/api/v1/campaigns', {
      name: 'Autumn offers',
      type: 'email',
      actualCost: { amount: '300', currency: 'EUR' },
    });
    await post(`/api/v1/campaigns/${campaign.id}/members`, { contactIds: ids });
    await post('/api/v1/mail/templates', {
      name: 'Autumn mail',
      subject: 'Autumn offers for {{ contact.firstName }}',
      html: '<p>Hello {{ contact.firstName }}, see <a href="https://example.com/autumn">the offers</a>.</p>',
      text: '',
    });

    await page.goto(`${rapport.url}/campaigns/${campaign.id}`);
    await page.getByRole('heading', { name: 'Autumn offers' }).waitFor();
    await until('results shown', async () => (await page.getByTestId('result-members').textContent()) === '3');
    await page.getByRole('button', { name: 'Send…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send the campaign' });
    await until('the skip preview', async () =>
      /2 of 3 members will be mailed; 1 will be skipped/.test(
        (await dialog.getByTestId('send-preview').textContent()) ?? '',
      ),
    );
    expect(await dialog.getByText('No marketing email consent: 1').count()).toBe(1);
    await expectAccessible(page, 'the send dialog');
    await field(dialog, 'Template').click();
    await page.getByRole('option', { name: 'Autumn mail' }).click();
    await dialog.getByRole('button', { name: 'Send now' }).click();
    await until('the dialog closes', async () => (await dialog.count()) === 0);

    await until(
      'two campaign mails at the sink',
      async () => smtp.messages.filter((m) => m.subject?.startsWith('Autumn offers')).length === 2,
      90_000,
    );
    await until(
      'results show the send',
      async () => (await page.getByTestId('result-sent').textContent()) === '2',
      60_000,
    );
    expect(await page.getByTestId('result-skipped').textContent()).toBe('1');
    await page.getByRole('tab', { name: 'Members' }).click();
    await until(
      'members with their status',
      async () =>
        (await page.getByTestId('campaign-members').getByText('skipped — No marketing email consent').count()) === 1,
    );

    // The unsubscribe page of Ola's mail: no login needed (a fresh browser context).
    const ola = smtp.messages.find((m) => m.subject === 'Autumn offers for Ola');
    const line = ola?.headerLines.find((h) => h.key === 'list-unsubscribe')?.line ?? '';
    const url = new URL(line.match(/<(http[^>]+)>/)?.[1] as string);
    const visitor = await openBrowser({ viewport: { width: 390, height: 800 } });
    try {
      await visitor.page.goto(`${rapport.url}${url.pathname}`);
      await visitor.page.getByRole('heading', { name: 'Email preferences' }).waitFor();
      await expectAccessible(visitor.page, 'the email preferences page');
      await visitor.page.getByRole('button', { name: 'Unsubscribe from marketing email' }).click();
      await visitor.page.getByText('You are unsubscribed from marketing email.').waitFor();
    } finally {
      await visitor.close();
    }
    const results = await page.request.get(`${rapport.url}/api/v1/campaigns/${campaign.id}/results`);
    expect(((await results.json()) as { data: { unsubscribed: number } }).data.unsubscribed).toBe(1);
  });

  it('the template editor previews MJML at desktop and phone widths', async () => {
    await page.goto(`${rapport.url}/admin/mail`);
    await page.getByRole('tab', { name: 'Templates' }).click();
    await field(page, 'Format').click();
    await page.getByRole('option', { name: 'MJML (responsive email)' }).click();
    const frame = page.getByTestId('preview-frame');
    await frame.waitFor();
    await until('the MJML rendered', async () =>
      /Read more/.test((await page.frameLocator('[data-testid="preview-frame"]').locator('body').textContent()) ?? ''),
    );
    const desktop = (await frame.boundingBox())?.width ?? 0;
    await page.getByText('Phone', { exact: true }).click();
    await until('phone width', async () => Math.round((await frame.boundingBox())?.width ?? 0) === 375);
    expect(desktop).toBeGreaterThan(375);
  });
  it('builds a nurture sequence for new leads; a new lead with consent gets its first email and waits at the next step', async () => {
    await page.goto(`${rapport.url}/marketing/sequences/new`);
    await field(page, 'Name').fill('Autumn welcome');
    // Enrolled by hand below (after the lead's consent), not as it is created.
    await page.getByRole('checkbox', { name: 'Every new lead' }).uncheck();
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('menuitem', { name: 'Send a campaign email' }).click();
    await choose(page, 'Template', 'Autumn mail');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('menuitem', { name: 'Wait' }).click();
    await expectAccessible(page, 'the sequence builder');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/marketing\/sequences\/[0-9a-f-]{36}$/);
    const sequenceId = page.url().split('/').pop() as string;
    const [lead] = await createViaApi(page, rapport.url, 'leads', [
      { firstName: 'Nell', lastName: 'Nurtured', email: 'nell@example.org' },
    ]);
    await post(`/api/v1/leads/${lead}/consents`, { purpose: 'marketing_email', status: 'granted' });
    await post(`/api/v1/sequences/${sequenceId}/enrolments`, { recordIds: [lead] });
    await until('the welcome email reached the sink', async () =>
      smtp.messages.some((m) => (m.subject ?? '').startsWith('Autumn offers for Nell')),
    );
    await until(
      'the lead waits at the second step',
      async () => {
        await page.reload();
        // After a reload the table fills when its request answers (slow on a busy machine).
        const row = page.getByTestId('enrolment-row').filter({ hasText: 'Nell Nurtured' });
        await row
          .first()
          .waitFor({ timeout: 15_000 })
          .catch(() => undefined);
        return (await row.count()) === 1 && /\(wait\)/.test((await row.first().textContent()) ?? '');
      },
      120_000,
    );
    await browser.shot('sequence-01-enrolled');
  });
});
