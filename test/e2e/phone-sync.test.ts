import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { expectNoHorizontalScroll, expectTapTargets, field, signUpInBrowser, uniqueEmail, until } from './helpers/ui';

// Issue 18.6 in the browser: the "Sync with your phone" page makes an app password, shows it
// once with the addresses to paste into a phone, and revokes it; the shown credentials
// really open the CardDAV discovery.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 390, height: 844 }, mobile: true });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

const propfind = (url: string, username: string, password: string) =>
  fetch(url, {
    method: 'PROPFIND',
    redirect: 'manual',
    headers: {
      authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
      depth: '0',
      'content-type': 'application/xml',
    },
    body: '<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>',
  });

describe('sync with your phone', () => {
  it('creates an app password shown once with the URLs, which opens CardDAV, and revokes it', async () => {
    await signUpInBrowser(page, rapport.url, {
      name: 'Pia Phone',
      email: uniqueEmail('pia'),
      workspace: 'Pocket Ltd',
    });
    await page.getByRole('button', { name: /Account menu for/ }).click();
    await page.getByRole('menuitem', { name: 'Sync with your phone' }).click();
    await page.waitForURL(/\/settings\/phone-sync$/);
    await page.getByRole('heading', { name: 'Sync with your phone' }).waitFor();
    await page.getByText('No app passwords yet.').waitFor();
    await field(page, 'Device name').fill('Pia’s phone');
    await page.getByRole('button', { name: 'Create app password' }).click();
    await page.getByText('The password is shown only this once.').waitFor();

    const username = await page.getByTestId('dav-username').inputValue();
    const password = await page.getByTestId('dav-password').inputValue();
    expect(username).toMatch(/^rapport-[a-z0-9]{10}$/);
    expect(password).toMatch(/^[a-z0-9]{4}(-[a-z0-9]{4}){4}$/);
    expect(await field(page, 'CardDAV address').inputValue()).toMatch(/\/\.well-known\/carddav$/);
    expect(await field(page, 'CalDAV address').inputValue()).toMatch(/\/\.well-known\/caldav$/);
    await page.getByRole('cell', { name: 'Pia’s phone', exact: true }).waitFor();
    await expectAccessible(page, 'phone sync');
    await expectTapTargets(page.getByRole('main'));
    await expectNoHorizontalScroll(page);

    // The credentials shown work for discovery, from the well-known address on.
    const wellKnown = await propfind(`${rapport.url}/.well-known/carddav`, username, password);
    expect(wellKnown.status).toBe(301);
    expect(wellKnown.headers.get('location')).toBe('/dav/');
    const root = await propfind(`${rapport.url}/dav/`, username, password);
    expect(root.status).toBe(207);
    expect(await root.text()).toContain('/dav/principals/');

    // Revoked on the page: the row says so and the password stops working.
    await page.getByRole('button', { name: 'Revoke Pia’s phone' }).click();
    await page.getByText(/^Revoked /).waitFor();
    await page.getByText('The password is shown only this once.').waitFor({ state: 'detached' });
    await until('the revoked password is refused', async () => {
      return (await propfind(`${rapport.url}/dav/`, username, password)).status === 401;
    });
  });
});
