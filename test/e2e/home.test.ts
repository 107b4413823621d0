import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SmtpSink } from '../helpers/smtp-sink';
import { expectAccessible } from './helpers/axe';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { PASSWORD, type RunningRapport } from './helpers/rapport';
import { sharedRapport, sharedSmtp } from './helpers/shared';
import { signUpViaApi, until } from './helpers/ui';

// The first hour: each role's home page shows what that role needs first, the navigation
// keeps Workflows and Administration on a laptop screen, and the palette opens any page.
let rapport: RunningRapport;
let smtp: SmtpSink;
let browser: BrowserSession;
let page: Page;
const stamp = `${Date.now()}-${process.pid}`; // unique on the shared server
const adminEmail = `ada-${stamp}@example.com`;
const people = {
  sales_rep: { name: 'Sam Seller', email: `sam-${stamp}@example.com`, id: '' },
  marketing_manager: { name: 'Mona Marketer', email: `mona-${stamp}@example.com`, id: '' },
  service_rep: { name: 'Sergio Service', email: `sergio-${stamp}@example.com`, id: '' },
};

const api = async <T>(method: 'get' | 'post' | 'patch', path: string, data?: unknown) => {
  const res = await page.request[method](`${rapport.url}${path}`, {
    ...(data === undefined ? {} : { data }),
    headers: { origin: rapport.url },
  });
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300);
  return (await res.json()) as T;
};

const signIn = async (email: string) => {
  await page.request.post(`${rapport.url}/api/v1/auth/sign-out`, { headers: { origin: rapport.url } });
  const res = await page.request.post(`${rapport.url}/api/v1/auth/sign-in`, {
    data: { email, password: PASSWORD },
    headers: { origin: rapport.url },
  });
  expect(res.status(), await res.text()).toBe(200);
};

const home = async () => {
  await page.goto(`${rapport.url}/`);
  await until('home cards', () => page.getByTestId('home-cards').isVisible());
};
const card = (id: string) => page.getByTestId(`home-card-${id}`);
/** The cards' ids in the order shown, once the expected first one is there. */
const cardOrder = () =>
  page
    .getByTestId('home-cards')
    .locator('[data-testid^="home-card-"]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')?.replace('home-card-', '')));

beforeAll(async () => {
  smtp = sharedSmtp();
  rapport = sharedRapport();
  // A laptop screen: 1280 × 720.
  browser = await openBrowser({ viewport: { width: 1280, height: 720 } });
  page = browser.page;
  await signUpViaApi(page, rapport.url, { name: 'Ada Admin', email: adminEmail, workspace: 'First Hour Ltd' });
  // Three colleagues in three roles, each joining from their invitation.
  for (const [role, who] of Object.entries(people)) {
    await signIn(adminEmail);
    await api('post', '/api/v1/invitations', { email: who.email, role });
    const mail = await smtp.waitForMail(
      (m) => JSON.stringify(m.to).includes(who.email) && /accept-invite\?token=/.test(m.text ?? ''),
      60_000,
    );
    const token = decodeURIComponent(/accept-invite\?token=([\w%.-]+)/.exec(mail.text ?? '')?.[1] ?? '');
    await page.request.post(`${rapport.url}/api/v1/auth/sign-out`, { headers: { origin: rapport.url } });
    const joined = await api<{ data: { userId: string } }>('post', '/api/v1/invitations/accept', {
      token,
      name: who.name,
      password: PASSWORD,
    });
    who.id = joined.data.userId;
  }
  // The sales rep's day and pipeline, and leads for marketing, made by the administrator.
  await signIn(adminEmail);
  await api('post', '/api/v1/opportunities', {
    name: 'Analytical Engine upgrade',
    ownerId: people.sales_rep.id,
    amount: { amount: '1200', currency: 'EUR' },
  });
  await api('post', '/api/v1/opportunities', {
    name: 'Someone else’s deal',
    amount: { amount: '99', currency: 'EUR' },
  });
  await api('post', '/api/v1/tasks', {
    title: 'Call Charles about the engine',
    assigneeId: people.sales_rep.id,
    dueAt: new Date(Date.now() - 60_000).toISOString(),
  });
  await api('post', '/api/v1/leads', { lastName: 'Babbage', company: 'Difference Ltd', status: 'mql' });
  await api('post', '/api/v1/leads', { lastName: 'Menabrea', company: 'Turin Papers', status: 'sql' });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await smtp?.close();
});

