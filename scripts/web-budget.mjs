#!/usr/bin/env node
// Measures the JavaScript a browser must download to show the sign-in page (the entry
// chunk, the sign-in route's chunk, and every chunk they import statically), gzipped,
// and fails when it is over budget. Reads the Vite manifest of dist/web.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 250 * 1000;
const ROUTE = 'pages/SignInPage.tsx';
const OUT = path.resolve(import.meta.dirname, '../dist/web');

let manifest;
try {
  manifest = JSON.parse(readFileSync(path.join(OUT, '.vite/manifest.json'), 'utf8'));
} catch {
  console.error('No dist/web/.vite/manifest.json: build the web app first (npm run build:web).');
  process.exit(1);
}

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
if (!entry || !manifest[ROUTE]) {
  console.error(`The manifest lacks the entry or ${ROUTE}; did the route move?`);
  process.exit(1);
}

const chunks = new Set();
const visit = (key) => {
  if (chunks.has(key) || !manifest[key]) return;
  chunks.add(key);
  for (const imp of manifest[key].imports ?? []) visit(imp);
};
visit(entry);
visit(ROUTE);

const gz = (file) => gzipSync(readFileSync(path.join(OUT, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
let js = 0;
const css = new Set();
const rows = [];
for (const key of chunks) {
  const c = manifest[key];
  const size = gz(c.file);
  js += size;
  rows.push(`  ${kb(size).padStart(9)}  ${c.file}${c.name ? `  (${c.name})` : ''}`);
  for (const f of c.css ?? []) css.add(f);
}
const cssBytes = [...css].reduce((n, f) => n + gz(f), 0);

console.log(`Initial JavaScript for the sign-in page (gzipped):\n${rows.join('\n')}`);
console.log(`  total ${kb(js)} of a ${kb(BUDGET_BYTES)} budget; CSS ${kb(cssBytes)} on top.`);
// The phone-number library (~150 kB with its metadata) belongs to the record forms' chunk only.
const heavy = [...chunks].filter((key) =>
  readFileSync(path.join(OUT, manifest[key].file), 'utf8').includes('country_calling_codes'),
);
if (heavy.length > 0) {
  console.error(
    `libphonenumber-js is in the sign-in page's JavaScript (${heavy.join(', ')}): import it only from code-split chunks.`,
  );
  process.exit(1);
}
if (js > BUDGET_BYTES) {
  console.error(`Over budget by ${kb(js - BUDGET_BYTES)}: split more code out of the first load.`);
  process.exit(1);
}
