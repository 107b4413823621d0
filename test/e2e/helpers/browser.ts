import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install -y chromium); playwright's own browsers cannot be downloaded here. */
export const CHROMIUM = process.env.RAPPORT_CHROMIUM ?? '/usr/bin/chromium';

export const SCREENSHOTS = path.resolve(import.meta.dirname, '../../../test-results/screenshots');
/** RAPPORT_SCREENSHOTS=1: save a picture of each main page (BrowserSession.shot). */
const SHOTS_WANTED = process.env.RAPPORT_SCREENSHOTS === '1';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Keyboard and wheel scrolling jump instead of animating (as the no-motion CSS below does
  // for the page's own scrolling): a smooth End or Home on a busy machine sometimes stopped
  // short, or did not move for a minute (test/e2e/long-list.test.ts, 2026-12-07).
  '--disable-smooth-scrolling',
];

/**
 * Injected into every document before the app's own code: no CSS transitions or
 * animations, no smooth scrolling. A busy machine stretches a 200 ms fade into a second,
 * and a test that reads or clicks mid-transition sees half-transparent text (axe reports
 * low contrast) or a button still sliding into place. The app's own styles allow inline
 * <style> (style-src 'unsafe-inline'), so this raises no CSP report.
 */
const NO_MOTION_CSS =
  '*, *::before, *::after { transition: none !important; animation-duration: 0s !important; ' +
  'animation-delay: 0s !important; animation-iteration-count: 1 !important; scroll-behavior: auto !important; }';

function injectNoMotion(css: string) {
  const add = () => {
    const style = document.createElement('style');
    style.dataset.test = 'no-motion';
    style.textContent = css;
    (document.head ?? document.documentElement).appendChild(style);
  };
  if (document.documentElement) add();
  else {
    const wait = new MutationObserver(() => {
      if (!document.documentElement) return;
      wait.disconnect();
      add();
    });
    wait.observe(document, { childList: true });
  }
}

const EXPECTED_HTTP_ERROR = /^Failed to load resource: the server responded with a status of (401|404|409|412|422) /;
/**
 * Our own no-motion init script (below) is offered to every frame; sandboxed frames without
 * `allow-scripts` — the mail preview — refuse it, as they must, and Chromium logs that.
 */
const SANDBOXED_INIT_SCRIPT = /^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/;

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
  /** Saves a full-page screenshot as test-results/screenshots/<name>.png (with RAPPORT_SCREENSHOTS=1). */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The worker's Chromium, launched once and shared by every file the worker runs (the pass runs
 * files one after another in each worker: isolate false). Each session is a fresh context of
 * it (its own cookies, storage, cache and service workers), so what one file does is not seen
 * by the next; launching a browser per session cost a second or two of CPU each, 66 times a
 * pass. Kept on globalThis so it outlives the module registry between files. When the worker
 * exits, Chromium sees its pipe close and exits too.
 */
const SHARED = Symbol.for('rapport.e2e.chromium');
type WithShared = typeof globalThis & { [SHARED]?: Promise<Browser> };

function sharedChromium(): Promise<Browser> {
  const g = globalThis as WithShared;
  const running = g[SHARED];
  if (running) return running;
  const launched = chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    // Starting Chromium takes seconds on a quiet machine and can take a minute on a busy one.
    timeout: 180_000,
  });
  g[SHARED] = launched;
  // A browser that crashed or failed to start is launched again by the next session.
  launched.then(
    (browser) =>
      browser.on('disconnected', () => {
        if (g[SHARED] === launched) g[SHARED] = undefined;
      }),
    () => {
      if (g[SHARED] === launched) g[SHARED] = undefined;
    },
  );
  return launched;
}

interface BrowserOptions {
  viewport: { width: number; height: number };
  mobile?: boolean;
  /**
   * A Chromium of its own with a profile on disk, instead of a context of the worker's
   * Chromium: what a test of installability needs (Chromium offers to install a web app only
   * in a profile of its own, never in the fresh contexts, which are off the record).
   */
  ownProfile?: boolean;
}

/**
 * A fresh browser context with one page, watching for errors: a context of the worker's
 * Chromium, or (ownProfile) a Chromium with its own temporary profile.
 */
export async function openBrowser(opts: BrowserOptions) {
  const contextOptions = {
    viewport: opts.viewport,
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  } as const;
  const profile = opts.ownProfile ? mkdtempSync(path.join(tmpdir(), 'rapport-chromium-')) : undefined;
  const context = profile
    ? await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: ARGS,
        timeout: 180_000,
        ...contextOptions,
      })
    : await (await sharedChromium()).newContext(contextOptions);
  await context.addInitScript(injectNoMotion, NO_MOTION_CSS);
  const page = context.pages()[0] ?? (await context.newPage());
  // Every wait is for a condition; the limit only decides how long a real failure takes to
  // report. 60 s leaves room for a machine whose two cores are shared a dozen ways.
  page.setDefaultTimeout(60_000);
  const problems: string[] = [];
  page.on('console', (msg) => {
    // The browser logs every failed request; 4xx answers the app expects and handles are not problems.
    if (msg.type() === 'error' && !EXPECTED_HTTP_ERROR.test(msg.text()) && !SANDBOXED_INIT_SCRIPT.test(msg.text()))
      problems.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  mkdirSync(SCREENSHOTS, { recursive: true });
  const session: BrowserSession = {
    context,
    page,
    problems,
    async shot(name) {
      // Pictures cost a settle wait and a full-page capture each (about a hundred per run):
      // taken when asked for (npm run test:e2e:screenshots), not on every test run.
      if (!SHOTS_WANTED) return;
      // Let transitions and lazy chunks settle so the picture shows the finished page.
      await page.waitForLoadState('networkidle').catch(() => undefined);
      // Finished transitions (menus sliding, modals opening), and from the top, so the
      // fixed header sits where it belongs in a full-page picture.
      await page
        .waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'), null, {
          timeout: 5000,
        })
        .catch(() => undefined);
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
    async close() {
      // A context whose close does not settle (microsoft/playwright#5273, after a download)
      // must not hold the run until the hook timeout. After a deadline the file goes on and
      // the log says so: a Chromium of its own is killed; a context of the worker's Chromium
      // is left to the worker's exit, which ends that Chromium.
      const closed = context.close().then(() => true);
      const inTime = await Promise.race([closed, new Promise<false>((r) => setTimeout(r, 30_000, false))]);
      if (!inTime) {
        console.warn(`A Chromium ${profile ? 'was killed' : 'context was left open'}: it did not close within 30 s.`);
        if (profile) killProfileProcesses(profile);
      }
      if (profile) rmSync(profile, { recursive: true, force: true });
    },
  };
  return session;
}

/** SIGKILLs every process started with this Chromium profile directory (Linux /proc). */
function killProfileProcesses(profile: string) {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`--user-data-dir=${profile}`))
        process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
}

export type { Browser, Page };
