import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { createViaApi, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Keyboard shortcuts on a desktop: help, go-to sequences, list navigation, new/edit,
// and never while typing. Each test continues the last one.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Kay Board', email: uniqueEmail('kay'), workspace: 'Keys Ltd' });
  await createViaApi(
    page,
    rapport.url,
    'contacts',
    ['Ada Lovelace', 'Grace Hopper', 'Alan Turing'].map((n) => {
      const [firstName, lastName] = n.split(' ');
      return { firstName, lastName };
    }),
  );
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

const path = () => new URL(page.url()).pathname;
const focusedText = () => page.evaluate(() => document.activeElement?.textContent ?? '');

describe('keyboard shortcuts', () => {
  it('? opens an accessible help dialog listing the shortcuts, Esc closes it', async () => {
    await page.goto(`${rapport.url}/`);
    await until('home', () => page.getByRole('heading', { name: 'Welcome back, Kay' }).isVisible());
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await until('help open', () => dialog.isVisible());
    // The object letters come from the metadata.
    await until('go-to rows', () => dialog.getByText('Go to Contacts').isVisible());
    const rows = await dialog.getByRole('row').allTextContents();
    expect(rows).toContain('gthenaGo to Accounts');
    expect(rows).toContain('gthencGo to Contacts');
    expect(rows).toContain('eEdit the record');
    await browser.shot('keyboard-01-help');
    await expectAccessible(page, 'the shortcuts dialog');
    await page.keyboard.press('Escape');
    await until('help closed', async () => !(await dialog.isVisible()));
  });

  it('g then c opens the contacts list; j and k move the selection, Enter opens it', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('c');
    await page.waitForURL(/\/contacts$/);
    await until('rows', async () => (await page.getByTestId('record-row').count()) === 3);
    await page.keyboard.press('j');
    await until('first row selected', async () => (await focusedText()) === 'Grace Hopper');
    await page.keyboard.press('j');
    await until('second row', async () => (await focusedText()) === 'Ada Lovelace');
    await page.keyboard.press('j');
    await page.keyboard.press('j'); // stays on the last row
    await until('last row', async () => (await focusedText()) === 'Alan Turing');
    await page.keyboard.press('k');
    await until('back up', async () => (await focusedText()) === 'Ada Lovelace');
    await browser.shot('keyboard-02-list-selection');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    await until('record', () => page.getByRole('heading', { name: 'Ada Lovelace' }).isVisible());
  });

  it('e edits the record, and keys typed into a field stay text', async () => {
    await page.keyboard.press('e');
    await page.waitForURL(/\/edit$/);
    const title = field(page, 'Job title');
    await title.click();
    await page.keyboard.type('g c? n/e');
    expect(await title.inputValue()).toBe('g c? n/e');
    expect(path()).toMatch(/\/edit$/);
    expect(await page.getByRole('dialog').count()).toBe(0);
    // Leaving the unsaved form asks first; accept.
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
  });

  it('on a list, / opens the filter and n starts a new record; elsewhere / searches', async () => {
    await page.keyboard.press('g');
    await page.keyboard.press('c');
    await page.waitForURL(/\/contacts$/);
    await until('rows', async () => (await page.getByTestId('record-row').count()) === 3);
    await page.keyboard.press('/');
    await until('filter open', () => page.getByRole('group', { name: 'Filter conditions' }).isVisible());
    await page.keyboard.press('Escape');
    await until(
      'filter closed',
      async () => !(await page.getByRole('group', { name: 'Filter conditions' }).isVisible()),
    );
    // Focus is back on the page (not in a field): n opens the form.
    await page.locator('body').click({ position: { x: 700, y: 10 } });
    await page.keyboard.press('n');
    await page.waitForURL(/\/contacts\/new$/);
    await until('form', () => field(page, 'First name').isVisible());

    await page.keyboard.press('g');
    await page.keyboard.press('h');
    await page.waitForURL(`${rapport.url}/`);
    await page.keyboard.press('/');
    const box = page.getByRole('combobox', { name: 'Search records' });
    await until('palette', () => box.isVisible());
    // The "/" opened it and was not typed into it.
    expect(await box.inputValue()).toBe('');
    await page.keyboard.press('Escape');
    expect(browser.problems).toEqual([]);
  });
});
