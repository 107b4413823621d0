import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilterNode } from '../../common/filter';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import {
  createViaApi,
  expectNoHorizontalScroll,
  expectTapTargets,
  field,
  rowTitles,
  signUpInBrowser,
  uniqueEmail,
  until,
} from './helpers/ui';

// The filter builder edits the API's whole filter tree: all/any groups, "not", every
// operator, fields of related records. Rows shown = the API's answer for the same tree;
// a saved view comes back exactly as saved. Each test continues the last one.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
const email = uniqueEmail('filters');
type Json = Record<string, unknown>;

/** All of: (account's industry is software, or not a lead) and not a last name starting with T. */
const TREE: FilterNode = {
  and: [
    { not: { field: 'lastName', op: 'startsWith', value: 'T' } },
    {
      or: [
        { field: 'account.industry', op: 'eq', value: 'software' },
        { not: { field: 'lifecycleStage', op: 'eq', value: 'lead' } },
      ],
    },
  ],
};
const EXPECTED = ['Edsger Dijkstra', 'Barbara Liskov', 'Ada Lovelace'];
const CHIPS = 'not Last name starts with T|(Account › Industry is Software or not Lifecycle stage is Lead)';

const api = async (method: 'GET' | 'POST', path: string, data?: unknown) => {
  const res = await page.request.fetch(`${rapport.url}${path}`, { method, data });
  expect(res.status(), await res.text()).toBeLessThan(300);
  return (await res.json()) as Json;
};
/** The API's own answer for a tree, in the list's default order (last name, first name). */
const apiTitles = async (tree: FilterNode) => {
  const body = await api('POST', '/api/v1/contacts/query', { filter: tree, sort: 'lastName,firstName', limit: 100 });
  return (body.data as Json[]).map((c) => `${c.firstName} ${c.lastName}`);
};
const urlFilter = () => JSON.parse(new URL(page.url()).searchParams.get('filter') ?? 'null') as FilterNode | null;
const chips = async () => (await page.getByTestId('filter-chips').getByRole('listitem').allTextContents()).join('|');

/** Picks `option` in the select labelled `label` inside `scope` (one filter condition or group). */
async function pick(scope: Locator, label: string, option: string) {
  await field(scope, label).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}
