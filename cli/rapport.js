#!/usr/bin/env node
// The `rapport` command. Rapport is TypeScript: this shim runs the server bundle when it was
// built from these very sources (cli/server-bundle.js), and otherwise registers tsx's loader
// and hands over to cli/main.ts.
import { freshBundle } from './server-bundle.js';

const bundle = freshBundle();
let main;
if (bundle) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
const code = await main(process.argv);
// A command that failed ends the process at once: a server whose start failed (after its
// runtime opened the database and started background work) must not stay up doing nothing.
if (code !== 0) process.exit(code);
process.exitCode = code;
