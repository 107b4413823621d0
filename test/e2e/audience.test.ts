import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { createViaApi, field, signUpInBrowser, uniqueEmail, until } from './helpers/ui';

// Static segments filled from where people work: a list view's selection ("Add to
// segment" in the bulk bar, to an existing or a new static segment) and a CSV file of
// emails uploaded on the segment's page (matched and unmatched counts).
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;

const row = (name: string) => page.getByRole('row').filter({ hasText: name });
const membersOf = async (id: string) => {
  const res = await page.request.get(
    `${rapport.url}/api/v1/segments/${id}/members?count=true&sort=lastName&fields=lastName`,
  );
  return ((await res.json()) as { data: { lastName: string }[] }).data.map((r) => r.lastName);
};
const bulkResult = async () => (await page.getByTestId('bulk-result').textContent())?.trim();

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

describe('static segments from a list’s selection and from a CSV, in the browser', () => {
  let vipId: string;

  it('ticks contacts in the list and adds them to a static segment, then to a new one', async () => {
    await signUpInBrowser(page, rapport.url, {
      name: 'Mara Marketing',
      email: uniqueEmail('audience'),
      workspace: 'Audience Ltd',
    });
    await createViaApi(
      page,
      rapport.url,
      'contacts',
      ['Ames', 'Brook', 'Casey', 'Dale'].map((lastName) => ({
        lastName,
        email: `${lastName.toLowerCase()}@audience.test`,
      })),
    );
    const created = await page.request.post(`${rapport.url}/api/v1/segments`, {
      data: { name: 'VIP', object: 'contacts', type: 'static' },
    });
    expect(created.status()).toBe(201);
    vipId = ((await created.json()) as { data: { id: string } }).data.id;

    await page.goto(`${rapport.url}/contacts`);
    await until('list shown', async () => (await row('Ames').count()) === 1);
    for (const name of ['Ames', 'Casey']) await row(name).getByRole('checkbox').check();
    await until('2 selected', async () => (await page.getByTestId('bulk-count').textContent()) === '2 selected');
    await page.getByRole('button', { name: 'Add to segment' }).click();
    const dialog = page.getByRole('dialog');
    await field(dialog, 'Segment').click();
    await page.getByRole('option', { name: 'VIP', exact: true }).click();
    await expectAccessible(page, 'the add-to-segment dialog');
    await dialog.getByRole('button', { name: 'Add to segment' }).click();
    await until('added', async () => (await bulkResult()) === 'Added 2 to “VIP”.');
    expect(await membersOf(vipId)).toEqual(['Ames', 'Casey']);

    // Again with one already in it, into a segment made on the spot.
    for (const name of ['Casey', 'Dale']) await row(name).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Add to segment' }).click();
    await field(dialog, 'Segment').click();
    await page.getByRole('option', { name: 'New static segment…' }).click();
    await field(dialog, 'New segment name').fill('Webinar guests');
    await dialog.getByRole('button', { name: 'Add to segment' }).click();
    await until('added to the new one', async () => (await bulkResult()) === 'Added 2 to “Webinar guests”.');
    const list = await page.request.get(
      `${rapport.url}/api/v1/segments?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'Webinar guests' }))}&fields=type,object`,
    );
    const [guests] = ((await list.json()) as { data: { id: string; type: string; object: string }[] }).data;
    expect(guests).toMatchObject({ type: 'static', object: 'contacts' });
    expect(await membersOf(guests?.id as string)).toEqual(['Casey', 'Dale']);
  });

  it('uploads a CSV of emails on the segment page: matched, added and unmatched counts', async () => {
    await page.goto(`${rapport.url}/segments/${vipId}`);
    await until('members shown', async () => (await page.getByText('Members (2)').count()) === 1);
    const csv = 'Name,Email\nBrook,BROOK@audience.test\nAmes,ames@audience.test\nNobody,nobody@audience.test\n';
    await page.locator('input[type="file"]').setInputFiles({
      name: 'guests.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv),
    });
    const result = page.getByTestId('segment-import-result');
    await until('import result', async () => (await result.count()) === 1);
    expect((await result.textContent())?.trim()).toBe(
      '3 emails read; 2 records matched; 1 added; 1 already in the segment; 1 unmatched (nobody@audience.test).',
    );
    await until('members follow', async () => (await page.getByText('Members (3)').count()) === 1);
    expect(await membersOf(vipId)).toEqual(['Ames', 'Brook', 'Casey']);
  });
});