const pickView = async (name: string) => {
  await page.getByTestId('view-picker').click();
  await page.getByRole('menuitem', { name, exact: true }).click();
};
const filterButton = () => page.getByRole('button', { name: 'Filter', exact: true });
const group = (name: string) => page.getByRole('group', { name, exact: true });
/** The condition's own controls (its "not" button; a nested group's are inside it). */
const notButton = (scope: Locator) => scope.getByRole('button', { name: 'Not', exact: true }).first();
const matchChoice = (scope: Locator, choice: 'all' | 'any') =>
  scope
    .getByRole('radiogroup')
    .first()
    .locator('label', { hasText: new RegExp(`^${choice}$`) });

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('the filter builder on a desktop browser', () => {
  it('signs up with contacts at accounts of several industries', async () => {
    await signUpInBrowser(page, rapport.url, { name: 'Fay Filters', email: email, workspace: 'Filters Ltd' });
    const [acme, globex, initech] = await createViaApi(page, rapport.url, 'accounts', [
      { name: 'Acme', industry: 'software' },
      { name: 'Globex', industry: 'banking' },
      { name: 'Initech', industry: 'software' },
    ]);
    await createViaApi(page, rapport.url, 'contacts', [
      { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test', accountId: acme, lifecycleStage: 'lead' },
      { firstName: 'Alan', lastName: 'Turing', accountId: globex, lifecycleStage: 'lead' },
      { firstName: 'Barbara', lastName: 'Liskov', accountId: globex, lifecycleStage: 'customer' },
      {
        firstName: 'Edsger',
        lastName: 'Dijkstra',
        email: 'ewd@initech.test',
        accountId: initech,
        lifecycleStage: 'customer',
      },
      { firstName: 'Grace', lastName: 'Hopper', lifecycleStage: 'lead' },
      { firstName: 'Linus', lastName: 'Torvalds', accountId: globex, lifecycleStage: 'subscriber' },
    ]);
    await page.goto(`${rapport.url}/contacts`);
    await until('rows', async () => (await rowTitles(page)).length === 6);
  });

  it('builds an any-group with a "not" condition inside an all-group, and shows what the API answers', async () => {
    await filterButton().click();
    const top = group('Filter conditions');
    await until('builder open', () => top.isVisible());

    // Condition 1 (top level): not · Last name · starts with · T.
    const first = group('Condition 1');
    await pick(first, 'Field', 'Last name');
    await pick(first, 'Condition', 'starts with');
    await field(first, 'Value').fill('T');
    await notButton(first).click();
    expect(await notButton(first).getAttribute('aria-pressed')).toBe('true');

    // A group: any of (Account › Industry is Software, not Lifecycle stage is Lead).
    await top.getByRole('button', { name: 'Add group' }).last().click();
    const inner = group('Group 2');
    await until('group added', () => inner.isVisible());
    await matchChoice(inner, 'any').click();
    const g1 = group('Condition 1 in group 2');
    await pick(g1, 'Field', 'Account › Industry');
    await pick(g1, 'Condition', 'is');
    await pick(g1, 'Value', 'Software');
    await inner.getByRole('button', { name: 'Add condition' }).click();
    const g2 = group('Condition 2 in group 2');
    await pick(g2, 'Field', 'Lifecycle stage');
    await pick(g2, 'Condition', 'is');
    await pick(g2, 'Value', 'Lead');
    // Keyboard works too: focus the toggle and press Space.
    await notButton(g2).focus();
    await page.keyboard.press('Space');
    expect(await notButton(g2).getAttribute('aria-pressed')).toBe('true');
    await browser.shot('filters-01-builder');
    await expectAccessible(page, 'the filter builder with a nested group');
    await page.getByRole('button', { name: 'Apply' }).click();

    await until('filtered', async () => (await rowTitles(page)).join() === EXPECTED.join());
    expect(urlFilter()).toEqual(TREE);
    expect(await apiTitles(TREE)).toEqual(EXPECTED);
    await until('chips', async () => (await chips()) === CHIPS);
    expect(await filterButton().locator('..').textContent()).toContain('3');
    await browser.shot('filters-02-filtered-list');
    await expectAccessible(page, 'a list with a nested filter');
  });

  it('saves it as a view; after a reload the same filter and rows come back, and the builder shows it', async () => {
    await page.getByTestId('view-picker').click();
    await page.getByRole('menuitem', { name: 'Save as new view…' }).click();
    await field(page, 'View name').fill('Software or not leads');
    await page.getByRole('button', { name: 'Save view' }).click();
    await until(
      'view in use',
      async () => (await page.getByTestId('view-picker').textContent()) === 'Software or not leads',
    );
    const saved = ((await api('GET', '/api/v1/views?object=contacts')).data as Json[])[0];
    expect(saved?.filter).toEqual(TREE);

    expect(new URL(page.url()).searchParams.get('view')).toBe(saved?.id);
    await page.reload();
    await until('rows after reload', async () => (await rowTitles(page)).join() === EXPECTED.join());
    await until('chips after reload', async () => (await chips()) === CHIPS);
    expect(await page.getByTestId('view-picker').textContent()).toBe('Software or not leads');

    await filterButton().click();
    await until('builder open', () => group('Filter conditions').isVisible());
    expect(await field(group('Condition 1'), 'Field').inputValue()).toBe('Last name');
    expect(await notButton(group('Condition 1')).getAttribute('aria-pressed')).toBe('true');
    expect(await field(group('Condition 1 in group 2'), 'Field').inputValue()).toBe('Account › Industry');
    expect(await field(group('Condition 1 in group 2'), 'Value').inputValue()).toBe('Software');
    expect(await notButton(group('Condition 2 in group 2')).getAttribute('aria-pressed')).toBe('true');
    expect(await group('Group 2').getByRole('radio', { name: 'any' }).isChecked()).toBe(true);
    expect(await group('Filter conditions').getByRole('radio', { name: 'all' }).first().isChecked()).toBe(true);
    // Applied unchanged: still the saved view, not "changed".
    await page.getByRole('button', { name: 'Apply' }).click();
    await until('same rows', async () => (await rowTitles(page)).join() === EXPECTED.join());
    expect(urlFilter()).toEqual(TREE);
    expect(await page.getByTestId('view-picker').textContent()).toBe('Software or not leads');
  });

  it('opens a view saved through the API with shapes the builder would not make, and saves it back unchanged', async () => {
    // Double negation, a one-member group, the relation spelt by its field's name, a value on isEmpty.
    const odd: FilterNode = {
      or: [
        { not: { not: { and: [{ field: 'accountId.industry', op: 'in', value: ['software'] }] } } },
        {
          and: [
            { field: 'email', op: 'isEmpty', value: 'ignored' },
            { field: 'lastName', op: 'gte', value: 'T' },
          ],
        },
      ],
    };
    const view = (await api('POST', '/api/v1/views', { object: 'contacts', name: 'Odd shape', filter: odd }))
      .data as Json;
    await page.reload();
    await pickView('Odd shape');
    expect(new URL(page.url()).searchParams.get('view')).toBe(view.id);
    const expected = await apiTitles(odd);
    expect(expected).toEqual(['Edsger Dijkstra', 'Ada Lovelace', 'Linus Torvalds', 'Alan Turing']);
    await until('rows', async () => (await rowTitles(page)).join() === expected.join());
    await filterButton().click();
    await until('builder open', () => group('Filter conditions').isVisible());
    expect(await field(group('Condition 1 in group 1'), 'Field').inputValue()).toBe('Account › Industry');
    await page.getByRole('button', { name: 'Apply' }).click();
    expect(urlFilter()).toEqual(odd);
    await page.getByTestId('view-picker').click();
    expect(await page.getByRole('menuitem', { name: /Save changes/ }).count()).toBe(0);
    await page.getByRole('menuitem', { name: 'Save as new view…' }).click();
    await field(page, 'View name').fill('Odd shape, again');
    await page.getByRole('button', { name: 'Save view' }).click();
    await until('saved', async () => (await page.getByTestId('view-picker').textContent()) === 'Odd shape, again');
    const views = (await api('GET', '/api/v1/views?object=contacts')).data as Json[];
    expect(views.find((v) => v.name === 'Odd shape, again')?.filter).toEqual(odd);
    expect(browser.problems).toEqual([]);
  });
});

describe('the filter builder on a 375 px phone', () => {
  it('builds an any-group with a "not" condition on a phone: rows as the API answers', async () => {
    await browser.close();
    browser = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
    page = browser.page;
    await page.goto(`${rapport.url}/sign-in`);
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${rapport.url}/`);
    await page.goto(`${rapport.url}/contacts`);
    await until('all rows', async () => (await rowTitles(page)).length === 6);

    await filterButton().click();
    await until('builder open', () => group('Filter conditions').isVisible());
    await matchChoice(group('Filter conditions'), 'any').click();
    const first = group('Condition 1');
    await pick(first, 'Field', 'Account › Industry');
    await pick(first, 'Condition', 'is');
    await pick(first, 'Value', 'Banking');
    await group('Filter conditions').getByRole('button', { name: 'Add group' }).last().click();
    const inner = group('Condition 1 in group 2');
    await pick(inner, 'Field', 'Email');
    await pick(inner, 'Condition', 'is empty');
    await notButton(inner).click();
    await until('settled', () => page.evaluate(() => document.getAnimations().every((a) => a.playState !== 'running')));
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByRole('dialog'));
    await browser.shot('filters-03-builder-phone');
    await expectAccessible(page, 'the filter builder on a phone');
    await page.getByRole('button', { name: 'Apply' }).click();

    const tree: FilterNode = {
      or: [
        { field: 'account.industry', op: 'eq', value: 'banking' },
        { and: [{ not: { field: 'email', op: 'isEmpty' } }] },
      ],
    };
    await until('filter in the URL', async () => JSON.stringify(urlFilter()) === JSON.stringify(tree));
    const expected = await apiTitles(tree);
    expect(expected).toEqual(['Edsger Dijkstra', 'Barbara Liskov', 'Ada Lovelace', 'Linus Torvalds', 'Alan Turing']);
    await until('rows', async () => (await rowTitles(page)).join() === expected.join());
    await until('chips', async () => (await chips()) === 'Account › Industry is Banking|not Email is empty');
    await expectNoHorizontalScroll(page);
    await browser.shot('filters-04-filtered-phone');
  });

  it('shows a saved nested filter in the phone’s width, with comfortable targets', async () => {
    await pickView('Software or not leads');
    await until('rows', async () => (await rowTitles(page)).join() === EXPECTED.join());
    await expectNoHorizontalScroll(page);
    await filterButton().click();
    await until('builder open', () => group('Filter conditions').isVisible());
    await until('settled', () => page.evaluate(() => document.getAnimations().every((a) => a.playState !== 'running')));
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByRole('dialog'));
    await expectAccessible(page, 'a nested filter on a phone');
    await browser.shot('filters-05-nested-builder-phone');
    // One more condition at the bottom of the long filter (the dialog scrolls): not · Email · is empty.
    await group('Filter conditions').getByRole('button', { name: 'Add condition' }).last().click();
    const third = group('Condition 3');
    await pick(third, 'Field', 'Email');
    await pick(third, 'Condition', 'is empty');
    await notButton(third).click();
    await expectNoHorizontalScroll(page);
    await page.getByRole('button', { name: 'Apply' }).click();
    const tree: FilterNode = {
      and: [...(TREE as { and: FilterNode[] }).and, { not: { field: 'email', op: 'isEmpty' } }],
    };
    await until('filter in the URL', async () => JSON.stringify(urlFilter()) === JSON.stringify(tree));
    const expected = await apiTitles(tree);
    expect(expected).toEqual(['Edsger Dijkstra', 'Ada Lovelace']);
    await until('rows', async () => (await rowTitles(page)).join() === expected.join());
    await until(
      'changed view',
      async () => (await page.getByTestId('view-picker').textContent()) === 'Software or not leads *',
    );
    expect(browser.problems).toEqual([]);
  });
});
