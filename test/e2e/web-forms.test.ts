import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { choose, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

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

describe('web forms in the browser', () => {
  it('builds a form, a visitor submits its hosted page from another browser, and the lead shows the submission', async () => {
    await signUpViaApi(page, rapport.url, { name: 'Mia Marketing', email: uniqueEmail('mia'), workspace: 'Formco' });
    await page.goto(`${rapport.url}/forms`);
    await until('forms page', () => page.getByRole('heading', { name: 'Forms' }).isVisible());
    await page.getByRole('link', { name: 'New form' }).click();
    await page.waitForURL(/\/forms\/new$/);

    await field(page, 'Name').fill('Website enquiry');
    await choose(page, 'Add a field', 'Last name');
    await choose(page, 'Add a field', 'Email');
    await choose(page, 'Add a field', 'Company');
    await page.getByRole('switch', { name: 'Marketing email' }).check({ force: true });
    await field(page, 'Wording for marketing email').fill('Send me your product news by email.');
    // The live preview follows the builder.
    const preview = page.getByRole('region', { name: 'Preview' });
    await until(
      'preview shows the fields and the consent',
      async () =>
        (await preview.getByText('Website enquiry').isVisible()) &&
        (await preview.getByText('Send me your product news by email.').isVisible()),
    );
    await expectAccessible(page, 'the form builder');
    await page.getByRole('button', { name: 'Create form' }).click();
    await page.waitForURL(/\/forms\/[0-9a-f-]{36}$/);
    const url = (await page.getByTestId('form-url').textContent()) ?? '';
    expect(url).toMatch(/\/f\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('form-snippet').textContent()).toContain(`<form action="${url}" method="post">`);

    // A visitor, in a browser of their own (no session), fills in the hosted page.
    visitor = await openBrowser({ viewport: { width: 800, height: 900 } });
    const v = visitor.page;
    await v.goto(url);
    await v.getByRole('textbox', { name: 'Last name', exact: true }).fill('Visitor');
    await v.getByRole('textbox', { name: 'Email', exact: true }).fill('not-an-email');
    await v.getByRole('button', { name: 'Submit' }).click();
    await until('error next to the email field', () => v.getByText('must be a valid email address').isVisible());
    await v.getByRole('textbox', { name: 'Email', exact: true }).fill('vera.visitor@example.com');
    await v.getByRole('textbox', { name: 'Company', exact: true }).fill('Visiting Ltd');
    await v.getByLabel('Send me your product news by email.').check();
    await v.getByRole('button', { name: 'Submit' }).click();
    await until('thank-you page', () => v.getByText('Thank you').isVisible());
    expect(visitor.problems).toEqual([]);

    // The lead exists, with the submission on its timeline and the consent on its page.
    await page.goto(`${rapport.url}/leads`);
    await page
      .getByRole('link', { name: /Visitor/ })
      .first()
      .click();
    await page.waitForURL(/\/leads\/[0-9a-f-]{36}$/);
    await until('form submission on the timeline', () =>
      page.getByText('Submitted a form: Website enquiry').isVisible(),
    );
    const consent = page.getByTestId('consent-panel');
    await until('marketing email granted', async () => (await consent.textContent())?.includes('granted') ?? false);
    expect(browser.problems).toEqual([]);
  });
});
