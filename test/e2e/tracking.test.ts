import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, openBrowser } from './helpers/browser';
import type { RunningRapport } from './helpers/rapport';
import { sharedRapport } from './helpers/shared';
import { signUpViaApi, uniqueEmail, until } from './helpers/ui';

// A customer's website on another origin (127.0.0.1, while Rapport is on localhost) carries
// the t.js tag. A visitor browses two pages, moves within the page (pushState) and clicks a
// download; the administrator sees each view on Rapport's tracking page. A visitor whose
// browser sends Global Privacy Control is not tracked at all: no cookie, no request.
let rapport: RunningRapport;
let browser: BrowserSession;
let admin: Page;
let site: Server;
let siteUrl = '';
let siteKey = '';

const html = (title: string, body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title>
<script src="${rapport.url}/t.js" data-key="${siteKey}" async></script></head><body>${body}</body></html>`;

const PAGES: Record<string, () => string> = {
  '/': () => html('Welcome', `<h1>Welcome</h1><a id="about" href="/about">About us</a>`),
  '/about': () =>
    html(
      'About us',
      `<h1>About us</h1>
      <button id="pricing" onclick="history.pushState({}, '', '/about/pricing'); document.title = 'Pricing'">Pricing</button>
      <a id="brochure" href="/files/brochure.pdf" onclick="event.preventDefault(); this.textContent = 'clicked'">Brochure</a>`,
    ),
};

/** The paths of the site's latest views, as Rapport's tracking page lists them. */
const listedPaths = async () =>
  admin
    .getByTestId('recent-views')
    .locator('[data-visit]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-visit')))
    .catch(() => [] as (string | null)[]);

/** Refreshes the tracking page's list until `done` holds for its paths. */
const refreshUntil = async (what: string, done: (paths: (string | null)[]) => boolean) =>
  until(what, async () => {
    await admin.getByRole('button', { name: 'Refresh' }).click();
    await admin.waitForLoadState('networkidle').catch(() => undefined);
    return done(await listedPaths());
  });

/**
 * A page that looks like a person's browser: headless Chromium says "HeadlessChrome" in its
 * user agent, which the bot filter (rightly) ignores.
 */
async function personPage(): Promise<Page> {
  const page = await browser.context.newPage();
  const ua = (await page.evaluate(() => navigator.userAgent)).replace('HeadlessChrome', 'Chrome');
  const cdp = await browser.context.newCDPSession(page);
  await cdp.send('Network.setUserAgentOverride', { userAgent: ua });
  return page;
}

beforeAll(async () => {
  rapport = sharedRapport();
  site = createServer((req, res) => {
    const page = PAGES[req.url ?? ''];
    if (!page) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page());
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  browser = await openBrowser({ viewport: { width: 1280, height: 900 } });
  admin = browser.page;
  await signUpViaApi(admin, rapport.url, { name: 'Tess Tracker', email: uniqueEmail('tess'), workspace: 'Site Co' });
});

afterAll(async () => {
  await browser?.close();
  await rapport?.stop();
  await new Promise((r) => site?.close(r));
});

describe('website tracking in the browser', () => {
  it('an administrator finds the script tag; a visitor’s pages, in-page navigation and download are recorded', async () => {
    await admin.goto(`${rapport.url}/admin/tracking`);
    const snippet = (await admin.getByTestId('tracking-snippet').textContent()) ?? '';
    siteKey = /data-key="([^"]+)"/.exec(snippet)?.[1] ?? '';
    expect(snippet).toContain(`${rapport.url}/t.js`);
    expect(siteKey).toMatch(/^rk_/);
    await until('no visits yet', () => admin.getByText('No visits recorded yet').isVisible());

    const visitor = await personPage();
    const collected: string[] = [];
    visitor.on('request', (r: Request) => {
      if (r.url().endsWith('/t/collect')) collected.push(JSON.parse(r.postData() ?? '{}').url);
    });
    await visitor.goto(`${siteUrl}/`);
    await until('the home page reported', async () => collected.length === 1);
    const cookie = (await browser.context.cookies(siteUrl)).find((c) => c.name === 'rapport_vid');
    expect(cookie?.value).toMatch(/^[0-9a-f]{32}$/);
    expect(cookie?.sameSite).toBe('Lax');
    expect(cookie?.expires ?? 0).toBeGreaterThan(Date.now() / 1000 + 360 * 86_400);
    expect(await visitor.evaluate(() => (window as { rapport?: { visitorId: string } }).rapport?.visitorId)).toBe(
      cookie?.value,
    );

    await visitor.click('#about');
    await visitor.waitForURL(`${siteUrl}/about`);
    await until('the second page reported', async () => collected.length === 2);
    await visitor.click('#pricing');
    await until('the in-page navigation reported', async () => collected.length === 3);
    await visitor.click('#brochure');
    await until('the download reported', async () => collected.length === 4);
    expect(collected).toEqual([
      `${siteUrl}/`,
      `${siteUrl}/about`,
      `${siteUrl}/about/pricing`,
      `${siteUrl}/files/brochure.pdf`,
    ]);
    // The same visitor id on the next page: one cookie, set on the site's own domain.
    expect((await browser.context.cookies(siteUrl)).filter((c) => c.name === 'rapport_vid')).toHaveLength(1);

    await refreshUntil('the download listed', (paths) => paths.includes('/files/brochure.pdf'));
    const paths = await listedPaths();
    expect(paths.slice(0, 4)).toEqual(['/files/brochure.pdf', '/about/pricing', '/about', '/']);
    await expect.poll(() => admin.getByText('Download').count()).toBeGreaterThan(0);
    expect(browser.problems).toEqual([]);
    await visitor.close();
  });

  it('a visitor whose browser sends Global Privacy Control gets no cookie and nothing is sent or stored', async () => {
    const before = await listedPaths();
    const gpc = await personPage();
    await gpc.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }),
    );
    await browser.context.clearCookies({ name: 'rapport_vid' });
    const sent: string[] = [];
    gpc.on('request', (r: Request) => {
      if (r.url().includes('/t/collect')) sent.push(r.url());
    });
    const script = gpc.waitForResponse((r) => r.url().endsWith('/t.js'));
    await gpc.goto(`${siteUrl}/about`);
    expect((await script).status()).toBe(200);
    // t.js has run (async scripts run before the load event) and decided to do nothing.
    await gpc.waitForLoadState('load');
    await gpc.click('#pricing');
    await gpc.click('#brochure');
    expect(await gpc.evaluate(() => 'rapport' in window)).toBe(false);
    expect((await browser.context.cookies(siteUrl)).filter((c) => c.name === 'rapport_vid')).toEqual([]);
    expect(sent).toEqual([]);
    await gpc.close();

    // A later visitor without GPC is recorded; the GPC visit before it left nothing.
    const later = await personPage();
    await later.goto(`${siteUrl}/`);
    await refreshUntil('the later visit listed', (paths) => paths.length > before.length);
    expect(await listedPaths()).toEqual(['/', ...before]);
    await later.close();
  });
});
