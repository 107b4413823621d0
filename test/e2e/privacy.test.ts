import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { choose, expectTapTargets, signUpViaApi, uniqueEmail, until } from './helpers/ui';

let rapport: RunningRapport;
let browser: BrowserSession;
let visitor: BrowserSession | undefined;
let page: Page;

beforeAll(async () => {
  // A person in a test fills the page faster than the 3 s a bot check asks for.
  rapport = sharedRapport(); // RAPPORT_FORM_MIN_FILL_MS=0
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await visitor?.close();
  await browser?.close();
  await rapport?.stop();
});

describe('Global Privacy Control and "do not sell or share" in the browser', () => {
  it('a visitor whose browser sends Sec-GPC submits a form; the lead shows "Do not sell or share", changed back from the Consent panel', async () => {
    await signUpViaApi(page, rapport.url, { name: 'Pia Privacy', email: uniqueEmail('pia'), workspace: 'Privco' });
    const created = await page.request.post(`${rapport.url}/api/v1/forms`, {
      data: {
        name: 'Ask us',
        object: 'leads',
        fields: [
          { name: 'last_name', field: 'lastName', required: true },
          { name: 'email', field: 'email', required: true },
        ],
      },
    });
    expect(created.status(), await created.text()).toBe(201);
    const url = `${rapport.url}/f/${((await created.json()) as { data: { id: string } }).data.id}`;

    // The visitor's browser sends Global Privacy Control with every request.
    visitor = await openBrowser({ viewport: { width: 800, height: 900 } });
    const v = visitor.page;
    await v.setExtraHTTPHeaders({ 'Sec-GPC': '1' });
    await v.goto(url);
    await v.getByRole('textbox', { name: 'Last name', exact: true }).fill('Guarded');
    await v.getByRole('textbox', { name: 'Email', exact: true }).fill('gina.guarded@example.com');
    await v.getByRole('button', { name: 'Submit' }).click();
    await until('thank-you page', () => v.getByText('Thank you').isVisible());
    expect(visitor.problems).toEqual([]);

    await page.goto(`${rapport.url}/leads`);
    await page
      .getByRole('link', { name: /Guarded/ })
      .first()
      .click();
    await page.waitForURL(/\/leads\/[0-9a-f-]{36}$/);
    const doNotSell = page.locator('dd[data-field="doNotSell"]');
    await until('do not sell: Yes', async () => (await doNotSell.textContent()) === 'Yes');
    const consent = page.getByTestId('consent-panel');
    await consent.getByRole('button', { name: /History/ }).click();
    await until('the history names Global Privacy Control', () =>
      consent.getByText('Global Privacy Control').first().isVisible(),
    );

    // The person later agrees again (on the phone): recorded in the panel, the field follows.
    await choose(page, 'Purpose', 'Sale or sharing of data');
    await choose(page, 'Status', 'granted');
    await consent.getByRole('button', { name: 'Record' }).click();
    await until('do not sell: No', async () => (await doNotSell.textContent()) === 'No');
    expect(browser.problems).toEqual([]);
  });
});

describe('the privacy requests queue and retention policies (Administration → Privacy)', () => {
  it('records a verified access request, completes it and offers the export; a retention policy dry-runs', async () => {
    // The session of the test above (its administrator) is still signed in.
    await page.goto(`${rapport.url}/admin/privacy`);
    await page.getByRole('heading', { name: 'Privacy', exact: true }).waitFor();
    await choose(page, 'Request', 'Access (a copy of their data)');
    await page.getByRole('textbox', { name: "Person's email" }).fill('gina.guarded@example.com');
    await page.getByRole('checkbox', { name: /I have verified/ }).check();
    await page.getByRole('button', { name: 'Record request' }).click();
    const row = page.getByTestId('privacy-request-row').filter({ hasText: 'gina.guarded@example.com' });
    await until('the request is queued', () => row.isVisible());
    await expectAccessible(page, 'privacy requests');
    // Phone-sized: every control of the queue is comfortable to tap.
    await page.setViewportSize({ width: 390, height: 844 });
    await expectTapTargets(page.locator('main'));
    await page.setViewportSize({ width: 1280, height: 900 });
    await row.getByRole('button', { name: 'Complete' }).click();
    const download = row.getByRole('link', { name: 'Download export' });
    await until('the export is offered', () => download.isVisible());
    const zip = await page.request.get(`${rapport.url}${await download.getAttribute('href')}`);
    expect(zip.status()).toBe(200);
    expect(zip.headers()['content-type']).toBe('application/zip');

    await page.getByRole('tab', { name: 'Retention' }).click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Old leads');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await until('the policy is listed', () => page.getByRole('cell', { name: 'Old leads', exact: true }).isVisible());
    await page.getByRole('button', { name: 'Dry run' }).click();
    await until('the dry run reports', () => page.getByText(/would be deleted/).isVisible());
    await expectAccessible(page, 'retention policies');
    expect(browser.problems).toEqual([]);
  });
});
