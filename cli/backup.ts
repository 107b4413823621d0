import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { type BackupProgress, backupToFile } from '../server/platform/backup/backup';
import { assertPassphrase, BackupError, openEnvelope, PASSPHRASE_ENV } from '../server/platform/backup/envelope';
import { readBackup, restoreFromFile } from '../server/platform/backup/restore';
import { loadConfig } from '../server/platform/config';
import type { Database } from '../server/platform/db/database';

type WithDatabase = <T>(fn: (db: Database) => Promise<T>, opts?: { migrate?: boolean }) => Promise<T>;
type WorkspaceIdFor = (db: Database, ref: string | undefined) => Promise<string>;

/** The passphrase from --passphrase-file (its first line) or RAPPORT_BACKUP_PASSPHRASE; undefined: none. */
function readPassphrase(file: string | undefined): string | undefined {
  let passphrase: string | undefined;
  if (file) {
    try {
      passphrase = fs.readFileSync(file, 'utf8').split(/\r?\n/)[0] ?? '';
    } catch (err) {
      throw new BackupError(`Cannot read the passphrase file ${file}: ${(err as NodeJS.ErrnoException).code}`);
    }
  } else passphrase = process.env[PASSPHRASE_ENV] || undefined;
  if (passphrase !== undefined) assertPassphrase(passphrase);
  return passphrase;
}

/** Progress on stderr: a bar redrawn in place on a terminal, a line every 10% otherwise. */
function progressBar(verb: string): { update(p: BackupProgress): void; end(): void } {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  let drawn = false;
  return {
    update({ table, done, total }) {
      const ratio = total ? Math.min(1, done / total) : 1;
      if (tty) {
        const width = 30;
        const filled = Math.round(ratio * width);
        const label = table.length > 28 ? `${table.slice(0, 27)}…` : table;
        process.stderr.write(
          `\r${verb} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${done.toLocaleString('en')}/${total.toLocaleString('en')} rows  ${label}\x1b[K`,
        );
        drawn = true;
        return;
      }
      const tenth = Math.floor(ratio * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        process.stderr.write(
          `${verb}: ${tenth * 10}% (${done.toLocaleString('en')} of ${total.toLocaleString('en')} rows)\n`,
        );
      }
    },
    end() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

const size = (file: string) => {
  const bytes = fs.statSync(file).size;
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
};

/** `rapport backup` and `rapport restore`. */
export function addBackupCommands(
  program: Command,
  out: (s: string) => void,
  withDatabase: WithDatabase,
  workspaceIdFor: WorkspaceIdFor,
): void {
  program
    .command('backup')
    .description(
      'Write a consistent, compressed backup of the whole instance (or one workspace), with a manifest of checksums; ' +
        `encrypted when a passphrase is given (--passphrase-file or ${PASSPHRASE_ENV}). ` +
        'Embedded database: stop the server first (or let it make scheduled backups: RAPPORT_BACKUP_DIR).',
    )
    .requiredOption('--out <file>', 'the backup file to write')
    .option('--workspace <id|name>', 'only this workspace: its rows, and the users it references')
    .option(
      '--passphrase-file <file>',
      `encrypt with the passphrase on this file's first line (or set ${PASSPHRASE_ENV})`,
    )
    .action(async (opts: { out: string; workspace?: string; passphraseFile?: string }) => {
      const passphrase = readPassphrase(opts.passphraseFile);
      const config = loadConfig();
      if (
        !config.databaseUrl &&
        !config.dataDir.startsWith('memory://') &&
        !fs.existsSync(path.join(config.dataDir, 'pg'))
      )
        throw new BackupError(
          `There is no embedded database in ${config.dataDir} (set RAPPORT_DATA_DIR or DATABASE_URL)`,
        );
      const file = path.resolve(opts.out);
      const bar = progressBar('backup');
      const manifest = await openForBackup(withDatabase, async (db) => {
        const workspaceId = opts.workspace ? await workspaceIdFor(db, opts.workspace) : undefined;
        try {
          return await backupToFile(db, file, { workspaceId, passphrase, onProgress: (p) => bar.update(p) });
        } finally {
          bar.end();
        }
      });
      const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
      out(
        `Backed up ${rows.toLocaleString('en')} rows of ${manifest.tables.length} tables (${manifest.workspaceId ? `workspace ${manifest.workspaceId}` : 'the whole instance'}, migration ${manifest.migration}) to ${file} (${size(file)}${passphrase ? ', encrypted' : ''}).\n`,
      );
    });

  program
    .command('restore')
    .description(
      'Restore a backup into an empty database, the server stopped; every checksum is verified before anything is committed',
    )
    .argument('<file>', 'the backup file')
    .option('--passphrase-file <file>', `the passphrase of an encrypted backup (or set ${PASSPHRASE_ENV})`)
    .option(
      '--force',
      'restore into a database that holds data: a whole-instance backup replaces everything in it, a workspace backup is added beside the other workspaces',
    )
    .option('--check', 'only verify the file against its manifest, without touching any database')
    .action(async (file: string, opts: { passphraseFile?: string; force?: boolean; check?: boolean }) => {
      const passphrase = readPassphrase(opts.passphraseFile);
      const bar = progressBar(opts.check ? 'check' : 'restore');
      if (opts.check) {
        const { header, manifest } = await readBackup(path.resolve(file), passphrase, {}, (p) => bar.update(p)).finally(
          () => bar.end(),
        );
        const rows = manifest.tables.reduce((n, t) => n + t.rows, 0);
        out(
          `${file} is intact: ${rows.toLocaleString('en')} rows of ${manifest.tables.length} tables, made ${header.createdAt} from ${header.workspaceId ? `workspace ${header.workspaceId}` : 'the whole instance'} at migration ${header.migration} (${header.serverVersion}).\n`,
        );
        return;
      }
      // A missing file, another format or a wrong passphrase is told before any database is opened.
      await openEnvelope(path.resolve(file), passphrase);
      const result = await withDatabase(
        (db) =>
          restoreFromFile(db, path.resolve(file), {
            passphrase,
            force: opts.force,
            onProgress: (p) => bar.update(p),
          }).finally(() => bar.end()),
        { migrate: false },
      );
      out(
        `Restored ${result.rows.toLocaleString('en')} rows of ${result.manifest.tables.length} tables from ${file} (made ${result.header.createdAt}${result.header.workspaceId ? `, workspace ${result.header.workspaceId}` : ''}), every checksum verified.` +
          (result.migratedAfter.length ? ` Then applied migrations ${result.migratedAfter.join(', ')}.` : '') +
          '\n',
      );
    });
}

/** Opens the database for a backup without migrating it; says what to do when a running server holds the embedded one. */
async function openForBackup<T>(withDatabase: WithDatabase, fn: (db: Database) => Promise<T>): Promise<T> {
  try {
    return await withDatabase(fn, { migrate: false });
  } catch (err) {
    if (/is in use by process/.test((err as Error).message))
      throw new BackupError(
        `${(err as Error).message} A running server holds the embedded database: stop it for \`rapport backup\`, or let it write scheduled backups (RAPPORT_BACKUP_DIR).`,
      );
    throw err;
  }
}
