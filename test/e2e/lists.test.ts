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
  rowTitles,
  signUpInBrowser,
  uniqueEmail,
  until,
} from './helpers/ui';

// Saved views, inline edit, bulk actions and the board, on one real Rapport: a desktop
// story first, then the key steps again at 375 px. Each test continues the last one.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
const email = uniqueEmail('lists');

type Json = Record<string, unknown>;

const ACCOUNTS = [
  {
    name: 'Acme',
    type: 'customer',
    industry: 'software',
    employees: 10,
    tags: ['partner-program'],
    annualRevenue: { amount: '1000.50', currency: 'EUR' },
  },
  { name: 'Globex', type: 'customer', industry: 'banking', annualRevenue: { amount: '2000', currency: 'EUR' } },
  {
    name: 'Initech',
    type: 'prospect',
    industry: 'software',
    domain: 'initech.com',
    annualRevenue: { amount: '500.25', currency: 'EUR' },
  },
  { name: 'Umbrella', type: 'prospect', industry: 'software', annualRevenue: { amount: '300', currency: 'USD' } },
  { name: 'Hooli', type: 'partner', industry: 'software' },
  { name: 'Stark', industry: 'retail', annualRevenue: { amount: '99.99', currency: 'EUR' } },
];

const api = async (method: 'GET' | 'PATCH', path: string, data?: Json) => {
  const res = await page.request.fetch(`${rapport.url}${path}`, { method, data });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return (await res.json()) as Json;
};
const accountByName = async (name: string) => {
  const filter = encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: name }));
  const body = await api('GET', `/api/v1/accounts?filter=${filter}`);
  return (body.data as Json[])[0] as Json;
};
const row = (title: string) =>
  page.getByTestId('record-row').filter({ has: page.getByRole('link', { name: title, exact: true }) });
const cell = (title: string, fieldName: string) =>
  row(title).locator(`[data-testid="editable-cell"][data-field="${fieldName}"]`);
const column = (value: string) => page.locator(`[data-testid="board-column"][data-value="${value}"]`);
const card = (title: string) =>
  page.getByTestId('board-card').filter({ has: page.getByRole('link', { name: title, exact: true }) });
const countOf = async (value: string) => (await column(value).getByTestId('column-count').textContent())?.trim();
const sumOf = async (value: string) => (await column(value).getByTestId('column-sum').textContent())?.trim();
const titlesIn = async (value: string) => column(value).getByTestId('board-card').getByRole('link').allTextContents();
const pickView = async (name: string | RegExp) => {
  await page.getByTestId('view-picker').click();
  await page.getByRole('menuitem', { name }).click();
  // The menu closes on a timer that a busy machine stretches: go on with the settled page.
  await until('view menu closed', async () => (await page.getByRole('menu').count()) === 0);
};

