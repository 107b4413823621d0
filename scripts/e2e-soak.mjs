#!/usr/bin/env node
// npm run test:e2e:soak [-- N]: runs the browser suite N times in a row (default 3, or
// RAPPORT_SOAK_RUNS) while a CPU hog spins on one of the cores, then prints the failures
// per test and a summary. Exits non-zero when any test failed in any run. Not part of
// `npm test`: it proves the browser suite does not depend on a quiet machine.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'test-results/soak');
const runs = Number(process.argv[2] ?? process.env.RAPPORT_SOAK_RUNS ?? 3);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`usage: npm run test:e2e:soak -- <runs>  (a whole number ≥ 1, got ${process.argv[2]})`);
  process.exit(2);
}

// Build once; every run uses the same dist/web.
const build = spawnSync(process.execPath, ['scripts/build-web.mjs'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

// The hog: one process busy-looping (one core). It checks in every 100 ms whether its
// parent is still this script and exits when not, so it dies with us however we end,
// SIGKILL included; on a normal end or a signal we kill it ourselves too.
const hog = spawn(
  process.execPath,
  [
    '-e',
    `const parent = ${process.pid};
     for (;;) { const t = Date.now(); while (Date.now() - t < 100); if (process.ppid !== parent) process.exit(0); }`,
  ],
  { stdio: 'ignore' },
);
const killHog = () => {
  if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
};
let child;
process.on('exit', killHog);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    // vitest's workers outlive a signal to vitest alone: end its whole process group.
    if (child?.pid) {
      try {
        process.kill(-child.pid, sig);
      } catch {}
    }
    killHog();
    process.exit(130);
  });
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const vitest = path.join(ROOT, 'node_modules/vitest/vitest.mjs');

/** Per test (file › name): the runs it failed in and the first line of each failure. */
const failures = new Map();
const problems = []; // runs that failed without a per-test result (a file that did not load, a crash)
const durations = [];
let testsPerRun = 0;

for (let i = 1; i <= runs; i++) {
  const json = path.join(OUT, `run-${i}.json`);
  console.log(`\n=== soak run ${i}/${runs} (CPU hog pid ${hog.pid} on one core) ===`);
  const started = Date.now();
  const code = await new Promise((resolve) => {
    child = spawn(
      process.execPath,
      [
        vitest,
        'run',
        '--config',
        'vitest.e2e.config.ts',
        '--reporter=default',
        '--reporter=json',
        `--outputFile.json=${json}`,
      ],
      { cwd: ROOT, stdio: 'inherit', detached: true },
    );
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  durations.push((Date.now() - started) / 1000);
  if (!existsSync(json)) {
    problems.push(`run ${i}: vitest exited ${code} without a JSON report`);
    continue;
  }
  const report = JSON.parse(readFileSync(json, 'utf8'));
  testsPerRun = Math.max(testsPerRun, report.numTotalTests ?? 0);
  let failedHere = 0;
  for (const file of report.testResults ?? []) {
    const rel = path.relative(ROOT, file.name);
    for (const t of file.assertionResults ?? []) {
      if (t.status !== 'failed') continue;
      failedHere++;
      const key = `${rel} › ${t.fullName}`;
      const entry = failures.get(key) ?? [];
      entry.push({ run: i, message: String(t.failureMessages?.[0] ?? '').split('\n')[0] });
      failures.set(key, entry);
    }
    if (file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed')) {
      problems.push(`run ${i}: ${rel} failed outside a test: ${String(file.message ?? '').split('\n')[0]}`);
    }
  }
  if (code !== 0 && failedHere === 0 && !problems.some((p) => p.startsWith(`run ${i}:`))) {
    problems.push(`run ${i}: vitest exited ${code}`);
  }
  console.log(`=== soak run ${i}/${runs}: ${failedHere} failed, exit ${code}, ${durations.at(-1).toFixed(0)} s ===`);
}
killHog();

console.log(`\n=== soak summary: ${runs} runs of the browser suite with one core busy ===`);
console.log(`run times: ${durations.map((d) => `${d.toFixed(0)} s`).join(', ')}; ${testsPerRun} tests per run`);
if (failures.size === 0 && problems.length === 0) {
  console.log('no failures');
  process.exit(0);
}
for (const [test, list] of [...failures].sort((a, b) => b[1].length - a[1].length)) {
  console.log(`FAILED ${list.length}/${runs}  ${test}`);
  for (const f of list) console.log(`    run ${f.run}: ${f.message}`);
}
for (const p of problems) console.log(`PROBLEM  ${p}`);
console.log(`reports: ${path.relative(ROOT, OUT)}/run-<n>.json`);
process.exit(1);