describe('behaviour conditions in the segment editor', () => {
  it('builds "visited /pricing in the last 30 days and not submitted the newsletter form" with a live count', async () => {
    const CHROME =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const site = (
      (await (await page.request.get(`${rapport.url}/api/v1/tracking/settings`)).json()) as {
        data: { siteKey: string };
      }
    ).data;
    const form = async (name: string) => {
      const res = await page.request.post(`${rapport.url}/api/v1/forms`, {
        data: {
          name,
          object: 'leads',
          fields: [
            { name: 'mail', field: 'email', required: true },
            { name: 'last', field: 'lastName' },
          ],
        },
      });
      expect(res.status()).toBe(201);
      return ((await res.json()) as { data: { id: string } }).data.id;
    };
    const demo = await form('Demo request');
    const newsletter = await form('Newsletter');
    // Three visitors read pages of the site, then fill in forms: they become leads with their visits.
    const people: [string, string, string[]][] = [
      ['Pricing Pat', demo, ['/pricing']],
      ['Pricing Newsletter', newsletter, ['/pricing/teams']],
      ['Blog Bo', demo, ['/blog/crm']],
    ];
    for (const [i, [last, formId, paths]] of people.entries()) {
      const visitorId = `e2e-visitor-${i}-${'x'.repeat(20)}`;
      for (const path of paths) {
        const res = await page.request.post(`${rapport.url}/t/collect`, {
          headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME },
          data: JSON.stringify({
            key: site.siteKey,
            visitorId,
            url: `https://www.example.com${path}`,
            title: path,
            referrer: '',
            kind: 'page',
          }),
        });
        expect(res.status()).toBe(204);
      }
      const sent = await page.request.post(`${rapport.url}/f/${formId}`, {
        headers: { 'user-agent': CHROME, accept: 'text/html' },
        form: { mail: `${last.replace(' ', '.').toLowerCase()}@example.com`, last, rapport_vid: visitorId },
        maxRedirects: 0,
      });
      expect(sent.status()).toBeLessThan(400);
    }

    await page.goto(`${rapport.url}/segments/new`);
    await field(page, 'Name').fill('Pricing, not subscribed');
    await field(page, 'Of').click();
    await page.getByRole('option', { name: 'Leads', exact: true }).click();
    // Another object starts an empty filter.
    await page.getByRole('button', { name: 'Add condition', exact: true }).click();
    const first = page.getByRole('group', { name: 'Condition 1', exact: true });
    await until('conditions shown', () => first.isVisible());
    await field(first, 'Field').click();
    await page.getByRole('option', { name: 'Visited a page', exact: true }).click();
    await field(first, 'Page').fill('/pricing');
    await field(first, 'In the last (days)').fill('30');
    const liveCount = async () => (await page.getByTestId('segment-live-count').textContent())?.trim();
    // The views reach the segment through the event outbox: wait for both pricing visitors
    // (the pass's shared server works through every running file's events: a longer deadline).
    await until('two pricing visitors', async () => (await liveCount()) === '2', 180_000);
    await expectAccessible(page, 'the segment editor with a behaviour condition');

    await page
      .getByRole('button', { name: /add condition/i })
      .first()
      .click();
    const second = page.getByRole('group', { name: 'Condition 2', exact: true });
    await field(second, 'Field').click();
    await page.getByRole('option', { name: 'Submitted a form', exact: true }).click();
    await field(second, 'Form').click();
    await page.getByRole('option', { name: 'Newsletter', exact: true }).click();
    await second.getByRole('button', { name: 'Not', exact: true }).click();
    await until('the subscriber is out', async () => (await liveCount()) === '1');

    await page.getByRole('button', { name: 'Create segment' }).click();
    await page.waitForURL(/\/segments\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop() as string;
    const saved = (await (await page.request.get(`${rapport.url}/api/v1/segments/${id}`)).json()) as {
      data: { filter: unknown };
    };
    expect(saved.data.filter).toEqual({
      and: [
        { field: '@visited', op: 'contains', value: { page: '/pricing', days: 30 } },
        { not: { field: '@submittedForm', op: 'eq', value: { form: newsletter } } },
      ],
    });
    expect(await membersOf(id)).toEqual(['Pricing Pat']);
  });
});
