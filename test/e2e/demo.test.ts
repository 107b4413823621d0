import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess } from '../helpers/server-process';
import { type BrowserSession, openBrowser } from './helpers/browser';
import { field, until } from './helpers/ui';

// The first hour: `rapport serve` on a fresh database prints the demo's people, and one of
// them signs in with the app opened at 127.0.0.1 (not the base URL, localhost).
let server: ServerProcess;
let browser: BrowserSession;
let page: Page;
let logins: { email: string; password: string; who: string }[] = [];

beforeAll(async () => {
  server = await startServerProcess({
    RAPPORT_DATA_DIR: 'memory://',
    RAPPORT_SEED_DEMO: 'true',
    RAPPORT_BASE_URL: '', // unset: http://localhost:<port>
  });
  logins = [...server.output().matchAll(/^ +email (\S+@\S+) +password (\S+) +\((.+)\)$/gm)].map((m) => ({
    email: m[1] as string,
    password: m[2] as string,
    who: m[3] as string,
  }));
  browser = await openBrowser({ viewport: { width: 1280, height: 800 } });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  server?.child.kill('SIGTERM');
  await server?.exited;
});

describe('the demo, opened at 127.0.0.1', () => {
  it('a sales representative signs in with the printed password and sees their mentions; cookie writes and the live socket work', async () => {
    expect(logins.length, server.output()).toBeGreaterThanOrEqual(3);
    const sam = logins.find((l) => l.who.startsWith('Sales representative')) as (typeof logins)[number];
    const admin = logins[0] as (typeof logins)[number];
    expect(sam).toBeDefined();

    await page.goto(`${server.url}/sign-in`); // server.url is http://127.0.0.1:<port>
    await field(page, 'Email').fill(sam.email);
    await field(page, 'Password').fill(sam.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
    // Colleagues mentioned them in comments on their deals.
    const bell = page.getByRole('button', { name: /^Notifications \(\d+ unread\)$/ });
    await until('mentions counted in the bell', () => bell.isVisible());
    const unread = async () => Number(/\((\d+) unread\)/.exec((await bell.getAttribute('aria-label')) ?? '')?.[1]);
    const before = await unread();
    expect(before).toBeGreaterThanOrEqual(2);

    // A cookie-authenticated write from this page (Origin: http://127.0.0.1:<port>) is accepted.
    const status = await page.evaluate(async () => {
      const res = await fetch('/api/v1/accounts', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Opened at 127.0.0.1' }),
      });
      return res.status;
    });
    expect(status).toBe(201);

    // The administrator mentions them once more: the bell counts it live, over the WebSocket.
    const signIn = await fetch(`${server.url}/api/v1/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: admin.email, password: admin.password }),
    });
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const filter = encodeURIComponent(JSON.stringify({ field: 'name', op: 'eq', value: 'EMEA expansion' }));
    const deals = await (
      await fetch(`${server.url}/api/v1/opportunities?filter=${filter}`, { headers: { cookie } })
    ).json();
    const samId = (
      (await (await fetch(`${server.url}/api/v1/members`, { headers: { cookie } })).json()).data as {
        id: string;
        email: string;
      }[]
    ).find((m) => m.email === sam.email)?.id;
    const comment = await fetch(`${server.url}/api/v1/opportunities/${deals.data[0].id}/comments`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ body: `@[Sam](user:${samId}) the customer signed!` }),
    });
    expect(comment.status, await comment.text()).toBe(201);
    await until('the new mention arrives live', async () => (await unread()) === before + 1);
  });
});
