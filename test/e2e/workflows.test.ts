import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { choose, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

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

const bellLabel = () => page.getByRole('button', { name: /^Notifications/ }).getAttribute('aria-label');

describe('workflows in the browser', () => {
  it('builds "account created with industry software → tag saas and notify me", and it runs live', async () => {
    // Sign up through the API with the browser's own cookie jar, then use the app.
    await signUpViaApi(page, rapport.url, { name: 'Mia Marketing', email: uniqueEmail('mia'), workspace: 'Flowco' });
    await page.goto(`${rapport.url}/workflows`);
    await until('workflows page', () => page.getByRole('heading', { name: 'Workflows' }).isVisible());
    await until('bell without unread', async () => (await bellLabel()) === 'Notifications');

    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.waitForURL(/\/workflows\/new$/);
    await field(page, 'Name').fill('Tag SaaS accounts');
    // The trigger defaults to "A record is created" on accounts; conditions use the list filter builder.
    await page.getByRole('button', { name: 'Filter' }).click();
    await choose(page, 'Field', 'Industry');
    await choose(page, 'Condition', 'is');
    await choose(page, 'Value', 'Software');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until('condition summary', () => page.getByText('Only accounts matching 1 condition(s)').isVisible());

    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('menuitem', { name: 'Add tags' }).click();
    const tags = field(page.getByTestId('step-add_tag'), 'Tags');
    await tags.fill('saas');
    await tags.press('Enter');
    await page.getByRole('button', { name: 'Add step' }).click();
    await page.getByRole('menuitem', { name: 'Notify users' }).click();
    const notifyStep = page.getByTestId('step-notify');
    await field(notifyStep, 'Who').click();
    await page.getByRole('option', { name: 'Mia Marketing', exact: true }).click();
    await page.keyboard.press('Escape');
    await field(notifyStep, 'Title').fill('New SaaS account: {{record.name}}');
    await browser.shot('workflows-01-builder');
    await expectAccessible(page, 'the workflow builder');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/workflows\/[0-9a-f-]{36}$/);
    await until('active badge', () => page.getByText('active · v1').isVisible());

    // Create a matching account in the UI, in a second tab so the first keeps its live socket.
    const second = await browser.context.newPage();
    await second.goto(`${rapport.url}/accounts/new`);
    await field(second, 'Name').fill('Cumulus Software');
    await choose(second, 'Industry', 'Software');
    await second.getByRole('button', { name: 'Create account' }).click();
    await second.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);

    // The first tab's bell updates without a reload (WebSocket push).
    await until('bell shows one unread', async () => (await bellLabel()) === 'Notifications (1 unread)', 60_000);
    await page.getByRole('button', { name: /^Notifications/ }).click();
    await until('notification listed', () =>
      page.getByTestId('notification-item').filter({ hasText: 'New SaaS account: Cumulus Software' }).isVisible(),
    );
    await browser.shot('workflows-02-bell');
    await page.keyboard.press('Escape');

    // The tag is on the account: the notify step runs after the tag step has committed, so
    // once the notification is there one reload shows the tag.
    await second.reload();
    await second.locator('[data-field="tags"]').getByText('saas', { exact: true }).waitFor();
    await browser.shot('workflows-03-tagged-account');

    // The run and its step log.
    await page.getByRole('tab', { name: 'Runs' }).click();
    await until('a completed run', () => page.getByTestId('run-row').filter({ hasText: 'completed' }).isVisible());
    await page.getByTestId('run-row').first().getByRole('button', { name: 'Steps' }).click();
    await until('three logged steps', async () => (await page.getByTestId('run-step').count()) === 3);
    expect(await page.getByTestId('run-step').allTextContents()).toEqual([
      expect.stringContaining('Conditions'),
      expect.stringContaining('add_tag'),
      expect.stringContaining('notify'),
    ]);
    await browser.shot('workflows-04-run-log');
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: /Versions/ }).click();
    await until('version 1 listed', () => page.getByTestId('version-row').first().isVisible());
    await second.close();
    expect(browser.problems).toEqual([]);
  });

  it('changes notification preferences', async () => {
    await page.goto(`${rapport.url}/settings/notifications`);
    const email = page.getByRole('checkbox', { name: 'Workflow notifications by email' });
    await until('preferences shown', () => email.isVisible());
    expect(await email.isChecked()).toBe(false);
    await email.check();
    await page.getByRole('button', { name: 'Save' }).click();
    await until('saved', () => page.getByText('Saved.').isVisible());
    await page.reload();
    await until('kept', () => page.getByRole('checkbox', { name: 'Workflow notifications by email' }).isChecked());
    await expectAccessible(page, 'notification preferences');
    expect(browser.problems).toEqual([]);
  });
});
