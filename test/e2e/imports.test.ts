import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { choose, expectNoHorizontalScroll, expectTapTargets, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// The import wizard (/import) in a browser: a HubSpot contacts export uploaded through the
// page, its mapping preview, a dry run, the import's progress to "completed", the errors link
// for its bad row (row 5: "not-an-email"), axe, and tap targets at phone width.
const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/imports/hubspot-contacts.csv');

let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

const status = async () => (await page.getByTestId('import-progress').getByRole('status').textContent()) ?? '';

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('the import wizard in the browser', () => {
  it('previews a HubSpot export, dry-runs it, imports it with progress, links its errors; accessible, phone-sized', async () => {
    const email = uniqueEmail('imports');
    await signUpViaApi(page, rapport.url, { name: 'Ivy Importer', email, workspace: 'Import Ltd' });
    // Row 1's owner is the signed-up owner (the fixture's placeholder).
    const csv = readFileSync(FIXTURE, 'utf8').replace('OWNER_EMAIL', email);

    await page.goto(`${rapport.url}/import`);
    await page.getByRole('heading', { name: 'Import', level: 1 }).waitFor();
    await choose(page, 'Exported from', 'HubSpot');
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'hubspot-contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Preview', exact: true }).click();

    // The mapping preview: each column with its first rows and the field it goes to.
    const mapping = page.getByTestId('import-mapping');
    await mapping.waitFor();
    const row = (column: string) =>
      mapping.getByRole('row').filter({ has: page.getByRole('cell', { name: column, exact: true }) });
    await until(
      'first names previewed',
      async () => (await row('First Name').textContent())?.includes('Ada · Grace · Alan') ?? false,
    );
    expect(await row('Email').textContent()).toContain('ada@globex.example');
    expect(await mapping.getByLabel('Field for column First Name', { exact: true }).inputValue()).toBe('First name');
    expect(await mapping.getByLabel('Field for column Record ID', { exact: true }).inputValue()).toBe(
      'Record id in the other system',
    );

    // A dry run counts what would happen and writes nothing.
    await page.getByRole('button', { name: 'Try it (dry run)' }).click();
    await until('dry run completed', async () => (await status()).startsWith('Checked: nothing was written.'));
    expect(await status()).toContain(
      '5 rows read, 4 would be created, 0 would be updated, 1 with errors, 2 accounts would be created.',
    );
    const contacts = async () =>
      (
        (await (await page.request.get(`${rapport.url}/api/v1/contacts?count=true&limit=1`)).json()) as {
          total: number;
        }
      ).total;
    expect(await contacts()).toBe(0);

    // The import itself: its progress reaches "completed" with the four good rows created.
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await until('import completed', async () => (await status()).startsWith('Done.'));
    expect(await status()).toContain('5 rows read, 4 created, 0 updated, 1 with errors, 2 accounts created.');
    expect(await contacts()).toBe(4);

    // The bad row's error, downloadable from the link.
    const errors = page.getByRole('link', { name: /Download the 1 errors/ });
    const href = await errors.getAttribute('href');
    expect(href).toMatch(/\/api\/v1\/imports\/[0-9a-f-]+\/errors\.csv$/);
    const res = await page.request.get(new URL(href as string, rapport.url).toString());
    expect(res.status()).toBe(200);
    expect(await res.text()).toBe('row,column,message\r\n5,Email,must be a valid email address\r\n');

    expect(browser.problems).toEqual([]);
    await expectAccessible(page, 'the import wizard after an import');

    // At phone width: everything tappable is at least 40 px tall.
    await page.setViewportSize({ width: 390, height: 844 });
    await until('laid out for a phone', async () => (await page.evaluate(() => window.innerWidth)) === 390);
    await expectTapTargets(page.locator('main'));
    await expectNoHorizontalScroll(page);
    await expectAccessible(page, 'the import wizard on a phone');
  });

  it('saves the mapping being edited under a name, and a later file with the same columns gets it at once', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const csv = Buffer.from('Nom,Courriel\nCurie,marie@curie.example\n');
    const upload = async () => {
      await page.goto(`${rapport.url}/import`);
      await page.getByRole('heading', { name: 'Import', level: 1 }).waitFor();
      await page
        .locator('input[type=file]')
        .setInputFiles({ name: 'ancien-crm.csv', mimeType: 'text/csv', buffer: csv });
      await page.getByRole('button', { name: 'Preview', exact: true }).click();
      await page.getByTestId('import-mapping').waitFor();
    };
    const fieldOf = (column: string) =>
      page.getByTestId('import-mapping').getByLabel(`Field for column ${column}`, { exact: true }).inputValue();

    await upload();
    // "Nom" names no field Rapport knows: map it by hand, then save the mapping.
    await until('email suggested from the values', async () => (await fieldOf('Courriel')) === 'Email');
    expect(await fieldOf('Nom')).toBe('Do not import');
    await choose(page, 'Field for column Nom', 'Last name');
    await page.getByLabel('Save this mapping as').fill('Ancien CRM');
    await page.getByRole('button', { name: 'Save mapping' }).click();
    await until('saved', async () =>
      (await page.getByRole('status').allTextContents()).some((t) => t.includes('Saved as “Ancien CRM”.')),
    );

    // The next file with these columns: the saved mapping is chosen at once.
    await upload();
    await page.getByTestId('saved-mapping-suggested').waitFor();
    expect(await page.getByTestId('saved-mapping-suggested').textContent()).toContain('Ancien CRM');
    await until('saved mapping applied', async () => (await fieldOf('Nom')) === 'Last name');
    expect(await fieldOf('Courriel')).toBe('Email');
    expect(await page.getByRole('combobox', { name: 'Saved mapping' }).inputValue()).toBe('Ancien CRM');

    // Renamed from the picker: the choice and the server's list carry the new name.
    await page.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.getByLabel('New name for “Ancien CRM”').fill('Vieux CRM');
    await page.getByRole('button', { name: 'Save name' }).click();
    await until('renamed', async () =>
      (await page.getByRole('status').allTextContents()).some((t) => t.includes('Renamed to “Vieux CRM”.')),
    );
    await until(
      'the picker shows the new name',
      async () => (await page.getByRole('combobox', { name: 'Saved mapping' }).inputValue()) === 'Vieux CRM',
    );
    const listed = (await (
      await page.request.get(`${rapport.url}/api/v1/imports/mappings?object=contacts`)
    ).json()) as {
      data: { name: string }[];
    };
    expect(listed.data.map((m) => m.name)).toEqual(['Vieux CRM']);
    expect(await fieldOf('Nom')).toBe('Last name');
    expect(browser.problems).toEqual([]);
    await expectAccessible(page, 'the import wizard with a saved mapping');
  });
});
