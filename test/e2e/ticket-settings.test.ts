import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Administration › Service desk on a real Rapport: acknowledgements and the satisfaction survey's switch and wording.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

interface Settings {
  acknowledgeNewTickets: boolean;
  csatEnabled: boolean;
  csatSubject: string | null;
  csatIntro: string | null;
}

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Ada Admin', email: uniqueEmail('tset'), workspace: 'Surveyed' });
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

const settings = async (): Promise<Settings> =>
  ((await (await page.request.get(`${rapport.url}/api/v1/service/ticket-settings`)).json()) as { data: Settings }).data;

describe('ticket settings', () => {
  it('an administrator words the satisfaction survey, turns acknowledgements off, and it persists', async () => {
    expect(await settings()).toMatchObject({ acknowledgeNewTickets: true, csatEnabled: true, csatSubject: null });
    await page.goto(`${rapport.url}/admin/service-desk`);
    const subject = field(page, 'Survey subject');
    await subject.waitFor();
    await page.getByLabel('Acknowledge new tickets by email').uncheck();
    await subject.fill('Rate our help');
    await field(page, 'Survey introduction').fill('Tell us how we did.');
    await page.getByRole('button', { name: 'Save' }).click();
    await until('saved', () => page.getByRole('status').getByText('Saved.').isVisible());
    expect(await settings()).toEqual({
      acknowledgeNewTickets: false,
      csatEnabled: true,
      csatSubject: 'Rate our help',
      csatIntro: 'Tell us how we did.',
    });
    await expectAccessible(page, 'the service desk settings');

    // After a reload the form shows what is stored; emptied wording goes back to the standard one (null).
    await page.reload();
    await until(
      'the stored subject shown',
      async () => (await field(page, 'Survey subject').inputValue()) === 'Rate our help',
    );
    expect(await page.getByLabel('Acknowledge new tickets by email').isChecked()).toBe(false);
    await field(page, 'Survey subject').fill('');
    await page.getByLabel('Send a satisfaction survey when a ticket is solved').uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await until('stored', async () => {
      const s = await settings();
      return s.csatEnabled === false && s.csatSubject === null && s.csatIntro === 'Tell us how we did.';
    });
  });
});
