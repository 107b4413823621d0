import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The database passes run with `isolate: false` (vitest.config.ts): the files a worker
 * runs share one module graph. That is safe only while no test changes process-wide
 * state another file would inherit: module mocks, stubbed globals or environment
 * variables, fake timers, writes to process.env. Each has a per-test alternative here
 * (an injected clock, a config object, an env passed to a child process).
 */
const ROOT = path.resolve(import.meta.dirname, '..');
const ROOTS = ['server', 'common', 'cli', 'test', 'web'];
/** global-setup runs in vitest's main process before workers start; this file names the patterns. */
const ALLOWED = new Set([path.join('test', 'helpers', 'global-setup.ts'), path.join('test', 'isolation-lint.test.ts')]);

const FORBIDDEN: [RegExp, string][] = [
  [/\bvi\.(do)?mock\(/, 'vi.mock (mock through an injected dependency)'],
  [/\bvi\.stub(Global|Env)\(/, 'vi.stubGlobal / vi.stubEnv (pass config or env explicitly)'],
  [/\bvi\.useFakeTimers\(/, 'vi.useFakeTimers (inject a clock)'],
  [/process\.env(\.[A-Za-z_]+|\[[^\]]+\])\s*=[^=]|delete process\.env/, 'a write to process.env'],
];

function testSources(): string[] {
  return ROOTS.flatMap((root) =>
    readdirSync(path.join(ROOT, root), { recursive: true, encoding: 'utf8' })
      .map((f) => path.join(root, f))
      .filter((f) => !f.startsWith(path.join('test', 'e2e')) && !f.includes('node_modules'))
      .filter((f) => f.endsWith('.test.ts') || (f.startsWith(path.join('test', 'helpers')) && /\.m?[jt]s$/.test(f))),
  );
}

function findGlobalStateChanges(files: { name: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { name, text } of files) {
    if (ALLOWED.has(name)) continue;
    text.split('\n').forEach((line, i) => {
      for (const [pattern, what] of FORBIDDEN) if (pattern.test(line)) found.push(`${name}:${i + 1}: ${what}`);
    });
  }
  return found;
}

describe('test files leave process-wide state alone (the suite runs without per-file isolation)', () => {
  it('finds each forbidden kind of change', () => {
    const planted = [
      "vi.mock('../x')",
      'vi.stubEnv("A", "b")',
      'vi.useFakeTimers()',
      'process.env.PORT = "1"',
      "process.env['X'] = 'y'",
      'delete process.env.X',
    ].map((text, i) => ({ name: `planted${i}.test.ts`, text }));
    expect(findGlobalStateChanges(planted)).toHaveLength(planted.length);
    expect(findGlobalStateChanges([{ name: 'ok.test.ts', text: "if (process.env.X === '1') run();" }])).toEqual([]);
  });

  it('holds for every test file and helper', () => {
    const files = testSources().map((name) => ({ name, text: readFileSync(path.join(ROOT, name), 'utf8') }));
    expect(files.length).toBeGreaterThan(50);
    expect(findGlobalStateChanges(files)).toEqual([]);
  });
});
