#!/usr/bin/env node
// Bundles the server and the CLI into dist/server/main.mjs (cli/server-bundle.js says why and
// how `rapport` picks it). Skips the build when the bundle is fresh; `--force` always builds;
// `--postinstall` (npm install) only warns on failure: `rapport` then runs its sources.
import path from 'node:path';
import { BUNDLE, buildBundle, ROOT } from '../cli/server-bundle.js';

const started = Date.now();
try {
  const files = await buildBundle({ force: process.argv.includes('--force') });
  console.log(
    files === 0
      ? 'Server bundle is up to date (dist/server).'
      : `Server bundled into ${path.relative(ROOT, BUNDLE)} in ${((Date.now() - started) / 1000).toFixed(1)} s (${files} source files).`,
  );
} catch (err) {
  if (!process.argv.includes('--postinstall')) throw err;
  console.warn(`The server could not be bundled at install time (rapport runs its sources): ${err?.message ?? err}`);
}
