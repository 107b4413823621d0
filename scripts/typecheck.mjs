#!/usr/bin/env node
// npm run typecheck: the three TypeScript projects (server/cli/common/tests, the web app,
// the browser tests) checked side by side rather than one after another. Each tsc is
// single-threaded, so on two cores this takes about the time of the longest two, not all
// three. Output is printed per project once it finishes; exits non-zero if any failed.
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const PROJECTS = ['.', 'web', 'test/e2e'];

const results = await Promise.all(
  PROJECTS.map(
    (project) =>
      new Promise((resolve) => {
        const started = Date.now();
        const child = spawn(process.execPath, [TSC, '-p', project], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
        });
        child.stderr.on('data', (d) => {
          out += d;
        });
        child.on('close', (code) => {
          const seconds = ((Date.now() - started) / 1000).toFixed(1);
          process.stdout.write(`tsc -p ${project}: ${code === 0 ? 'ok' : `failed (${code})`} in ${seconds} s\n${out}`);
          resolve(code);
        });
      }),
  ),
);
process.exit(results.every((code) => code === 0) ? 0 : 1);
