import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { field, signUpInBrowser, uniqueEmail, until } from './helpers/ui';

// A marketing administrator's lead scoring in the browser: the rules page lists the rules,
// a lead that reaches the threshold waits in the MQL queue, its page explains its score, and
// rejecting it (with a reason) takes it out of the queue.
let rapport: RunningRapport;
let session: BrowserSession;
let page: Page;

beforeAll(async () => {
  rapport = sharedRapport();
  session = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = session.page;
});

afterAll(async () => {
  await session?.close();
  await rapport?.stop();
});

describe('lead scoring in the browser', () => {
  it('rules, the MQL queue, the score breakdown and rejecting an MQL with a reason', async () => {
    const base = rapport.url;
    await signUpInBrowser(page, base, {
      name: 'Mara Marketing',
      email: uniqueEmail('mara'),
      workspace: 'Score Ltd',
    });
    const post = async (url: string, data: unknown, status = 201) => {
      const res = await page.request.post(`${base}${url}`, { data });
      expect(res.status(), await res.text()).toBe(status);
      return (await res.json()).data;
    };
    await page.request.patch(`${base}/api/v1/scoring/settings`, { data: { mqlThreshold: 30 } });
    await post('/api/v1/scoring/rules', {
      name: 'Directors',
      kind: 'fit',
      condition: { field: 'title', op: 'contains', value: 'Director' },
      points: 30,
    });
    const lead = await post('/api/v1/leads', { firstName: 'Hannah', lastName: 'Hot', title: 'Director of IT' });

    await page.goto(`${base}/marketing/scoring`);
    await until('the rules page lists the rule', async () =>
      ((await page.getByTestId('scoring-rules').textContent()) ?? '').includes('Directors'),
    );

    // The server's consumer scores the lead in the background; the queue shows it once it is an MQL.
    await until(
      'the lead in the MQL queue',
      async () => {
        await page.goto(`${base}/marketing/mql-queue`);
        await page.getByRole('heading', { name: 'MQL queue' }).waitFor();
        return page.getByRole('link', { name: 'Hannah Hot' }).isVisible();
      },
      90_000,
    );

    await page.getByRole('link', { name: 'Hannah Hot' }).click();
    await page.waitForURL(new RegExp(`/leads/${lead.id}$`));
    const card = page.getByTestId('score-breakdown');
    await until('the score card explains the score', async () =>
      ((await card.textContent()) ?? '').includes('Directors'),
    );
    expect(await page.getByTestId('score-total').textContent()).toBe('30');

    await page.goto(`${base}/marketing/mql-queue`);
    await page
      .getByRole('row', { name: /Hannah Hot/ })
      .getByRole('button', { name: 'Reject' })
      .click();
    await field(page, 'Reason').fill('No budget this year');
    await page.getByRole('dialog').getByRole('button', { name: 'Reject' }).click();
    await until('the queue is empty', () => page.getByText('No MQL is waiting.').isVisible());
    const after = await (await page.request.get(`${base}/api/v1/leads/${lead.id}`)).json();
    expect(after.data).toMatchObject({ status: 'nurturing', qualification: 'rejected' });
  });
});
