// The server as one JavaScript file, dist/server/main.mjs (npm install, `npm start` and the
// test runs build it: scripts/build-server.mjs). Loading one file skips resolving and
// transforming the ~500 TypeScript modules through tsx: a `rapport` command starts on about
// two thirds of the CPU time (a `rapport serve` on a template database, 2026-12-07: 12 CPU-s
// instead of 19). It is used only while it matches the sources exactly — a hash of every file
// it was built from — so an edited checkout runs its TypeScript through tsx as before.
// RAPPORT_BUNDLE=off always runs the sources (npm run dev, which watches them).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const BUNDLE = path.join(ROOT, 'dist/server/main.mjs');
/** The files the bundle was built from (paths from the root) and their hash. */
export const MANIFEST = path.join(ROOT, 'dist/server/inputs.json');

/** A hash of the files' paths and contents (paths relative to `root`). */
export function hashInputs(files, root = ROOT) {
  const h = createHash('sha256');
  for (const file of files) {
    h.update(file);
    h.update('\0');
    h.update(readFileSync(path.join(root, file)));
  }
  return h.digest('hex');
}

/** Whether the manifest's files are, byte for byte, those the bundle was built from. */
export function isFresh(manifest = MANIFEST, bundle = BUNDLE, root = ROOT) {
  try {
    const { files, hash } = JSON.parse(readFileSync(manifest, 'utf8'));
    return existsSync(bundle) && hashInputs(files, root) === hash;
  } catch {
    return false; // not built, or a source it was built from is gone
  }
}

/** The bundle's path if it was built from the sources as they are now, else null. */
export function freshBundle() {
  return process.env.RAPPORT_BUNDLE !== 'off' && isFresh() ? BUNDLE : null;
}

/**
 * Builds the bundle with esbuild (the compiler tsx uses; packages stay imports from
 * node_modules) unless it is fresh or `force`. Every file is written beside its place and
 * renamed into it, the manifest last, so a `rapport` starting meanwhile loads the old bundle
 * or the new one, never half of one. Resolves with how many source files went in (0: fresh).
 */
export async function buildBundle({ force = false } = {}) {
  if (!force && isFresh()) return 0;
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['cli/main.ts'],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Stack traces can name the TypeScript files and lines (node --enable-source-maps).
    sourcemap: true,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  const files = [
    ...Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')),
    'tsconfig.json',
    'package.json',
  ].sort();
  mkdirSync(path.dirname(BUNDLE), { recursive: true });
  rmSync(MANIFEST, { force: true });
  const put = (file, contents) => {
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, contents);
    renameSync(temp, file);
  };
  for (const out of result.outputFiles) put(out.path, out.contents);
  put(MANIFEST, `${JSON.stringify({ hash: hashInputs(files), files }, null, 1)}\n`);
  return files.length;
}
