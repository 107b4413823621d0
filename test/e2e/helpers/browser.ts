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

/** A fresh Chromium (its own temporary profile) with one page, watching for errors. */
export async function openBrowser(opts: { viewport: { width: number; height: number }; mobile?: boolean }) {
  const profile = mkdtempSync(path.join(tmpdir(), 'rapport-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: opts.viewport,
    isMobile: opts.mobile ?? false,
    hasTouch: opts.mobile ?? false,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    locale: 'en-GB',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
    // Starting Chromium takes seconds on a quiet machine and can take a minute on a busy one.
    timeout: 180_000,
  });
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
      // A persistent context's close can fail to settle (microsoft/playwright#5273, after a
      // download), which would hold the run until the hook timeout. The browser is ours
      // alone: after a deadline, its processes are killed and the log says so.
      const closed = context.close().then(() => true);
      const inTime = await Promise.race([closed, new Promise<false>((r) => setTimeout(r, 30_000, false))]);
      if (!inTime) {
        console.warn('Chromium did not close within 30 s; its processes were killed.');
        killProfileProcesses(profile);
      }
      rmSync(profile, { recursive: true, force: true });
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
