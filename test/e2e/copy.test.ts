import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { mailTo, sharedRapport, sharedSmtp } from './helpers/shared';
import { field, signUpViaApi, until } from './helpers/ui';

// Issue 14, item 6: no raw ids or rough copy. A sales representative (own scope) opens a
// contact whose account belongs to a colleague: the account shows as "a restricted
// account", the timeline names people, an empty list says why, and the sign-up form's
// errors are written for people, not passed through from the schema library.
let rapport: RunningRapport;
let smtp: SmtpSink;
let admin: BrowserSession;
let rep: BrowserSession;
let a: Page;
let r: Page;
const stamp = `${Date.now()}-${process.pid}`; // unique on the shared server
const UUID_PIECE = /[0-9a-f]{8}-[0-9a-f]{4}|[0-9a-f]{12}/;
const LIBRARY_WORDS = /Too small|Too big|expected string|Invalid input|>=\s?1 characters/;

const post = async (page: Page, path: string, data: unknown) => {
  const res = await page.request.post(`${rapport.url}${path}`, { data, headers: { origin: rapport.url } });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as { data: Record<string, unknown> };
};

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  admin = await openBrowser({ viewport: { width: 1280, height: 900 } });
  rep = await openBrowser({ viewport: { width: 1280, height: 900 } });
  a = admin.page;
  r = rep.page;
});

afterAll(async () => {
  await admin?.close();
  await rep?.close();
  await rapport?.stop();
  await smtp?.close();
});

describe('the words people read', () => {
  it('the sign-up form answers a blank name in words, beside the field (the API’s message, not the schema library’s)', async () => {
    await r.goto(`${rapport.url}/sign-up`);
    await field(r, 'Your name').fill('   ');
    await field(r, 'Work email').fill(`nobody-${stamp}@example.com`);
    await field(r, 'Password').fill(PASSWORD);
    await field(r, 'Company (workspace name)').fill('Copy Ltd');
    await r.getByRole('button', { name: 'Create workspace' }).click();
    await until('the errors shown', async () => (await r.getByText('Enter your name').count()) > 0);
    const text = (await r.locator('body').textContent()) ?? '';
    expect(text).not.toMatch(LIBRARY_WORDS);
    expect(r.url()).toMatch(/\/sign-up/);
  });

  it('a restricted account, names on the timeline, and an empty list that says why', async () => {
    await signUpViaApi(a, rapport.url, { name: 'Ada Admin', email: `ada-${stamp}@example.com`, workspace: 'Copy Ltd' });
    await post(a, '/api/v1/invitations', { email: `rey-${stamp}@example.com`, role: 'sales_rep' });
    const mail = await smtp.waitForMail(
      (x) => mailTo(x, `rey-${stamp}@example.com`) && /accept-invite\?token=/.test(x.text ?? ''),
      60_000,
    );
    const token = /accept-invite\?token=([\w%.-]+)/.exec(mail?.text ?? '')?.[1];
    const accepted = await r.request.post(`${rapport.url}/api/v1/invitations/accept`, {
      data: { token: decodeURIComponent(String(token)), name: 'Rey Rep', password: PASSWORD },
      headers: { origin: rapport.url },
    });
    expect(accepted.status(), await accepted.text()).toBe(200);
    const me = (await (await r.request.get(`${rapport.url}/api/v1/me`)).json()) as { data: { user: { id: string } } };

    // The administrator's account; a contact on it that the representative owns.
    const account = (await post(a, '/api/v1/accounts', { name: 'Hidden Holdings' })).data;
    const contact = (
      await post(a, '/api/v1/contacts', {
        firstName: 'Carla',
        lastName: 'Client',
        accountId: account.id,
        ownerId: me.data.user.id,
      })
    ).data;

    await r.goto(`${rapport.url}/contacts/${contact.id}`);
    await until('the contact shown', () => r.getByRole('heading', { name: 'Carla Client' }).isVisible());
    await until('the account shown as restricted', async () => (await r.getByText('a restricted account').count()) > 0);
    const page = (await r.locator('main').textContent()) ?? '';
    expect(page).not.toContain('Hidden Holdings');
    expect(page).not.toContain(String(account.id));

    // The timeline names who created the contact, never an id.
    const timeline = r.getByTestId('timeline');
    await until('the timeline names Ada', async () => ((await timeline.textContent()) ?? '').includes('Ada Admin'));
    expect(await timeline.textContent()).not.toMatch(UUID_PIECE);

    // An empty list says why: the representative's role shows only their own accounts.
    await r.goto(`${rapport.url}/accounts`);
    await until('the empty list explained', () => r.getByTestId('list-empty-why').isVisible());
    expect(await r.getByTestId('list-empty-why').textContent()).toMatch(/accounts you own/);
    // The administrator's empty list of products invites the first one.
    await a.goto(`${rapport.url}/products`);
    await until('the administrator’s empty list', () => a.getByTestId('list-empty-why').isVisible());
    expect(await a.getByTestId('list-empty-why').textContent()).toMatch(/Nobody has added a product/);
  });
});
