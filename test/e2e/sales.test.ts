import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import {
  choose,
  createViaApi,
  expectNoHorizontalScroll,
  expectTapTargets,
  field,
  signUpInBrowser,
  uniqueEmail,
  until,
} from './helpers/ui';

// The sales story on one real Rapport: lead → conversion → board → quote → acceptance →
// won deal, on a desktop browser and then the key part on a 375 px phone.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
const email = uniqueEmail('sally');
let opportunityUrl = '';

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

const api = async <T>(p: Page, method: 'get' | 'post' | 'put' | 'patch', path: string, data?: unknown) => {
  const res = await p.request[method](`${rapport.url}${path}`, data === undefined ? {} : { data });
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
};

const column = (p: Page, stage: string) => p.locator(`[data-testid="stage-column"][data-stage="${stage}"]`);
const card = (root: Locator, name: string) =>
  root.getByTestId('opportunity-card').filter({ has: root.page().getByRole('link', { name, exact: true }) });
const sidebar = (p: Page) => p.getByRole('navigation', { name: 'Sales' });

/** Drags a card by its handle onto a column with the mouse (dnd-kit's pointer sensor). */
async function drag(p: Page, handle: Locator, target: Locator) {
  const from = await handle.boundingBox();
  const to = await target.boundingBox();
  if (!from || !to) throw new Error('drag: element not on screen');
  await p.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await p.mouse.down();
  await p.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2, { steps: 3 });
  await p.mouse.move(to.x + to.width / 2, to.y + 80, { steps: 12 });
  await p.mouse.up();
}

/** Fills one quote line by its labels (line n). */
async function fillLine(
  p: Page,
  n: number,
  values: { quantity?: string; unitPrice?: string; discount?: string; tax?: string; name?: string },
) {
  if (values.name !== undefined) await field(p, `Description (line ${n})`).fill(values.name);
  if (values.quantity !== undefined) await field(p, `Quantity (line ${n})`).fill(values.quantity);
  if (values.unitPrice !== undefined) await field(p, `Unit price (line ${n})`).fill(values.unitPrice);
  if (values.discount !== undefined) await field(p, `Discount % (line ${n})`).fill(values.discount);
  if (values.tax !== undefined) await field(p, `Tax % (line ${n})`).fill(values.tax);
}

