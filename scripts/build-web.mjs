#!/usr/bin/env node
// Builds the web app (web/ → dist/web) with Vite, then writes .gz and .br copies of the
// assets so the server sends them compressed. Skips the build when dist/web was made
// from the same sources (a hash of web/, common/ and the lockfile), so `npm start` on a
// fresh clone builds once and later starts stay fast. `--force` always builds.
// `--postinstall` (npm install runs it): builds at install time, so the first `npm start`
// does not wait for it; a failure there only warns (npm start builds again and says why),
// and RAPPORT_SKIP_WEB_BUILD=1 skips it (an API-only install, a CI step that builds later).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'dist/web');
const STAMP = path.join(OUT, '.build-hash');
const INPUTS = ['web', 'common', 'package-lock.json'];

async function files(p) {
  const full = path.join(ROOT, p);
  if (!existsSync(full)) return [];
  const entries = await readdir(full, { withFileTypes: true, recursive: true }).catch(() => null);
  if (entries === null) return [p]; // a file
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)))
    .sort();
}

/** A hash of every input file's path and content. */
async function sourceHash() {
  const h = createHash('sha256');
  for (const input of INPUTS) {
    for (const f of await files(input)) {
      h.update(f);
      h.update(await readFile(path.join(ROOT, f)));
    }
  }
  return h.digest('hex');
}

/**
 * Writes precompressed copies of text assets (served by @fastify/static's preCompressed),
 * all at once: zlib works on libuv's thread pool, so every core compresses.
 */
async function precompress() {
  const files = (await readdir(OUT, { withFileTypes: true, recursive: true }))
    .filter((e) => e.isFile() && /\.(js|css|html|svg|json)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
  const done = await Promise.all(
    files.map(async (file) => {
      const body = await readFile(file);
      if (body.length < 1024) return false;
      const [gz, br] = await Promise.all([
        gzipAsync(body, { level: 9 }),
        brotliAsync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
      ]);
      await Promise.all([writeFile(`${file}.gz`, gz), writeFile(`${file}.br`, br)]);
      return true;
    }),
  );
  return done.filter(Boolean).length;
}

/** Files the service worker keeps for offline use: the whole app shell, every hashed chunk included. */
async function precacheList() {
  const manifest = JSON.parse(await readFile(path.join(OUT, '.vite/manifest.json'), 'utf8'));
  const files = new Set(['/', '/index.html']);
  for (const chunk of Object.values(manifest)) {
    for (const f of [chunk.file, ...(chunk.css ?? []), ...(chunk.assets ?? [])]) if (f) files.add(`/${f}`);
  }
  const publicFiles = await readdir(path.join(ROOT, 'web/public'), { withFileTypes: true, recursive: true });
  for (const e of publicFiles) {
    if (!e.isFile() || e.name === 'sw.js') continue;
    files.add(
      `/${path.relative(path.join(ROOT, 'web/public'), path.join(e.parentPath, e.name)).split(path.sep).join('/')}`,
    );
  }
  return [...files].sort();
}

/** Fills the service worker's build version and precache list (placeholders in web/public/sw.js). */
async function writeServiceWorker(hash) {
  const file = path.join(OUT, 'sw.js');
  const source = await readFile(file, 'utf8');
  const list = await precacheList();
  const out = source
    .replace("const VERSION = 'dev';", `const VERSION = '${hash.slice(0, 12)}';`)
    .replace("const PRECACHE = ['/', '/index.html'];", `const PRECACHE = ${JSON.stringify(list)};`);
  if (out === source) throw new Error('web/public/sw.js lacks the VERSION/PRECACHE placeholders');
  await writeFile(file, out);
  return list.length;
}

const force = process.argv.includes('--force');
const postinstall = process.argv.includes('--postinstall');
if (postinstall && process.env.RAPPORT_SKIP_WEB_BUILD === '1') {
  console.log('RAPPORT_SKIP_WEB_BUILD=1: the web app is built at the first npm start instead.');
  process.exit(0);
}
const hash = await sourceHash();
const built = existsSync(path.join(OUT, 'index.html')) && existsSync(STAMP);
if (!force && built && (await readFile(STAMP, 'utf8')).trim() === hash) {
  console.log('Web app is up to date (dist/web).');
  process.exit(0);
}

console.log(force || !built ? 'Building the web app…' : 'Web app sources changed: rebuilding…');
const started = Date.now();
let precached;
let compressed;
try {
  const { build } = await import('vite');
  await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
  precached = await writeServiceWorker(hash);
  compressed = await precompress();
} catch (err) {
  if (!postinstall) throw err;
  console.warn(`The web app could not be built at install time (npm start will try again): ${err?.message ?? err}`);
  process.exit(0);
}
await writeFile(STAMP, `${hash}\n`);
console.log(
  `Web app built into dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s (${compressed} files precompressed, ${precached} precached by the service worker).`,
);
