import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STANDARD_OBJECTS } from '../server/modules';

/**
 * Every write to a record table goes through the record engine (server/platform/records):
 * RecordService.create / update / systemWrite / trash / restore / purge / relink, so each
 * one gets its version bump, validation, audit row and event. This scans the server's
 * sources for SQL (`insert into`, `update`, `delete from`) and Kysely (`insertInto`,
 * `updateTable`, `deleteFrom`) writes to a declared object's table, or to a table named
 * at run time, anywhere else. Permission SQL stays in the engine too: no file outside it
 * calls or passes on `RecordContext.visible` (modules use require, scopedRelation,
 * visibleIds, readableIdsInAnyState).
 */
const ROOT = join(__dirname, '..');
const ENGINE_DIR = 'server/platform/records/';

/** Writes allowed outside the engine, each with its reason (file → how many). */
const ALLOWED: Record<string, { count: number; why: string }> = {
  'server/modules/tasks/reminders.ts': {
    count: 1,
    why: 'the reminder sweep claims due reminders across workspaces (reminded_at is scheduler bookkeeping, hidden and read-only; not a change of the task)',
  },
  'server/modules/demo/backdate.ts': {
    count: 1,
    why: 'demo data backdates created_at (closed_at of deals) so lists, timelines and deal statistics have a history',
  },
  'server/modules/privacy/erasure.ts': {
    count: 3,
    why: 'a privacy erasure rewrites or deletes the person in every table the database catalogue lists, by name at run time; the record tables are excluded by name (they go through RecordService.purge / systemWrite) — see docs/ARCHITECTURE.md, "Data-subject requests"',
  },
  'server/platform/crypto/rotation.ts': {
    count: 1,
    why: '`rapport keys rotate` re-seals sensitive values under the newest key in every table with sealed columns, record tables included: the same plaintext, no change of the record (no version, event or audit row), guarded so a value changed meanwhile is left to the next pass',
  },
  'server/platform/backup/restore.ts': {
    count: 2,
    why: 'rapport restore loads every table of a checked backup into an empty database as it was, rows and ids verbatim (no events, no audit, no version bumps: the backup already holds them)',
  },
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/** Record-table writes in one source text: [line, statement] pairs. */
function recordWrites(text: string, tables: Set<string>): [number, string][] {
  const out: [number, string][] = [];
  const lines = text.split('\n');
  const sqlWrite = /\b(insert\s+into|update|delete\s+from)\s+(\$\{|[a-z_][a-z0-9_]*)/gi;
  const kyselyWrite = /\.(insertInto|updateTable|deleteFrom)\(\s*(['"`])?([a-z_][a-z0-9_]*)?/g;
  for (const [i, line] of lines.entries()) {
    const code = line.replace(/^\s*(\/\/|\*|\/\*).*$/, ''); // comments describe, they do not write
    for (const m of code.matchAll(sqlWrite)) {
      const target = m[2] as string;
      if (target === '${' || tables.has(target.toLowerCase())) out.push([i + 1, m[0]]);
    }
    for (const m of code.matchAll(kyselyWrite)) {
      if (!m[2] || tables.has((m[3] ?? '').toLowerCase())) out.push([i + 1, m[0]]);
    }
  }
  return out;
}

/** Uses of the engine's permission condition (`ctx.visible(…)`, `visible(…)`, `ctx.visible`): [line, text] pairs. */
function permissionSql(text: string): [number, string][] {
  const out: [number, string][] = [];
  const use = /(?<![\w$])visible\s*\(|(?<![.\w$])[\w$]+\??\.visible\b|\{[^}]*\bvisible\b[^}]*\}\s*=/g;
  for (const [i, line] of text.split('\n').entries()) {
    const code = line.replace(/^\s*(\/\/|\*|\/\*).*$/, '');
    for (const m of code.matchAll(use)) out.push([i + 1, m[0]]);
  }
  return out;
}

describe('record writes go through the engine', () => {
  const tables = new Set(STANDARD_OBJECTS.map((o) => o.table));

  it('finds the writes it looks for (the scanner itself)', () => {
    const sample = [
      'await sql`update contacts set x = 1`',
      'await sql`insert into leads (id) values (1)`',
      'await sql`DELETE FROM opportunities where id = 1`',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text with a run-time table name
      'await sql`update ${t} as x set a = 1`',
      "await tx.updateTable('tasks').set({}).execute()",
      'await tx.deleteFrom(table).execute()',
      'await sql`update pipelines set name = 1`', // not a record table
      '// update contacts here', // a comment
      'select 1 for update', // a lock
    ].join('\n');
    expect(recordWrites(sample, tables).map(([line]) => line)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('no module or platform service writes a record table itself', () => {
    const found: string[] = [];
    const perFile = new Map<string, number>();
    for (const path of sources(join(ROOT, 'server'))) {
      const file = relative(ROOT, path).split('\\').join('/');
      if (file.startsWith(ENGINE_DIR) || file.startsWith('server/migrations/')) continue;
      for (const [line, statement] of recordWrites(readFileSync(path, 'utf8'), tables)) {
        perFile.set(file, (perFile.get(file) ?? 0) + 1);
        if (!ALLOWED[file]) found.push(`${file}:${line}: ${statement}`);
      }
    }
    expect(found, 'write through RecordService (update, systemWrite, relink…) instead').toEqual([]);
    for (const [file, { count }] of Object.entries(ALLOWED)) expect(perFile.get(file) ?? 0, file).toBe(count);
  });

  it('finds uses of the permission condition (the scanner itself)', () => {
    const sample = [
      "const v = ctx.visible(object, 't', 'write');",
      'const where = visible (name, alias);',
      'const cond = ctx?.visible;',
      'const { schema, visible } = ctx;',
      'await visibleEvents(tx, records, actor, events);', // another function
      'const ids = await records.visibleIds(tx, ctx, object, ids);',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text interpolating a local set
      'select 1 where id = any(${[...visible]})', // a local set of ids
      '// ctx.visible is for the engine', // a comment
    ].join('\n');
    expect(permissionSql(sample).map(([line]) => line)).toEqual([1, 2, 3, 4]);
  });

  it("no module or platform service uses the engine's permission SQL (RecordContext.visible)", () => {
    const found: string[] = [];
    for (const path of sources(join(ROOT, 'server'))) {
      const file = relative(ROOT, path).split('\\').join('/');
      if (file.startsWith(ENGINE_DIR)) continue;
      for (const [line, text] of permissionSql(readFileSync(path, 'utf8'))) found.push(`${file}:${line}: ${text}`);
    }
    expect(found, 'ask RecordService (require, scopedRelation, visibleIds…) instead').toEqual([]);
  });
});
