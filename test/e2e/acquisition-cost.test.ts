import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Cost entries in the browser: added on the campaign page (a bad amount refused beside the
// field, in the API's words), the campaign's CAC and the period's CAC in Reports follow;
// edited and deleted from Reports.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
let campaignId = '';

const ok = async <T>(method: 'get' | 'post', path: string, data?: unknown) => {
  const res = await page.request[method](`${rapport.url}${path}`, data === undefined ? {} : { data });
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
};
type Money = { amount: string; currency: string } | null;
const acquisition = async () =>
  (await ok<{ data: { cost: Money; newCustomers: number; cac: Money } }>('get', '/api/v1/acquisition-cost')).data;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Cora Cost', email: uniqueEmail('cac'), workspace: 'Costed Ltd' });
  campaignId = (await ok<{ data: { id: string } }>('post', '/api/v1/campaigns', { name: 'Spring fair', type: 'event' }))
    .data.id;
  // Two new customers this month, both won from the campaign.
  const stages = (await ok<{ data: { stages: { kind: string; id: string }[] }[] }>('get', '/api/v1/pipelines')).data[0]
    ?.stages;
  const won = stages?.find((s) => s.kind === 'won')?.id;
  for (const name of ['Acme', 'Globex']) {
    const account = (await ok<{ data: { id: string } }>('post', '/api/v1/accounts', { name })).data.id;
    await ok('post', '/api/v1/opportunities', {
      name: `${name} deal`,
      accountId: account,
      stageId: won,
      sourceCampaignId: campaignId,
      amount: { amount: '5000', currency: 'EUR' },
    });
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('cost entries and the customer acquisition cost', () => {
  it('adds a cost entry on the campaign page: a bad amount is refused by field, then the CAC follows', async () => {
    expect(await acquisition()).toMatchObject({ newCustomers: 2, cac: { amount: '0', currency: 'EUR' } });
    await page.goto(`${rapport.url}/campaigns/${campaignId}`);
    await page.getByRole('heading', { name: 'Spring fair' }).waitFor();
    await page.getByRole('tab', { name: 'Costs' }).click();
    await until('no entries yet', () => page.getByText('No cost entry for this campaign yet.').isVisible());
    await page.getByRole('button', { name: 'Add a cost entry' }).click();
    const dialog = page.getByRole('dialog', { name: 'New cost entry' });
    await field(dialog, 'Date').fill(today);
    await dialog.getByLabel('Amount amount').fill('12,50');
    await dialog.getByLabel('Amount currency').fill('EUR');
    await field(dialog, 'Description').fill('Stand and posters');
    await dialog.getByRole('button', { name: 'Create cost entry' }).click();
    // The message is the API's own for the same value, shown beside the amount.
    const refused = await page.request.post(`${rapport.url}/api/v1/campaign_costs`, {
      data: { incurredOn: today, amount: { amount: '12,50', currency: 'EUR' } },
    });
    expect(refused.status()).toBe(422);
    const apiError = ((await refused.json()) as { errors: { path: string; message: string }[] }).errors.find(
      (e) => e.path === 'amount.amount',
    );
    expect(apiError?.message).toMatch(/decimal/);
    await until('the amount refused', () => dialog.getByText(`amount: ${apiError?.message}`).isVisible());
    expect(await dialog.getByLabel('Amount amount').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page, 'the cost entry form with an error');
    expect((await acquisition()).cac).toEqual({ amount: '0', currency: 'EUR' });

    await dialog.getByLabel('Amount amount').fill('1200.50');
    await dialog.getByRole('button', { name: 'Create cost entry' }).click();
    await until('the dialog closes', async () => (await dialog.count()) === 0);
    await until('the entry listed', async () => (await page.getByTestId('cost-entry').count()) === 1);
    expect(await page.getByTestId('cost-entry').textContent()).toMatch(/1,200\.50? EUR/);

    // The campaign's results count its entries: 1200.50 ÷ 2 customers.
    await page.getByRole('tab', { name: 'Results' }).click();
    await until('the campaign’s CAC', async () =>
      /600\.25 EUR/.test((await page.getByTestId('campaign-results').textContent()) ?? ''),
    );
    expect((await acquisition()).cac).toEqual({ amount: '600.25', currency: 'EUR' });
  });

  it('Reports shows the period’s CAC; an edit and a delete there move it', async () => {
    await page.goto(`${rapport.url}/reports`);
    const cac = page.getByTestId('cac-value');
    await until('the CAC in reports', async () => (await cac.textContent()) === '600.25 EUR');
    expect(await page.getByTestId('cac-customers').textContent()).toBe('2');
    const section = page.getByTestId('acquisition-cost');
    await until('the entry listed', async () => (await section.getByTestId('cost-entry').count()) === 1);
    expect(await section.getByTestId('cost-entry').textContent()).toMatch(/Spring fair/);
    await expectAccessible(page, 'the acquisition cost section');

    // A general sales cost (no campaign), added here.
    await section.getByRole('button', { name: 'Add a cost entry' }).click();
    const dialog = page.getByRole('dialog', { name: 'New cost entry' });
    await field(dialog, 'Date').fill(today);
    await dialog.getByLabel('Amount amount').fill('799.50');
    await dialog.getByLabel('Amount currency').fill('EUR');
    await field(dialog, 'Category').click();
    await page.getByRole('option', { name: 'Sales', exact: true }).click();
    await dialog.getByRole('button', { name: 'Create cost entry' }).click();
    await until('the dialog closes', async () => (await dialog.count()) === 0);
    // (1200.50 + 799.50) ÷ 2.
    await until('the CAC moved', async () => (await cac.textContent()) === '1,000 EUR');

    // Edit the campaign's entry: 1200.50 → 200.50; (200.50 + 799.50) ÷ 2.
    const campaignRow = section.getByTestId('cost-entry').filter({ hasText: 'Spring fair' });
    await campaignRow.getByRole('button', { name: /^Edit/ }).click();
    const edit = page.getByRole('dialog', { name: 'Edit cost entry' });
    await edit.getByLabel('Amount amount').fill('200.50');
    await edit.getByRole('button', { name: 'Save' }).click();
    await until('the dialog closes', async () => (await edit.count()) === 0);
    await until('the CAC after the edit', async () => (await cac.textContent()) === '500 EUR');

    // Delete the sales entry: 200.50 ÷ 2.
    const salesRow = section.getByTestId('cost-entry').filter({ hasNotText: 'Spring fair' });
    await salesRow.getByRole('button', { name: /^Delete/ }).click();
    await page.getByRole('dialog', { name: 'Delete this cost entry?' }).getByRole('button', { name: 'Delete' }).click();
    await until('the CAC after the delete', async () => (await cac.textContent()) === '100.25 EUR');
    expect((await acquisition()).cac).toEqual({ amount: '100.25', currency: 'EUR' });
  });
});