describe('sales on a desktop browser', () => {
  it('signs up and sets up a catalogue and an existing account', async () => {
    await signUpInBrowser(page, rapport.url, { name: 'Sally Seller', email: email, workspace: 'Seller & Co' });
    // An account the conversion must find by the lead's domain, and a product with a list price.
    await createViaApi(page, rapport.url, 'accounts', [{ name: 'Acme Corporation', domain: 'acme.com' }]);
    const [productId] = await createViaApi(page, rapport.url, 'products', [
      { name: 'Analytics seat', sku: 'AN-1', taxRate: 19 },
    ]);
    const books = await api<{ data: { id: string; isStandard: boolean }[] }>(page, 'get', '/api/v1/price-books');
    const standard = books.data.find((b) => b.isStandard);
    await api(page, 'put', `/api/v1/price-books/${standard?.id}/entries`, {
      entries: [{ productId, currency: 'EUR', unitPrice: '19.99' }],
    });
    await expect(sidebar(page).getByRole('link', { name: 'Pipeline' })).toBeTruthy();
  });

  it('creates a lead and converts it, linking the existing account and creating an opportunity', async () => {
    await page.goto(`${rapport.url}/leads/new`);
    await field(page, 'First name').fill('Ada');
    await field(page, 'Last name').fill('Lovelace');
    await field(page, 'Email').fill('ada@acme.com');
    await field(page, 'Company').fill('Acme Corp');
    await field(page, 'Company domain').fill('acme.com');
    await page.getByRole('button', { name: 'Create lead' }).click();
    await page.waitForURL(/\/leads\/[0-9a-f-]{36}$/);
    const leadUrl = page.url();
    await page.getByRole('button', { name: 'Convert' }).click();
    const dialog = page.getByRole('dialog', { name: 'Convert Ada Lovelace' });
    // The account the API will link (same domain, and "Acme Corp" is "Acme Corporation" without its legal form).
    await until('account match shown', async () =>
      /Links to the existing account Acme Corporation \(same domain, same name\)/.test(
        (await dialog.getByTestId('convert-account').textContent()) ?? '',
      ),
    );
    expect(await dialog.getByTestId('convert-contact').textContent()).toContain('Creates a new contact Ada Lovelace');
    await field(dialog, 'Opportunity name').fill('Acme analytics');
    await field(dialog, 'Amount').fill('12000');
    await field(dialog, 'Expected close date').fill('2027-03-31');
    await browser.shot('sales-01-convert-dialog');
    await expectAccessible(page, 'the convert dialog');
    await dialog.getByRole('button', { name: 'Convert' }).click();
    await page.waitForURL(/\/opportunities\/[0-9a-f-]{36}$/);
    opportunityUrl = page.url();
    await until('opportunity page', () => page.getByRole('heading', { name: 'Acme analytics' }).isVisible());
    expect(await page.getByTestId('opportunity-amount').textContent()).toBe('12,000 EUR');
    await until(
      'current stage is Qualified',
      async () => (await page.getByTestId('stage-path').locator('[aria-current="step"]').textContent()) === 'Qualified',
    );
    await until('account link', () => page.getByRole('link', { name: 'Acme Corporation' }).first().isVisible());
    await until('contact listed with the deal', () =>
      page.getByTestId('opportunity-contacts').getByRole('link', { name: 'Ada Lovelace' }).isVisible(),
    );
    // The converted lead links to what it became.
    await page.goto(leadUrl);
    await until('converted banner', () => page.getByTestId('lead-converted').isVisible());
    await browser.shot('sales-01b-lead-converted');
    await expectAccessible(page, 'a converted lead');
    await expect(page.getByRole('button', { name: 'Convert' }).count()).resolves.toBe(0);
    await page.getByTestId('lead-converted').getByRole('link', { name: 'Opportunity' }).click();
    await page.waitForURL(opportunityUrl);
  });

  it('moves the opportunity through the stages on the board', async () => {
    await sidebar(page).getByRole('link', { name: 'Pipeline' }).click();
    await page.waitForURL(/\/pipeline/);
    const qualified = column(page, 'Qualified');
    await until('card in Qualified', () => card(qualified, 'Acme analytics').isVisible());
    expect(await qualified.getByTestId('stage-count').textContent()).toBe('1');
    expect(await qualified.getByTestId('stage-sum').textContent()).toBe('12,000 EUR');
    await browser.shot('sales-02-board');
    await expectAccessible(page, 'the pipeline board');

    // Drag and drop to Proposal; the PATCH must be answered before the reload.
    const saved = page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && r.url().includes('/api/v1/opportunities/'),
    );
    await drag(
      page,
      page.getByRole('button', { name: 'Drag Acme analytics to another stage' }),
      column(page, 'Proposal'),
    );
    expect((await saved).status()).toBe(200);
    await until('card in Proposal', () => card(column(page, 'Proposal'), 'Acme analytics').isVisible());
    await until('Qualified empty', async () => (await qualified.getByTestId('stage-count').textContent()) === '0');
    // The move is saved, not only drawn.
    await page.reload();
    await until('still in Proposal after reload', () => card(column(page, 'Proposal'), 'Acme analytics').isVisible());

    // The card's menu moves it too (keyboard and touch users).
    await page.getByRole('button', { name: 'Move Acme analytics' }).click();
    const movedOn = page.waitForResponse(
      (r) => r.request().method() === 'PATCH' && r.url().includes('/api/v1/opportunities/'),
    );
    await page.getByRole('menuitem', { name: 'Negotiation' }).click();
    expect((await movedOn).status()).toBe(200);
    await until('card in Negotiation', () => card(column(page, 'Negotiation'), 'Acme analytics').isVisible());
    expect(await column(page, 'Negotiation').getByTestId('stage-sum').textContent()).toBe('12,000 EUR');

    // Lost asks for the reason the API requires; cancelling leaves the card where it was.
    await page.getByRole('button', { name: 'Move Acme analytics' }).click();
    await page.getByRole('menuitem', { name: 'Closed Lost' }).click();
    const lost = page.getByRole('dialog', { name: 'Why was it lost?' });
    await until('lost reason asked', () => lost.isVisible());
    await browser.shot('sales-03-lost-reason');
    await lost.getByRole('button', { name: 'Cancel' }).click();
    await until('dialog closed', async () => !(await lost.isVisible()));
    expect(await card(column(page, 'Negotiation'), 'Acme analytics').isVisible()).toBe(true);
    await browser.shot('sales-04-board-moved');

    // Someone else changes the opportunity meanwhile: the move is refused (412), the card
    // goes back and the board says why.
    const oppId = opportunityUrl.split('/').pop();
    await api(page, 'patch', `/api/v1/opportunities/${oppId}`, { nextStep: 'Send the proposal' });
    await page.getByRole('button', { name: 'Move Acme analytics' }).click();
    await page.getByRole('menuitem', { name: 'Qualified' }).click();
    await until('refusal shown', async () =>
      /was not moved: Someone changed this opportunity/.test(
        (await page.getByTestId('board-error').textContent()) ?? '',
      ),
    );
    await until('card back in Negotiation', () => card(column(page, 'Negotiation'), 'Acme analytics').isVisible());
    expect(await column(page, 'Qualified').getByTestId('stage-count').textContent()).toBe('0');
  });

  it('shows the stage history on the opportunity page and starts a quote', async () => {
    await page.goto(opportunityUrl);
    const history = page.getByTestId('stage-history');
    await until('three stays', async () => (await history.locator('tbody tr').count()) === 3);
    const stages = await history.locator('tbody tr td:first-child').allTextContents();
    expect(stages.map((s) => s.replace('current', ''))).toEqual(['Negotiation', 'Proposal', 'Qualified']);
    expect(await history.locator('tbody tr').first().textContent()).toContain('current');
    // The contact's role on the deal is saved with the opportunity's contacts.
    await choose(page, 'Role of Ada Lovelace', 'Decision maker');
    const oppId = opportunityUrl.split('/').pop();
    await until('role saved', async () => {
      const res = await api<{ data: { role: string | null; isPrimary: boolean }[] }>(
        page,
        'get',
        `/api/v1/opportunities/${oppId}/contacts`,
      );
      return res.data[0]?.role === 'decision_maker' && res.data[0]?.isPrimary === true;
    });
    await browser.shot('sales-05-opportunity');
    await expectAccessible(page, 'the opportunity page');
    await page.getByRole('button', { name: 'New quote' }).click();
    await page.waitForURL(/\/quotes\/[0-9a-f-]{36}$/);
    await until('quote page', () => page.getByRole('heading', { name: /^Quote #1 / }).isVisible());
  });

  it('edits two lines with live totals that match the saved ones to the cent', async () => {
    const quoteId = page.url().split('/').pop() as string;
    await page.getByRole('button', { name: 'Add line' }).click();
    // The product fills name, list price (standard price book, EUR) and its tax rate.
    await choose(page, 'Product (line 1)', 'Analytics seat (AN-1)');
    expect(await field(page, 'Unit price (line 1)').inputValue()).toBe('19.99');
    expect(await field(page, 'Tax % (line 1)').inputValue()).toBe('19');
    // 3.5 × 19.99 = 69.965 → 69.97; 12.5 % off = 8.74625 → 8.75; 19 % of 61.22 = 11.6318 → 11.63.
    await fillLine(page, 1, { quantity: '3.5', discount: '12.5' });
    await until(
      'line 1 total',
      async () => (await page.getByTestId('line-total').first().textContent()) === '72.85 EUR',
    );
    await page.getByRole('button', { name: 'Add line' }).click();
    // 3 × 33.335 = 100.005 → 100.01 (floating point would say 100.00); 7 % = 7.0007 → 7.00.
    await fillLine(page, 2, { name: 'Onboarding', quantity: '3', unitPrice: '33.335', tax: '7' });
    await until(
      'line 2 total',
      async () => (await page.getByTestId('line-total').nth(1).textContent()) === '107.01 EUR',
    );
    expect(await page.getByTestId('totals-source').textContent()).toBe('live, not saved');
    const live = await page.getByTestId('totals-total').textContent();
    expect(live).toBe('179.86 EUR');
    expect(await page.getByTestId('totals-tax').textContent()).toBe('18.63 EUR');
    await browser.shot('sales-06-quote-live-totals');
    await expectAccessible(page, 'the quote editor');

    await page.getByRole('button', { name: 'Save line items' }).click();
    await until('saved totals', async () => (await page.getByTestId('totals-source').textContent()) === 'saved');
    expect(await page.getByTestId('totals-total').textContent()).toBe(live);
    // The page shows what the server stored.
    const stored = await api<{ data: { total: { amount: string }; taxTotal: { amount: string } } }>(
      page,
      'get',
      `/api/v1/quotes/${quoteId}`,
    );
    expect(stored.data.total.amount).toBe('179.86');
    expect(stored.data.taxTotal.amount).toBe('18.63');
    await browser.shot('sales-07-quote-saved');
  });

  it('downloads the PDF, accepts the quote and the opportunity is won', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download PDF' }).click(),
    ]);
    const pdf = readFileSync(String(await download.path()));
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(download.suggestedFilename()).toBe('quote-1.pdf');

    await page.getByRole('button', { name: 'Accept' }).click();
    await until('accepted', async () => (await page.getByTestId('quote-status').textContent()) === 'accepted');
    await until('accepted banner', () => page.getByTestId('quote-accepted').isVisible());
    expect(await page.getByRole('button', { name: 'Save line items' }).count()).toBe(0);
    await browser.shot('sales-08-quote-accepted');
    await expectAccessible(page, 'an accepted quote');
    await page.getByTestId('quote-accepted').getByRole('link', { name: 'Open the opportunity' }).click();
    await page.waitForURL(opportunityUrl);
    await until('won', async () => (await page.getByTestId('opportunity-status').textContent()) === 'won');
    expect(await page.getByTestId('opportunity-amount').textContent()).toBe('179.86 EUR');
    const quotes = page.getByTestId('opportunity-quotes');
    await until('quote listed as accepted', async () =>
      /#1 .*179\.86 EUR\s*accepted/.test((await quotes.textContent()) ?? ''),
    );
    await until(
      'current stage is Closed Won',
      async () =>
        (await page.getByTestId('stage-path').locator('[aria-current="step"]').textContent()) === 'Closed Won',
    );
  });

  it('shows the won deal in the deals view with its amount and the stats', async () => {
    await sidebar(page).getByRole('link', { name: 'Deals' }).click();
    await page.waitForURL(/\/deals/);
    const row = page.getByTestId('deal-row').filter({ hasText: 'Acme analytics' });
    await until('deal listed', () => row.isVisible());
    expect(await row.getByTestId('deal-amount').textContent()).toBe('179.86 EUR');
    expect(await row.textContent()).toContain('won');
    expect(await row.textContent()).toContain('Sally Seller');
    await until('win rate', async () => (await page.getByTestId('stat-win-rate').textContent()) === '100%');
    expect(await page.getByTestId('stat-won-total').textContent()).toBe('179.86 EUR');
    await browser.shot('sales-09-deals');
    await expectAccessible(page, 'the deals view');
    // Filtering by lost deals empties the view.
    await page
      .locator('label')
      .filter({ hasText: /^Lost$/ })
      .click();
    await until('no lost deals', () => page.getByTestId('deals-empty').isVisible());
    expect(await page.getByTestId('stat-win-rate').textContent()).toBe('100%');
  });

  it('warns about a duplicate when creating a contact, then merges the two side by side', async () => {
    const contacts = await api<{ data: { id: string; email: string }[] }>(
      page,
      'get',
      `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'ada@acme.com' }))}`,
    );
    const keepId = contacts.data[0]?.id;
    await page.goto(`${rapport.url}/contacts/new`);
    await field(page, 'First name').fill('Ada');
    await field(page, 'Last name').fill('Lovelace');
    await field(page, 'Email').fill('ada.lovelace@example.org');
    await field(page, 'Job title').fill('Countess');
    await page.getByRole('button', { name: 'Create contact' }).click();
    // The API's duplicate check: a warning with a link to the existing contact, nothing created yet.
    const warning = page.getByTestId('duplicate-warning');
    await until('duplicate warning', () => warning.isVisible());
    expect(await warning.getByRole('link', { name: 'Ada Lovelace' }).getAttribute('href')).toBe(`/contacts/${keepId}`);
    expect(await warning.textContent()).toContain('same name');
    expect(page.url()).toMatch(/\/contacts\/new$/);
    await browser.shot('sales-10-duplicate-warning');
    await expectAccessible(page, 'the duplicate warning');
    // Saving again creates it anyway.
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    const dupId = page.url().split('/').pop();

    await page.goto(`${rapport.url}/contacts/${keepId}`);
    const dups = page.getByRole('region', { name: 'Possible duplicates' });
    await until('duplicate found', () => dups.getByRole('link', { name: 'Ada Lovelace' }).isVisible());
    // Only the name is the same: not a strong match, so it is compared before merging, with a caution.
    await dups.getByRole('button', { name: 'Compare', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge into Ada Lovelace' });
    await until('fields compared', () => dialog.getByTestId('merge-fields').isVisible());
    // This record has no job title: the other's is preselected; take the other's email too.
    expect(await dialog.getByRole('radio', { name: 'Countess' }).isChecked()).toBe(true);
    await dialog.getByRole('radio', { name: 'ada.lovelace@example.org' }).check();
    await browser.shot('sales-11-merge');
    await expectAccessible(page, 'the merge dialog');
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await until('dialog closed', async () => !(await dialog.isVisible()));
    await until(
      'email taken',
      async () => (await page.locator('[data-field="email"]').textContent()) === 'ada.lovelace@example.org',
    );
    expect(await page.locator('[data-field="title"]').textContent()).toBe('Countess');
    const gone = await page.request.get(`${rapport.url}/api/v1/contacts/${dupId}`);
    expect(gone.status()).toBe(404);
    expect(browser.problems).toEqual([]);
  });
});

describe('the key part on a 375 px phone', () => {
  let phone: BrowserSession;
  let p: Page;

  beforeAll(async () => {
    phone = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
    p = phone.page;
  });
  afterAll(async () => {
    await phone?.close();
  });

  it('signs in, converts a lead and moves the opportunity from the card menu', async () => {
    await p.goto(`${rapport.url}/sign-in`);
    await field(p, 'Email').fill(email);
    await field(p, 'Password').fill(PASSWORD);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.waitForURL(`${rapport.url}/`); // signing in lands on the home page
    const [leadId] = await createViaApi(p, rapport.url, 'leads', [
      { firstName: 'Grace', lastName: 'Hopper', email: 'grace@navy.example', company: 'Navy Labs' },
    ]);
    await p.goto(`${rapport.url}/leads/${leadId}`);
    await p.getByRole('button', { name: 'Convert' }).click();
    const dialog = p.getByRole('dialog', { name: 'Convert Grace Hopper' });
    await until('new account offered', async () =>
      ((await dialog.getByTestId('convert-account').textContent()) ?? '').includes('Creates a new account Navy Labs'),
    );
    await field(dialog, 'Amount').fill('999.99');
    await expectNoHorizontalScroll(p);
    await phone.shot('sales-mobile-01-convert');
    await dialog.getByRole('button', { name: 'Convert' }).click();
    await p.waitForURL(/\/opportunities\/[0-9a-f-]{36}$/);
    await until('opportunity page', () => p.getByRole('heading', { name: 'Navy Labs' }).isVisible());
    await expectNoHorizontalScroll(p);
    await phone.shot('sales-mobile-02-opportunity');

    await p.goto(`${rapport.url}/pipeline`);
    await until('card on the board', () => card(column(p, 'Qualified'), 'Navy Labs').isVisible());
    await expectNoHorizontalScroll(p);
    await expectTapTargets(p.getByTestId('opportunity-card').first());
    await p.getByRole('button', { name: 'Move Navy Labs' }).click();
    await p.getByRole('menuitem', { name: 'Proposal' }).click();
    await until('moved to Proposal', () => card(column(p, 'Proposal'), 'Navy Labs').isVisible());
    await phone.shot('sales-mobile-03-board');
    await expectAccessible(p, 'the board on a phone');
  });

  it('quotes, accepts, and finds the won deal', async () => {
    await p.getByRole('link', { name: 'Navy Labs', exact: true }).click();
    await p.waitForURL(/\/opportunities\//);
    await p.getByRole('button', { name: 'New quote' }).click();
    await p.waitForURL(/\/quotes\/[0-9a-f-]{36}$/);
    await p.getByRole('button', { name: 'Add line' }).click();
    // 7 × 0.145 = 1.015 → 1.02 (half away from zero).
    await fillLine(p, 1, { name: 'Cables', quantity: '7', unitPrice: '0.145' });
    await until('live total', async () => (await p.getByTestId('totals-total').textContent()) === '1.02 EUR');
    await expectNoHorizontalScroll(p);
    await expectTapTargets(p.getByRole('button', { name: 'Save line items' }).locator('..'));
    await phone.shot('sales-mobile-04-quote');
    await p.getByRole('button', { name: 'Save line items' }).click();
    await until('saved', async () => (await p.getByTestId('totals-source').textContent()) === 'saved');
    expect(await p.getByTestId('totals-total').textContent()).toBe('1.02 EUR');
    await p.getByRole('button', { name: 'Accept' }).click();
    await until('accepted', async () => (await p.getByTestId('quote-status').textContent()) === 'accepted');

    await p.goto(`${rapport.url}/deals`);
    const row = p.getByTestId('deal-row').filter({ hasText: 'Navy Labs' });
    await until('won deal listed', () => row.isVisible());
    expect(await row.getByTestId('deal-amount').textContent()).toBe('1.02 EUR');
    expect(await p.getByTestId('stat-won-total').textContent()).toBe('180.88 EUR');
    await expectNoHorizontalScroll(p);
    await phone.shot('sales-mobile-05-deals');
    await expectAccessible(p, 'the deals view on a phone');
    expect(phone.problems).toEqual([]);
  });
});
