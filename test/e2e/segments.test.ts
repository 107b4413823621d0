import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { createViaApi, field, signUpInBrowser, uniqueEmail, until } from './helpers/ui';

// The segment editor: conditions edited inline, the live count (debounced, from
// POST /api/v1/segments/preview) follows each change; saved, the segment lists its members.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

const group = (name: string) => page.getByRole('group', { name, exact: true });
async function pick(scope: Locator, label: string, option: string) {
  await field(scope, label).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}
const liveCount = async () => (await page.getByTestId('segment-live-count').textContent())?.trim();

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('the segment editor in the browser', () => {
  it('shows a live count while the filter is edited, and the members once saved', async () => {
    await signUpInBrowser(page, rapport.url, {
      name: 'Mara Marketing',
      email: uniqueEmail('segments'),
      workspace: 'Segments Ltd',
    });
    await createViaApi(page, rapport.url, 'contacts', [
      ...Array.from({ length: 5 }, (_, i) => ({ lastName: `Customer ${i}`, lifecycleStage: 'customer' })),
      ...Array.from({ length: 3 }, (_, i) => ({ lastName: `Lead ${i}`, lifecycleStage: 'lead' })),
    ]);

    await page.goto(`${rapport.url}/segments/new`);
    await field(page, 'Name').fill('Customers');
    const first = group('Condition 1');
    await until('conditions shown', () => first.isVisible());
    await pick(first, 'Field', 'Lifecycle stage');
    await pick(first, 'Condition', 'is');
    await pick(first, 'Value', 'Customer');
    await until('count of customers', async () => (await liveCount()) === '5');
    expect(await page.getByTestId('segment-preview').getByRole('row').count()).toBe(5);

    await pick(first, 'Value', 'Lead');
    await until('count follows the change', async () => (await liveCount()) === '3');
    await expectAccessible(page, 'the segment editor');

    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    await until(
      'members listed',
      async () => (await page.getByTestId('segment-members').getByRole('row').count()) === 3,
    );
    await until('members counted', async () => (await page.getByText('Members (3)').count()) === 1);
    const id = page.url().split('/').pop();
    const res = await page.request.get(`${rapport.url}/api/v1/segments/${id}/members?count=true`);
    expect(((await res.json()) as { total: number }).total).toBe(3);
  });
});
