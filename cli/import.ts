import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { sql } from 'kysely';
import { IMPORT_MODES, IMPORT_PRESETS, type TImport, type TImportFields } from '../common/contracts/imports';
import type { Actor } from '../server/platform/auth/actor';
import { loadConfig } from '../server/platform/config';
import type { Database } from '../server/platform/db/database';
import type { RoleKey } from '../server/platform/db/schema';

interface ImportOptions {
  object: string;
  preset?: (typeof IMPORT_PRESETS)[number];
  mode: (typeof IMPORT_MODES)[number];
  matchOn?: string;
  mapping?: string;
  dryRun?: boolean;
  createMissing: boolean;
  workspace?: string;
  as?: string;
  errors?: string;
}

/** The member an import from the command line acts as: `--as <email>`, else the workspace's first administrator. */
async function cliActor(database: Database, workspaceId: string, email: string | undefined): Promise<Actor> {
  const { rows } = await sql<{ user_id: string; role: RoleKey }>`
    select m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where m.workspace_id = ${workspaceId}::uuid
      and (${email ?? null}::text is null or lower(u.email) = lower(${email ?? null}::text))
      and (${email ?? null}::text is not null or m.role = 'administrator')
    order by m.created_at limit 1`.execute(database.db);
  const m = rows[0];
  if (!m) throw new Error(email ? `No member ${email} in that workspace` : 'The workspace has no administrator');
  return { kind: 'user', userId: m.user_id, workspaceId, role: m.role, scopes: [] };
}

function progressLine(s: TImport, total: number | null, tty: boolean): string {
  const { read, created, updated, failed } = s.counts;
  const counts = `${read.toLocaleString('en')} read, ${created.toLocaleString('en')} created, ${updated.toLocaleString('en')} updated, ${failed.toLocaleString('en')} failed`;
  if (!tty || !total) return counts;
  const share = Math.min(1, read / total);
  const width = 30;
  const done = Math.round(share * width);
  return `[${'#'.repeat(done)}${'-'.repeat(width - done)}] ${String(Math.round(share * 100)).padStart(3)}% ${counts}`;
}

/**
 * `rapport import FILE --object contacts [--preset hubspot]`: the same import as
 * `POST /api/v1/imports`, run in this process (the file is stored and the job runs here,
 * batch by batch; a crash resumes when the server or this command runs it again), with a
 * progress bar on a terminal and a plain line per batch otherwise.
 */
export function addImportCommand(
  program: Command,
  out: (s: string) => void,
  workspaceIdFor: (database: Database, ref: string | undefined) => Promise<string>,
): void {
  program
    .command('import')
    .description('Import a CSV, XLSX or vCard file into an object (as the API does), showing progress')
    .argument('<file>', 'the file to import')
    .requiredOption('--object <name>', 'the object to import into (contacts, accounts, leads…)')
    .addOption(new Option('--preset <name>', 'the export format of another CRM').choices([...IMPORT_PRESETS]))
    .addOption(new Option('--mode <mode>', 'create, update or upsert').choices([...IMPORT_MODES]).default('upsert'))
    .option('--match-on <field>', 'the unique field existing records are found by (default: the object’s)')
    .option('--mapping <json|file>', 'column → field mapping: JSON, or a JSON file')
    .option('--dry-run', 'check and count everything, write nothing')
    .option('--no-create-missing', 'do not create accounts the file names and that do not exist')
    .option('--workspace <id|name>', 'workspace (default: the only one)')
    .option('--as <email>', 'the member the import acts as (default: the first administrator)')
    .option('--errors <file>', 'write the per-row errors (CSV) to this file')
    .action(async (file: string, opts: ImportOptions) => {
      const stat = await fs.promises.stat(file).catch(() => null);
      if (!stat?.isFile()) throw new Error(`No file ${file}`);
      let mapping = opts.mapping;
      if (mapping && !mapping.trim().startsWith('{')) mapping = await fs.promises.readFile(mapping, 'utf8');
      // Loaded here, not at start-up: `rapport --help` stays quick.
      const { startRuntime } = await import('../server/runtime');
      const { getImport, IMPORT_QUEUE, importErrorsCsv, startImport } = await import(
        '../server/modules/imports/imports.service'
      );
      const quiet = new Writable({ write: (_c, _e, cb) => cb() });
      const runtime = await startRuntime(loadConfig({ seedDemo: false }), { backgroundWork: false, logStream: quiet });
      try {
        const workspaceId = await workspaceIdFor(runtime.database, opts.workspace);
        const actor = await cliActor(runtime.database, workspaceId, opts.as);
        const fields: TImportFields = {
          object: opts.object,
          preset: opts.preset,
          mode: opts.mode,
          matchOn: opts.matchOn,
          dryRun: !!opts.dryRun,
          createMissing: opts.createMissing,
          mapping,
        };
        const { id } = await startImport(
          runtime.database,
          runtime.records,
          runtime.jobs,
          actor,
          { fileName: path.basename(file), path: file, size: stat.size },
          fields,
        );
        const tty = !!process.stderr.isTTY;
        let state = await runtime.database.tenantRead(workspaceId, (tx) => getImport(tx, runtime.records, actor, id));
        let last = '';
        const report = async () => {
          state = await runtime.database.tenantRead(workspaceId, (tx) => getImport(tx, runtime.records, actor, id));
          const line = progressLine(state, state.estimatedRows, tty);
          if (line !== last) process.stderr.write(tty ? `\r${line}` : `${line}\n`);
          last = line;
        };
        while (state.status !== 'completed' && state.status !== 'failed') {
          // The job runs here; the progress is read while it works (each batch commits its counts).
          let running = true;
          const run = runtime.jobs.runDue({ queues: [IMPORT_QUEUE] }).finally(() => {
            running = false;
          });
          while (running) {
            await new Promise((r) => setTimeout(r, 250));
            await report();
          }
          await run;
          await report();
        }
        if (tty) process.stderr.write('\n');
        if (opts.errors && state.errors > 0) {
          const csv = await runtime.database.tenantRead(workspaceId, (tx) =>
            importErrorsCsv(tx, runtime.records, actor, id),
          );
          await fs.promises.writeFile(opts.errors, csv);
        }
        const { read, created, updated, failed } = state.counts;
        out(
          `Import ${id} ${state.status}${state.dryRun ? ' (dry run: nothing written)' : ''}: ${read} rows read, ${created} created, ${updated} updated, ${failed} failed${state.accountsCreated ? `, ${state.accountsCreated} accounts created` : ''}.\n`,
        );
        if (state.error) throw new Error(state.error);
        if (state.errors > 0 && !opts.errors) {
          process.stderr.write(
            `${state.errors} row errors: rerun with --errors errors.csv, or GET ${state.errorsUrl}\n`,
          );
        }
      } finally {
        await runtime.close();
      }
    });
}
