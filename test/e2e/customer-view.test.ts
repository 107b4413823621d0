import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

// Issue 14 items 7 and 12: an account's page shows everything done with it in sections
// with counts; on a phone, lists are cards and the record page has thumb-reach actions.
// Each test continues the last one.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
const email = uniqueEmail('view');
let accountId = '';
let contactId = '';

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

/** The count the section bar shows for a related list. */
const sectionCount = async (label: string) =>
  (
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('button', { name: new RegExp(`^${label}`) })
      .textContent()
  )
    ?.replace(label, '')
    .trim();

describe('the single customer view', () => {
  it('shows an account with its contacts, opportunities, quotes, tasks, meetings and interactions, counted', async () => {
    await signUpInBrowser(page, rapport.url, { name: 'Vera View', email, workspace: 'Customer View Co' });
    [accountId = ''] = await createViaApi(page, rapport.url, 'accounts', [
      {
        name: 'Umbrella Corp',
        phone: '+44 20 7946 0000',
        address: { street: '1 Raccoon Road', city: 'London', country: 'GB' },
      },
    ]);
    [contactId = ''] = await createViaApi(page, rapport.url, 'contacts', [
      {
        firstName: 'Alice',
        lastName: 'Abernathy',
        email: 'alice@umbrella.example',
        phone: '+44 20 7946 0001',
        title: 'Head of Security',
        accountId,
        address: { street: '2 Hive Lane', city: 'London', country: 'GB' },
      },
    ]);
    await createViaApi(page, rapport.url, 'contacts', [{ firstName: 'Chris', lastName: 'Redfield', accountId }]);
    await createViaApi(page, rapport.url, 'opportunities', [{ name: 'Umbrella renewal', accountId }]);
    await createViaApi(
      page,
      rapport.url,
      'tasks',
      ['Send the contract', 'Book the site visit', 'Call back about pricing'].map((title) => ({
        title,
        relatedObject: 'accounts',
        relatedId: accountId,
      })),
    );
    await createViaApi(page, rapport.url, 'interactions', [
      { topic: 'Discovery call', channel: 'call', accountId, contactId },
    ]);

    await page.goto(`${rapport.url}/accounts/${accountId}`);
    await until('account page', () => page.getByRole('heading', { name: 'Umbrella Corp' }).isVisible());
    await until('sections', async () => (await sectionCount('Tasks')) === '3');
    expect(await sectionCount('Contacts')).toBe('2');
    expect(await sectionCount('Opportunities')).toBe('1');
    expect(await sectionCount('Interactions')).toBe('1');
    expect(await sectionCount('Meetings')).toBe('0');
    expect(await sectionCount('Quotes')).toBe('0');
    const tasks = page.getByRole('region', { name: 'Tasks' });
    for (const title of ['Send the contract', 'Book the site visit', 'Call back about pricing'])
      expect(await tasks.getByRole('link', { name: title }).isVisible()).toBe(true);
    expect(
      await page
        .getByRole('region', { name: 'Interactions' })
        .getByRole('link', { name: 'Discovery call' })
        .isVisible(),
    ).toBe(true);
    // The section bar takes you to the section.
    await page
      .getByRole('navigation', { name: 'Sections' })
      .getByRole('button', { name: /^Interactions/ })
      .click();
    await until('scrolled to interactions', () => page.getByRole('region', { name: 'Interactions' }).isVisible());
    // No thumb bar on a desktop.
    expect(await page.getByTestId('thumb-actions').isVisible()).toBe(false);
    await browser.shot('customer-view-01-account');
    await expectAccessible(page, 'an account with its sections');
    expect(browser.problems).toEqual([]);
  });
});

describe('on a phone', () => {
  it('shows each contact as a card with call and email actions, no sideways scrolling', async () => {
    await browser.close();
    browser = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
    page = browser.page;
    await page.goto(`${rapport.url}/sign-in`);
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${rapport.url}/`);
    await page.goto(`${rapport.url}/contacts`);
    await until('cards', async () => (await page.getByTestId('record-card').count()) === 2);
    expect(await rowTitles(page)).toEqual(['Alice Abernathy', 'Chris Redfield']);
    const alice = page
      .getByTestId('record-card')
      .filter({ has: page.getByRole('link', { name: 'Alice Abernathy', exact: true }) });
    expect(await alice.getByRole('link', { name: 'Call Alice Abernathy' }).getAttribute('href')).toBe(
      'tel:+442079460001',
    );
    expect(await alice.getByRole('link', { name: 'Email Alice Abernathy' }).getAttribute('href')).toBe(
      'mailto:alice@umbrella.example',
    );
    // The two most useful fields: the job title and the account, by name.
    expect(await alice.textContent()).toContain('Head of Security · Umbrella Corp');
    // Chris has neither phone nor email: no actions that lead nowhere.
    const chris = page
      .getByTestId('record-card')
      .filter({ has: page.getByRole('link', { name: 'Chris Redfield', exact: true }) });
    expect(await chris.getByRole('link', { name: /^(Call|Email) / }).count()).toBe(0);
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByTestId('record-table'));
    await browser.shot('customer-view-02-phone-cards');
    await expectAccessible(page, 'contact cards on a phone');
  });

  it('puts call, email, directions and logging the interaction within thumb reach on the record', async () => {
    await page.getByRole('link', { name: 'Alice Abernathy', exact: true }).click();
    await page.waitForURL(`${rapport.url}/contacts/${contactId}`);
    const bar = page.getByRole('navigation', { name: 'Quick actions' });
    await until('thumb bar', () => bar.isVisible());
    expect(await bar.getByRole('link', { name: 'Call' }).getAttribute('href')).toBe('tel:+442079460001');
    expect(await bar.getByRole('link', { name: 'Email' }).getAttribute('href')).toBe('mailto:alice@umbrella.example');
    expect(await bar.getByRole('link', { name: 'Directions' }).getAttribute('href')).toContain(
      encodeURIComponent('2 Hive Lane'),
    );
    // Within thumb reach: the bar sits at the bottom of the screen.
    const box = await bar.boundingBox();
    expect((box?.y ?? 0) + (box?.height ?? 0)).toBeGreaterThan(812 - 8);
    await expectTapTargets(bar);
    await expectNoHorizontalScroll(page);
    await browser.shot('customer-view-03-phone-record');

    await until('sections', async () => (await sectionCount('Interactions')) === '1');
    await bar.getByRole('button', { name: 'Log' }).click();
    await field(page, 'Topic').fill('Called from the car park');
    await page.getByRole('dialog').getByRole('button', { name: 'Save', exact: true }).click();
    await until('logged', async () => (await sectionCount('Interactions')) === '2');
    await expectAccessible(page, 'a contact with thumb actions on a phone');
    expect(browser.problems).toEqual([]);
  });
});
