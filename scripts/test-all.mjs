#!/usr/bin/env node
// `npm test`: lint, types and the web build, then the embedded (PGlite) pass, the PostgreSQL
// pass and the browser pass. Each step prints its time and how busy the cores were during it,
// the figures the order below was chosen from (README, "Tests").
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Busy and total CPU ticks of the whole machine so far (Linux; zeros elsewhere). */
function cpuTicks() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/**
 * Runs a command; resolves with its exit code and prints its time and how busy the cores were.
 * With `prefixed`, each line of its output is prefixed with `[label]`, so two runs side by side
 * stay readable (vitest then sees no terminal and prints plain lines per file); otherwise the
 * command has the terminal.
 */
function run(label, cmd, args, { env = {}, prefixed = false } = {}) {
  const started = Date.now();
  const before = cpuTicks();
  return new Promise((resolve) => {
    const stdio = prefixed ? ['ignore', 'pipe', 'pipe'] : 'inherit';
    const child = spawn(cmd, args, { stdio, env: { ...process.env, ...env } });
    if (prefixed) {
      for (const [from, to] of [
        [child.stdout, process.stdout],
        [child.stderr, process.stderr],
      ]) {
        let rest = '';
        from.setEncoding('utf8');
        from.on('data', (chunk) => {
          const lines = (rest + chunk).split('\n');
          rest = lines.pop() ?? '';
          for (const line of lines) to.write(`[${label}] ${line}\n`);
        });
        from.on('end', () => rest && to.write(`[${label}] ${rest}\n`));
      }
    }
    // 'close' (not 'exit'): a prefixed run's last lines are written by then.
    child.on('close', (code, signal) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      const after = cpuTicks();
      const busy = after.total > before.total ? (100 * (after.busy - before.busy)) / (after.total - before.total) : 0;
      const verdict = code === 0 ? 'passed' : `failed (${signal ?? code})`;
      console.log(`\n[test] ${label}: ${verdict} in ${seconds} s (cores ${Math.round(busy)}% busy)\n`);
      resolve(code ?? 1);
    });
  });
}

const all = async (...steps) => (await Promise.all(steps.map((s) => s()))).find((code) => code !== 0) ?? 0;

const steps = [
  // Lint, types, the server bundle every `rapport` the tests start runs, and the web build the
  // browser pass serves: independent, side by side.
  () =>
    all(
      () => run('lint', npm, ['run', '--silent', 'lint']),
      () => run('server bundle', process.execPath, ['scripts/build-server.mjs']),
      () => run('typecheck', npm, ['run', '--silent', 'typecheck']),
      () =>
        run('web build', process.execPath, ['scripts/build-web.mjs']).then((code) =>
          code === 0 ? run('web budget', process.execPath, ['scripts/web-budget.mjs']) : code,
        ),
    ),
  // The two database passes side by side: each alone kept the cores only 80-85% busy (its
  // files wait on child processes, timers and the database), and together they fill the gaps.
  () =>
    all(
      () => run('embedded', npm, ['run', '--silent', 'test:embedded'], { prefixed: true }),
      () => run('postgres', npm, ['run', '--silent', 'test:postgres'], { prefixed: true }),
    ),
  () => run('browser pass', 'npx', ['vitest', 'run', '--config', 'vitest.e2e.config.ts']),
];

const started = Date.now();
for (const step of steps) {
  const code = await step();
  if (code !== 0) process.exit(code);
}
console.log(`[test] all passed in ${Math.round((Date.now() - started) / 1000)} s`);
