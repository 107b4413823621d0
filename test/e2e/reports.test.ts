import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import { createViaApi, field, signUpInBrowser, uniqueEmail, until } from './helpers/ui';

// The report builder and the Reports page: a report grouped by stage is run, drawn and
// saved to a dashboard; the dashboard draws it from the saved report, beside the forecast.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('reports in the browser', () => {
  it('builds a report grouped by stage, saves it to a dashboard, and shows the dashboard with the forecast', async () => {
    await signUpInBrowser(page, rapport.url, {
      name: 'Rhea Reports',
      email: uniqueEmail('reports'),
      workspace: 'Reports Ltd',
    });
    const today = new Date().toISOString().slice(0, 10);
    await createViaApi(page, rapport.url, 'opportunities', [
      { name: 'Alpha', amount: { amount: '1000', currency: 'EUR' }, expectedCloseDate: today },
      { name: 'Beta', amount: { amount: '2500.50', currency: 'EUR' }, expectedCloseDate: today },
      { name: 'Gamma', amount: { amount: '500', currency: 'EUR' }, expectedCloseDate: today },
    ]);

    await page.goto(`${rapport.url}/reports/builder`);
    await field(page, 'Group by').click();
    await page.getByRole('option', { name: 'Stage', exact: true }).click();
    await page.getByRole('button', { name: 'Run' }).click();
    const table = page.getByTestId('report-table');
    await until('the report is drawn', () => table.isVisible());
    await until('one row per stage in use', async () => (await table.getByRole('row').count()) === 2);
    expect(await table.textContent()).toContain('Qualified');
    expect(await table.textContent()).toContain('3');
    expect(await page.getByTestId('report-chart').isVisible()).toBe(true);
    await expectAccessible(page, 'the report builder');

    await field(page, 'Report name').fill('Deals by stage');
    await page.getByRole('button', { name: 'Save to dashboard' }).click();
    await until('saved', () => page.getByText('Saved and added to a new dashboard').isVisible());

    await page.goto(`${rapport.url}/reports`);
    const dashboard = page.getByTestId('dashboard');
    await until('the dashboard draws the saved report', () => dashboard.getByTestId('report-chart').isVisible());
    expect(await dashboard.textContent()).toContain('Deals by stage');
    const forecast = page.getByTestId('forecast');
    await until('the forecast shows this quarter', async () =>
      ((await forecast.textContent()) ?? '').includes('3 opportunities'),
    );
    // Pipeline: 1000 + 2500.50 + 500, all in the first open stage (Qualified, 20 %): weighted 800.1.
    expect(await forecast.textContent()).toContain((4000.5).toLocaleString('en-US'));
    await expectAccessible(page, 'the reports page');

    // A bar opens the records behind it as a list.
    await dashboard.getByRole('link', { name: 'Open the records of Qualified' }).click();
    await page.waitForURL(/\/opportunities\?/);
    await until('the list shows the three opportunities', async () => {
      const text = (await page.locator('body').textContent()) ?? '';
      return ['Alpha', 'Beta', 'Gamma'].every((n) => text.includes(n));
    });
  });

  it('shows the standard dashboards (the service one with its tickets) and mails one now with its spreadsheet', async () => {
    const email = uniqueEmail('standard');
    await signUpInBrowser(page, rapport.url, { name: 'Stan Dard', email, workspace: 'Standard Ltd' });
    await createViaApi(page, rapport.url, 'tickets', [
      { subject: 'Printer on fire', channel: 'phone' },
      { subject: 'Login loop', channel: 'email' },
      { subject: 'Refund please', channel: 'email' },
    ]);
    await page.goto(`${rapport.url}/reports`);
    const standard = page.getByTestId('standard-dashboards');
    await until('the sales dashboard is drawn', () => standard.getByTestId('figure-winRate').isVisible());
    await standard.getByText('Service', { exact: true }).click();
    await until('the service dashboard counts the three tickets', async () =>
      ((await standard.getByTestId('figure-tickets').textContent()) ?? '').includes('3'),
    );
    const channels = standard.getByTestId('panel-ticketsByChannel');
    expect(await channels.textContent()).toContain('Email');
    await expectAccessible(page, 'the service dashboard');

    await field(page, 'Send to').click();
    await page.getByRole('option', { name: 'Stan Dard' }).click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Schedule' }).click();
    const schedules = page.getByTestId('schedules');
    await until('the schedule is listed', async () =>
      ((await schedules.textContent()) ?? '').includes('Service dashboard · weekly'),
    );
    await schedules.getByRole('button', { name: 'Send now' }).click();
    const smtp = sharedSmtp();
    const mail = await smtp.waitForMail(
      (m) => mailTo(m, email) && m.subject === 'Service dashboard — weekly report',
      60_000,
    );
    await smtp.close();
    expect(mail.html).toContain('Tickets by channel');
    expect(mail.attachments[0]?.filename).toMatch(/\.xlsx$/);
  });
});
