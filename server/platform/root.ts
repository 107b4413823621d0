import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The checkout's root, where package.json is. Files the server reads at run time (its
 * migrations, the embedded database's worker, the built web app) are found from here, not
 * from the reading module's own place: that is server/platform/… in the sources and
 * dist/server/ in the bundle `rapport` runs (scripts/build-server.mjs).
 */
export const ROOT = findRoot(import.meta.dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'rapport') return dir;
    if (path.dirname(dir) === dir) throw new Error(`Rapport's package.json was not found above ${from}`);
  }
}
