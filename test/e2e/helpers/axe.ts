import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/**
 * Runs axe-core on the page and fails on serious or critical violations (WCAG 2.1 A/AA).
 * evaluate() runs through the DevTools protocol, so the page's CSP does not block axe.
 */
export async function expectAccessible(page: Page, what: string) {
  // Judge the settled page: a modal caught mid fade-in has half-transparent text, which
  // axe reports as low contrast. Endless animations (spinners, skeletons) are not waited for.
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.effect?.getComputedTiming().endTime === Infinity || a.playState !== 'running'),
  );
  // And a DOM that has stopped changing: a menu that just closed stays in the DOM, empty,
  // until its exit finishes (axe: a menu without items), and a dialog may still be mounting.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let quiet: ReturnType<typeof setTimeout>;
        const observer = new MutationObserver(() => {
          clearTimeout(quiet);
          quiet = setTimeout(done, 150);
        });
        const done = () => {
          observer.disconnect();
          resolve();
        };
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        quiet = setTimeout(done, 150);
        setTimeout(done, 5000); // a page that never stops changing (a live clock) is judged as it is
      }),
  );
  // Injected once per document (half a megabyte to parse and compile): a single-page app keeps
  // its document across in-app navigation, so most checks of a file find axe already there.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: Violation[] }> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      // Only violations fail the test: axe then details (selectors, summaries) one node of
      // each passing rule instead of every node, the cost its docs name for large pages.
      resultTypes: ['violations'],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')}: ${n.html.slice(0, 240)} — ${n.failureSummary ?? ''}`),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `accessibility of ${what}: ${JSON.stringify(serious, null, 1)}`).toEqual([]);
}
