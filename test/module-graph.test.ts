import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The capability modules (server/modules/<name>/) depend on each other without loops,
 * only through each other's index.ts (the public surface), and are listed once in
 * server/modules/index.ts after the modules they use; the platform (server/platform/)
 * depends on no module: it stays CRM-free. app.ts and runtime.ts know modules only
 * through that list.
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
  // server/modules/index.ts (the list) is no module; `../accounts` is the accounts module.
  return rel.startsWith('..') || /^index(\.ts)?$/.test(rel) ? undefined : rel.split('/')[0];
};

/** Module → the other modules its sources import. */
function moduleEdges(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const file of sources(MODULES)) {
    const from = moduleOf(file);
    if (!from) continue;
    for (const target of imports(file)) {
      const to = moduleOf(target);
      if (to && to !== from) edges.set(from, (edges.get(from) ?? new Set()).add(to));
    }
  }
  return edges;
}

describe('module import graph', () => {
  it('has no loops between modules', () => {
    const edges = moduleEdges();
    expect(edges.size).toBeGreaterThan(3); // the scan sees the imports
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

  it('a module uses another only through its index.ts', () => {
    const found: string[] = [];
    for (const file of sources(MODULES)) {
      const from = moduleOf(file);
      for (const target of imports(file)) {
        const to = moduleOf(target);
        if (!to || to === from) continue;
        if (target !== join(MODULES, to) && target !== join(MODULES, to, 'index'))
          found.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('lists every module once, after the modules it uses', () => {
    const list = readFileSync(join(MODULES, 'index.ts'), 'utf8');
    const body = list.slice(list.indexOf('export const MODULES'));
    const order = [...body.slice(0, body.indexOf('] as const')).matchAll(/^\s+(\w+)Module,$/gm)].map((m) => m[1]);
    const folders = readdirSync(MODULES).filter((n) => statSync(join(MODULES, n)).isDirectory());
    expect([...order].sort()).toEqual([...folders].sort());
    for (const name of folders) expect(existsSync(join(MODULES, name, 'index.ts')), name).toBe(true);
    const late: string[] = [];
    for (const [from, tos] of moduleEdges()) {
      for (const to of tos) if (order.indexOf(to) > order.indexOf(from)) late.push(`${from} uses ${to}, listed later`);
    }
    expect(late).toEqual([]);
  });

  it('app.ts and runtime.ts import no module but the list', () => {
    const found: string[] = [];
    for (const file of ['server/app.ts', 'server/runtime.ts', 'server/main.ts']) {
      for (const target of imports(join(ROOT, file))) {
        const rel = relative(MODULES, target);
        if (!rel.startsWith('..') && rel !== 'index' && rel !== '') found.push(`${file} → ${relative(ROOT, target)}`);
      }
    }
    expect(found).toEqual([]);
  });
});
