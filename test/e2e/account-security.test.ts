import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import { field, signUpInBrowser, signUpViaApi, uniqueEmail } from './helpers/ui';

// Issue 12.9 in the browser: forgotten password by email, password change, signing
// out a session of another device, and a second sign-up with a registered address.
let rapport: RunningRapport;
let smtp: SmtpSink;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 390, height: 844 }, mobile: true });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await smtp?.close();
});

const signIn = async (p: Page, email: string, password: string) => {
  await p.goto(`${rapport.url}/sign-in`);
  await field(p, 'Email').fill(email);
  await field(p, 'Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
};

describe('account security', () => {
  const email = uniqueEmail('sam');
  const RESET = 'a reset passphrase from the mail';
  const CHANGED = 'my changed passphrase today';

  it('resets a forgotten password through the emailed link, then signs in with it', async () => {
    await signUpInBrowser(page, rapport.url, { name: 'Sam Secure', email, workspace: 'Secure Ltd' });
    await page.context().clearCookies();

    await page.goto(`${rapport.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(/\/forgot-password$/);
    await expectAccessible(page, 'forgot password');
    await field(page, 'Email').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Check your email');

    const mail = await smtp.waitForMail((m) => mailTo(m, email) && /reset-password\?token=/.test(m.text ?? ''), 60_000);
    const link = /https?:\/\/\S+\/reset-password\?token=[\w%.-]+/.exec(mail.text ?? '')?.[0];
    expect(link, mail.text).toBeTruthy();
    await page.goto(String(link));
    await field(page, 'New password').fill(RESET);
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('link', { name: 'Sign in with your new password' }).click();

    await signIn(page, email, PASSWORD);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/invalid email or password/i);
    await signIn(page, email, RESET);
    await page.waitForURL((u) => u.pathname !== '/sign-in');
  });

  it('changes the password on the Account security page', async () => {
    await page.getByRole('button', { name: /Account menu for/ }).click();
    await page.getByRole('menuitem', { name: 'Account security' }).click();
    await page.waitForURL(/\/settings\/security$/);
    await page.getByRole('heading', { name: 'Account security' }).waitFor();
    await field(page, 'Current password').fill('not my password at all');
    await field(page, 'New password').fill(CHANGED);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('is not correct').first().waitFor();
    await field(page, 'Current password').fill(RESET);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. Your other sessions were signed out.').waitFor();
    await expectAccessible(page, 'account security');
  });

  it('signs out another device’s session from the session list', async () => {
    const other = await openBrowser({ viewport: { width: 1280, height: 800 } });
    try {
      await signIn(other.page, email, CHANGED);
      await other.page.waitForURL((u) => u.pathname !== '/sign-in');
      // A third session, from a script: sign-in with the changed password works.
      const script = await fetch(`${rapport.url}/api/v1/auth/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'e2e-script', origin: rapport.url },
        body: JSON.stringify({ email, password: CHANGED }),
      });
      expect(script.status).toBe(200);
      await page.reload();
      const sessions = page.getByTestId('session');
      await expect.poll(() => sessions.count()).toBe(3);
      await expect.poll(() => page.getByText('This session').count()).toBe(1);
      await page.getByRole('button', { name: /^Sign out e2e-script/ }).click();
      await expect.poll(() => sessions.count()).toBe(2);
      await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
      await expect.poll(() => sessions.count()).toBe(1);
      // The other browser is signed out: its next request is refused.
      const me = await other.page.request.get(`${rapport.url}/api/v1/me`);
      expect(me.status()).toBe(401);
      // This one is not.
      expect((await page.request.get(`${rapport.url}/api/v1/me`)).status()).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('sign-up with a registered address', () => {
  it('gives a working, separate account whose emailed link cannot take the address', async () => {
    const email = uniqueEmail('taken');
    const owner = await openBrowser({ viewport: { width: 1280, height: 800 } });
    const prober = await openBrowser({ viewport: { width: 1280, height: 800 } });
    try {
      await signUpViaApi(owner.page, rapport.url, { name: 'Olive Owner', email, workspace: 'Owner Ltd' });
      await signUpViaApi(prober.page, rapport.url, {
        name: 'Percy Prober',
        email,
        workspace: 'Prober Ltd',
        password: 'a different long passphrase',
      });
      // Both sessions work, each in its own workspace.
      const meOf = async (p: Page) => {
        const res = await p.request.get(`${rapport.url}/api/v1/me`);
        expect(res.status()).toBe(200);
        return ((await res.json()) as { data: { workspace: { name: string }; user: { email: string } } }).data;
      };
      expect((await meOf(owner.page)).workspace.name).toBe('Owner Ltd');
      const probed = await meOf(prober.page);
      expect(probed.workspace.name).toBe('Prober Ltd');
      expect(probed.user.email).toBe(email);
      // The owner is told; the second account's verification link goes to the owner's address.
      await smtp.waitForMail(
        (m) => mailTo(m, email) && /signed up to Rapport with your address/.test(m.subject ?? ''),
        60_000,
      );
      const resend = await prober.page.request.post(`${rapport.url}/api/v1/auth/verify-email/resend`, {
        headers: { origin: rapport.url },
      });
      expect(resend.status(), await resend.text()).toBe(202);
      const mail = await smtp.waitForMail(
        (m) => mailTo(m, email) && /verify-email\?token=/.test(m.text ?? '') && /Percy Prober/.test(m.text ?? ''),
        60_000,
      );
      const link = /https?:\/\/\S+\/verify-email\?token=[\w%.-]+/.exec(mail.text ?? '')?.[0];
      expect(link, mail.text).toBeTruthy();
      await prober.page.goto(String(link));
      const alert = prober.page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain('already used by another Rapport account');
      await prober.page.getByRole('link', { name: 'Reset its password by email' }).waitFor();
      await expectAccessible(prober.page, 'verify email, address in use');
      // The owner keeps the address.
      expect((await meOf(owner.page)).user.email).toBe(email);
    } finally {
      await owner.close();
      await prober.close();
    }
  });
});
