import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashInputs, isFresh } from './server-bundle.js';

// `rapport` runs dist/server/main.mjs only while it was built from the sources as they are:
// any changed, renamed or removed source sends it back to the TypeScript through tsx.
describe('the server bundle is used only while it matches the sources', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  function checkout() {
    const root = mkdtempSync(path.join(tmpdir(), 'rapport-bundle-'));
    roots.push(root);
    mkdirSync(path.join(root, 'server'), { recursive: true });
    mkdirSync(path.join(root, 'dist/server'), { recursive: true });
    writeFileSync(path.join(root, 'server/a.ts'), 'export const a = 1;\n');
    writeFileSync(path.join(root, 'server/b.ts'), 'export const b = 2;\n');
    writeFileSync(path.join(root, 'dist/server/main.mjs'), '// built\n');
    const files = ['server/a.ts', 'server/b.ts'];
    const manifest = path.join(root, 'dist/server/inputs.json');
    writeFileSync(manifest, JSON.stringify({ hash: hashInputs(files, root), files }));
    const fresh = () => isFresh(manifest, path.join(root, 'dist/server/main.mjs'), root);
    return { root, manifest, fresh };
  }

  it('is fresh when built from these very files', () => {
    expect(checkout().fresh()).toBe(true);
  });

  it('is stale when a source changed by one byte, or is gone', () => {
    const changed = checkout();
    writeFileSync(path.join(changed.root, 'server/a.ts'), 'export const a = 2;\n');
    expect(changed.fresh()).toBe(false);
    const gone = checkout();
    rmSync(path.join(gone.root, 'server/b.ts'));
    expect(gone.fresh()).toBe(false);
  });

  it('is not used without its manifest or its bundle', () => {
    const noManifest = checkout();
    rmSync(noManifest.manifest);
    expect(noManifest.fresh()).toBe(false);
    const noBundle = checkout();
    rmSync(path.join(noBundle.root, 'dist/server/main.mjs'));
    expect(noBundle.fresh()).toBe(false);
  });
});
