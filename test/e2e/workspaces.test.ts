import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpSink, startSmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport, startRapport } from './helpers/rapport';
import { createViaApi, rowTitles, until } from './helpers/ui';

// Someone in two workspaces: joins the second from an invitation while signed in, then
// switches between them from the header; each shows its own records.
let rapport: RunningRapport;
let smtp: SmtpSink;
let browser: BrowserSession;
let page: Page;

const signUp = async (p: Page, name: string, email: string, workspaceName: string) => {
  const res = await p.request.post(`${rapport.url}/api/v1/auth/sign-up`, {
    data: { name, email, password: PASSWORD, workspaceName },
  });
  expect(res.status(), await res.text()).toBe(201);
};

beforeAll(async () => {
  smtp = await startSmtpSink();
  rapport = await startRapport({ SMTP_URL: smtp.url });
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
    const email = `wanda-${Date.now()}@example.com`;
    await signUp(page, 'Wanda Two', email, 'Home Base');
    await createViaApi(page, rapport.url, 'accounts', [{ name: 'Home Account' }]);

    // Someone else runs Partner Org and invites Wanda.
    const partner = await openBrowser({ viewport: { width: 1280, height: 800 } });
    try {
      await signUp(partner.page, 'Pat Partner', `pat-${Date.now()}@example.com`, 'Partner Org');
      await createViaApi(partner.page, rapport.url, 'accounts', [{ name: 'Partner Account' }]);
      const inv = await partner.page.request.post(`${rapport.url}/api/v1/invitations`, {
        data: { email, role: 'data_analyst' },
      });
      expect(inv.status(), await inv.text()).toBe(201);
    } finally {
      await partner.close();
    }
    const mail = await smtp.waitForMail((m) => /accept-invite\?token=/.test(m.text ?? ''), 60_000);
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
