#!/usr/bin/env node
// `npm test`: lint and types, the embedded (PGlite) pass, the PostgreSQL pass, the browser pass.
// The web build (CPU for ~15 s) runs beside the PostgreSQL pass, whose workers mostly wait on
// the database server, so the browser pass starts at once when that pass ends. No pass runs
// more than its two workers (three abort vitest runs on two cores); the three vitest passes
// stay one after another, so the cores are busy but not oversubscribed.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Runs a command with the terminal as its output; resolves with its exit code and duration. */
function run(label, cmd, args, env = {}) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('exit', (code, signal) => {
      const seconds = Math.round((Date.now() - started) / 1000);
      console.log(`\n[test] ${label}: ${code === 0 ? 'passed' : `failed (${signal ?? code})`} in ${seconds} s\n`);
      resolve(code ?? 1);
    });
  });
}

const steps = [
  () => run('lint', npm, ['run', '--silent', 'lint']),
  () => run('typecheck', npm, ['run', '--silent', 'typecheck']),
  () => run('embedded pass', npm, ['run', '--silent', 'test:embedded']),
  async () => {
    const [pg, web] = await Promise.all([
      run('PostgreSQL pass', npm, ['run', '--silent', 'test:postgres']),
      run('web build', process.execPath, ['scripts/build-web.mjs']).then((code) =>
        code === 0 ? run('web budget', process.execPath, ['scripts/web-budget.mjs']) : code,
      ),
    ]);
    return pg || web;
  },
  () => run('browser pass', 'npx', ['vitest', 'run', '--config', 'vitest.e2e.config.ts']),
];

const started = Date.now();
for (const step of steps) {
  const code = await step();
  if (code !== 0) process.exit(code);
}
console.log(`[test] all passed in ${Math.round((Date.now() - started) / 1000)} s`);