/** Drags a board card by its handle onto another column with the mouse, in small steps. */
async function dragCard(cardLocator: Locator, target: Locator) {
  const handle = cardLocator.getByRole('button', { name: /^Drag / });
  await handle.scrollIntoViewIfNeeded();
  const from = await handle.boundingBox();
  const to = await target.boundingBox();
  if (!from || !to) throw new Error('card or column not on screen');
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 12, from.y + from.height / 2 + 12, { steps: 4 });
  await page.mouse.move(to.x + to.width / 2, to.y + Math.min(140, to.height / 2), { steps: 12 });
  await page.mouse.up();
}

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('lists and boards on a desktop browser', () => {
  it('signs up with accounts to work on', async () => {
    await signUpInBrowser(page, rapport.url, { name: 'Lin Lists', email: email, workspace: 'Boards Ltd' });
    await createViaApi(page, rapport.url, 'accounts', ACCOUNTS);
    await page.reload();
    await until('rows', async () => (await rowTitles(page)).length === ACCOUNTS.length);
  });

  it('saves the current filter, sort and columns as a shared view and reopens it', async () => {
    await page.getByRole('button', { name: 'Filter' }).click();
    await choose(page, 'Field', 'Industry');
    await choose(page, 'Condition', 'is');
    await choose(page, 'Value', 'Software');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until('filtered', async () => (await rowTitles(page)).join() === 'Acme,Hooli,Initech,Umbrella');
    await page.getByRole('button', { name: 'Name' }).click(); // name is the default sort: now descending
    await until('sorted', async () => (await rowTitles(page))[0] === 'Umbrella');
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Tags', exact: true }).click();
    await page.keyboard.press('Escape');

    await page.getByTestId('view-picker').click();
    await page.getByRole('menuitem', { name: 'Save as new view…' }).click();
    await field(page, 'View name').fill('Software, Z to A');
    await page.getByRole('checkbox', { name: 'Share with everyone in the workspace' }).check();
    await browser.shot('lists-01-save-view');
    await expectAccessible(page, 'the save view dialog');
    await page.getByRole('button', { name: 'Save view' }).click();
    await until(
      'view in use',
      async () => (await page.getByTestId('view-picker').textContent()) === 'Software, Z to A',
    );
    expect(page.url()).toMatch(/view=/);

    // Back to everything, then reopen the view: filter, sort and columns come back.
    await pickView('All accounts');
    await until('all rows', async () => (await rowTitles(page)).length === ACCOUNTS.length);
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('button', { name: 'Reset to default columns' }).click();
    await page.keyboard.press('Escape');
    expect(await page.getByRole('columnheader', { name: 'Tags' }).count()).toBe(0);
    await pickView(/^Software, Z to A/);
    await until('view applied', async () => (await rowTitles(page)).join() === 'Umbrella,Initech,Hooli,Acme');
    await until('columns applied', async () => (await page.getByRole('columnheader', { name: 'Tags' }).count()) === 1);
    await until('chip', () => page.getByText('Industry is Software').isVisible());
    await page.reload();
    await until('after reload', async () => (await rowTitles(page)).join() === 'Umbrella,Initech,Hooli,Acme');
    const views = await api('GET', '/api/v1/views?object=accounts');
    expect(views.data).toEqual([
      expect.objectContaining({
        name: 'Software, Z to A',
        shared: true,
        kind: 'list',
        sort: '-name',
        filter: { field: 'industry', op: 'eq', value: 'software' },
      }),
    ]);

    // Rename it; a changed view offers to save the changes.
    await page.getByTestId('view-picker').click();
    await page.getByRole('menuitem', { name: 'Rename or share…' }).click();
    await field(page, 'View name').fill('Software accounts');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await until('renamed', async () => (await page.getByTestId('view-picker').textContent()) === 'Software accounts');
    await page.getByRole('button', { name: 'Name' }).click();
    await until(
      'changed mark',
      async () => (await page.getByTestId('view-picker').textContent()) === 'Software accounts *',
    );
    await page.getByTestId('view-picker').click();
    await browser.shot('lists-02-view-menu');
    await page.getByRole('menuitem', { name: 'Save changes to “Software accounts”' }).click();
    await until('saved', async () => (await page.getByTestId('view-picker').textContent()) === 'Software accounts');
    const saved = (await api('GET', '/api/v1/views?object=accounts')).data as Json[];
    expect(saved[0]?.sort ?? null).toBeNull(); // back to the default sort
    await pickView('All accounts');
    await until('all rows again', async () => (await rowTitles(page)).length === ACCOUNTS.length);
  });

  it('edits a cell in place: local and API validation, Escape cancels, Enter saves', async () => {
    await cell('Acme', 'employees').dblclick();
    const input = field(page, 'Employees');
    await input.fill('lots');
    await input.press('Enter');
    await until('local message', () => page.getByText('must be a whole number').isVisible());
    await input.fill('-5');
    await input.press('Enter');
    // The API's message (employees may not be negative) beside the input.
    await until('api message', () => page.getByText('must be at least 0').isVisible());
    await browser.shot('lists-03-inline-edit-error');
    await expectAccessible(page, 'an inline edit with an error');
    await input.press('Escape');
    await until('closed', async () => (await field(page, 'Employees').count()) === 0);
    expect(await cell('Acme', 'employees').textContent()).toBe('10');

    // Keyboard: focus the cell, Enter opens, type, Enter saves.
    await cell('Acme', 'employees').focus();
    await page.keyboard.press('Enter');
    await field(page, 'Employees').fill('42');
    await field(page, 'Employees').press('Enter');
    await until('cell shows 42', async () => (await cell('Acme', 'employees').textContent()) === '42');
    expect((await accountByName('Acme')).employees).toBe(42);

    // Someone else saved Globex meanwhile: the edit is refused (412) and the list refreshed.
    await api('PATCH', `/api/v1/accounts/${(await accountByName('Globex')).id}`, { employees: 900 });
    await cell('Globex', 'employees').dblclick();
    await field(page, 'Employees').fill('901');
    await field(page, 'Employees').press('Enter');
    await until('conflict message', () => page.getByText(/changed this record since the list loaded/).isVisible());
    await until('latest shown', async () => (await cell('Globex', 'employees').textContent()) === '900');
    await field(page, 'Employees').fill('901');
    await field(page, 'Employees').press('Enter');
    await until('saved on the latest', async () => (await cell('Globex', 'employees').textContent()) === '901');
    expect((await accountByName('Globex')).employees).toBe(901);

    // A select field uses the same input as the form.
    await cell('Stark', 'type').dblclick();
    await choose(page, 'Type', 'Competitor');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await until('type saved', async () => (await cell('Stark', 'type').textContent()) === 'Competitor');
    expect((await accountByName('Stark')).type).toBe('competitor');
    await api('PATCH', `/api/v1/accounts/${(await accountByName('Stark')).id}`, { type: null });
    await page.reload();
    await until('rows', async () => (await rowTitles(page)).length === ACCOUNTS.length);
  });

  it('shows a board by type with per-column counts and exact sums', async () => {
    await page.getByRole('button', { name: 'Board', exact: true }).click();
    await until('board', () => page.getByTestId('board').isVisible());
    expect(page.url()).toContain('board=industry'); // the first select field
    await choose(page, 'Columns by', 'Type');
    await until('by type', async () => (await countOf('customer')) === '2');
    expect(await sumOf('customer')).toBe('3,000.5 EUR');
    expect(await countOf('prospect')).toBe('2');
    expect(await sumOf('prospect')).toBe('500.25 EUR · 300 USD');
    expect(await countOf('partner')).toBe('1');
    expect(await countOf('')).toBe('1'); // no type: Stark
    // The cards can render after the counts (and a loaded machine has caught the column
    // between two renders, empty): wait for the expected cards rather than read once.
    await expect.poll(() => titlesIn('prospect'), { message: 'prospect cards' }).toEqual(['Initech', 'Umbrella']);
    await until('total', async () => (await page.getByTestId('board-total').textContent()) === '6 accounts');
    await browser.shot('lists-04-board');
    await expectAccessible(page, 'the board');
  });

  it('drags a card to another column: saved, counts and sums follow, still there after a reload', async () => {
    await dragCard(card('Initech'), column('customer'));
    await until('moved', async () => (await titlesIn('customer')).includes('Initech'));
    await until('counts', async () => (await countOf('customer')) === '3' && (await countOf('prospect')) === '1');
    await until('sums', async () => (await sumOf('customer')) === '3,500.75 EUR');
    expect(await sumOf('prospect')).toBe('300 USD');
    expect((await accountByName('Initech')).type).toBe('customer');
    await page.reload();
    await until('after reload', async () => (await titlesIn('customer')).includes('Initech'));
    expect(await countOf('customer')).toBe('3');
    await browser.shot('lists-05-board-after-drag');
  });

  it('moves a card with the keyboard (space, arrow, space)', async () => {
    const handle = card('Hooli').getByRole('button', { name: 'Drag Hooli' });
    await handle.focus();
    await page.keyboard.press('Space');
    await until('picked up', async () => (await card('Hooli').getAttribute('data-dragging')) === 'true');
    await page.keyboard.press('ArrowLeft'); // partner → customer
    await until('over customer', async () => (await column('customer').getAttribute('data-over')) === 'true');
    await browser.shot('lists-05b-board-keyboard-move');
    await page.keyboard.press('Space');
    await until('moved by keyboard', async () => (await titlesIn('customer')).includes('Hooli'));
    await until('saved', async () => (await accountByName('Hooli')).type === 'customer');
    expect(await countOf('partner')).toBe('0');
  });

  it('puts a card back with a message when someone changed the record meanwhile (412)', async () => {
    const umbrella = await accountByName('Umbrella');
    await api('PATCH', `/api/v1/accounts/${umbrella.id}`, { employees: 77 }); // the board still has the old version
    await dragCard(card('Umbrella'), column('customer'));
    await until('message', () => page.getByTestId('board-message').isVisible());
    expect(await page.getByTestId('board-message').textContent()).toContain('changed by someone else');
    await until('back in its column', async () => (await titlesIn('prospect')).includes('Umbrella'));
    expect((await accountByName('Umbrella')).type).toBe('prospect');
    await browser.shot('lists-06-board-conflict');
    // The board now has the latest version: the same move works.
    await dragCard(card('Umbrella'), column('customer'));
    await until('moved', async () => (await accountByName('Umbrella')).type === 'customer');
  });

  it('saves the board as a view and reopens it', async () => {
    await page.getByTestId('view-picker').click();
    await page.getByRole('menuitem', { name: 'Save as new view…' }).click();
    await field(page, 'View name').fill('Pipeline by type');
    await page.getByRole('button', { name: 'Save view' }).click();
    await until('saved', async () => (await page.getByTestId('view-picker').textContent()) === 'Pipeline by type');
    await page.getByRole('button', { name: 'List', exact: true }).click();
    await until('list', async () => (await rowTitles(page)).length === ACCOUNTS.length);
    await pickView(/^Pipeline by type/);
    await until('board again', async () => (await countOf('customer')) === '5');
    expect(await sumOf('customer')).toBe('3,500.75 EUR · 300 USD');
    await pickView('All accounts');
    await until('list again', async () => (await rowTitles(page)).length === ACCOUNTS.length);
  });

  it('ticks rows and adds a tag to all of them, keeping their other tags', async () => {
    for (const name of ['Acme', 'Globex', 'Stark']) await row(name).getByRole('checkbox').check();
    await until('bar', async () => (await page.getByTestId('bulk-count').textContent()) === '3 selected');
    await browser.shot('lists-07-bulk-bar');
    await expectAccessible(page, 'the list with a selection');
    await page.getByRole('button', { name: 'Add tags' }).click();
    const tags = field(page, 'Tags to add');
    await tags.fill('vip');
    await tags.press('Enter');
    await page.getByRole('button', { name: 'Add tags' }).last().click();
    await until('result', async () => (await page.getByTestId('bulk-result').textContent()) === '3 updated');
    expect((await accountByName('Acme')).tags).toEqual(['partner-program', 'vip']);
    expect((await accountByName('Stark')).tags).toEqual(['vip']);

    // Bulk edit a field.
    for (const name of ['Globex', 'Stark']) await row(name).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Edit field' }).click();
    await choose(page, 'Field', 'Industry');
    await choose(page, 'New value', 'Retail');
    await page.getByRole('button', { name: 'Apply to 2' }).click();
    await until('edited', async () => (await accountByName('Globex')).industry === 'retail');
  });

  it('deletes ticked rows after confirmation (to the trash)', async () => {
    await row('Hooli').getByRole('checkbox').check();
    await row('Umbrella').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await until('confirm', () => page.getByText('They move to the trash').isVisible());
    await browser.shot('lists-08-bulk-delete-confirm');
    await page.getByRole('button', { name: 'Delete 2' }).click();
    await until('gone', async () => (await rowTitles(page)).length === ACCOUNTS.length - 2);
    expect(await rowTitles(page)).not.toContain('Hooli');
    const trash = await api('GET', '/api/v1/accounts/trash');
    expect((trash.data as Json[]).map((r) => r.name).sort()).toEqual(['Hooli', 'Umbrella']);
  });

  it('selects every record matching the filter, beyond the loaded page, and tags them', async () => {
    // More than a short list (which loads whole at once): 600 contacts, 100 on the first page.
    await createViaApi(
      page,
      rapport.url,
      'contacts',
      Array.from({ length: 600 }, (_, i) => ({ lastName: `Many${String(i).padStart(3, '0')}` })),
    );
    await createViaApi(page, rapport.url, 'contacts', [{ lastName: 'Other' }]);
    await page.goto(`${rapport.url}/contacts`);
    await page.getByRole('button', { name: 'Filter' }).click();
    await choose(page, 'Field', 'Last name');
    await choose(page, 'Condition', 'starts with');
    await field(page, 'Value').fill('Many');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until('first page', async () => (await page.getByTestId('record-row').count()) > 0);
    await page.getByRole('checkbox', { name: 'Select all loaded rows' }).check();
    await until('100 ticked', async () => (await page.getByTestId('bulk-count').textContent()) === '100 selected');
    await page.getByRole('button', { name: /Select all matching/ }).click();
    await until(
      'all matching',
      async () => (await page.getByTestId('bulk-count').textContent()) === 'All contacts matching',
    );
    await page.getByRole('button', { name: 'Add tags' }).click();
    await field(page, 'Tags to add').fill('campaign');
    await field(page, 'Tags to add').press('Enter');
    await page.getByRole('button', { name: 'Add tags' }).last().click();
    await until('result', async () => (await page.getByTestId('bulk-result').textContent()) === '600 updated');
    const tagged = encodeURIComponent(JSON.stringify({ field: 'tags', op: 'contains', value: 'campaign' }));
    const res = await page.request.get(`${rapport.url}/api/v1/contacts?filter=${tagged}&count=true&limit=1`);
    expect(((await res.json()) as { total: number }).total).toBe(600);
    expect(browser.problems).toEqual([]);
  });
});

