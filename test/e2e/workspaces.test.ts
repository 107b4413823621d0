import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import { createViaApi, rowTitles, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Someone in two workspaces: joins the second from an invitation while signed in, then
// switches between them from the header; each shows its own records.
let rapport: RunningRapport;
let smtp: SmtpSink;
let browser: BrowserSession;
let page: Page;

const signUp = (p: Page, name: string, email: string, workspace: string) =>
  signUpViaApi(p, rapport.url, { name, email, workspace });

beforeAll(async () => {
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

describe('the workspace switcher', () => {
  it('joins a second workspace from an invitation and lands in it', async () => {
    const email = uniqueEmail('wanda');
    await signUp(page, 'Wanda Two', email, 'Home Base');
    await createViaApi(page, rapport.url, 'accounts', [{ name: 'Home Account' }]);

    // Someone else runs Partner Org and invites Wanda.
    const partner = await openBrowser({ viewport: { width: 1280, height: 800 } });
    try {
      await signUp(partner.page, 'Pat Partner', uniqueEmail('pat'), 'Partner Org');
      await createViaApi(partner.page, rapport.url, 'accounts', [{ name: 'Partner Account' }]);
      const inv = await partner.page.request.post(`${rapport.url}/api/v1/invitations`, {
        data: { email, role: 'data_analyst' },
      });
      expect(inv.status(), await inv.text()).toBe(201);
    } finally {
      await partner.close();
    }
    const mail = await smtp.waitForMail((m) => mailTo(m, email) && /accept-invite\?token=/.test(m.text ?? ''), 60_000);
    const link = /https?:\/\/\S+\/accept-invite\?token=[\w%.-]+/.exec(mail?.text ?? '')?.[0];
    expect(link, mail?.text).toBeTruthy();

    await page.goto(String(link));
    await page.getByRole('button', { name: 'Join Partner Org' }).click();
    await page.waitForURL(/\/accounts$/);
    await until(
      'in the new workspace',
      async () => (await page.getByTestId('workspace-name').textContent()) === 'Partner Org',
    );
    await until('its records', async () => (await rowTitles(page)).join() === 'Partner Account');
  });

  it('switches back and forth from the header, each workspace with its own records', async () => {
    const switcher = page.getByRole('button', { name: /Switch workspace/ });
    await switcher.click();
    const menu = page.getByRole('menu');
    await until('both workspaces', async () =>
      (await menu.getByRole('menuitem').allTextContents()).some((t) => t.startsWith('Home Base')),
    );
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([
      'Home Baseadministrator',
      'Partner Orgdata analyst',
    ]);
    await browser.shot('workspaces-01-switcher');
    await expectAccessible(page, 'the workspace switcher');
    await menu.getByRole('menuitem', { name: /Home Base/ }).click();
    await page.waitForURL(`${rapport.url}/`);
    await until('switched', async () => (await page.getByTestId('workspace-name').textContent()) === 'Home Base');
    await page.getByRole('navigation', { name: 'Customers' }).getByRole('link', { name: 'Accounts' }).click();
    await until('home records', async () => (await rowTitles(page)).join() === 'Home Account');

    // The choice is kept across reloads (sent as Rapport-Workspace on every call).
    await page.reload();
    await until('still home', async () => (await rowTitles(page)).join() === 'Home Account');
    expect(await page.getByTestId('workspace-name').textContent()).toBe('Home Base');
    expect(browser.problems).toEqual([]);
  });
});
