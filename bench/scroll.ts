/**
 * List scrolling benchmark (`npm run bench:scroll`, part of `npm run bench`): a contacts
 * list of 100,000 rows in Chromium, against the same list of 1,000 rows and a static
 * page of 60 rows in the same run (the machine is noisy; the small list and the static
 * page show what "smooth" measures here).
 *
 * A `rapport serve` process on the PostgreSQL server; Debian's Chromium (playwright-core)
 * signs in through the sign-in page and opens /contacts, then scrolls as a user would:
 *
 * 1. wheel: 300 mouse-wheel steps of 240 px, one per frame (a fast flick, ~1,600 rows);
 * 2. End: the list focused (as Tab does), then End held down (pressed every 30 ms,
 *    like key repeat) until the last row is on screen;
 * 3. drag: the list opened afresh and the scrollbar dragged to the bottom and held
 *    there (scrollTop set to the maximum every 30 ms) until the last row is on screen;
 * 4. slow: the list opened afresh and the scrollbar dragged from the top to the bottom
 *    in 100 steps 100 ms apart, then held there until the last row is on screen;
 * 5. middle: the list opened afresh and the scrollbar dragged to the middle at once and
 *    left there, until every row on screen is a record (the island read by offset).
 *
 * Measured in the page with requestAnimationFrame: frame durations (p50/p95/p99, frames
 * over 50 ms), the most row elements in the DOM at any time and how many of them were
 * placeholders (records still on their way); then the JS heap after a
 * garbage collection, the time to reach the last row and the API list requests made.
 *
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB, default postgres://postgres@127.0.0.1:5432/postgres),
 * RAPPORT_BENCH_SCROLL_ROWS (default 100000), RAPPORT_BENCH_SCROLL_BASELINE (default 1000),
 * RAPPORT_BENCH_REUSE=1 to keep and reuse the seeded database, RAPPORT_CHROMIUM (default /usr/bin/chromium).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Browser, chromium, type Page } from 'playwright-core';
import { seedContacts } from '../cli/seed';
import { loadConfig } from '../server/platform/config';
import { signUp } from '../server/platform/workspaces/identity.service';
import { startRuntime } from '../server/runtime';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import { ADMIN_URL, addResults, databaseUrl, dropUnlessReused, ensureDatabase, percentile } from './bench-db';

const ROWS = Number(process.env.RAPPORT_BENCH_SCROLL_ROWS ?? 100_000);
const BASELINE = Number(process.env.RAPPORT_BENCH_SCROLL_BASELINE ?? 1_000);
const CHROMIUM = process.env.RAPPORT_CHROMIUM ?? '/usr/bin/chromium';
const DB_NAME = `rapport_bench_scroll_${ROWS}`;
const PASSWORD = 'bench scroll passphrase';
const WHEEL_STEPS = 300;
const WHEEL_PX = 240;
const SLOW_STEPS = 100;
const VIEWPORT = { width: 1280, height: 900 };
/** Giving up on reaching the last row after this long (the figure is then reported as not reached). */
const END_TIMEOUT_MS = 15 * 60_000;

// The page's globals, typed just enough for the page.evaluate callbacks (the root tsconfig has no DOM lib).
interface Recorded {
  phase: string;
  frames: Record<string, number[]>;
  maxRows: Record<string, number>;
  /** Most placeholder rows (records still on their way) in the DOM, and frames that showed any. */
  maxWaiting: Record<string, number>;
  waitingFrames: Record<string, number>;
}
declare const window: { __bench: Recorded };
declare const document: {
  querySelector(selector: string): unknown;
  getElementById(id: string): { scrollTo(x: number, y: number): void } | null;
};
declare function requestAnimationFrame(callback: (time: number) => void): number;

const ROOT = path.resolve(import.meta.dirname, '..');
const dbUrl = databaseUrl(DB_NAME);
const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(n < 100 ? 1 : 0)} ms` : '–');
const secs = (n: number) => (Number.isFinite(n) ? `${(n / 1000).toFixed(1)} s` : 'not reached');
const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;

const WORKSPACES = [
  { key: 'baseline', email: 'scroll-small@bench.example', name: 'Scroll small', rows: BASELINE },
  { key: 'large', email: 'scroll-large@bench.example', name: 'Scroll large', rows: ROWS },
] as const;

const ensureScrollDatabase = () =>
  ensureDatabase(DB_NAME, async (db) => {
    const { rows } = await db.query(
      `select count(*)::int as n from contacts c join workspaces w on w.id = c.workspace_id where w.name = $1`,
      ['Scroll large'],
    );
    return rows[0].n === ROWS;
  });

async function seed() {
  const config = loadConfig({ databaseUrl: dbUrl, logLevel: 'silent', seedDemo: false, poolSize: 4 }, {});
  const runtime = await startRuntime(config, { backgroundWork: false });
  try {
    for (const w of WORKSPACES) {
      const me = await signUp(
        { database: runtime.database, auth: runtime.auth },
        { name: w.name, email: w.email, password: PASSWORD, workspaceName: w.name },
        {},
      );
      const t0 = Date.now();
      await seedContacts(runtime.database, me.data.workspace.id, { contacts: w.rows }, (n) =>
        process.stderr.write(`\r  ${w.name}: seeding ${n.toLocaleString('en')} contacts…`),
      );
      process.stderr.write(`\n  seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
    }
    const raw = new pg.Client({ connectionString: dbUrl });
    await raw.connect();
    await raw.query('vacuum analyze');
    await raw.end();
  } finally {
    await runtime.close();
  }
}

