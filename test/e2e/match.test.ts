import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { createViaApi, signUpInBrowser, uniqueEmail, until } from './helpers/ui';

// Issue 14, items 4 and 5: converting a lead finds the company's existing account (and
// the rep can pick a likely one), and merging two contacts keeps both emails.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
let accountId = '';

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

const get = async <T>(path: string) => {
  const res = await page.request.get(`${rapport.url}${path}`);
  expect(res.status(), `GET ${path}: ${await res.text()}`).toBe(200);
  return ((await res.json()) as { data: T }).data;
};

const summary = async (what: 'account' | 'contact') =>
  (await page.getByTestId(`convert-${what}-summary`).textContent()) ?? '';

describe('conversion matching and merging in the browser', () => {
  it('converting "Dubuque, Inc." with an email at the account’s domain links to "DuBuque Inc"', async () => {
    await signUpInBrowser(page, rapport.url, {
      name: 'Mara Match',
      email: uniqueEmail('mara'),
      workspace: 'Match & Co',
    });
    [accountId] = (await createViaApi(page, rapport.url, 'accounts', [
      { name: 'DuBuque Inc', domain: 'dubuque.example' },
    ])) as [string];
    const [leadId] = await createViaApi(page, rapport.url, 'leads', [
      { firstName: 'Kim', lastName: 'Dubuque', email: 'kim@dubuque.example', company: 'Dubuque, Inc.' },
    ]);
    await page.goto(`${rapport.url}/leads/${leadId}`);
    await page.getByRole('button', { name: 'Convert' }).click();
    const dialog = page.getByRole('dialog', { name: 'Convert Kim Dubuque' });
    await until('the existing account is the match, with its reasons', async () =>
      /Links to the existing account DuBuque Inc \(email at its domain, same name\)/.test(await summary('account')),
    );
    // The likely accounts are listed with why; a new account is one choice among them.
    const match = dialog.getByRole('radio', { name: 'DuBuque Inc (dubuque.example)' });
    expect(await match.isChecked()).toBe(true);
    expect(await dialog.getByRole('radio', { name: 'A new account: Dubuque, Inc.' }).isChecked()).toBe(false);
    await browser.shot('match-01-convert-dialog');
    await expectAccessible(page, 'the convert dialog with matches');
    await dialog.getByRole('checkbox', { name: 'Create an opportunity' }).uncheck();
    await dialog.getByRole('button', { name: 'Convert' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    const lead = await get<{ status: string; convertedAccountId: string }>(`/api/v1/leads/${leadId}`);
    expect(lead).toMatchObject({ status: 'converted', convertedAccountId: accountId });
    const filter = encodeURIComponent(JSON.stringify({ field: 'name', op: 'contains', value: 'buque' }));
    expect(await get<unknown[]>(`/api/v1/accounts?filter=${filter}`)).toHaveLength(1);
  });

  it('a similar name alone is offered, and the rep picks the existing account', async () => {
    const [leadId] = await createViaApi(page, rapport.url, 'leads', [
      { firstName: 'Lou', lastName: 'Typo', email: 'lou.typo@gmail.com', company: 'Dubuques' },
    ]);
    await page.goto(`${rapport.url}/leads/${leadId}`);
    await page.getByRole('button', { name: 'Convert' }).click();
    const dialog = page.getByRole('dialog', { name: 'Convert Lou Typo' });
    await until('a new account by default', async () =>
      (await summary('account')).includes('Creates a new account Dubuques'),
    );
    await dialog.getByRole('radio', { name: 'DuBuque Inc (dubuque.example)' }).check();
    await until('the picked account', async () =>
      /Links to the existing account DuBuque Inc \(similar name\)/.test(await summary('account')),
    );
    await dialog.getByRole('checkbox', { name: 'Create an opportunity' }).uncheck();
    await dialog.getByRole('button', { name: 'Convert' }).click();
    await page.waitForURL(/\/contacts\/[0-9a-f-]{36}$/);
    expect((await get<{ convertedAccountId: string }>(`/api/v1/leads/${leadId}`)).convertedAccountId).toBe(accountId);
  });

  it('merging a strong duplicate keeps both emails', async () => {
    const [keepId, otherId] = (await createViaApi(page, rapport.url, 'contacts', [
      { firstName: 'Lena', lastName: 'Gross', email: 'lena@gross.example', phone: '+33 1 40 20 50 01' },
      { firstName: 'Lena', lastName: 'Gross', email: 'lena.gross@home.example', phone: '+33 1 40 20 50 01' },
    ])) as [string, string];
    await page.goto(`${rapport.url}/contacts/${keepId}`);
    const dups = page.getByRole('region', { name: 'Possible duplicates' });
    await until('strong duplicate offered', () => dups.getByRole('button', { name: 'Merge', exact: true }).isVisible());
    expect(await dups.textContent()).toContain('same phone');
    await dups.getByRole('button', { name: 'Merge', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Merge into Lena Gross' });
    await until('fields compared', () => dialog.getByTestId('merge-fields').isVisible());
    expect(await dialog.textContent()).toContain('Every email and phone of both records is kept');
    await browser.shot('match-02-merge');
    await dialog.getByRole('button', { name: 'Merge' }).click();
    await until('dialog closed', async () => !(await dialog.isVisible()));
    await until('the other email kept', async () =>
      ((await page.locator('[data-field="emails"]').textContent()) ?? '').includes('lena.gross@home.example'),
    );
    expect(await page.locator('[data-field="email"]').textContent()).toBe('lena@gross.example');
    const merged = await get<{ email: string; emails: { value: string }[] }>(`/api/v1/contacts/${keepId}`);
    expect(merged.email).toBe('lena@gross.example');
    expect(merged.emails.map((e) => e.value)).toEqual(['lena.gross@home.example']);
    expect((await page.request.get(`${rapport.url}/api/v1/contacts/${otherId}`)).status()).toBe(404);
    expect(browser.problems).toEqual([]);
  });
});
