#!/usr/bin/env node
// CI's dependency audit (issue 23 point 8; called from .ci/run, not from npm test):
// `npm audit --omit=dev` over the production dependencies. Fails (exit 1) on any high or
// critical advisory, listing them. When the registry refuses the audit request itself (an
// HTTP error status from the audit endpoint, e.g. a mirror answering 405), it prints a
// warning "audit endpoint unavailable" and passes: no answer is not a finding. Anything
// else that keeps npm from answering (no network, a broken lockfile) fails.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The verdict from npm's exit status, its JSON report and its error output (exported for test/hardening.test.ts). */
export function verdict(status, stdout, stderr) {
  let report;
  try {
    report = JSON.parse(stdout || '{}');
  } catch {
    report = undefined;
  }
  const vulns = report?.metadata?.vulnerabilities;
  if (vulns) {
    const high = (vulns.high ?? 0) + (vulns.critical ?? 0);
    const names = Object.values(report.vulnerabilities ?? {})
      .filter((v) => v.severity === 'high' || v.severity === 'critical')
      .map((v) => `  ${v.severity}: ${v.name} (${v.range ?? 'any version'})${v.fixAvailable ? ', fix available' : ''}`);
    if (high > 0)
      return {
        code: 1,
        message: `npm audit: ${high} high or critical advisories in production dependencies:\n${names.join('\n')}`,
      };
    const total = vulns.total ?? 0;
    return { code: 0, message: `npm audit: no high or critical advisories (${total} lower)` };
  }
  // The registry answered the audit request with an error status: it does not offer the audit.
  const refused =
    (typeof report?.statusCode === 'number' && report.statusCode >= 400) ||
    /audit endpoint returned an error|\b(4\d\d|5\d\d) [A-Za-z ]+ - POST \S+\/advisories\//.test(
      `${stderr}\n${report?.message ?? ''}`,
    );
  if (refused) {
    const why = report?.message ?? stderr.split('\n').find((l) => /\d{3} /.test(l)) ?? 'refused';
    return {
      code: 0,
      warning: true,
      message: `warning: audit endpoint unavailable (${why.trim()}); dependencies not audited`,
    };
  }
  return {
    code: 1,
    message: `npm audit could not run (exit ${status}): ${(stderr || report?.message || 'no output').trim().slice(0, 2000)}`,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(npm, ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  if (run.error) {
    console.error(`npm audit could not start: ${run.error.message}`);
    process.exit(1);
  }
  const v = verdict(run.status, run.stdout, run.stderr);
  (v.code === 0 && !v.warning ? console.log : console.error)(v.message);
  process.exit(v.code);
}