/**
 * In the page: every animation frame's duration (by phase) and the most rows in the DOM.
 * A string, not a function: tsx would wrap a function's inner helpers in `__name(…)`,
 * which the page does not have.
 */
const RECORDER = `(() => {
  const rec = { phase: 'open', frames: {}, maxRows: {}, maxWaiting: {}, waitingFrames: {} };
  window.__bench = rec;
  let last = performance.now();
  const tick = (t) => {
    (rec.frames[rec.phase] ||= []).push(t - last);
    last = t;
    const n = document.querySelectorAll('tbody tr').length;
    if (n > (rec.maxRows[rec.phase] || 0)) rec.maxRows[rec.phase] = n;
    const w = document.querySelectorAll('[data-testid="record-row-placeholder"]').length;
    if (w > (rec.maxWaiting[rec.phase] || 0)) rec.maxWaiting[rec.phase] = w;
    if (w > 0) rec.waitingFrames[rec.phase] = (rec.waitingFrames[rec.phase] || 0) + 1;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

const setPhase = (page: Page, phase: string) =>
  page.evaluate((p) => {
    window.__bench.phase = p;
  }, phase);

interface ListRequest {
  limit: number;
  count: boolean;
  startedAt: number;
  ms: number;
  phase: string;
}

/** Watches the API list calls a page makes (GET /api/v1/contacts?…). */
function watchRequests(page: Page) {
  const calls: ListRequest[] = [];
  const started = new Map<unknown, { at: number; phase: string }>();
  let phase = 'open';
  page.on('request', (r) => {
    if (r.method() === 'GET' && /\/api\/v1\/contacts\?/.test(r.url())) started.set(r, { at: performance.now(), phase });
  });
  page.on('requestfinished', (r) => {
    const s = started.get(r);
    if (!s) return;
    const q = new URL(r.url()).searchParams;
    calls.push({
      limit: Number(q.get('limit') ?? 50),
      count: q.get('count') === 'true',
      startedAt: s.at,
      ms: performance.now() - s.at,
      phase: s.phase,
    });
  });
  return {
    calls,
    setPhase(p: string) {
      phase = p;
    },
  };
}

const lastRowShown = (page: Page, total: number) =>
  page.evaluate((n) => !!document.querySelector(`[data-testid="record-row"][aria-rowindex="${n + 1}"]`), total);

async function signIn(browser: Browser, base: string, email: string) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-GB', timezoneId: 'UTC' });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${base}/sign-in`);
  await page.getByLabel(/^Email( \*)?$/).fill(email);
  await page.getByLabel(/^Password( \*)?$/).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/`);
  return { context, page };
}

/** Holds a "key" (calls `step` every 30 ms) until the last row is on screen; the time it took. */
async function holdUntilLastRow(page: Page, total: number, step: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < END_TIMEOUT_MS) {
    await step();
    if (await lastRowShown(page, total)) return performance.now() - t0;
    await page.waitForTimeout(30);
  }
  return Number.NaN;
}

/** Runs `step` once, then waits until the rows on screen are all records (no placeholder): ms, or NaN. */
async function untilViewLoaded(page: Page, step: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await step();
  while (performance.now() - t0 < END_TIMEOUT_MS) {
    const placeholders = await page.getByTestId('record-row-placeholder').count();
    if (placeholders === 0 && (await page.getByTestId('record-row').count()) > 0) return performance.now() - t0;
    await page.waitForTimeout(20);
  }
  return Number.NaN;
}

interface PhaseResult {
  frames: number[];
  maxRows: number;
  maxWaiting: number;
  waitingFrames: number;
  /** Until the phase's aim (the last row; the middle: the rows in view loaded). NaN: not reached; undefined: no aim. */
  toLastMs?: number;
  calls: ListRequest[];
}

type PhaseName = 'wheel' | 'end' | 'drag' | 'slow' | 'middle';

interface RunResult {
  label: string;
  rows: number;
  openMs: number;
  phases: Record<PhaseName, PhaseResult>;
  heapEnd: number;
  heapAfterDrag: number;
}

async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  return usedSize;
}

const collect = (page: Page): Promise<Recorded> =>
  page.evaluate(() => ({ ...window.__bench, phase: window.__bench.phase }));

const phaseOf = (rec: Recorded, name: PhaseName, calls: ListRequest[], toLastMs?: number): PhaseResult => ({
  frames: [...(rec.frames[name] ?? [])].sort((a, b) => a - b),
  maxRows: rec.maxRows[name] ?? 0,
  maxWaiting: rec.maxWaiting[name] ?? 0,
  waitingFrames: rec.waitingFrames[name] ?? 0,
  toLastMs,
  calls: calls.filter((c) => c.phase === name),
});

async function measureList(browser: Browser, base: string, w: (typeof WORKSPACES)[number]): Promise<RunResult> {
  const { context, page } = await signIn(browser, base, w.email);
  try {
    await page.addInitScript(RECORDER);
    const reqs = watchRequests(page);
    const table = page.getByTestId('record-table');
    const open = async () => {
      reqs.setPhase('open');
      const t0 = performance.now();
      await page.goto(`${base}/contacts`);
      await page.getByTestId('record-row').first().waitFor();
      return performance.now() - t0;
    };
    const start = async (name: PhaseName) => {
      await setPhase(page, name);
      reqs.setPhase(name);
    };

    // 1. Open the list, wheel down fast, then hold End until the last row.
    const openMs = await open();
    const box = await table.boundingBox();
    if (!box) throw new Error('no table');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await start('wheel');
    for (let i = 0; i < WHEEL_STEPS; i++) {
      await page.mouse.wheel(0, WHEEL_PX);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    }
    await page.waitForTimeout(500);
    await start('end');
    // The keyboard in the list (Tab reaches the scrolling table first), then End held down.
    await table.focus();
    const endMs = await holdUntilLastRow(page, w.rows, () => page.keyboard.press('End'));
    await page.waitForTimeout(500);
    const heapEnd = await heapAfterGc(page);
    const first = await collect(page);

    // 2. Afresh: the scrollbar dragged to the bottom at once and held there.
    await open();
    await start('drag');
    const dragMs = await holdUntilLastRow(page, w.rows, () =>
      table.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      }),
    );
    await page.waitForTimeout(500);
    const heapAfterDrag = await heapAfterGc(page);
    const second = await collect(page);

    // 3. Afresh: the scrollbar dragged slowly from the top to the bottom (SLOW_STEPS steps, 100 ms apart), then held.
    await open();
    await start('slow');
    const t0 = performance.now();
    for (let i = 1; i <= SLOW_STEPS; i++) {
      await table.evaluate((el, f) => {
        el.scrollTop = (el.scrollHeight - el.clientHeight) * f;
      }, i / SLOW_STEPS);
      await page.waitForTimeout(100);
    }
    const held = await holdUntilLastRow(page, w.rows, () =>
      table.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      }),
    );
    const slowMs = Number.isNaN(held) ? Number.NaN : performance.now() - t0;
    const third = await collect(page);

    // 4. Afresh: the scrollbar dragged to the middle at once and left there.
    await open();
    await start('middle');
    const middleMs = await untilViewLoaded(page, () =>
      table.evaluate((el) => {
        el.scrollTop = (el.scrollHeight - el.clientHeight) / 2;
      }),
    );
    await page.waitForTimeout(500);
    const fourth = await collect(page);
    return {
      label: `${w.rows.toLocaleString('en')} contacts`,
      rows: w.rows,
      openMs,
      phases: {
        wheel: phaseOf(first, 'wheel', reqs.calls),
        end: phaseOf(first, 'end', reqs.calls, endMs),
        drag: phaseOf(second, 'drag', reqs.calls, dragMs),
        slow: phaseOf(third, 'slow', reqs.calls, slowMs),
        middle: phaseOf(fourth, 'middle', reqs.calls, middleMs),
      },
      heapEnd,
      heapAfterDrag,
    };
  } finally {
    await context.close();
  }
}

/** The floor: the same wheel steps over a static page of 60 rows (no app, no JavaScript of ours). */
async function measureStatic(browser: Browser): Promise<PhaseResult> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  try {
    const rows = Array.from(
      { length: 60 },
      (_, i) =>
        `<tr data-testid="record-row" style="height:44px"><td>Person ${i}</td><td>person${i}@example.com</td><td>+1 202 555 01${String(i).padStart(2, '0')}</td></tr>`,
    ).join('');
    await page.setContent(
      `<div id="s" style="height:800px;overflow:auto"><table style="width:100%">${rows}</table></div>`,
    );
    await page.evaluate(RECORDER);
    await page.mouse.move(640, 400);
    await setPhase(page, 'wheel');
    for (let i = 0; i < WHEEL_STEPS; i++) {
      // Back to the top now and then, so the static page keeps scrolling.
      if (i % 50 === 0) await page.evaluate(() => document.getElementById('s')?.scrollTo(0, 0));
      await page.mouse.wheel(0, WHEEL_PX / 8);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(null))));
    }
    return phaseOf(await collect(page), 'wheel', []);
  } finally {
    await context.close();
  }
}

const frameCells = (f: number[]) =>
  `${ms(percentile(f, 50))} | ${ms(percentile(f, 95))} | ${ms(percentile(f, 99))} | ${f.filter((d) => d > 50).length} of ${f.length}`;

const pagesOf = (calls: ListRequest[]) => {
  const pages = calls.filter((c) => !(c.count && c.limit === 1));
  const sizes = [...new Set(pages.map((c) => c.limit))].sort((a, b) => a - b).join('/');
  const t = pages.map((c) => c.ms).sort((a, b) => a - b);
  return pages.length ? `${pages.length} (of ${sizes}), p50 ${ms(percentile(t, 50))}` : '0';
};

async function main() {
  const reused = await ensureScrollDatabase();
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  try {
    if (!reused) await seed();
    const build = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-web.mjs')], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('building the web app failed');
    server = await startServerProcess({
      DATABASE_URL: dbUrl,
      RAPPORT_RATE_LIMIT: '0',
      RAPPORT_SEED_DEMO: '0',
      LOG_LEVEL: 'warn',
    });
    const base = `http://localhost:${new URL(server.url).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-renderer-backgrounding',
        '--disable-background-timer-throttling',
        '--disable-backgrounding-occluded-windows',
      ],
    });
    const floor = await measureStatic(browser);
    const results: RunResult[] = [];
    for (const w of WORKSPACES) {
      process.stderr.write(`  ${w.name}: scrolling…\n`);
      results.push(await measureList(browser, base, w));
    }

    const lines = [
      '| list | phase | frame p50 | p95 | p99 | frames > 50 ms | most rows in the DOM | most placeholder rows (frames showing any) | time to the last row (middle: to the rows in view) | API pages fetched (sizes), p50 |',
      '|---|---|---|---|---|---|---|---|---|---|',
      `| static page, 60 rows (floor) | wheel | ${frameCells(floor.frames)} | ${floor.maxRows} | – | – | – |`,
    ];
    const names: [PhaseName, string][] = [
      ['wheel', `wheel ${WHEEL_STEPS} × ${WHEEL_PX} px`],
      ['end', 'End held'],
      ['drag', 'scrollbar to the bottom'],
      ['slow', `scrollbar top → bottom in ${SLOW_STEPS} steps`],
      ['middle', 'scrollbar to the middle, left there'],
    ];
    for (const r of results) {
      for (const [key, text] of names) {
        const ph = r.phases[key];
        lines.push(
          `| ${r.label} | ${text} | ${frameCells(ph.frames)} | ${ph.maxRows} | ${ph.maxWaiting} (${ph.waitingFrames}) | ${ph.toLastMs === undefined ? '–' : secs(ph.toLastMs)} | ${pagesOf(ph.calls)} |`,
        );
      }
    }
    const heap = results
      .map(
        (r) =>
          `${r.label}: first row ${ms(r.openMs)} after opening the list; JS heap after a GC ${mib(r.heapEnd)} after the wheel and End, ${mib(r.heapAfterDrag)} after the scrollbar drag.`,
      )
      .join(' ');
    const pgVersion = await (async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      const v = (await c.query('show server_version')).rows[0].server_version as string;
      await c.end();
      return v;
    })();
    const chromeVersion = browser.version();
    const machine = `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )} at the end, Node ${process.version}, PostgreSQL ${pgVersion}, Chromium ${chromeVersion} (headless, ${VIEWPORT.width}×${VIEWPORT.height})`;
    const report = [
      `## ${new Date().toISOString().slice(0, 10)} — list scrolling: ${ROWS.toLocaleString('en')} contacts in the browser`,
      '',
      `Machine: ${machine}. \`bench/scroll.ts\`: a \`rapport serve\` process on the PostgreSQL server; the contacts list opened after signing in through the sign-in page; frames timed in the page with requestAnimationFrame.`,
      '',
      ...lines,
      '',
      heap,
      '',
    ].join('\n');
    process.stdout.write(`\n${report}\n`);
    addResults(report);
  } finally {
    await browser?.close();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await dropUnlessReused(DB_NAME);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