describe('the home page per role', () => {
  it('an administrator sets up the workspace and sees the whole pipeline', async () => {
    await signIn(adminEmail);
    await home();
    await until('workspace card', () => card('workspace').isVisible());
    await until('open opportunities', () =>
      card('open-opportunities').getByTestId('breakdown-row').first().isVisible(),
    );
    expect(await card('open-opportunities').getByRole('heading').textContent()).toBe('Open opportunities');
    expect(await card('open-opportunities').getByTestId('breakdown-total-opportunities').textContent()).toMatch(
      /1,299/,
    );
    // Lead statuses by their labels, never "Mql".
    await until('leads by status', () => card('leads').getByText('MQL', { exact: true }).isVisible());
    expect(await card('leads').getByText('SQL', { exact: true }).isVisible()).toBe(true);
    await card('workspace').getByRole('link', { name: 'Invite colleagues' }).click();
    await page.waitForURL(/\/admin\/users$/);
    expect(browser.problems).toEqual([]);
  });

  it('a sales rep starts with today and their own open opportunities by stage', async () => {
    await signIn(people.sales_rep.email);
    await home();
    await until('today', () => card('my-day').getByText('Call Charles about the engine').isVisible());
    await until('own pipeline', () =>
      card('open-opportunities').getByTestId('breakdown-total-opportunities').isVisible(),
    );
    expect(await card('open-opportunities').getByRole('heading').textContent()).toBe('My open opportunities');
    // Their own deal only: 1,200, not the other one's 99.
    expect(await card('open-opportunities').getByTestId('breakdown-total-opportunities').textContent()).toMatch(
      /1,200/,
    );
    expect(await card('open-opportunities').textContent()).toContain('1 open');
    expect(await card('create').getByRole('link', { name: 'New contact' }).isVisible()).toBe(true);
    await until(
      'what a rep needs first, first',
      async () => (await cardOrder()).slice(0, 3).join() === 'create,my-day,open-opportunities',
    );
    expect(await card('workspace').count()).toBe(0);
    expect(await card('leads').count()).toBe(0);
    await expectAccessible(page, 'the sales rep’s home page');
    await browser.shot('home-01-sales-rep');
  });

  it('a marketing manager starts with the leads in play', async () => {
    await signIn(people.marketing_manager.email);
    await home();
    await until('leads card', () => card('leads').getByText('MQL', { exact: true }).isVisible());
    await until('leads first', async () => (await cardOrder()).slice(0, 2).join() === 'create,leads');
    expect(await card('open-opportunities').count()).toBe(0);
    expect(await card('create').getByRole('link', { name: 'New lead' }).isVisible()).toBe(true);
  });

  it('a service rep starts with today, and sees no deal values', async () => {
    await signIn(people.service_rep.email);
    await home();
    await until('today card, nothing due', () => card('my-day').getByText('No tasks due today.').isVisible());
    expect(await card('open-opportunities').count()).toBe(0);
    expect(await card('create').getByRole('link', { name: 'New interaction' }).isVisible()).toBe(true);
    expect(browser.problems).toEqual([]);
  });
});

describe('navigation', () => {
  it('keeps Workflows and Administration on a laptop screen, and folds groups', async () => {
    await signIn(adminEmail);
    await home();
    const workspace = page.getByRole('navigation', { name: 'Workspace' });
    for (const name of ['Workflows', 'Administration']) {
      const link = workspace.getByRole('link', { name });
      await until(`${name} shown`, () => link.isVisible());
      const box = await link.boundingBox();
      expect(box && box.y + box.height, `${name} within 720 px`).toBeLessThanOrEqual(720);
    }
    // A group folds and unfolds, and stays as left.
    const customers = page.getByRole('navigation', { name: 'Customers' });
    await page.getByTestId('nav-group-customers').click();
    await until('folded', async () => (await customers.getByRole('link', { name: 'Contacts' }).count()) === 0);
    await page.reload();
    await until('still folded', () => page.getByTestId('nav-group-customers').isVisible());
    expect(await page.getByTestId('nav-group-customers').getAttribute('aria-expanded')).toBe('false');
    await page.getByTestId('nav-group-customers').click();
    await until('unfolded', () => customers.getByRole('link', { name: 'Contacts' }).isVisible());
    // The folded Activities group opens by itself on one of its pages.
    await page.goto(`${rapport.url}/tasks`);
    await until('current page shown', () =>
      page.getByRole('navigation', { name: 'Activities' }).getByRole('link', { name: 'Tasks' }).isVisible(),
    );
  });

  it('the command palette opens any page and action', async () => {
    await home();
    await page.keyboard.press('Control+k');
    const box = page.getByRole('combobox', { name: 'Search records' });
    await until('palette', () => box.isVisible());
    await box.fill('roles');
    await until('page offered', () => page.getByRole('option', { name: /Administration: Roles/ }).isVisible());
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/roles$/);

    await page.keyboard.press('Control+k');
    await until('palette again', () => box.isVisible());
    await box.fill('new lead');
    await until('action offered', () => page.getByRole('option', { name: /^New lead/ }).isVisible());
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/leads\/new$/);
    expect(browser.problems).toEqual([]);
  });
});