describe('lists and boards on a 375 px phone', () => {
  it('signs in on a phone and opens the shared view', async () => {
    await browser.close();
    browser = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
    page = browser.page;
    await page.goto(`${rapport.url}/sign-in`);
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Signing in lands on the home page; the phone goes on to the accounts list.
    await page.waitForURL(`${rapport.url}/`);
    await page.goto(`${rapport.url}/accounts`);
    await until('rows', async () => (await rowTitles(page)).length === ACCOUNTS.length - 2);
    await expectNoHorizontalScroll(page);
    await page.getByTestId('view-picker').click();
    await expectNoHorizontalScroll(page);
    await browser.shot('mobile-lists-01-view-menu');
    await page.getByRole('menuitem', { name: /^Software accounts/ }).click();
    // Globex and Stark became retail; Hooli and Umbrella are in the trash.
    await until('view applied', async () => (await rowTitles(page)).join() === 'Acme,Initech');
    // The menu's closing transition leaves an empty dropdown for a moment: check the settled page.
    await until('menu closed', async () => (await page.getByRole('menu').count()) === 0);
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByTestId('list-toolbar'));
    await expectTapTargets(page.getByTestId('record-table'));
    await expectAccessible(page, 'a saved view on a phone');
  });

  it('edits a cell in place on a phone', async () => {
    await cell('Initech', 'domain').dblclick();
    await field(page, 'Domain').fill('initech.example');
    await field(page, 'Domain').press('Enter');
    await until('saved', async () => (await cell('Initech', 'domain').textContent()) === 'initech.example');
    expect((await accountByName('Initech')).domain).toBe('initech.example');
    await expectNoHorizontalScroll(page);
  });

  it('ticks rows and tags them from the bulk bar', async () => {
    await pickView('All accounts');
    await until('all', async () => (await rowTitles(page)).length === ACCOUNTS.length - 2);
    await row('Initech').getByRole('checkbox').check();
    await row('Globex').getByRole('checkbox').check();
    await until('bar', async () => (await page.getByTestId('bulk-count').textContent()) === '2 selected');
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByTestId('bulk-bar'));
    await browser.shot('mobile-lists-02-bulk-bar');
    await page.getByRole('button', { name: 'Add tags' }).click();
    await field(page, 'Tags to add').fill('mobile');
    await field(page, 'Tags to add').press('Enter');
    await page.getByRole('button', { name: 'Add tags' }).last().click();
    await until('result', async () => (await page.getByTestId('bulk-result').textContent()) === '2 updated');
    expect((await accountByName('Globex')).tags).toEqual(['vip', 'mobile']);
  });

  it('shows the board in the phone’s width and moves a card from its menu', async () => {
    await pickView(/^Pipeline by type/);
    await until('board', async () => (await countOf('customer')) === '3');
    // The counts can show before the cards: judge the board (axe, tap targets) once they are there.
    await card('Acme').waitFor();
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByTestId('board'));
    await browser.shot('mobile-lists-03-board');
    await expectAccessible(page, 'the board on a phone');
    await card('Acme').getByRole('button', { name: 'Move Acme to…' }).click();
    await page.getByRole('menuitem', { name: 'Partner' }).click();
    await until('moved', async () => (await accountByName('Acme')).type === 'partner');
    await until('counts', async () => (await countOf('customer')) === '2' && (await countOf('partner')) === '1');
    await page.reload();
    await until('after reload', async () => (await countOf('partner')) === '1');
    await expectNoHorizontalScroll(page);
  });

  it('deletes a saved view after confirmation', async () => {
    await page.getByTestId('view-picker').click();
    await page.getByRole('menuitem', { name: 'Delete view…' }).click();
    await until('confirm', () => page.getByText(/“Pipeline by type” will be deleted/).isVisible());
    await expectNoHorizontalScroll(page);
    await page.getByRole('button', { name: 'Delete view' }).click();
    await until('back to all', async () => (await page.getByTestId('view-picker').textContent()) === 'All accounts');
    const views = (await api('GET', '/api/v1/views?object=accounts')).data as Json[];
    expect(views.map((v) => v.name)).toEqual(['Software accounts']);
    expect(browser.problems).toEqual([]);
  });
});
