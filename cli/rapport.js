#!/usr/bin/env node
// The `rapport` command. Rapport is TypeScript run through tsx, so this shim
// registers tsx's loader and hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
