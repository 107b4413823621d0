import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import { choose, createViaApi, expectNoHorizontalScroll, field, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// Two colleagues on one contact: Ada (desktop) logs a call; Mia (on a 375 px phone) is
// warned before emailing the same person, mentions Ada in a comment; Ada plans a task
// and finds it in My day, in the calendar and in her iCalendar feed.
let rapport: RunningRapport;
let smtp: SmtpSink;
let ada: BrowserSession;
let mia: BrowserSession;
let a: Page;
let m: Page;
let contactUrl = '';

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  ada = await openBrowser({ viewport: { width: 1280, height: 900 } });
  mia = await openBrowser({ viewport: { width: 375, height: 812 }, mobile: true });
  a = ada.page;
  m = mia.page;
});

afterAll(async () => {
  await ada?.close();
  await mia?.close();
  await rapport?.stop();
  await smtp?.close();
});

const timelineText = async (p: Page) => (await p.getByTestId('timeline').textContent()) ?? '';

describe('timeline, don’t contact twice, tasks and calendar in the browser', () => {
  it('Ada logs a call on a contact and sees it on the timeline', async () => {
    await signUpViaApi(a, rapport.url, { name: 'Ada Admin', email: uniqueEmail('ada'), workspace: 'Timeline Ltd' });
    const [id] = await createViaApi(a, rapport.url, 'contacts', [
      { firstName: 'Carla', lastName: 'Customer', email: 'carla@example.com' },
    ]);
    contactUrl = `${rapport.url}/contacts/${id}`;
    await a.goto(contactUrl);
    await until('timeline shown', () => a.getByRole('heading', { name: 'Timeline' }).isVisible());
    await until('created entry', async () => (await timelineText(a)).includes('Created'));

    await a.getByRole('button', { name: 'Log interaction' }).click();
    const dialog = a.getByRole('dialog', { name: 'Log interaction' });
    await until('dialog open', () => dialog.isVisible());
    await field(dialog, 'Topic').fill('Pricing for 2027');
    await field(dialog, 'Notes').fill('Asked for a discount on 50 seats');
    await ada.shot('timeline-01-log-call');
    await expectAccessible(a, 'the log interaction dialog');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await until('dialog closed', async () => !(await dialog.isVisible()));
    await until('call on the timeline', async () => (await timelineText(a)).includes('Pricing for 2027'));
    expect(await timelineText(a)).toContain('Call · Outbound');
    await ada.shot('timeline-02-call-on-timeline');
    await expectAccessible(a, 'a contact with its timeline');
    expect(ada.problems).toEqual([]);
  });

  it('Mia, on her phone, is warned that Ada called before she emails the same contact', async () => {
    const miaEmail = uniqueEmail('mia');
    const invite = await a.request.post(`${rapport.url}/api/v1/invitations`, {
      data: { email: miaEmail, role: 'marketing_manager' },
    });
    expect(invite.status(), await invite.text()).toBe(201);
    const mail = await smtp.waitForMail(
      (m) => mailTo(m, miaEmail) && /accept-invite\?token=/.test(m.text ?? ''),
      60_000,
    );
    const token = /accept-invite\?token=([\w%.-]+)/.exec(mail?.text ?? '')?.[1];
    expect(token, mail?.text).toBeTruthy();
    const accepted = await m.request.post(`${rapport.url}/api/v1/invitations/accept`, {
      data: { token: decodeURIComponent(String(token)), name: 'Mia Manager', password: PASSWORD },
    });
    expect(accepted.status(), await accepted.text()).toBe(200);

    await m.goto(contactUrl);
    const banner = m.getByTestId('recent-contacts-warning');
    await until('banner on the contact page', () => banner.isVisible());
    expect(await banner.textContent()).toMatch(/Ada Admin\s+called them .* about “Pricing for 2027”/);
    await expectNoHorizontalScroll(m);
    await mia.shot('timeline-03-phone-contact-warning');
    await expectAccessible(m, 'the contact page with the recent-contact banner on a phone');

    await m.getByRole('button', { name: 'Log interaction' }).click();
    const dialog = m.getByRole('dialog', { name: 'Log interaction' });
    await until('dialog open', () => dialog.isVisible());
    await choose(m, 'Channel', 'Email');
    await field(dialog, 'Topic').fill('Pricing follow-up');
    const warning = dialog.getByTestId('recent-contacts-warning');
    await until(
      'same-topic warning in the dialog',
      async () => (await warning.isVisible()) && ((await warning.textContent()) ?? '').includes('same topic'),
    );
    expect((await warning.textContent()) ?? '').toContain('Ada Admin');
    await mia.shot('timeline-04-phone-warning-before-email');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await until('email on the timeline', async () => (await timelineText(m)).includes('Pricing follow-up'));
    expect(mia.problems).toEqual([]);
  });

  it('Mia mentions Ada in a comment, picked from the @ suggestions; Ada sees the mention', async () => {
    const box = field(m, 'Comment');
    await box.click();
    await box.pressSequentially('Heads up @Ad');
    const mention = m.getByRole('group', { name: 'Mention a colleague' }).getByRole('button', { name: '@Ada Admin' });
    await until('mention suggestion', () => mention.isVisible());
    await mention.click();
    await box.pressSequentially('she asked for a discount');
    expect(await box.inputValue()).toBe('Heads up @Ada Admin she asked for a discount');
    const posted = m.waitForResponse((r) => r.url().endsWith('/comments') && r.request().method() === 'POST');
    await m.getByRole('button', { name: 'Post comment' }).click();
    const res = await posted;
    expect(res.status()).toBe(201);
    const comment = (await res.json()).data as { mentions: { name: string }[]; body: string };
    expect(comment.mentions.map((x) => x.name)).toEqual(['Ada Admin']);
    expect(comment.body).toMatch(/^Heads up @\[Ada Admin\]\(user:[0-9a-f-]{36}\) she asked/);
    await until('comment on the timeline', async () => (await timelineText(m)).includes('she asked for a discount'));
    await mia.shot('timeline-05-phone-comment-mention');

    // Ada sees the comment with the mention highlighted on her timeline.
    await a.reload();
    await until('comment for Ada', async () => (await timelineText(a)).includes('@Ada Admin'));
    await expect(a.locator('[data-mention]').first().textContent()).resolves.toBe('@Ada Admin');
    expect(mia.problems).toEqual([]);
  });

  it('Ada plans a task with a reminder and finds it in My day, the calendar and her iCalendar feed', async () => {
    await a.getByRole('button', { name: 'New task' }).click();
    const dialog = a.getByRole('dialog', { name: 'New task' });
    await until('task dialog', () => dialog.isVisible());
    await field(dialog, 'Title').fill('Send the quote');
    // Due later today (or, just before midnight, a little earlier today: then it is overdue, still in My day).
    const now = new Date();
    const due = new Date(now.getTime() + (now.getUTCHours() === 23 && now.getUTCMinutes() > 45 ? -5 : 5) * 60_000);
    const local = (d: Date) => d.toISOString().slice(0, 16); // the browser runs in UTC
    await field(dialog, 'Due').fill(local(due));
    await field(dialog, 'Reminder').fill(local(new Date(now.getTime() + 60_000)));
    await choose(a, 'Priority', 'High');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await until('task on the timeline', async () => (await timelineText(a)).includes('Send the quote'));

    await a.getByRole('link', { name: 'My day' }).click();
    await a.waitForURL(/\/my-day$/);
    const item = a.getByTestId('task-item').filter({ hasText: 'Send the quote' });
    await until('task in My day', () => item.isVisible());
    await ada.shot('timeline-06-my-day');
    await expectAccessible(a, 'My day');

    await a.getByRole('link', { name: 'Calendar' }).click();
    await a.waitForURL(/\/calendar$/);
    const grid = a.getByTestId('calendar-grid');
    await until('task in the calendar', async () => ((await grid.textContent()) ?? '').includes('Send the quote'));
    await a.getByRole('button', { name: 'Create feed URL' }).click();
    const urlBox = a.getByTestId('feed-url');
    await until('feed URL shown', () => urlBox.isVisible());
    const url = await urlBox.inputValue();
    expect(url).toMatch(/\/api\/v1\/calendar\/rcf_[\w-]{32}\.ics$/);
    await ada.shot('timeline-07-calendar-month');
    await expectAccessible(a, 'the calendar');
    // Any calendar client can read it, without a session.
    const feed = await fetch(url.replace('http://localhost:3000', rapport.url));
    expect(feed.status).toBe(200);
    const ics = await feed.text();
    expect(ics).toMatch(/^BEGIN:VCALENDAR/);
    expect(ics).toContain('SUMMARY:Task: Send the quote');

    // Quick complete from My day.
    await a.getByRole('link', { name: 'My day' }).click();
    await a.getByRole('checkbox', { name: 'Complete Send the quote' }).click();
    await until('completed task leaves My day', async () => !(await item.isVisible()));

    // The calendar on the phone: a week as a list, no sideways scrolling.
    await m.goto(`${rapport.url}/calendar`);
    await until('phone calendar', () => m.getByTestId('calendar-grid').isVisible());
    await expectNoHorizontalScroll(m);
    await mia.shot('timeline-08-phone-calendar');
    await expectAccessible(m, 'the calendar on a phone');
    expect(ada.problems).toEqual([]);
    expect(mia.problems).toEqual([]);
  });
});
