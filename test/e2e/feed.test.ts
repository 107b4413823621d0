import type { Page, WebSocket } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import { expectNoHorizontalScroll, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Two colleagues on the activity feed: Ada (desktop) posts a message; Mia, on a 375 px
// phone with the feed open, sees it arrive without reloading and replies in its thread;
// Ada's card counts the reply live.
let rapport: RunningRapport;
let smtp: SmtpSink;
let ada: BrowserSession;
let mia: BrowserSession;
let a: Page;
let m: Page;

/** Frames each page's notifications socket received, and whether it said hello. */
const frames = new Map<Page, string[]>();
function watchStream(page: Page) {
  frames.set(page, []);
  page.on('websocket', (ws: WebSocket) => {
    if (!ws.url().includes('/api/v1/notifications/stream')) return;
    ws.on('framereceived', (f) => frames.get(page)?.push(String(f.payload)));
  });
}
const streamSaid = (page: Page, text: string) => (frames.get(page) ?? []).some((f) => f.includes(text));
const feedText = async (p: Page) => (await p.getByTestId('feed').textContent()) ?? '';

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  ada = await openBrowser({ viewport: { width: 1280, height: 900 } });
  mia = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
  a = ada.page;
  m = mia.page;
  watchStream(a);
  watchStream(m);
});

afterAll(async () => {
  await ada?.close();
  await mia?.close();
  await rapport?.stop();
  await smtp?.close();
});

describe('the activity feed in the browser', () => {
  it('a colleague’s message appears live in another browser, and so does the reply', async () => {
    await signUpViaApi(a, rapport.url, { name: 'Ada Admin', email: uniqueEmail('ada'), workspace: 'Feed Ltd' });
    const miaEmail = uniqueEmail('mia');
    const invite = await a.request.post(`${rapport.url}/api/v1/invitations`, {
      data: { email: miaEmail, role: 'sales_rep' },
    });
    expect(invite.status(), await invite.text()).toBe(201);
    const mail = await smtp.waitForMail(
      (x) => mailTo(x, miaEmail) && /accept-invite\?token=/.test(x.text ?? ''),
      60_000,
    );
    const token = /accept-invite\?token=([\w%.-]+)/.exec(mail?.text ?? '')?.[1];
    expect(token, mail?.text).toBeTruthy();
    const accepted = await m.request.post(`${rapport.url}/api/v1/invitations/accept`, {
      data: { token: decodeURIComponent(String(token)), name: 'Mia Rep', password: PASSWORD },
    });
    expect(accepted.status(), await accepted.text()).toBe(200);

    // Mia has the feed open (and its socket connected) before Ada writes anything.
    await m.goto(`${rapport.url}/feed`);
    await until('Mia’s feed shown', () => m.getByRole('heading', { name: 'Feed' }).isVisible());
    await until('Mia’s stream connected', async () => streamSaid(m, '"hello"'));
    await a.goto(`${rapport.url}/feed`);
    await until('Ada’s feed shown', () => a.getByRole('heading', { name: 'Feed' }).isVisible());
    await until('Ada’s stream connected', async () => streamSaid(a, '"hello"'));

    await field(a, 'Message').fill('Lunch demo for the Nordlicht team at noon');
    await a.getByRole('button', { name: 'Post', exact: true }).click();
    await until('Ada sees her message', async () => (await feedText(a)).includes('Lunch demo for the Nordlicht'));

    // Mia did not reload: the entry came over the socket.
    await until('the message pushed to Mia', async () => streamSaid(m, 'Lunch demo for the Nordlicht'));
    await until('the message on Mia’s feed', async () => (await feedText(m)).includes('Lunch demo for the Nordlicht'));
    expect(await feedText(m)).toContain('Ada Admin');
    await expectNoHorizontalScroll(m);
    await mia.shot('feed-01-phone-live-message');

    const card = m.getByTestId('feed-entry').filter({ hasText: 'Lunch demo for the Nordlicht' });
    await card.getByRole('button', { name: 'Reply' }).click();
    await field(card, 'Reply').fill('I will bring the samples');
    await card.getByRole('button', { name: 'Post reply' }).click();
    await until('Mia sees her reply', async () =>
      ((await card.textContent()) ?? '').includes('I will bring the samples'),
    );

    const adaCard = a.getByTestId('feed-entry').filter({ hasText: 'Lunch demo for the Nordlicht' });
    await until('the reply counted on Ada’s card', () =>
      adaCard.getByRole('button', { name: 'Replies (1)' }).isVisible(),
    );
    await adaCard.getByRole('button', { name: 'Replies (1)' }).click();
    await until('the reply in Ada’s thread', async () =>
      ((await adaCard.textContent()) ?? '').includes('I will bring the samples'),
    );
    await ada.shot('feed-02-desktop-thread');
    await expectAccessible(a, 'the feed with an open thread');
    await expectAccessible(m, 'the feed on a phone');
    expect(ada.problems).toEqual([]);
    expect(mia.problems).toEqual([]);
  });

  it('the author edits a message (Mia sees the new text live) and deletes another', async () => {
    const adaCard = a.getByTestId('feed-entry').filter({ hasText: 'Lunch demo for the Nordlicht' });
    await adaCard.getByRole('button', { name: 'Edit', exact: true }).click();
    await field(adaCard, 'Edit message').fill('Lunch demo for the Nordlicht team at one');
    await adaCard.getByRole('button', { name: 'Save' }).click();
    await until('Ada sees the new text, marked edited', async () => {
      const text = (await adaCard.textContent()) ?? '';
      return text.includes('team at one') && text.includes('(edited)');
    });
    await until('the edit reaches Mia without a reload', async () => (await feedText(m)).includes('team at one'));
    expect(await feedText(m)).not.toContain('team at noon');
    // Mia cannot edit or delete Ada's message: the one Edit and Delete on the card are her reply's.
    const miaCard = m.getByTestId('feed-entry').filter({ hasText: 'team at one' });
    const mine = miaCard.getByTestId('feed-reply').filter({ hasText: 'I will bring the samples' });
    expect(await miaCard.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(1);
    expect(await mine.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(1);
    expect(await miaCard.getByRole('button', { name: 'Delete' }).count()).toBe(1);

    await field(a, 'Message').fill('Wrong channel, sorry');
    await a.getByRole('button', { name: 'Post', exact: true }).click();
    const wrong = a.getByTestId('feed-entry').filter({ hasText: 'Wrong channel, sorry' });
    await until('the message posted', () => wrong.isVisible());
    await wrong.getByRole('button', { name: 'Delete' }).click();
    await wrong.getByRole('button', { name: 'Delete' }).click(); // confirm
    await until('the message gone', async () => !(await feedText(a)).includes('Wrong channel, sorry'));
    await expectAccessible(a, 'the feed after an edit');
    expect(ada.problems).toEqual([]);
    expect(mia.problems).toEqual([]);
  });
});
