import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The capability modules (server/modules/<name>/) depend on each other without loops, and
 * the platform (server/platform/) depends on no module: it stays CRM-free.
 */
const ROOT = join(__dirname, '..');
const MODULES = join(ROOT, 'server/modules');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** The files a source imports (relative imports only), as absolute paths without extension. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) =>
    resolve(dirname(file), m[1] as string),
  );
}

const moduleOf = (path: string): string | undefined => {
  const rel = relative(MODULES, path);
  return rel.startsWith('..') || !rel.includes('/') ? undefined : rel.split('/')[0];
};

describe('module import graph', () => {
  it('has no loops between modules', () => {
    const edges = new Map<string, Set<string>>();
    for (const file of sources(MODULES)) {
      const from = moduleOf(file);
      if (!from) continue;
      for (const target of imports(file)) {
        const to = moduleOf(target);
        if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
      }
    }
    const loops: string[] = [];
    const visit = (node: string, path: string[]) => {
      for (const next of edges.get(node) ?? []) {
        if (path.includes(next)) loops.push([...path.slice(path.indexOf(next)), next].join(' → '));
        else visit(next, [...path, next]);
      }
    };
    for (const start of edges.keys()) visit(start, [start]);
    expect(loops).toEqual([]);
  });

  it('platform imports no module', () => {
    const found: string[] = [];
    for (const file of sources(join(ROOT, 'server/platform'))) {
      for (const target of imports(file)) {
        if (!relative(MODULES, target).startsWith('..'))
          found.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(found).toEqual([]);
  });
});
