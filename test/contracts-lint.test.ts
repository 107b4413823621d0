import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * One definition per shape: request and response bodies are zod schemas in
 * common/contracts, which the server validates with and the web app types its calls
 * with (`z.infer` / `z.input` of the same schemas). This scans the web app's API files
 * (web/modules/<module>/api/*.ts) for hand-written copies: an `interface`, or a `type`
 * with an object type literal that derives from no contract (a literal that refines a
 * contract's type, e.g. `Omit<z.infer<typeof S>, 'x'> & { x: … }`, is derived).
 */
const ROOT = join(__dirname, '..');
const WEB_MODULES = join(ROOT, 'web/modules');

/** Purely client-side types, each with its reason (file:name). */
const CLIENT_SIDE: Record<string, string> = {
  'web/modules/records/api/records.api.ts:ListParams':
    'the list options of the client, turned into a query string (filter as JSON, arrays comma-joined)',
  'web/modules/records/api/records.api.ts:VersionedRecord':
    'a record with the ETag and service-worker headers of its response, not a body',
  'web/modules/sales/api/conversion-matches.ts:ConversionMatches':
    'a preview the client computes from list calls before a lead conversion',
  'web/modules/workflows/api/workflows.api.ts:Trigger':
    'the workflow builder’s draft of a trigger (settings may be missing while editing; saved through DefinitionSchema)',
  'web/modules/workflows/api/workflows.api.ts:Step': 'the workflow builder’s draft of a step (as Trigger)',
  'web/modules/workflows/api/workflows.api.ts:Definition': 'the workflow builder’s draft of a definition (as Trigger)',
};

/**
 * Files whose shapes belong to contracts being written on other branches; remove each
 * entry once its file derives from common/contracts.
 */
const PENDING: Record<string, string> = {
  'web/modules/admin/api/admin.api.ts': 'the access/admin shapes (common/contracts/access.ts) are being rewritten',
  'web/modules/people/api/people.api.ts': 'members and teams are served by the access routes (same rewrite)',
  'web/modules/auth/api/auth.api.ts': 'sign-up and account security are being changed',
  'web/modules/auth/api/invitations.api.ts': 'sign-up and account security are being changed',
  'web/modules/home/api/feed-preview.api.ts':
    'the home page’s feed preview: the feed’s shapes (common/contracts/feed.ts) are written on the feed branch',
};

function apiFiles(): string[] {
  return readdirSync(WEB_MODULES).flatMap((module) => {
    const dir = join(WEB_MODULES, module, 'api');
    try {
      if (!statSync(dir).isDirectory()) return [];
    } catch {
      return [];
    }
    return readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => relative(ROOT, join(dir, f)));
  });
}

/** Names of the declarations in `source` that describe a shape by hand (not derived from common/contracts). */
function handWrittenShapes(source: string, fileName = 'file.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const fromContracts = new Set<string>();
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/(^|\/)common\/contracts\//.test(statement.moduleSpecifier.text)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) fromContracts.add(el.name.text);
  }
  const found: string[] = [];
  const has = (node: ts.Node, test: (n: ts.Node) => boolean): boolean =>
    test(node) || (ts.forEachChild(node, (child) => has(child, test) || undefined) ?? false);
  for (const statement of file.statements) {
    if (ts.isInterfaceDeclaration(statement)) {
      found.push(statement.name.text);
    } else if (ts.isTypeAliasDeclaration(statement)) {
      const literal = has(statement.type, ts.isTypeLiteralNode);
      const derived = has(statement.type, (n) => ts.isIdentifier(n) && fromContracts.has(n.text));
      if (literal && !derived) found.push(statement.name.text);
    }
  }
  return found;
}

describe('web API types derive from common/contracts', () => {
  it('finds hand-written shapes and accepts derived ones', () => {
    const source = `
      import type { z } from 'zod';
      import type { ThingSchema } from '../../../../common/contracts/things';
      export interface Copy { id: string }
      export type Literal = { id: string };
      export type Mixed = Record<string, unknown> & { id: string };
      export type Thing = z.infer<typeof ThingSchema>;
      export type Refined = Omit<z.infer<typeof ThingSchema>, 'x'> & { x: number };
      export type Kind = 'a' | 'b';
    `;
    expect(handWrittenShapes(source)).toEqual(['Copy', 'Literal', 'Mixed']);
  });

  it('has no hand-written request or response shapes in web/modules/*/api', () => {
    const files = apiFiles();
    expect(files.length).toBeGreaterThan(10);
    const found = files
      .filter((f) => !(f in PENDING))
      .flatMap((f) => handWrittenShapes(readFileSync(join(ROOT, f), 'utf8'), f).map((name) => `${f}:${name}`))
      .filter((key) => !(key in CLIENT_SIDE));
    expect(found).toEqual([]);
  });

  it('allow-lists only declarations that exist', () => {
    const present = new Set(
      apiFiles().flatMap((f) => handWrittenShapes(readFileSync(join(ROOT, f), 'utf8'), f).map((n) => `${f}:${n}`)),
    );
    expect(Object.keys(CLIENT_SIDE).filter((key) => !present.has(key))).toEqual([]);
    expect(Object.keys(PENDING).filter((f) => !apiFiles().includes(f))).toEqual([]);
  });
});
