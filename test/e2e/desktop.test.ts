import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import { choose, createViaApi, field, rowTitles, uniqueEmail, until } from './helpers/ui';

// One story, step by step, on one real Rapport: each test continues where the last one stopped.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
let smtp: SmtpSink;

const email = uniqueEmail('ada');
let contactUrl = '';

beforeAll(async () => {
  // A real SMTP server catches the invitation email.
  smtp = sharedSmtp();
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await smtp?.close();
});

describe('the web app on a desktop browser', () => {
  it('signs up and lands in the workspace', async () => {
    await page.goto(`${rapport.url}/`);
    await page.waitForURL(/\/sign-in/);
    await until('sign-in form shown', () => page.getByRole('button', { name: 'Sign in' }).isVisible());
    await browser.shot('desktop-01-sign-in');
    await expectAccessible(page, 'the sign-in page');

    await page.getByRole('link', { name: 'Create a workspace' }).click();
    await field(page, 'Your name').fill('Ada Admin');
    await field(page, 'Work email').fill(email);
    await field(page, 'Password').fill('short');
    await field(page, 'Company (workspace name)').fill('Analytical Engines Ltd');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    // The API's password policy answers 422; the message sits under the password field.
    await until('password error shown', () =>
      page
        .getByText(/at least 12 characters/i)
        .first()
        .isVisible(),
    );
    await browser.shot('desktop-02-sign-up-error');
    // Long enough but guessable: the estimator (loaded on demand) says why, before any request.
    await field(page, 'Password').fill('passwordpassword');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await until('guessable password explained', () =>
      page
        .getByText(/too easy to guess/i)
        .first()
        .isVisible(),
    );

    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL(/\/accounts$/);
    await until(
      'workspace name in header',
      async () => (await page.getByTestId('workspace-name').textContent()) === 'Analytical Engines Ltd',
    );
    await until('empty state', () => page.getByTestId('list-empty').isVisible());
    // Navigation comes from the metadata: one entry per object.
    const nav = page.getByRole('navigation', { name: 'Customers' });
    await until('nav lists accounts and contacts', async () =>
      (await nav.getByRole('link').allTextContents()).join(',').includes('Contacts'),
    );
    await browser.shot('desktop-03-accounts-empty');
  });

  it('switches between light and dark theme', async () => {
    const scheme = () => page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    expect(await scheme()).toBe('light');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await until('dark theme', async () => (await scheme()) === 'dark');
    await browser.shot('desktop-04-dark-theme');
    await expectAccessible(page, 'the dark theme');
    // The choice survives a reload (applied before paint by color-scheme.js).
    await page.reload();
    await until('still dark after reload', async () => (await scheme()) === 'dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await until('light again', async () => (await scheme()) === 'light');
  });

  it('creates an account from the generated form, with the API’s field errors beside the fields', async () => {
    await page.getByRole('link', { name: 'New account' }).first().click();
    await page.waitForURL(/\/accounts\/new$/);
    await field(page, 'Name').fill('Acme Corporation');
    await field(page, 'Domain').fill('not a domain');
    await choose(page, 'Industry', 'Software');
    await field(page, 'Employees').fill('250');
    await field(page, 'Annual revenue amount').fill('1250000.50');
    await field(page, 'Annual revenue currency').fill('EUR');
    await field(page, 'City').fill('Lyon');
    await field(page, 'Country (ISO code, e.g. FR)').fill('FR');
    await page.getByRole('button', { name: 'Create account' }).click();
    await until('domain error beside the field', () =>
      page.getByText('must be a domain name such as acme.com').isVisible(),
    );
    await browser.shot('desktop-05-account-form-422');
    await expectAccessible(page, 'the account form with errors');

    await field(page, 'Domain').fill('https://www.acme.com/about');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
    await until('record title', () => page.getByRole('heading', { name: 'Acme Corporation' }).isVisible());
    // The server normalised the domain; money is shown exactly.
    await until(
      'normalised domain',
      async () => (await page.locator('[data-field="domain"]').textContent()) === 'acme.com',
    );
    expect(await page.locator('[data-field="annualRevenue"]').textContent()).toBe('1,250,000.5 EUR');
  });

  it('creates a contact on that account, picking the account by search', async () => {
    await page.getByRole('navigation', { name: 'Customers' }).getByRole('link', { name: 'Contacts' }).click();
    await page.waitForURL(/\/contacts$/);
    await page.getByRole('link', { name: 'New contact' }).first().click();
    await field(page, 'First name').fill('Ada');
    await field(page, 'Last name').fill('Lovelace');
    await field(page, 'Email').fill('Ada@Example.com');
    await field(page, 'Job title').fill('Analyst');
    await choose(page, 'Account', 'Acme Corporation', { type: 'acm' });
    await choose(page, 'Lifecycle stage', 'Customer');
    await browser.shot('desktop-06-contact-form');
    await page.getByRole('button', { name: 'Create contact' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    contactUrl = page.url();
    await until('contact title', () => page.getByRole('heading', { name: 'Ada Lovelace' }).isVisible());
    await until('account link', () =>
      page.locator('[data-field="accountId"]').getByRole('link', { name: 'Acme Corporation' }).isVisible(),
    );
    expect(await page.locator('[data-field="email"]').textContent()).toBe('ada@example.com');
    await browser.shot('desktop-07-contact-record');
    await expectAccessible(page, 'a contact record page');
  });

  it('lists many contacts virtualised, loads more on scroll, sorts and filters', async () => {
    // 250 more contacts through the API: three pages of 100 for the list to fetch.
    const records = Array.from({ length: 250 }, (_, i) => ({
      firstName: `Person${String(i).padStart(3, '0')}`,
      lastName: `Bulk${String(249 - i).padStart(3, '0')}`,
      email: `bulk${i}@example.org`,
      lifecycleStage: i % 2 ? 'lead' : 'subscriber',
    }));
    await createViaApi(page, rapport.url, 'contacts', records);

    await page.getByRole('navigation', { name: 'Customers' }).getByRole('link', { name: 'Contacts' }).click();
    await page.waitForURL(/\/contacts$/);
    await until('rows shown', async () => (await page.getByTestId('record-row').count()) > 0);
    // Default sort is last name: Bulk000 first; only the visible rows are in the DOM.
    expect((await rowTitles(page))[0]).toBe('Person249 Bulk000');
    const inDom = await page.getByTestId('record-row').count();
    expect(inDom).toBeLessThan(60);
    await browser.shot('desktop-08-contacts-list');
    await expectAccessible(page, 'the contacts list');

    // Scrolling to the end fetches the next pages with the cursor until all 251 are there.
    const table = page.getByTestId('record-table');
    // Each poll scrolls to the current end, however long the last page took to arrive.
    await until('all pages loaded', async () => {
      await table.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      return page.getByText('End of the list · 251 records').isVisible();
    });
    expect(await page.getByTestId('record-row').count()).toBeLessThan(60);
    await table.evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await until('last row rendered', async () => (await rowTitles(page)).at(-1) === 'Ada Lovelace');
    await browser.shot('desktop-09-contacts-list-end');
    await table.evaluate((el) => el.scrollTo(0, 0));

    // Sort: Last name header toggles to descending (it is the default ascending key).
    await page.getByRole('button', { name: 'Last name' }).click();
    await until('sorted descending', async () => (await rowTitles(page))[0] === 'Ada Lovelace');
    expect(page.url()).toContain('sort=-lastName');
    expect(await page.getByRole('columnheader', { name: 'Last name' }).getAttribute('aria-sort')).toBe('descending');
    await page.getByRole('button', { name: 'First name' }).click();
    await until('sorted by first name', async () => (await rowTitles(page))[0] === 'Ada Lovelace');
    expect((await rowTitles(page))[1]).toBe('Person000 Bulk249');

    // Filter: lifecycle stage is any of Lead (operators come from the metadata).
    await page.getByRole('button', { name: 'Filter' }).click();
    await choose(page, 'Field', 'Lifecycle stage');
    await choose(page, 'Condition', 'is any of');
    await choose(page, 'Value', 'Lead');
    await page.getByRole('button', { name: 'Add condition' }).click();
    const second = page.getByTestId('filter-condition').nth(1);
    await field(second, 'Field').click();
    await page.getByRole('option', { name: 'First name', exact: true }).click();
    await field(second, 'Condition').click();
    await page.getByRole('option', { name: 'starts with', exact: true }).click();
    await field(second, 'Value').fill('person00');
    await browser.shot('desktop-10-filter-builder');
    await page.getByRole('button', { name: 'Apply' }).click();
    // Person001..Person009 with odd numbers are leads: 001, 003, 005, 007, 009.
    await until('filtered rows', async () => (await rowTitles(page)).length === 5);
    expect(await rowTitles(page)).toEqual([
      'Person001 Bulk248',
      'Person003 Bulk246',
      'Person005 Bulk244',
      'Person007 Bulk242',
      'Person009 Bulk240',
    ]);
    await until('chips', () => page.getByText('Lifecycle stage is any of Lead').isVisible());
    // The current view downloads as CSV: same filter, sort and columns.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync(String(await download.path()), 'utf8')
      .trim()
      .split(/\r?\n/);
    // A file people open in a spreadsheet: labels, names for owner, account and territory, the
    // address in columns, the ids of owner, account and territory at the end.
    expect(csv[0]).toBe(
      'ID,Owner,First name,Last name,Email,Phone,Job title,Account,Lifecycle stage,Address street,Address city,' +
        'Address region,Address postal code,Address country,Address latitude,Address longitude,Address geo precision,Address geo source,Territory,Do not contact,' +
        'Do not sell or share,Last contacted,Score,Grade,Owner ID,Account ID,Territory ID',
    );
    expect(csv.slice(1).map((l) => l.split(',')[2])).toEqual([
      'Person001',
      'Person003',
      'Person005',
      'Person007',
      'Person009',
    ]);
    await browser.shot('desktop-11-filtered-list');

    // A filter that matches nothing shows the empty state; clearing it brings everything back.
    await page.getByRole('button', { name: /Remove filter Lifecycle stage/ }).click();
    await until('one chip left', async () => (await rowTitles(page)).length === 10);
    await page.getByRole('button', { name: 'Clear all' }).click();
    await until('unfiltered', async () => (await rowTitles(page)).length > 10);
  });

  it('chooses and reorders columns, remembered after a reload', async () => {
    // The first column holds the row checkboxes (no text).
    const headers = async () => (await page.getByRole('columnheader').allTextContents()).filter(Boolean);
    expect((await headers()).slice(0, 4)).toEqual(['First name', 'Last name', 'Email', 'Phone']);
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'Phone', exact: true }).click();
    await page.getByRole('button', { name: 'Move Email up' }).click();
    await page.getByRole('checkbox', { name: 'Created', exact: true }).click();
    await browser.shot('desktop-12-column-chooser');
    await page.keyboard.press('Escape');
    await until('columns changed', async () => (await headers()).slice(0, 3).join() === 'First name,Email,Last name');
    expect(await headers()).not.toContain('Phone');
    expect((await headers()).at(-1)).toBe('Created');
    await page.reload();
    await until('remembered', async () => (await headers()).slice(0, 3).join() === 'First name,Email,Last name');
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('button', { name: 'Reset to default columns' }).click();
    await page.keyboard.press('Escape');
    await until(
      'defaults back',
      async () => (await headers()).slice(0, 4).join() === 'First name,Last name,Email,Phone',
    );
  });

  it('edits the contact, and on a concurrent change offers to reload', async () => {
    await page.goto(contactUrl);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    await field(page, 'Job title').fill('Chief Analyst');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(contactUrl);
    await until(
      'new title',
      async () => (await page.locator('[data-field="title"]').textContent()) === 'Chief Analyst',
    );

    // Someone else saves while the form is open: the save is refused (412) and nothing is lost silently.
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    await until('form loaded', () => field(page, 'Job title').isVisible());
    const id = contactUrl.split('/').at(-1);
    const other = await page.request.patch(`${rapport.url}/api/v1/contacts/${id}`, { data: { department: 'R&D' } });
    expect(other.status()).toBe(200);
    await field(page, 'Job title').fill('Countess');
    await page.getByRole('button', { name: 'Save' }).click();
    await until('conflict shown', () => page.getByTestId('conflict').isVisible());
    await browser.shot('desktop-13-edit-conflict');
    await page.getByRole('button', { name: 'Reload latest version' }).click();
    await until('latest version loaded', async () => (await field(page, 'Department').inputValue()) === 'R&D');
    expect(await field(page, 'Job title').inputValue()).toBe('Chief Analyst');
    await field(page, 'Job title').fill('Countess');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(contactUrl);
    await until(
      'saved after reload',
      async () => (await page.locator('[data-field="title"]').textContent()) === 'Countess',
    );
    expect(await page.locator('[data-field="department"]').textContent()).toBe('R&D');
  });

  it('warns before leaving a form with unsaved changes', async () => {
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/edit$/);
    await field(page, 'Department').fill('Engines');
    const dialogs: string[] = [];
    page.once('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await until('asked', async () => dialogs.length === 1);
    expect(dialogs[0]).toMatch(/Leave without saving/);
    expect(page.url()).toMatch(/\/edit$/);
    expect(await field(page, 'Department').inputValue()).toBe('Engines');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(contactUrl);
    expect(await page.locator('[data-field="department"]').textContent()).toBe('R&D');
  });

  it('opens the account with its related contacts', async () => {
    await page.locator('[data-field="accountId"]').getByRole('link', { name: 'Acme Corporation' }).click();
    await page.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
    const related = page.getByRole('region', { name: 'Contacts' });
    await until('related contact listed', () => related.getByRole('link', { name: 'Ada Lovelace' }).isVisible());
    await browser.shot('desktop-14-account-record');
  });

  it('searches from the command palette and jumps to the record', async () => {
    await page.keyboard.press('Control+K');
    const box = page.getByRole('combobox', { name: 'Search records' });
    await until('palette open', () => box.isVisible());
    await box.fill('lovelac');
    await until('hit listed', () => page.getByRole('option', { name: /Ada Lovelace/ }).isVisible());
    await browser.shot('desktop-15-command-palette');
    await expectAccessible(page, 'the command palette');
    await page.keyboard.press('Enter');
    await page.waitForURL(contactUrl);
    await until('contact page', () => page.getByRole('heading', { name: 'Ada Lovelace' }).isVisible());
  });

  it('signs out, guards pages, and signs back in where it left off', async () => {
    await page.getByRole('button', { name: /Account menu for Ada Admin/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    await page.goto(`${rapport.url}/contacts?sort=-email`);
    await page.waitForURL(/\/sign-in\?redirect=/);
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the guard stopped it, query included.
    await page.waitForURL(/\/contacts\?sort=-email$/);
    await until('list after sign-in', async () => (await page.getByTestId('record-row').count()) > 0);
    expect(browser.problems).toEqual([]);
  });
  it('invites a colleague, who joins from the email link', async () => {
    const colleague = uniqueEmail('charles');
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

    // A fresh browser: the colleague is not signed in.
    const other = await openBrowser({ viewport: { width: 1280, height: 800 } });
    try {
      const p = other.page;
      await p.goto(String(link));
      await until('invitation shown', () => p.getByText('You are invited to join').isVisible());
      expect(await field(p, 'Email').inputValue()).toBe(colleague);
      await field(p, 'Your name').fill('Charles Babbage');
      await field(p, 'Choose a password').fill(PASSWORD);
      await other.shot('desktop-16-accept-invitation');
      await p.getByRole('button', { name: 'Join Analytical Engines Ltd' }).click();
      await p.waitForURL(/\/accounts$/);
      await until(
        'in the inviting workspace',
        async () => (await p.getByTestId('workspace-name').textContent()) === 'Analytical Engines Ltd',
      );
      // Signed in as themselves, with the role the invitation gave.
      await p.getByRole('button', { name: 'Account menu for Charles Babbage' }).click();
      await until('role shown', () => p.getByText('Analytical Engines Ltd · sales rep').isVisible());
      expect(other.problems).toEqual([]);
    } finally {
      await other.close();
    }
  });
});
