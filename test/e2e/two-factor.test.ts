import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { choose, field, signUpInBrowser, uniqueEmail } from './helpers/ui';

// Issue 23.5 in the browser: a workspace that requires two-factor sign-in of its
// administrators sends one to enrolment (QR code, first code, recovery codes), and the
// next sign-in asks for a code, which the test computes from the secret like an app would.

/** RFC 6238 TOTP, written out here so the test does not trust the server's own implementation. */
function totp(secretBase32: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secretBase32.replace(/=+$/, '')) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => Number.parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}
const stepNow = () => Math.floor(Date.now() / 30_000);

let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('two-factor sign-in', () => {
  const email = uniqueEmail('tess');
  let secret = '';
  let recoveryCodes: string[] = [];

  it('an administrator required to use it is sent to enrolment: QR code, first code, recovery codes', async () => {
    await signUpInBrowser(page, rapport.url, { name: 'Tess Factor', email, workspace: 'Factor Ltd' });
    await page.goto(`${rapport.url}/admin/settings`);
    await choose(page, 'Two-factor sign-in', 'Required for administrators');
    // The answer is awaited, not the page: once saved, the app itself may already move to enrolment.
    await Promise.all([
      page.waitForResponse(
        (r) => r.url().endsWith('/api/v1/workspace/settings') && r.request().method() === 'PATCH' && r.ok(),
      ),
      page.getByRole('button', { name: 'Save settings' }).click(),
    ]);

    await page.goto(`${rapport.url}/accounts`);
    await page.waitForURL(/\/two-factor-setup$/);
    await page.getByRole('heading', { name: 'Set up two-factor sign-in' }).waitFor();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();

    const qr = page.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    await qr.waitFor();
    await expect
      .poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    secret = (await field(page, 'Secret key').inputValue()).trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await expectAccessible(page, 'two-factor setup');

    const codeField = field(page, '2. Enter the 6-digit code the app shows');
    await codeField.fill(totp(secret, stepNow() + 5));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
    await page.getByText('is not correct or was already used').waitFor();
    await codeField.fill(totp(secret, stepNow()));
    await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();

    const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
    await expect.poll(() => codes.count()).toBe(10);
    recoveryCodes = (await codes.allTextContents()).map((c) => c.trim());
    for (const c of recoveryCodes) expect(c).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    await page.getByRole('button', { name: 'Continue to Rapport' }).click();
    await page.waitForURL((u) => u.pathname === '/');
  });

  it('signing in then asks for the code; a wrong one is refused, the right one opens the app', async () => {
    await page.context().clearCookies();
    await page.goto(`${rapport.url}/sign-in`);
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();

    const code = field(page, 'Authentication code');
    await code.waitFor();
    expect(page.url()).toMatch(/\/sign-in/);
    await expectAccessible(page, 'sign-in code step');

    const window = [-1, 0, 1, 2].map((d) => totp(secret, stepNow() + d));
    const wrong = ['123456', '654321', '111111'].find((c) => !window.includes(c)) ?? '222222';
    await code.fill(wrong);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('is not correct or was already used').waitFor();
    expect(page.url()).toMatch(/\/sign-in/);

    // The next step's code: the one used at enrolment may still be current, and is spent.
    await code.fill(totp(secret, stepNow() + 1));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname !== '/sign-in' && u.pathname !== '/two-factor-setup');

    await page.goto(`${rapport.url}/settings/security`);
    await page.getByRole('heading', { name: 'Two-factor sign-in' }).waitFor();
    await page.getByText('10 of 10 recovery codes left').waitFor();
  });

  it('a recovery code signs in instead of a code and is counted off', async () => {
    await page.context().clearCookies();
    await page.goto(`${rapport.url}/sign-in`);
    await field(page, 'Email').fill(email);
    await field(page, 'Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await field(page, 'Authentication code').fill(recoveryCodes[3] ?? '');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname !== '/sign-in' && u.pathname !== '/two-factor-setup');
    await page.goto(`${rapport.url}/settings/security`);
    await page.getByText('9 of 10 recovery codes left').waitFor();
  });
});
