import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// The suppression list tab of /admin/mail on a real Rapport.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Ada Admin', email: uniqueEmail('supp'), workspace: 'Bouncy' });
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('the suppression list', () => {
  it('lists suppressed addresses with why, adds one by hand and lifts it', async () => {
    const bounced = await page.request.post(`${rapport.url}/api/v1/mail/suppressions`, {
      data: { address: 'gone@example.com', reason: 'hard_bounce', source: '5.1.1 user unknown' },
    });
    expect(bounced.status()).toBe(201);
    await page.goto(`${rapport.url}/admin/mail`);
    await page.getByRole('tab', { name: 'Suppressions' }).click();
    const row = (text: string) => page.getByTestId('suppression-row').filter({ hasText: text });
    await until('the bounced address is listed', async () =>
      ((await row('gone@example.com').textContent()) ?? '').includes('Hard bounce'),
    );

    await field(page, 'Suppress an address').fill('Pat@Example.com');
    await page.getByRole('button', { name: 'Suppress', exact: true }).click();
    await until('added, lower-cased, by hand', async () =>
      ((await row('pat@example.com').textContent()) ?? '').includes('Added by hand'),
    );
    // Twice: the field says why.
    await field(page, 'Suppress an address').fill('pat@example.com');
    await page.getByRole('button', { name: 'Suppress', exact: true }).click();
    await until('409 shown on the field', () => page.getByText('already suppressed').isVisible());
    await browser.shot('suppressions-01-list');
    await expectAccessible(page, 'the suppression list');

    await page.getByRole('button', { name: 'Lift the suppression of pat@example.com' }).click();
    await until('lifted', async () => (await row('pat@example.com').count()) === 0);
    const left = (await (await page.request.get(`${rapport.url}/api/v1/mail/suppressions`)).json()) as {
      data: { address: string }[];
    };
    expect(left.data.map((s) => s.address)).toEqual(['gone@example.com']);
  });
});
