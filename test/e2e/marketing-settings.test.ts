import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { sharedRapport, sharedSmtp } from './helpers/shared';
import { signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Administration › Marketing email on a real Rapport: the workspace's lawful basis for
// marketing email, chosen by an administrator; a marketing manager sees it on the campaign
// page, read-only, and cannot change it.
let rapport: RunningRapport;
let smtp: SmtpSink;
let browser: BrowserSession;
let page: Page;
const adminEmail = uniqueEmail('lawful-admin');
const managerEmail = uniqueEmail('lawful-manager');
let campaignId = '';

const call = (method: 'get' | 'post' | 'patch', path: string, data?: unknown) =>
  page.request[method](`${rapport.url}${path}`, {
    ...(data === undefined ? {} : { data }),
    headers: { origin: rapport.url },
  });
const ok = async <T>(method: 'get' | 'post' | 'patch', path: string, data?: unknown) => {
  const res = await call(method, path, data);
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
};
const signIn = async (email: string) => {
  await call('post', '/api/v1/auth/sign-out');
  const res = await call('post', '/api/v1/auth/sign-in', { email, password: PASSWORD });
  expect(res.status(), await res.text()).toBe(200);
};
const basis = async () =>
  (await ok<{ data: { marketingLawfulBasis: string } }>('get', '/api/v1/campaigns/settings')).data.marketingLawfulBasis;

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Ada Admin', email: adminEmail, workspace: 'Lawful Ltd' });
  campaignId = (await ok<{ data: { id: string } }>('post', '/api/v1/campaigns', { name: 'Winter news', type: 'email' }))
    .data.id;
  // A marketing manager, who runs campaigns but does not administer the workspace.
  await ok('post', '/api/v1/invitations', { email: managerEmail, role: 'marketing_manager' });
  const mail = await smtp.waitForMail(
    (m) => JSON.stringify(m.to).includes(managerEmail) && /accept-invite\?token=/.test(m.text ?? ''),
    60_000,
  );
  const token = decodeURIComponent(/accept-invite\?token=([\w%.-]+)/.exec(mail.text ?? '')?.[1] ?? '');
  await call('post', '/api/v1/auth/sign-out');
  await ok('post', '/api/v1/invitations/accept', { token, name: 'Mona Marketer', password: PASSWORD });
  await signIn(adminEmail);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await smtp?.close();
});

describe('the lawful basis for marketing email', () => {
  it('an administrator switches it to legitimate interest; a reload and the API show it', async () => {
    expect(await basis()).toBe('consent');
    await page.goto(`${rapport.url}/admin/marketing`);
    const consent = page.getByRole('radio', { name: 'Consent' });
    const interest = page.getByRole('radio', { name: 'Legitimate interest' });
    await until('the stored basis shown', () => consent.isChecked());
    // Each choice says in one sentence whom it mails.
    expect(await page.getByText('Only people who gave marketing email consent are mailed').isVisible()).toBe(true);
    expect(await page.getByText('Everyone who has not withdrawn marketing email consent').isVisible()).toBe(true);
    await interest.check();
    await page.getByRole('button', { name: 'Save' }).click();
    await until('saved', () => page.getByRole('status').getByText('Saved.').isVisible());
    expect(await basis()).toBe('legitimate_interest');
    await expectAccessible(page, 'the marketing email settings');

    await page.reload();
    await until('the stored basis shown after a reload', () =>
      page.getByRole('radio', { name: 'Legitimate interest' }).isChecked(),
    );
    expect(await page.getByRole('radio', { name: 'Consent' }).isChecked()).toBe(false);

    // The campaign page says which basis applies, with a link here for administrators.
    await page.goto(`${rapport.url}/campaigns/${campaignId}`);
    const note = page.getByTestId('lawful-basis');
    await until('the basis on the campaign page', async () =>
      /Legitimate interest/.test((await note.textContent()) ?? ''),
    );
    expect(await note.getByRole('link', { name: 'Change' }).count()).toBe(1);
  });

  it('a marketing manager sees the basis read-only and cannot change it', async () => {
    await signIn(managerEmail);
    await page.goto(`${rapport.url}/campaigns/${campaignId}`);
    const note = page.getByTestId('lawful-basis');
    await until('the basis on the campaign page', async () =>
      /Legitimate interest/.test((await note.textContent()) ?? ''),
    );
    expect(await note.getByRole('link', { name: 'Change' }).count()).toBe(0);

    await page.goto(`${rapport.url}/admin/marketing`);
    await until('administrators only', () => page.getByText('Administrators only').isVisible());
    expect(await page.getByRole('radio', { name: 'Consent' }).count()).toBe(0);

    const res = await call('patch', '/api/v1/campaigns/settings', { marketingLawfulBasis: 'consent' });
    expect(res.status()).toBe(403);
    expect(await basis()).toBe('legitimate_interest');
  });
});
