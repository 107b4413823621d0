import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { choose, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// The mailboxes tab of /admin/mail on a real Rapport: the team a support mailbox's new tickets go to.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

interface Mailbox {
  id: string;
  address: string;
  kind: string;
  isDefault: boolean;
  teamId: string | null;
}

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Ada Admin', email: uniqueEmail('mbox'), workspace: 'Helpful' });
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

const mailboxes = async (): Promise<Mailbox[]> =>
  ((await (await page.request.get(`${rapport.url}/api/v1/service/mailboxes`)).json()) as { data: Mailbox[] }).data;

const createTeam = async (name: string): Promise<string> => {
  const res = await page.request.post(`${rapport.url}/api/v1/teams`, { data: { name } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { data: { id: string } }).data.id;
};

describe('mailboxes', () => {
  it('an administrator sets the team of a support mailbox, and it persists', async () => {
    const tier1 = await createTeam('Tier 1');
    const billing = await createTeam('Billing');
    const support = (await mailboxes()).find((m) => m.kind === 'support' && m.isDefault) as Mailbox;
    expect(support.teamId).toBeNull();

    await page.goto(`${rapport.url}/admin/mail`);
    await page.getByRole('tab', { name: 'Mailboxes' }).click();
    const picker = `Team for new tickets from ${support.address}`;
    await until('the default support mailbox is listed', () => field(page, picker).isVisible());
    await choose(page, picker, 'Tier 1');
    await until('saved', () =>
      page
        .getByRole('status')
        .getByText(/go to Tier 1/)
        .isVisible(),
    );
    await until(
      'stored on the mailbox',
      async () => (await mailboxes()).find((m) => m.id === support.id)?.teamId === tier1,
    );

    // After a reload the page shows the stored team.
    await page.reload();
    await page.getByRole('tab', { name: 'Mailboxes' }).click();
    await until('the team shown after a reload', async () => (await field(page, picker).inputValue()) === 'Tier 1');
    // Generated mailboxes (delivery reports…) take no team.
    expect(await page.getByRole('textbox', { name: /Team for new tickets from bounces-/ }).count()).toBe(0);

    // A new support address with its team.
    await field(page, 'Add a support address').fill('Help@Helpful-Co.example');
    await choose(page, 'Team for its tickets', 'Billing');
    await page.getByRole('button', { name: 'Add mailbox' }).click();
    await until('added', () => page.getByRole('status').getByText('Added help@helpful-co.example.').isVisible());
    await until('listed with its team', async () => {
      const added = field(page, 'Team for new tickets from help@helpful-co.example');
      return (await added.count()) === 1 && (await added.inputValue()) === 'Billing';
    });
    expect((await mailboxes()).find((m) => m.address === 'help@helpful-co.example')?.teamId).toBe(billing);
    await browser.shot('mailboxes-01-teams');
    await expectAccessible(page, 'the mailboxes tab');

    // Cleared: new tickets wait in the unassigned queue again.
    await field(page, picker).hover();
    await page
      .getByRole('row')
      .filter({ hasText: support.address })
      .locator('.mantine-Select-section button, .mantine-CloseButton-root')
      .click();
    await until('cleared', async () => (await mailboxes()).find((m) => m.id === support.id)?.teamId === null);
  });
});
