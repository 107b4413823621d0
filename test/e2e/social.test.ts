import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SocialFake, startSocialFake } from '../helpers/social-fake';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { type RunningRapport, startRapport } from './helpers/rapport';
import { expectNoHorizontalScroll, expectTapTargets, signUpInBrowser, until } from './helpers/ui';

// An administrator connects a Facebook Page; Meta (played by the test, signing as Meta does)
// delivers an angry Messenger message; on a phone-sized browser the administrator finds it in
// the social inbox under "Negative", answers it (the reply goes to the local stand-in of the
// Graph API in the Send API format) and makes a ticket of it in one step.
let rapport: RunningRapport;
let fake: SocialFake;
let browser: BrowserSession;
let page: Page;
const SECRET = 'meta-app-secret-e2e';

beforeAll(async () => {
  fake = await startSocialFake();
  rapport = await startRapport({ RAPPORT_META_GRAPH_URL: fake.url });
  browser = await openBrowser({ viewport: { width: 390, height: 844 }, mobile: true });
  page = browser.page;
  await signUpInBrowser(page, rapport.url, {
    name: 'Sam Social',
    email: `sam-${Date.now()}@example.com`,
    workspace: 'Social Co',
  });
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await fake?.close();
});

describe('social inbox in the browser', () => {
  it('a signed Messenger message arrives, is answered within its window and becomes a ticket', async () => {
    const conn = await page.request.post(`${rapport.url}/api/v1/social/connections`, {
      data: {
        network: 'facebook',
        pageId: '999000111',
        appSecret: SECRET,
        verifyToken: 'verify-e2e-token',
        pageAccessToken: 'page-token-e2e',
      },
    });
    expect(conn.status(), await conn.text()).toBe(201);
    const { webhookUrl } = (await conn.json()).data as { webhookUrl: string };
    const now = Date.now();
    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '999000111',
          time: now,
          messaging: [
            {
              sender: { id: 'PSID-E2E' },
              recipient: { id: '999000111' },
              timestamp: now,
              message: { mid: 'mid.e2e.1', text: 'This is awful, my parcel is lost and nobody helps!' },
            },
          ],
        },
      ],
    });
    const sig = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const delivered = await page.request.post(webhookUrl, {
      data: body,
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': sig },
    });
    expect(delivered.status(), await delivered.text()).toBe(200);

    await page.goto(`${rapport.url}/social`);
    await page.getByRole('heading', { name: 'Social inbox' }).waitFor();
    await page.getByText('Negative', { exact: true }).click();
    const list = page.getByRole('list', { name: 'Social messages' });
    // Processed by the job queue in the background: wait for it (reloading the list).
    await until('the message is in the inbox', async () => {
      if ((await list.getByText('my parcel is lost').count()) > 0) return true;
      await page.reload();
      await page.getByText('Negative', { exact: true }).click();
      return false;
    });
    await expectAccessible(page, 'the social inbox');
    await expectNoHorizontalScroll(page);
    await list.getByText('my parcel is lost').click();
    await page.getByRole('list', { name: 'Conversation' }).waitFor();
    await page.getByText(/Reply window open until/).waitFor();
    await expectTapTargets(page.locator('main'));
    await expectAccessible(page, 'a social conversation');

    await page.getByLabel('Reply').fill('We are sorry: we are looking for it now.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText(/· sent/).waitFor();
    const sent = fake.requests.at(-1);
    expect(sent).toMatchObject({
      path: '/me/messages',
      authorization: 'Bearer page-token-e2e',
      body: { recipient: { id: 'PSID-E2E' }, message: { text: 'We are sorry: we are looking for it now.' } },
    });

    await page.getByRole('button', { name: 'Ticket', exact: true }).click();
    await page.getByRole('link', { name: 'Open the new ticket' }).click();
    await page.waitForURL(/\/tickets\/[0-9a-f-]{36}$/);
    await page
      .getByText(/my parcel is lost/)
      .first()
      .waitFor();
  });

  it('the conversation is assigned from the list and the thread; the Unassigned and Mine filters follow', async () => {
    // A name of its own (a failed test runs once more).
    const teamName = `Social care ${Date.now()}`;
    const team = await page.request.post(`${rapport.url}/api/v1/teams`, { data: { name: teamName } });
    expect(team.status(), await team.text()).toBe(201);
    await page.goto(`${rapport.url}/social`);
    const list = page.getByRole('list', { name: 'Social messages' });
    const chip = (name: string) => page.getByText(name, { exact: true });
    await chip('Unassigned').click();
    const row = list.getByRole('listitem').filter({ hasText: 'my parcel is lost' });
    await row.waitFor();
    await row.getByText('my parcel is lost').click();
    const thread = page.getByRole('region', { name: /^Conversation with/ });
    await thread.getByRole('list', { name: 'Conversation' }).waitFor();

    // From the list: to me. It leaves "Unassigned"; the open conversation stays open.
    await row.getByRole('button', { name: /the conversation with/ }).click();
    await page.getByRole('menuitem', { name: 'Assign to me' }).click();
    await until('it left the unassigned list', async () => (await row.count()) === 0);
    await thread.getByRole('button', { name: /^Assigned: me, the conversation with/ }).waitFor();

    // From the thread: to a team as well.
    await thread.getByRole('button', { name: /the conversation with/ }).click();
    await page.getByRole('menuitem', { name: `Team ${teamName}` }).click();
    const mineAndTeam = `Assigned: me (${teamName}), the conversation with`;
    await thread.getByRole('button', { name: mineAndTeam }).waitFor();
    await expectAccessible(page, 'an assigned social conversation');

    // "Mine" shows it; without filters it says who has it.
    await chip('Unassigned').click();
    await chip('Mine').click();
    await list.getByText('my parcel is lost').waitFor();
    await list.getByRole('button', { name: mineAndTeam }).waitFor();
    const stored = await page.request.get(
      `${rapport.url}/api/v1/social/messages?fields=assigneeId,teamId,text&filter=${encodeURIComponent(
        JSON.stringify({ field: 'direction', op: 'eq', value: 'inbound' }),
      )}`,
    );
    const me = (await (await page.request.get(`${rapport.url}/api/v1/me`)).json()).data.user.id;
    expect((await stored.json()).data[0]).toMatchObject({ assigneeId: me, teamId: (await team.json()).data.id });

    // Back to nobody: it leaves "Mine".
    await list.getByRole('button', { name: /the conversation with/ }).click();
    await page.getByRole('menuitem', { name: 'Unassign' }).click();
    await until('it left my list', async () => (await list.getByText('my parcel is lost').count()) === 0);
  });

  it('the brand dashboard charts volume by network over time and the sentiment split', async () => {
    await page.goto(`${rapport.url}/social`);
    await page.locator('main').getByRole('link', { name: 'Brand dashboard' }).click();
    await page.getByRole('heading', { name: 'Brand dashboard' }).waitFor();
    const volume = page.getByRole('region', { name: 'Volume by network' });
    const facebook = volume.getByTestId('social-volume-chart').filter({ hasText: 'Facebook' });
    await facebook.waitFor();
    // A line over the 30 days, today's point holding the angry message.
    await expect.poll(() => facebook.locator('circle').count()).toBeGreaterThanOrEqual(30);
    expect(await facebook.locator('circle title').last().textContent()).toMatch(/: 1$/);
    const sentiment = page.getByRole('region', { name: 'Sentiment', exact: true });
    await sentiment.getByRole('img', { name: 'Messages by sentiment' }).waitFor();
    await sentiment.getByRole('listitem').filter({ hasText: 'Negative: 1' }).waitFor();
    // Over time: today's point is the share of today's messages that read as negative.
    const overTime = page.getByRole('region', { name: 'Sentiment over time' });
    await expect.poll(() => overTime.locator('circle').count()).toBeGreaterThanOrEqual(30);
    expect(await overTime.locator('circle title').last().textContent()).toMatch(/: [1-9]\d*$/);
    await expect.poll(async () => page.getByTestId('social-unanswered').textContent()).not.toBe('');
    await expectAccessible(page, 'the brand dashboard');
    await expectNoHorizontalScroll(page);
    // Another period reloads the figures.
    await page.getByText('7 days', { exact: true }).click();
    await facebook.waitFor();
    await expect.poll(() => facebook.locator('circle').count()).toBeLessThan(10);
  });
});
