import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import {
  choose,
  createViaApi,
  expectNoHorizontalScroll,
  expectTapTargets,
  field,
  rowTitles,
  uniqueEmail,
  until,
} from './helpers/ui';

// The key flow again on a phone: 375 px wide, touch. Each test continues the last one.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
let smtp: SmtpSink;
let contactUrl = '';
let email = '';

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await smtp?.close();
});

/** The checks every phone page passes: no sideways scrolling, 40 px tap targets in the page and header. */
async function expectPhoneFriendly(what: string) {
  await expectNoHorizontalScroll(page);
  await expectTapTargets(page.locator('main, header').first());
  await expectTapTargets(page.locator('main'));
  await expectAccessible(page, what);
}

const burger = () => page.getByRole('button', { name: 'Toggle navigation' });
/** On a phone the navigation slides in from the left; it is on screen when its box starts at x ≥ 0. */
const navOnScreen = async () =>
  ((await page.getByRole('navigation', { name: 'Customers' }).boundingBox())?.x ?? -1) >= 0;

const openNav = async () => {
  await burger().click();
  await until('navigation open', async () => (await burger().getAttribute('aria-expanded')) === 'true');
  await until('navigation on screen', navOnScreen);
};

describe('the web app on a 375 px phone', () => {
  it('signs up', async () => {
    await page.goto(`${rapport.url}/sign-up`);
    await field(page, 'Your name').fill('Grace Hopper');
    email = uniqueEmail('grace');
    await field(page, 'Work email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await field(page, 'Company (workspace name)').fill('Compilers Inc');
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.locator('main, body').first());
    await browser.shot('mobile-01-sign-up');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL(/\/accounts$/);
    await until('empty list', () => page.getByTestId('list-empty').isVisible());
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.locator('header'));
    await browser.shot('mobile-02-accounts-empty');
  });

  it('navigates by object from the menu', async () => {
    await openNav();
    await expectTapTargets(page.getByRole('navigation', { name: 'Customers' }));
    await browser.shot('mobile-03-navigation');
    await expectAccessible(page, 'the open phone menu');
    await page.getByRole('navigation', { name: 'Customers' }).getByRole('link', { name: 'Accounts' }).click();
    await until('menu closed', async () => (await burger().getAttribute('aria-expanded')) === 'false');
    await until('navigation off screen', async () => !(await navOnScreen()));
  });

  it('creates an account and a contact on it', async () => {
    await page.getByRole('link', { name: 'New account' }).first().click();
    await field(page, 'Name').fill('Harvard Mark I');
    await field(page, 'Domain').fill('harvard.edu');
    await choose(page, 'Industry', 'Education');
    await expectPhoneFriendly('the account form on a phone');
    await browser.shot('mobile-04-account-form');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
    await until('account page', () => page.getByRole('heading', { name: 'Harvard Mark I' }).isVisible());

    // From the account's related list: the new contact starts linked to it.
    await page.getByRole('link', { name: 'Add contact' }).click();
    await page.waitForURL(/\/contacts\/new/);
    await until('account preset', async () => (await field(page, 'Account').inputValue()) === 'Harvard Mark I');
    await field(page, 'First name').fill('Grace');
    await field(page, 'Last name').fill('Hopper');
    await field(page, 'Email').fill('grace@navy.mil');
    await field(page, 'Phone').fill('+1 202 555 0143');
    await expectNoHorizontalScroll(page);
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    contactUrl = page.url();
    await until('contact page', () => page.getByRole('heading', { name: 'Grace Hopper' }).isVisible());
    // Click-to-call and click-to-email.
    expect(await page.locator('[data-field="phone"] a').getAttribute('href')).toBe('tel:+12025550143');
    expect(await page.locator('[data-field="email"] a').getAttribute('href')).toBe('mailto:grace@navy.mil');
    await expectPhoneFriendly('a contact record on a phone');
    await browser.shot('mobile-05-contact-record');
  });

  it('lists, sorts and filters contacts without the page scrolling sideways', async () => {
    await createViaApi(
      page,
      rapport.url,
      'contacts',
      ['Ada Lovelace', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'].map((n) => {
        const [firstName, lastName] = n.split(' ');
        return { firstName, lastName, email: `${firstName?.toLowerCase()}@example.net` };
      }),
    );
    await openNav();
    await page.getByRole('navigation', { name: 'Customers' }).getByRole('link', { name: 'Contacts' }).click();
    await page.waitForURL(/\/contacts$/);
    await until('rows', async () => (await rowTitles(page)).length === 5);
    expect(await rowTitles(page)).toEqual([
      'Edsger Dijkstra',
      'Grace Hopper',
      'Barbara Liskov',
      'Ada Lovelace',
      'Alan Turing',
    ]);
    // On a phone each record is a card (title, subtitle, two fields, call and email); the
    // header keeps the title and subtitle (email) to sort by (after the row checkboxes' column).
    expect(await page.getByRole('columnheader').allTextContents()).toEqual(['', 'First name', 'Email']);
    expect(await page.getByTestId('record-card').count()).toBe(5);
    const grace = page
      .getByTestId('record-card')
      .filter({ has: page.getByRole('link', { name: 'Grace Hopper', exact: true }) });
    expect(await grace.getByRole('link', { name: 'Call Grace Hopper' }).getAttribute('href')).toBe('tel:+12025550143');
    expect(await grace.getByRole('link', { name: 'Email Grace Hopper' }).getAttribute('href')).toBe(
      'mailto:grace@navy.mil',
    );
    expect(await grace.textContent()).toContain('Harvard Mark I');
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByTestId('record-table'));
    await browser.shot('mobile-06-contacts-list');
    await expectAccessible(page, 'the contacts list on a phone');

    await page.getByRole('button', { name: 'Email' }).click();
    await until('sorted by email', async () => (await rowTitles(page))[0] === 'Ada Lovelace');

    await page.getByRole('button', { name: 'Filter' }).click();
    await choose(page, 'Field', 'Last name');
    await choose(page, 'Condition', 'contains');
    await field(page, 'Value').fill('ov');
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByRole('group', { name: 'Filter conditions' }));
    await browser.shot('mobile-07-filter-builder');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until('filtered', async () => (await rowTitles(page)).join() === 'Ada Lovelace,Barbara Liskov');
    await expectNoHorizontalScroll(page);
    await browser.shot('mobile-08-filtered-list');
  });

  it('edits a contact and opens it', async () => {
    await page.goto(contactUrl);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    await field(page, 'Job title').fill('Rear Admiral');
    await expectPhoneFriendly('the edit form on a phone');
    await browser.shot('mobile-09-edit-form');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(contactUrl);
    await until('saved', async () => (await page.locator('[data-field="title"]').textContent()) === 'Rear Admiral');
  });

  it('finds a record from the search button', async () => {
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const box = page.getByRole('combobox', { name: 'Search records' });
    await box.fill('dijks');
    await until('hit', () => page.getByRole('option', { name: /Edsger Dijkstra/ }).isVisible());
    await expectNoHorizontalScroll(page);
    await expectTapTargets(page.getByRole('dialog'));
    await browser.shot('mobile-10-command-palette');
    await page.getByRole('option', { name: /Edsger Dijkstra/ }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    await until('record', () => page.getByRole('heading', { name: 'Edsger Dijkstra' }).isVisible());
    expect(browser.problems).toEqual([]);
  });

  it('shows the home page with what was viewed', async () => {
    await page.getByRole('link', { name: 'Rapport' }).click();
    await page.waitForURL(`${rapport.url}/`);
    const recent = page.getByTestId('recently-viewed');
    await until('recently viewed', async () => (await recent.getByRole('link').count()) >= 3);
    expect((await recent.getByRole('link').first().textContent()) ?? '').toMatch(/^Edsger Dijkstra/);
    await expectPhoneFriendly('the home page on a phone');
    await browser.shot('mobile-11-home');
  });

  it('opens an account with its related contacts', async () => {
    await page
      .getByTestId('recently-viewed')
      .getByRole('link', { name: /Harvard Mark I/ })
      .click();
    await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
    await until('related contact', () =>
      page.getByRole('region', { name: 'Contacts' }).getByRole('link', { name: 'Grace Hopper' }).isVisible(),
    );
    await expectPhoneFriendly('an account record on a phone');
    await browser.shot('mobile-12-account-record');
  });

  it('signs out and back in', async () => {
    await page.getByRole('button', { name: /Account menu for Grace Hopper/ }).click();
    await expectTapTargets(page.getByRole('menu'));
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await until('sign-in form', () => page.getByRole('button', { name: 'Sign in' }).isVisible());
    await expectPhoneFriendly('the sign-in page on a phone');
    await browser.shot('mobile-13-sign-in');
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${rapport.url}/`);
    expect(browser.problems).toEqual([]);
  });

  it('lets an invited colleague join on a phone', async () => {
    const colleague = uniqueEmail('alan');
    const res = await page.request.post(`${rapport.url}/api/v1/invitations`, {
      data: { email: colleague, role: 'sales_rep' },
    });
    expect(res.status(), await res.text()).toBe(201);
    const mail = await smtp.waitForMail(
      (m) => mailTo(m, colleague) && /accept-invite\?token=/.test(m.text ?? ''),
      60_000,
    );
    const link = /https?:\/\/\S+\/accept-invite\?token=[\w%.-]+/.exec(mail?.text ?? '')?.[0];
    expect(link, mail?.text).toBeTruthy();
    const other = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
    try {
      const p = other.page;
      await p.goto(String(link));
      await until('invitation shown', () => p.getByText('You are invited to join').isVisible());
      await field(p, 'Your name').fill('Alan Turing');
      await field(p, 'Choose a password').fill(PASSWORD);
      await expectNoHorizontalScroll(p);
      await expectTapTargets(p.locator('main, body').first());
      await expectAccessible(p, 'the invitation page on a phone');
      await other.shot('mobile-14-accept-invitation');
      await p.getByRole('button', { name: 'Join Compilers Inc' }).click();
      await p.waitForURL(/\/accounts$/);
      expect(other.problems).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
