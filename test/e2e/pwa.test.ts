import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { createViaApi, expectNoHorizontalScroll, signUpViaApi, uniqueEmail, until } from './helpers/ui';

// The installable app: manifest, service worker, records readable offline, nothing left
// behind after sign-out. Each test continues the last one.
let rapport: RunningRapport;
let browser: BrowserSession;
let page: Page;
let ids: string[] = [];

/** The browser reports requests that fail while offline; those are expected here. */
const OFFLINE_NOISE = /ERR_INTERNET_DISCONNECTED|Failed to fetch|cannot be reached/;

beforeAll(async () => {
  rapport = sharedRapport();
  browser = await openBrowser({ viewport: { width: 390, height: 844 }, mobile: true, ownProfile: true });
  page = browser.page;
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
});

/** Names of the Cache Storage caches and the URLs kept in the data ones. */
const cacheContents = () =>
  page.evaluate(async () => {
    const names = await caches.keys();
    const data: string[] = [];
    for (const n of names.filter((x) => x.startsWith('rapport-data-'))) {
      for (const r of await (await caches.open(n)).keys()) data.push(new URL(r.url).pathname + new URL(r.url).search);
    }
    return { names, data };
  });

describe('the installable, offline-capable web app', () => {
  it('has a valid manifest, and Chromium finds it installable once the service worker runs', async () => {
    await signUpViaApi(page, rapport.url, {
      name: 'Olive Offline',
      email: uniqueEmail('olive'),
      workspace: 'Field Sales',
    });
    ids = await createViaApi(page, rapport.url, 'contacts', [
      { firstName: 'Katherine', lastName: 'Johnson', email: 'katherine@nasa.example', phone: '+1 757 555 0101' },
      { firstName: 'Dorothy', lastName: 'Vaughan', email: 'dorothy@nasa.example', title: 'Supervisor' },
    ]);

    await page.goto(`${rapport.url}/`);
    await until('home page', () => page.getByRole('heading', { name: 'Welcome back, Olive' }).isVisible());
    // The worker installs (precaching the shell), activates and takes control of the page.
    await until('service worker activated', async () =>
      page.evaluate(async () => (await navigator.serviceWorker.ready).active?.state === 'activated'),
    );
    await until('page controlled by the worker', () =>
      page.evaluate(() => navigator.serviceWorker.controller !== null),
    );

    const cdp = await browser.context.newCDPSession(page);
    const manifest = (await cdp.send('Page.getAppManifest')) as {
      url: string;
      errors: { message: string; critical: number }[];
      data?: string;
    };
    expect(manifest.url).toBe(`${rapport.url}/manifest.webmanifest`);
    expect(manifest.errors).toEqual([]);
    const parsed = JSON.parse(manifest.data ?? '{}');
    expect(parsed).toMatchObject({ name: 'Rapport CRM', short_name: 'Rapport', display: 'standalone', start_url: '/' });
    expect(parsed.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`)).toEqual(
      expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']),
    );
    for (const icon of parsed.icons as { src: string; type: string }[]) {
      const r = await page.request.get(`${rapport.url}${icon.src}`);
      expect(r.status(), icon.src).toBe(200);
      expect(r.headers()['content-type'], icon.src).toContain(icon.type);
    }
    await until('installable', async () => {
      const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
        installabilityErrors: { errorId: string }[];
      };
      return installabilityErrors.length === 0;
    });
    await browser.shot('pwa-01-home-empty');
  });

  it('remembers the records opened, on the home page and in the palette', async () => {
    for (const [id, name] of [
      [ids[0], 'Katherine Johnson'],
      [ids[1], 'Dorothy Vaughan'],
    ] as const) {
      await page.goto(`${rapport.url}/contacts/${id}`);
      await until(`record ${name}`, () => page.getByRole('heading', { name }).isVisible());
    }
    await page.goto(`${rapport.url}/`);
    const recent = page.getByTestId('recently-viewed');
    await until('both listed, newest first', async () =>
      (await recent.getByRole('link').allTextContents()).join('|').startsWith('Dorothy Vaughan'),
    );
    expect((await recent.getByRole('link').allTextContents())[1]).toMatch(/^Katherine Johnson/);
    // The palette offers them before anything is typed.
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await until('recent in palette', () =>
      page.getByRole('option', { name: /Dorothy Vaughan.*Recently viewed/ }).isVisible(),
    );
    expect((await page.getByRole('option').allTextContents())[0]).toMatch(/^Dorothy Vaughan/);
    await page.keyboard.press('Escape');

    // The worker kept the records and what the app needs to open, never sign-in answers or lists.
    const { data } = await cacheContents();
    expect(data.some((u) => u.startsWith(`/api/v1/contacts/${ids[0]}`))).toBe(true);
    expect(data.some((u) => u.startsWith(`/api/v1/contacts/${ids[1]}`))).toBe(true);
    expect(data).toContain('/api/v1/objects');
    expect(data).toContain('/api/v1/me');
    for (const url of data) {
      expect(url).not.toMatch(/^\/api\/v1\/auth\//);
      expect(url).toMatch(/^\/api\/v1\/(me|me\/workspaces|objects|members|contacts\/[0-9a-f-]{36}(\?.*)?)$/);
    }
  });

  it('opens offline: the app, the recently viewed list, and a saved record read-only', async () => {
    await browser.context.setOffline(true);
    try {
      await page.reload();
      await until('app shell offline', () => page.getByRole('heading', { name: 'Welcome back, Olive' }).isVisible());
      const recent = page.getByTestId('recently-viewed');
      const titles = (await recent.getByRole('link').allTextContents()).join('|');
      expect(titles).toContain('Dorothy Vaughan');
      expect(titles).toContain('Katherine Johnson');
      expect(await page.getByRole('status').filter({ hasText: 'Offline' }).isVisible()).toBe(true);
      await expectNoHorizontalScroll(page);
      await browser.shot('pwa-02-home-offline');

      await recent.getByRole('link', { name: /Katherine Johnson/ }).click();
      await page.waitForURL(new RegExp(`/contacts/${ids[0]}$`));
      await until('saved record', () => page.getByRole('heading', { name: 'Katherine Johnson' }).isVisible());
      await until('offline banner', () => page.getByTestId('offline-banner').isVisible());
      expect(await page.locator('[data-field="email"]').textContent()).toBe('katherine@nasa.example');
      expect(await page.locator('[data-field="phone"] a').getAttribute('href')).toBe('tel:+17575550101');
      // Read-only: no edit or delete while offline, and `e` does nothing.
      expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Delete' }).count()).toBe(0);
      await page.keyboard.press('e');
      expect(page.url()).toMatch(new RegExp(`/contacts/${ids[0]}$`));
      await browser.shot('pwa-03-record-offline');

      // A deep link reloaded offline opens too (navigation served from the cached shell).
      await page.goto(`${rapport.url}/contacts/${ids[1]}`);
      await until('second record offline', () => page.getByRole('heading', { name: 'Dorothy Vaughan' }).isVisible());
      expect(await page.locator('[data-field="title"]').textContent()).toBe('Supervisor');
    } finally {
      await browser.context.setOffline(false);
    }
  });

  it('back online shows the live record again, and signing out clears every saved answer', async () => {
    await page.reload();
    await until('online record', () => page.getByRole('link', { name: 'Edit' }).isVisible());
    expect(await page.getByTestId('offline-banner').count()).toBe(0);
    expect((await cacheContents()).data.length).toBeGreaterThan(0);

    await page.getByRole('button', { name: /Account menu for Olive Offline/ }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    const after = await cacheContents();
    expect(after.data).toEqual([]);
    expect(after.names.filter((n) => n.startsWith('rapport-data-'))).toEqual([]);
    // The app shell stays (it holds no customer data), so the sign-in page still opens offline.
    expect(after.names.some((n) => n.startsWith('rapport-shell-'))).toBe(true);
    const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rapport.')));
    expect(stored).toEqual([]);

    expect(browser.problems.filter((p) => !OFFLINE_NOISE.test(p))).toEqual([]);
  });
});
