import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { PASSWORD } from './rapport';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The form control labelled exactly `label` (required fields' labels end in " *"). */
export const field = (root: Page | Locator, label: string) =>
  root.getByLabel(new RegExp(`^${escapeRegExp(label)}( \\*)?$`)).and(root.locator('input, textarea'));

/** Opens a Mantine Select/combobox by its label and picks the option named `option`. */
export async function choose(page: Page, label: string, option: string, opts: { type?: string } = {}) {
  const input = field(page, label);
  await input.click();
  if (opts.type !== undefined) await input.fill(opts.type);
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** Waits until `fn` returns true (polling, like expect.poll), with a readable failure. */
export async function until(what: string, fn: () => Promise<boolean>, timeout = 60_000) {
  await expect.poll(fn, { timeout, message: what }).toBe(true);
}

/**
 * The settled page never scrolls sideways (tables may scroll inside their own box). A menu
 * that is closing stays in the DOM until its timer ends, which a busy machine stretches:
 * wait for the page to settle (up to 10 s), then judge it.
 */
export async function expectNoHorizontalScroll(page: Page) {
  const measure = () =>
    page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
  try {
    // Wait for the page to settle (menus closing, lists filling in) …
    await expect
      .poll(
        async () => {
          const { scroll, width } = await measure();
          return scroll <= width;
        },
        { timeout: 10_000 },
      )
      .toBe(true);
  } catch {
    // … and let the assertion below report the measurement if it never does.
  }
  const { scroll, width } = await measure();
  expect(scroll, `page is ${scroll}px wide in a ${width}px viewport`).toBeLessThanOrEqual(width);
}

/** Texts of the title cells of the rows currently in the DOM, top to bottom. */
export async function rowTitles(page: Page): Promise<string[]> {
  return page.getByTestId('record-link').allTextContents();
}

/** Creates records through the API with the browser's session (the same cookie the app uses). */
export async function createViaApi(page: Page, base: string, object: string, records: Record<string, unknown>[]) {
  const res = await page.request.post(`${base}/api/v1/${object}/batch`, {
    data: { mode: 'create', atomic: true, records },
  });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { data: { id: string }[] }).data.map((r) => r.id);
}

/** Every visible button, link and input in `root` is at least 40 px tall (comfortable to tap). */
export async function expectTapTargets(root: Locator, min = 40) {
  const small = await root.locator('button:visible, a:visible, input:visible').evaluateAll(
    (els, min) =>
      els
        .map((el) => {
          const box = el.getBoundingClientRect();
          // A checkbox is toggled by its label too: the target is the box and the label together.
          const label = el instanceof HTMLInputElement && /^(checkbox|radio)$/.test(el.type) ? el.labels?.[0] : null;
          if (!label) return { el, box };
          const l = label.getBoundingClientRect();
          const top = Math.min(box.top, l.top);
          return { el, box: { height: Math.max(box.bottom, l.bottom) - top } };
        })
        .filter(({ box }) => box.height > 0 && box.height < min)
        .map(
          ({ el, box }) =>
            `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').trim()}" ${Math.round(box.height)}px`,
        ),
    min,
  );
  expect(small, 'tap targets under 40 px').toEqual([]);
}

/** Signs up through the sign-up page (a new workspace) and waits for the app's first page. */
export async function signUpInBrowser(
  page: Page,
  base: string,
  who: { name: string; email: string; workspace: string },
): Promise<void> {
  await page.goto(`${base}/sign-up`);
  await field(page, 'Your name').fill(who.name);
  await field(page, 'Work email').fill(who.email);
  await field(page, 'Password').fill(PASSWORD);
  await field(page, 'Company (workspace name)').fill(who.workspace);
  await page.getByRole('button', { name: 'Create workspace' }).click();
  await page.waitForURL(/\/accounts$/);
}

/**
 * Signs up a new workspace through the API with the page's request context, so the page is
 * signed in as its owner (the app uses the same cookie). For files whose subject is not the
 * sign-up page itself (desktop, mobile and copy drive that page).
 */
export async function signUpViaApi(
  page: Page,
  base: string,
  who: { name: string; email: string; workspace: string; password?: string },
): Promise<void> {
  const res = await page.request.post(`${base}/api/v1/auth/sign-up`, {
    data: { name: who.name, email: who.email, password: who.password ?? PASSWORD, workspaceName: who.workspace },
  });
  expect(res.status(), await res.text()).toBe(201);
}

/**
 * An address no other file uses: the browser pass shares one server (helpers/shared.ts), where
 * an address signs up once, and two files run at once in different worker processes.
 */
export const uniqueEmail = (name: string) => `${name}-${Date.now()}-${process.pid}@example.com`;
