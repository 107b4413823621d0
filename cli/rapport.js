#!/usr/bin/env node
// The `rapport` command. Rapport is TypeScript run through tsx, so this shim
// registers tsx's loader and hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv);
// A command that failed ends the process at once: a server whose start failed (after its
// runtime opened the database and started background work) must not stay up doing nothing.
if (code !== 0) process.exit(code);
process.exitCode = code;
